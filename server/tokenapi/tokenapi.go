package tokenapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/schema"
)

// TokenLife is how long a service token is valid.
const TokenLife = time.Hour

// GrantClientCredentials is the only grant type /token accepts.
const GrantClientCredentials = "client_credentials"

// Scopes a service client may be granted (column service_client.scopes).
const (
	// ScopeAccessDB lets the token call the API at all: as the impersonated
	// user, or as a service principal with no rights beyond what guests and
	// its other scopes give.
	ScopeAccessDB = "ACCESS_DB"
	// ScopeGlobalRead makes the token pass every peek and read check.
	ScopeGlobalRead = resource.ScopeGlobalRead
	// ScopeGlobalWrite makes the token pass every create, update, delete
	// and refer check.
	ScopeGlobalWrite = resource.ScopeGlobalWrite
	// ScopeImpersonate lets the client ask for a token of any user
	// (request claims sub or email).
	ScopeImpersonate = "IMPERSONATE"
)

// KnownScopes lists every scope /token can grant.
var KnownScopes = []string{ScopeAccessDB, ScopeGlobalRead, ScopeGlobalWrite, ScopeImpersonate}

// Deps is what the /token handler needs.
type Deps struct {
	// Res returns the live resource layer; it is called once per request.
	Res func() resource.Service
	// Issuer signs the tokens; it must be the issuer the server verifies with.
	Issuer *auth.Issuer
	// Log receives refusals and internal errors; nil means slog.Default().
	Log *slog.Logger
}

// Mount registers POST /token on r (the path is absolute: mount it on the
// root router).
func Mount(r chi.Router, d Deps) {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	r.Post("/token", d.serve)
}

// answer is the body of a successful /token call: Dexie Cloud's
// TokenFinalResponse.
type answer struct {
	Type                  string         `json:"type"` // always "tokens"
	Claims                map[string]any `json:"claims"`
	AccessToken           string         `json:"accessToken"`
	AccessTokenExpiration int64          `json:"accessTokenExpiration"` // unix milliseconds
	// UserType is "client" for a token that names no user, else the
	// user's type (UserTypeOf).
	UserType string `json:"userType"`
	// EvalDaysLeft and UserValidUntil (unix milliseconds) are the user's,
	// when set.
	EvalDaysLeft   *int64 `json:"evalDaysLeft,omitempty"`
	UserValidUntil *int64 `json:"userValidUntil,omitempty"`
}

// Dexie user types of a token answer.
const (
	UserTypeClient = "client"
	UserTypeProd   = "prod"
)

// answerClaims are the claims shown in a token answer: sub (the client id,
// or the user's e-mail, which is the Dexie userId), license, scopes, and
// the user's email and name.
func answerClaims(c auth.Claims, scopes []string) map[string]any {
	m := map[string]any{"sub": c.ClientID, "license": "ok", "scopes": scopes}
	if c.Email != "" {
		m["sub"], m["email"], m["name"], m["userRef"] = c.Email, c.Email, c.Name, c.Subject
	}
	return m
}

// serve handles POST /token.
func (d Deps) serve(w http.ResponseWriter, r *http.Request) {
	a, err := d.issue(w, r)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	if err != nil {
		d.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a)
}

// issue checks the request and the client and signs the token.
func (d Deps) issue(w http.ResponseWriter, r *http.Request) (answer, error) {
	req, err := parseRequest(w, r)
	if err != nil {
		return answer{}, err
	}
	switch {
	case req.GrantType == "":
		return answer{}, invalidRequest("grant_type is required; use client_credentials")
	case req.GrantType != GrantClientCredentials:
		return answer{}, &tokenError{Status: http.StatusBadRequest, Code: codeUnsupportedGrant,
			Description: "grant_type " + req.GrantType + " is not supported; use client_credentials"}
	case req.ClientID == "" || req.ClientSecret == "":
		return answer{}, invalidRequest("client_id and client_secret are required")
	}
	ctx := auth.WithPrincipal(r.Context(), auth.System())
	res := d.Res()
	row, ok, err := res.VerifySecret(ctx, schema.TableServiceClient, "client_secret",
		map[string]any{"client_id": req.ClientID}, req.ClientSecret)
	if err != nil {
		return answer{}, fmt.Errorf("verify service client: %w", err)
	}
	if !ok || !resource.Truthy(row.Attrs["enable"]) {
		d.Log.InfoContext(r.Context(), "service token refused", "client_id", req.ClientID, "reason", "invalid client",
			"request_id", middleware.GetReqID(r.Context()))
		return answer{}, errInvalidClient
	}
	grantText, _ := row.Attrs["scopes"].(string)
	granted := normalizeScopes(splitScopes(grantText))
	scopes, err := chooseScopes(req, granted)
	if err != nil {
		return answer{}, err
	}
	name, _ := row.Attrs["name"].(string)
	claims := auth.Claims{Name: name, ClientID: req.ClientID, Scopes: scopes}
	if req.Impersonate {
		if err := impersonate(ctx, res, req, &claims); err != nil {
			return answer{}, err
		}
	}
	tok, signed, err := d.Issuer.IssueFor(claims, TokenLife)
	if err != nil {
		return answer{}, fmt.Errorf("sign service token: %w", err)
	}
	d.Log.InfoContext(r.Context(), "service token issued", "client_id", req.ClientID, "scopes", strings.Join(scopes, " "),
		"user", signed.Email, "request_id", middleware.GetReqID(r.Context()))
	a := answer{Type: "tokens", Claims: answerClaims(signed, scopes), AccessToken: tok, AccessTokenExpiration: signed.ExpiresAt.UnixMilli(),
		UserType: UserTypeClient}
	if signed.Email != "" {
		if err := userLogin(ctx, res, signed.Subject, &a); err != nil {
			return answer{}, err
		}
	}
	return a, nil
}

