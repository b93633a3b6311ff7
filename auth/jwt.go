package auth

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

// Token verification errors. Their messages are safe to show to clients.
var (
	ErrTokenMalformed   = errors.New("token malformed")
	ErrTokenSignature   = errors.New("token signature invalid")
	ErrTokenExpired     = errors.New("token expired")
	ErrTokenNotYetValid = errors.New("token not valid yet")
	ErrTokenIssuer      = errors.New("token issuer invalid")
	ErrTokenAlgorithm   = errors.New("token algorithm not allowed")
)

// errNoSecret is returned by Issue and Sign when the issuer has no secret.
var errNoSecret = errors.New("auth: empty jwt secret")

// TokenLeeway is the clock skew tolerated on exp, nbf and iat.
const TokenLeeway = 30 * time.Second

// DefaultTokenLife is Daptin's token lifetime when jwt.token.life.hours is unset.
const DefaultTokenLife = 72 * time.Hour

const tokenAlg = "HS256"

// Issuer signs and verifies the HS256 tokens handed out by signin. It is
// safe for concurrent use.
type Issuer struct {
	secret []byte
	issuer string
	life   time.Duration
	now    func() time.Time
	seen   *verifiedTokens
}

// NewIssuer returns an Issuer that signs with secret (config jwt.secret),
// stamps and requires iss = issuer (config jwt.token.issuer), and makes tokens
// valid for life (DefaultTokenLife when life <= 0). now is the clock; nil
// means time.Now.
func NewIssuer(secret []byte, issuer string, life time.Duration, now func() time.Time) *Issuer {
	if life <= 0 {
		life = DefaultTokenLife
	}
	if now == nil {
		now = time.Now
	}
	return &Issuer{secret: append([]byte(nil), secret...), issuer: issuer, life: life, now: now, seen: newVerifiedTokens()}
}

// Claims are the claims of an Apiary (Daptin) token. Times have a
// one-second resolution; a zero time means the claim was absent.
type Claims struct {
	Email, Name string
	Subject     string // user_account.reference_id
	ID          string // jti
	Issuer      string
	IssuedAt    time.Time
	NotBefore   time.Time
	ExpiresAt   time.Time
	AuthVersion int64  // 0 when the claim is absent; the caller decides what that means
	Picture     string // only in OTP login tokens; omitted when empty
	// Scopes are the grants of a service token (claim scopes); nil in user
	// tokens, and omitted when empty.
	Scopes []string
	// ClientID names the service_client a token was issued to (claim
	// client_id); empty in user tokens, and omitted when empty.
	ClientID string
}

// wireClaims is the JSON form of Claims when verifying.
type wireClaims struct {
	AuthVersion int64    `json:"auth_version"`
	Email       string   `json:"email"`
	Name        string   `json:"name"`
	Picture     string   `json:"picture"`
	Scopes      []string `json:"scopes"`
	ClientID    string   `json:"client_id"`
	jwt.RegisteredClaims
}

// Issue makes a token for a user: iat = nbf = now, exp = now + life, a fresh
// UUIDv7 jti, and exactly the claims auth_version, email, exp, iat, iss, jti,
// name, nbf and sub, like Daptin's signin.
func (i *Issuer) Issue(email, name, userRef string, authVersion int64) (string, Claims, error) {
	jti, err := uuid.NewV7()
	if err != nil {
		return "", Claims{}, err
	}
	now := i.now().Truncate(time.Second)
	c := Claims{
		Email:       email,
		Name:        name,
		Subject:     userRef,
		ID:          jti.String(),
		Issuer:      i.issuer,
		IssuedAt:    now,
		NotBefore:   now,
		ExpiresAt:   now.Add(i.life),
		AuthVersion: authVersion,
	}
	tok, err := i.Sign(c)
	if err != nil {
		return "", Claims{}, err
	}
	return tok, c, nil
}

// IssueFor signs claims for a token that is not a plain signin, such as a
// service token: it keeps the caller's identity and grant claims (email,
// name, sub, auth_version, picture, scopes, client_id) and stamps iss, a
// fresh UUIDv7 jti, iat = nbf = now and exp = now + life (the issuer's
// lifetime when life <= 0). It returns the token and the claims signed.
func (i *Issuer) IssueFor(claims Claims, life time.Duration) (string, Claims, error) {
	if life <= 0 {
		life = i.life
	}
	jti, err := uuid.NewV7()
	if err != nil {
		return "", Claims{}, err
	}
	now := i.now().Truncate(time.Second)
	c := claims
	c.Scopes = append([]string(nil), claims.Scopes...)
	c.ID, c.Issuer = jti.String(), i.issuer
	c.IssuedAt, c.NotBefore, c.ExpiresAt = now, now, now.Add(life)
	tok, err := i.Sign(c)
	if err != nil {
		return "", Claims{}, err
	}
	return tok, c, nil
}

