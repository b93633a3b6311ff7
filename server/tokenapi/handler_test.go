package tokenapi

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/resource/resourcetest"
	"github.com/apiary/apiary/schema"
)

const noTables = "Tables:\n  - TableName: note\n    Columns: [{Name: title, ColumnType: label}]\n"

// tokenServer mounts POST /token over a real service holding two service
// clients (one with every scope, one disabled) and one user.
func tokenServer(t *testing.T) (*httptest.Server, *auth.Issuer, string) {
	t.Helper()
	svc := resourcetest.New(t, noTables)
	sys := auth.WithPrincipal(context.Background(), auth.System())
	for _, c := range []map[string]any{
		{"name": "backup", "client_id": "backup", "client_secret": "s3cret-backup", "scopes": "ACCESS_DB GLOBAL_READ IMPERSONATE", "enable": true},
		{"name": "reader", "client_id": "reader", "client_secret": "s3cret-reader", "scopes": "ACCESS_DB, GLOBAL_READ, UNKNOWN", "enable": true},
		{"name": "off", "client_id": "off", "client_secret": "s3cret-off", "scopes": "ACCESS_DB", "enable": false},
	} {
		if _, err := svc.Create(sys, schema.TableServiceClient, resource.Input{Attributes: c}); err != nil {
			t.Fatalf("service client: %v", err)
		}
	}
	user, err := svc.Create(sys, schema.TableUser, resource.Input{Attributes: map[string]any{"name": "Ann", "email": "ann@example.com", "password": "password-ann"}})
	if err != nil {
		t.Fatal(err)
	}
	iss := auth.NewIssuer([]byte("0123456789abcdef0123456789abcdef"), "apiary-test", time.Hour, time.Now)
	r := chi.NewRouter()
	Mount(r, Deps{Res: func() resource.Service { return svc }, Issuer: iss, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return srv, iss, user.RefID
}

func postToken(t *testing.T, srv *httptest.Server, ctype, body string, basic ...string) (int, map[string]any, http.Header) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/token", strings.NewReader(body))
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if len(basic) == 2 {
		req.SetBasicAuth(basic[0], basic[1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m, resp.Header
}

func TestIssueServiceTokens(t *testing.T) {
	srv, iss, userRef := tokenServer(t)
	code, ans, hdr := postToken(t, srv, "application/json", `{"grant_type":"client_credentials","client_id":"backup","client_secret":"s3cret-backup","scopes":["ACCESS_DB"]}`)
	if code != 200 || ans["type"] != "tokens" || ans["userType"] != UserTypeClient || hdr.Get("Cache-Control") != "no-store" {
		t.Fatalf("json grant: %d %v %v", code, ans, hdr)
	}
	claims, err := iss.Verify(ans["accessToken"].(string))
	if err != nil || claims.ClientID != "backup" || len(claims.Scopes) != 1 || claims.Scopes[0] != ScopeAccessDB || claims.Email != "" {
		t.Errorf("token claims: %+v %v", claims, err)
	}
	if exp, _ := ans["accessTokenExpiration"].(float64); int64(exp) != claims.ExpiresAt.UnixMilli() {
		t.Errorf("expiration %v vs %v", exp, claims.ExpiresAt)
	}
	// Form body with Basic credentials; no scopes asks for every known granted one.
	code, ans, _ = postToken(t, srv, "application/x-www-form-urlencoded", "grant_type=client_credentials", "reader", "s3cret-reader")
	c, _ := ans["claims"].(map[string]any)
	if code != 200 || c["sub"] != "reader" || !strings.Contains(mustJSON(c["scopes"]), "GLOBAL_READ") || strings.Contains(mustJSON(c["scopes"]), "UNKNOWN") {
		t.Errorf("form grant: %d %v", code, ans)
	}
	// Impersonation by e-mail and by sub.
	for _, cl := range []string{`{"email":"ann@example.com"}`, `{"sub":"` + userRef + `"}`} {
		form := url.Values{"grant_type": {"client_credentials"}, "client_id": {"backup"}, "client_secret": {"s3cret-backup"}, "claims": {cl}}
		code, ans, _ = postToken(t, srv, "application/x-www-form-urlencoded", form.Encode())
		c, _ := ans["claims"].(map[string]any)
		if code != 200 || c["email"] != "ann@example.com" || c["userRef"] != userRef || ans["userType"] != UserTypeProd {
			t.Errorf("impersonate %s: %d %v", cl, code, ans)
			continue
		}
		tc, err := iss.Verify(ans["accessToken"].(string))
		if err != nil || tc.Subject != userRef || tc.Email != "ann@example.com" {
			t.Errorf("impersonated token: %+v %v", tc, err)
		}
	}
}

func TestTokenRefusals(t *testing.T) {
	srv, _, userRef := tokenServer(t)
	grant := func(id, secret, extra string) string {
		return `{"grant_type":"client_credentials","client_id":"` + id + `","client_secret":"` + secret + `"` + extra + `}`
	}
	for _, c := range []struct {
		name, ctype, body string
		status            int
		code              string
	}{
		{"no grant", "application/json", `{}`, 400, codeInvalidRequest},
		{"other grant", "application/json", `{"grant_type":"password"}`, 400, codeUnsupportedGrant},
		{"no secret", "application/json", `{"grant_type":"client_credentials","client_id":"backup"}`, 400, codeInvalidRequest},
		{"bad json", "application/json", `{`, 400, codeInvalidRequest},
		{"media type", "text/plain", `x`, 415, codeInvalidRequest},
		{"wrong secret", "application/json", grant("backup", "nope", ""), 401, "invalid_client"},
		{"unknown client", "application/json", grant("ghost", "x", ""), 401, "invalid_client"},
		{"disabled client", "application/json", grant("off", "s3cret-off", ""), 401, "invalid_client"},
		{"scope not granted", "application/json", grant("backup", "s3cret-backup", `,"scopes":["GLOBAL_WRITE"]`), 400, "invalid_scope"},
		{"unknown scope", "application/json", grant("backup", "s3cret-backup", `,"scopes":["ROOT"]`), 400, "invalid_scope"},
		{"impersonate without scope", "application/json", grant("reader", "s3cret-reader", `,"claims":{"email":"ann@example.com"}`), 403, codeUnauthorizedClient},
		{"impersonate nobody", "application/json", grant("backup", "s3cret-backup", `,"claims":{"email":"nobody@example.com"}`), 400, codeInvalidRequest},
		{"sub not a uuid", "application/json", grant("backup", "s3cret-backup", `,"claims":{"sub":"x"}`), 400, codeInvalidRequest},
		{"sub and email differ", "application/json", grant("backup", "s3cret-backup", `,"claims":{"sub":"`+userRef+`","email":"other@example.com"}`), 400, codeInvalidRequest},
		{"sub of nobody", "application/json", grant("backup", "s3cret-backup", `,"claims":{"sub":"0190e3b4-0000-7000-8000-000000000000"}`), 400, codeInvalidRequest},
		{"huge body", "application/json", `{"grant_type":"` + strings.Repeat("x", maxRequestBytes+10) + `"}`, 413, ""},
	} {
		code, ans, hdr := postToken(t, srv, c.ctype, c.body)
		if code != c.status || (c.code != "" && ans["error"] != c.code) {
			t.Errorf("%s: %d %v, want %d %s", c.name, code, ans, c.status, c.code)
		}
		if _, leaked := ans["accessToken"]; leaked {
			t.Errorf("%s: a token was issued", c.name)
		}
		if hdr.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: Cache-Control %q", c.name, hdr.Get("Cache-Control"))
		}
	}
}

func mustJSON(v any) string { b, _ := json.Marshal(v); return string(b) }

func TestAnswerClaimsAndScopeText(t *testing.T) {
	t.Parallel()
	svc := answerClaims(auth.Claims{ClientID: "backup"}, []string{ScopeAccessDB})
	if svc["sub"] != "backup" || svc["license"] != "ok" || svc["email"] != nil {
		t.Errorf("service claims: %v", svc)
	}
	user := answerClaims(auth.Claims{ClientID: "backup", Email: "a@b.c", Name: "A", Subject: "u-1"}, nil)
	if user["sub"] != "a@b.c" || user["email"] != "a@b.c" || user["name"] != "A" || user["userRef"] != "u-1" {
		t.Errorf("impersonated claims: %v", user)
	}
	if got := strings.Join(normalizeScopes(splitScopes(" access_db,GLOBAL_READ  access_db ")), " "); got != "ACCESS_DB GLOBAL_READ" {
		t.Errorf("scopes: %q", got)
	}
}
