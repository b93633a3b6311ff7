package oauth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/schema"
)

// Tables of the OAuth client.
const (
	ConnectTable = "oauth_connect"
	StateTable   = "oauth_state"
	TokenTable   = "oauth_token"
)

// stateTTL is how long a begun flow may take.
const stateTTL = 10 * time.Minute

// ErrState marks a state that is unknown, used, expired or for another
// connection.
var ErrState = errors.New("invalid or expired OAuth state")

// ErrProvider marks a failure at the provider (token or profile endpoint).
var ErrProvider = errors.New("OAuth provider error")

// Options are the dependencies of a Client.
type Options struct {
	Res func() resource.Service
	// Decrypt opens encrypted columns (the resource layer encrypts on write).
	Decrypt func(string) (string, error)
	HTTP    *http.Client
	Now     func() time.Time
	// BaseURL makes a relative redirect_uri absolute ("http://host:port").
	BaseURL func() string
}

// Client runs OAuth flows for the oauth_connect rows.
type Client struct{ o Options }

// New builds a Client.
func New(o Options) *Client {
	if o.HTTP == nil {
		o.HTTP = &http.Client{Timeout: 30 * time.Second}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Client{o: o}
}

func system(ctx context.Context) context.Context { return auth.WithPrincipal(ctx, auth.System()) }

// connect is an oauth_connect row with its secret opened.
type connect struct {
	ref, name, clientID, secret, scope, redirect, authURL, tokenURL, profileURL, emailPath string
	allowLogin, offline, pkce                                                              bool
}

func (c *Client) loadConnect(ctx context.Context, key string) (connect, error) {
	res := c.o.Res()
	row, err := res.Get(system(ctx), ConnectTable, key, resource.Query{})
	if err != nil {
		p, lerr := res.List(system(ctx), ConnectTable, resource.Query{PageSize: 1,
			Conditions: []resource.Condition{{Column: "name", Operator: "is", Value: key}}})
		if lerr != nil || len(p.Rows) == 0 {
			return connect{}, fmt.Errorf("%w: no OAuth connection %q", ErrState, key)
		}
		row = p.Rows[0]
	}
	s := func(k string) string { v, _ := row.Attrs[k].(string); return v }
	b := func(k string) bool {
		switch v := row.Attrs[k].(type) {
		case bool:
			return v
		case int64:
			return v != 0
		case float64:
			return v != 0
		case string:
			return v == "1" || v == "true"
		}
		return false
	}
	secret, err := c.open(s("client_secret"))
	if err != nil {
		return connect{}, err
	}
	return connect{ref: row.RefID, name: s("name"), clientID: s("client_id"), secret: secret, scope: s("scope"),
		redirect: s("redirect_uri"), authURL: s("auth_url"), tokenURL: s("token_url"), profileURL: s("profile_url"),
		emailPath: s("profile_email_path"), allowLogin: b("allow_login"), offline: b("access_type_offline"), pkce: b("pkce_enabled")}, nil
}

func (c *Client) open(v string) (string, error) {
	if v == "" {
		return "", nil
	}
	out, err := c.o.Decrypt(v)
	if err != nil {
		return "", errors.New("a stored OAuth secret cannot be decrypted")
	}
	return out, nil
}

func (c *Client) redirectURI(cn connect) string {
	if strings.HasPrefix(cn.redirect, "/") && c.o.BaseURL != nil {
		return c.o.BaseURL() + cn.redirect + "?authenticator=" + url.QueryEscape(cn.name)
	}
	return cn.redirect
}

func hashState(state string) string {
	h := sha256.Sum256([]byte(state))
	return hex.EncodeToString(h[:])
}

func random(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Begin stores a fresh state for the connection and returns it with the
// provider's authorisation URL.
func (c *Client) Begin(ctx context.Context, connectRef string) (state, location string, err error) {
	cn, err := c.loadConnect(ctx, connectRef)
	if err != nil {
		return "", "", err
	}
	state = random(32)
	attrs := map[string]any{"state_hash": hashState(state), "expires_at": c.o.Now().Add(stateTTL).Unix(), "oauth_connect_id": cn.ref}
	q := url.Values{"response_type": {"code"}, "client_id": {cn.clientID}, "redirect_uri": {c.redirectURI(cn)},
		"scope": {cn.scope}, "state": {state}}
	if cn.offline {
		q.Set("access_type", "offline")
	}
	if cn.pkce {
		verifier := random(48)
		sum := sha256.Sum256([]byte(verifier))
		q.Set("code_challenge", base64.RawURLEncoding.EncodeToString(sum[:]))
		q.Set("code_challenge_method", "S256")
		attrs["code_verifier"] = verifier
	}
	if _, err := c.o.Res().Create(system(ctx), StateTable, resource.Input{Attributes: attrs}); err != nil {
		return "", "", err
	}
	sep := "?"
	if strings.Contains(cn.authURL, "?") {
		sep = "&"
	}
	return state, cn.authURL + sep + q.Encode(), nil
}

// useState checks a state for the connection and marks it used; a second
// use, an expired state or one of another connection fails.
func (c *Client) useState(ctx context.Context, cn connect, state string) (verifier string, err error) {
	res := c.o.Res()
	p, err := res.List(system(ctx), StateTable, resource.Query{PageSize: 1,
		Conditions: []resource.Condition{{Column: "state_hash", Operator: "is", Value: hashState(state)}}})
	if err != nil || len(p.Rows) == 0 || state == "" {
		return "", ErrState
	}
	row := p.Rows[0]
	if row.Attrs["oauth_connect_id"] != cn.ref || row.Attrs["used_at"] != nil && fmt.Sprint(row.Attrs["used_at"]) != "0" {
		return "", ErrState
	}
	if exp, _ := strconv.ParseInt(fmt.Sprint(row.Attrs["expires_at"]), 10, 64); exp < c.o.Now().Unix() {
		return "", ErrState
	}
	// The version check of Update makes a concurrent second use fail.
	if _, err := res.Update(system(ctx), StateTable, row.RefID, resource.Input{Attributes: map[string]any{"used_at": c.o.Now().Unix()}}); err != nil {
		return "", ErrState
	}
	v, _ := row.Attrs["code_verifier"].(string)
	return c.open(v)
}

// tokenAnswer is a token endpoint's JSON answer.
type tokenAnswer struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	Error        string `json:"error"`
}

// token posts a grant to the token endpoint.
func (c *Client) token(ctx context.Context, cn connect, form url.Values) (tokenAnswer, error) {
	form.Set("client_id", cn.clientID)
	form.Set("client_secret", cn.secret)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cn.tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return tokenAnswer{}, fmt.Errorf("%w: bad token_url", ErrProvider)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := c.o.HTTP.Do(req)
	if err != nil {
		return tokenAnswer{}, fmt.Errorf("%w: token endpoint unreachable", ErrProvider)
	}
	defer resp.Body.Close()
	var ans tokenAnswer
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err := json.Unmarshal(body, &ans); err != nil || resp.StatusCode >= 300 || ans.AccessToken == "" {
		return tokenAnswer{}, fmt.Errorf("%w: token endpoint answered %d %s", ErrProvider, resp.StatusCode, ans.Error)
	}
	return ans, nil
}

// Result is the outcome of a completed flow.
type Result struct {
	TokenRef  string
	Login     bool           // the connection allows login: User is signed in
	User      auth.Principal // the signed-in user when Login
	Connected string         // the oauth_connect name
}

// Complete checks the state, exchanges the code and stores the token,
// owned by the caller, or (login connections) by the user the profile
// names, created when missing.
func (c *Client) Complete(ctx context.Context, authenticator, code, state string) (Result, error) {
	cn, err := c.loadConnect(ctx, authenticator)
	if err != nil {
		return Result{}, err
	}
	verifier, err := c.useState(ctx, cn, state)
	if err != nil {
		return Result{}, err
	}
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {c.redirectURI(cn)}}
	if verifier != "" {
		form.Set("code_verifier", verifier)
	}
	ans, err := c.token(ctx, cn, form)
	if err != nil {
		return Result{}, err
	}
	owner := auth.PrincipalFrom(ctx)
	res := Result{Connected: cn.name}
	if cn.allowLogin {
		if owner, err = c.loginUser(ctx, cn, ans.AccessToken); err != nil {
			return Result{}, err
		}
		res.Login, res.User = true, owner
	}
	ref, err := c.storeToken(ctx, owner, cn, ans)
	if err != nil {
		return Result{}, err
	}
	res.TokenRef = ref
	return res, nil
}