// userLogin records a token for a user as a login (user_account.last_login)
// and fills the answer's user type, evaluation days and validity from the
// user's Dexie fields.
func userLogin(ctx context.Context, res resource.Service, userRef string, a *answer) error {
	row, err := res.Update(ctx, schema.TableUser, userRef, resource.Input{Attributes: map[string]any{
		"last_login": time.Now().UTC().Format(time.RFC3339)}})
	if err != nil {
		return fmt.Errorf("record login: %w", err)
	}
	a.UserType = UserTypeProd
	if t, _ := row.Attrs["user_type"].(string); t != "" {
		a.UserType = t
	}
	if n, ok := row.Attrs["eval_days_left"].(int64); ok {
		a.EvalDaysLeft = &n
	}
	if t, ok := row.Attrs["valid_until"].(time.Time); ok {
		ms := t.UnixMilli()
		a.UserValidUntil = &ms
	}
	return nil
}

// chooseScopes returns the scopes to sign: the requested ones, each of
// which must be known and granted to the client, or, when none were
// requested, every known scope the client holds. Impersonation needs the
// client to hold IMPERSONATE.
func chooseScopes(req request, granted []string) ([]string, error) {
	scopes := req.Scopes
	if len(scopes) == 0 {
		for _, s := range granted {
			if slices.Contains(KnownScopes, s) {
				scopes = append(scopes, s)
			}
		}
	}
	for _, s := range scopes {
		if !slices.Contains(KnownScopes, s) {
			return nil, invalidScope("scope " + s + " does not exist; known scopes are " + strings.Join(KnownScopes, ", "))
		}
		if !slices.Contains(granted, s) {
			return nil, invalidScope("scope " + s + " is not granted to this client")
		}
	}
	if req.Impersonate && !slices.Contains(granted, ScopeImpersonate) {
		return nil, &tokenError{Status: http.StatusForbidden, Code: codeUnauthorizedClient,
			Description: "claims (impersonation) need the IMPERSONATE scope, which this client is not granted"}
	}
	if len(scopes) == 0 {
		return nil, invalidScope("this client is granted no scopes")
	}
	return scopes, nil
}

// impersonate fills claims with the user named by req.Sub or req.Email.
// When both are given they must name the same user.
func impersonate(ctx context.Context, res resource.Service, req request, claims *auth.Claims) error {
	email := req.Email
	if req.Sub != "" {
		page, err := res.List(ctx, schema.TableUser, resource.Query{PageSize: 1,
			Conditions: []resource.Condition{{Column: schema.ColReferenceID, Operator: "is", Value: req.Sub}}})
		if errors.Is(err, resource.ErrBadRequest) {
			return invalidRequest("claims.sub must be a user id (UUID)")
		}
		if err != nil {
			return fmt.Errorf("find user by sub: %w", err)
		}
		if len(page.Rows) == 0 {
			return invalidRequest("claims.sub names no user")
		}
		e, _ := page.Rows[0].Attrs["email"].(string)
		if email != "" && !strings.EqualFold(email, e) {
			return invalidRequest("claims.sub and claims.email name different users")
		}
		email = e
	}
	p, err := res.PrincipalByEmail(ctx, email)
	if errors.Is(err, resource.ErrUnauthenticated) {
		return invalidRequest("claims.email names no user")
	}
	if err != nil {
		return fmt.Errorf("load impersonated user: %w", err)
	}
	claims.Email, claims.Name, claims.Subject, claims.AuthVersion = p.Email, p.Name, p.UserRef, p.AuthVersion
	return nil
}

// writeJSON answers v with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil { // cannot happen: only strings and numbers are encoded
		body, status = []byte(`{"error":"server_error"}`), http.StatusInternalServerError
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