// Sign signs c as given (no defaults are filled in), for callers that need
// an extra claim such as Picture. Empty strings and zero times other than
// email, name and sub are omitted; the payload keys come out sorted, as
// Daptin's did. A service token (ClientID set) also omits an empty email,
// name and sub and a zero auth_version, so it names no user by accident.
func (i *Issuer) Sign(c Claims) (string, error) {
	if len(i.secret) == 0 {
		return "", errNoSecret
	}
	// A map marshals with sorted keys, which gives Daptin's payload order.
	m := jwt.MapClaims{
		"auth_version": c.AuthVersion,
		"email":        c.Email,
		"name":         c.Name,
		"sub":          c.Subject,
	}
	if c.ClientID != "" {
		for _, k := range []string{"email", "name", "sub"} {
			if m[k] == "" {
				delete(m, k)
			}
		}
		if c.AuthVersion == 0 {
			delete(m, "auth_version")
		}
		m["client_id"] = c.ClientID
	}
	if len(c.Scopes) > 0 {
		m["scopes"] = c.Scopes
	}
	setString(m, "iss", c.Issuer)
	setString(m, "jti", c.ID)
	setString(m, "picture", c.Picture)
	setTime(m, "iat", c.IssuedAt)
	setTime(m, "nbf", c.NotBefore)
	setTime(m, "exp", c.ExpiresAt)
	return jwt.NewWithClaims(jwt.SigningMethodHS256, m).SignedString(i.secret)
}

func setString(m jwt.MapClaims, k, v string) {
	if v != "" {
		m[k] = v
	}
}

func setTime(m jwt.MapClaims, k string, t time.Time) {
	if !t.IsZero() {
		m[k] = t.Unix()
	}
}

// Verify checks token and returns its claims. The algorithm must be HS256,
// the signature must match the secret, iss must equal the configured issuer,
// exp must be present and not past, and nbf and iat must not be in the
// future, each with TokenLeeway of tolerance. Errors are the ErrToken*
// sentinels.
func (i *Issuer) Verify(token string) (Claims, error) {
	now := i.now()
	if c, ok := i.seen.lookup(token, now); ok {
		return c, nil
	}
	c, err := i.verify(token)
	if err == nil {
		i.seen.store(token, c)
	}
	return c, err
}

// verify is Verify without the cache of verified tokens.
func (i *Issuer) verify(token string) (Claims, error) {
	if err := checkHeader(token); err != nil {
		return Claims{}, err
	}
	if len(i.secret) == 0 {
		return Claims{}, ErrTokenSignature
	}
	var wc wireClaims
	parser := jwt.NewParser(
		jwt.WithValidMethods([]string{tokenAlg}),
		jwt.WithLeeway(TokenLeeway),
		jwt.WithTimeFunc(i.now),
		jwt.WithIssuedAt(),
		jwt.WithExpirationRequired(),
	)
	_, err := parser.ParseWithClaims(token, &wc, func(t *jwt.Token) (any, error) {
		if t.Method != jwt.SigningMethodHS256 {
			return nil, ErrTokenAlgorithm
		}
		return i.secret, nil
	})
	if err != nil {
		return Claims{}, mapJWTError(err)
	}
	if wc.Issuer != i.issuer {
		return Claims{}, ErrTokenIssuer
	}
	return Claims{
		Email:       wc.Email,
		Name:        wc.Name,
		Subject:     wc.Subject,
		ID:          wc.ID,
		Issuer:      wc.Issuer,
		IssuedAt:    numericTime(wc.IssuedAt),
		NotBefore:   numericTime(wc.NotBefore),
		ExpiresAt:   numericTime(wc.ExpiresAt),
		AuthVersion: wc.AuthVersion,
		Picture:     wc.Picture,
		Scopes:      wc.Scopes,
		ClientID:    wc.ClientID,
	}, nil
}

// checkHeader decodes the token header and pins its algorithm before the
// library sees it, so "none", RS256 and unknown algorithms all give
// ErrTokenAlgorithm rather than a library-specific error.
func checkHeader(token string) error {
	if strings.Count(token, ".") != 2 {
		return ErrTokenMalformed
	}
	raw, err := base64.RawURLEncoding.DecodeString(token[:strings.IndexByte(token, '.')])
	if err != nil {
		return ErrTokenMalformed
	}
	var h struct {
		Alg string `json:"alg"`
	}
	if err := json.Unmarshal(raw, &h); err != nil {
		return ErrTokenMalformed
	}
	if h.Alg != tokenAlg {
		return ErrTokenAlgorithm
	}
	return nil
}

func mapJWTError(err error) error {
	switch {
	case errors.Is(err, ErrTokenAlgorithm):
		return ErrTokenAlgorithm
	case errors.Is(err, jwt.ErrTokenMalformed):
		return ErrTokenMalformed
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return ErrTokenSignature
	case errors.Is(err, jwt.ErrTokenExpired):
		return ErrTokenExpired
	case errors.Is(err, jwt.ErrTokenNotValidYet), errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return ErrTokenNotYetValid
	}
	return ErrTokenMalformed
}

func numericTime(d *jwt.NumericDate) time.Time {
	if d == nil {
		return time.Time{}
	}
	return d.Time
}