// storeToken writes the oauth_token row as the system acting for owner,
// so the row is owned by the user.
func (c *Client) storeToken(ctx context.Context, owner auth.Principal, cn connect, ans tokenAnswer) (string, error) {
	p := auth.Principal{UserID: owner.UserID, UserRef: owner.UserRef, Email: owner.Email, System: true}
	row, err := c.o.Res().Create(auth.WithPrincipal(ctx, p), TokenTable, resource.Input{Attributes: map[string]any{
		"access_token": ans.AccessToken, "refresh_token": ans.RefreshToken, "token_type": ans.TokenType,
		"expires_in": c.expiry(ans), "oauth_connect_id": cn.ref}})
	if err != nil {
		return "", err
	}
	return row.RefID, nil
}

// expiry is the absolute Unix time the token expires (0: never).
func (c *Client) expiry(ans tokenAnswer) int64 {
	if ans.ExpiresIn <= 0 {
		return 0
	}
	return c.o.Now().Unix() + ans.ExpiresIn
}

// loginUser reads the profile's e-mail and returns that user, signing
// them up (like signup: no personal group) when missing.
func (c *Client) loginUser(ctx context.Context, cn connect, token string) (auth.Principal, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, cn.profileURL, nil)
	if err != nil {
		return auth.Principal{}, fmt.Errorf("%w: bad profile_url", ErrProvider)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/json")
	resp, err := c.o.HTTP.Do(req)
	if err != nil {
		return auth.Principal{}, fmt.Errorf("%w: profile endpoint unreachable", ErrProvider)
	}
	defer resp.Body.Close()
	var profile map[string]any
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode >= 300 || json.Unmarshal(body, &profile) != nil {
		return auth.Principal{}, fmt.Errorf("%w: profile endpoint answered %d", ErrProvider, resp.StatusCode)
	}
	var v any = profile
	for _, part := range strings.Split(cn.emailPath, ".") {
		m, _ := v.(map[string]any)
		v = m[part]
	}
	email, _ := v.(string)
	email = strings.ToLower(strings.TrimSpace(email))
	if !strings.Contains(email, "@") {
		return auth.Principal{}, fmt.Errorf("%w: the profile has no e-mail at %q", ErrProvider, cn.emailPath)
	}
	res := c.o.Res()
	if p, err := res.PrincipalByEmail(ctx, email); err == nil {
		return p, nil
	}
	name, _ := profile["name"].(string)
	if name == "" {
		name = email
	}
	if _, err := res.Create(system(ctx), schema.TableUser, resource.Input{Attributes: map[string]any{
		"name": name, "email": email, "password": random(32), "confirmed": true}}); err != nil {
		return auth.Principal{}, err
	}
	return res.PrincipalByEmail(ctx, email)
}
