package dexie

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/resource/resourcetest"
)

const itemSchema = `
Tables:
  - TableName: item
    Columns:
      - {Name: title, ColumnType: label}
      - {Name: done, ColumnType: truefalse, DataType: int(1), IsNullable: true}
`

// dexieServer mounts the Dexie routes over an in-memory service; the
// principal of each request is read from the X-Test-As header.
func dexieServer(t *testing.T) (*httptest.Server, resource.Service) {
	t.Helper()
	svc := resourcetest.New(t, itemSchema)
	r := chi.NewRouter()
	r.Use(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			as := req.Header.Get("X-Test-As")
			switch {
			case as == "app":
				p := auth.System()
				p.Scopes = []string{ScopeAccessDB, ScopeGlobalRead, ScopeGlobalWrite}
				req = req.WithContext(auth.WithPrincipal(req.Context(), p))
			case strings.Contains(as, "@"): // a user's token with ACCESS_DB only
				p, err := svc.PrincipalByEmail(auth.WithPrincipal(req.Context(), auth.System()), as)
				if err != nil {
					http.Error(w, err.Error(), http.StatusTeapot)
					return
				}
				p.Scopes = []string{ScopeAccessDB}
				req = req.WithContext(auth.WithPrincipal(req.Context(), p))
			}
			next.ServeHTTP(w, req)
		})
	})
	Mount(r, Deps{Res: func() resource.Service { return svc }, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), MaxBody: 4096})
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return srv, svc
}

func send(t *testing.T, srv *httptest.Server, as, method, path, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if as != "" {
		req.Header.Set("X-Test-As", as)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if ct := resp.Header.Get("Content-Type"); len(b) > 0 && !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s %s: content type %q", method, path, ct)
	}
	return resp.StatusCode, string(b)
}

func TestDataRoundTrip(t *testing.T) {
	srv, _ := dexieServer(t)
	code, body := send(t, srv, "app", "POST", "/all/item", `[{"title":"one","done":true,"realmId":"rlm-public"},{"title":"two","realmId":"rlm-public"}]`)
	if code != 200 {
		t.Fatalf("post: %d %s", code, body)
	}
	var posted []map[string]any
	if err := json.Unmarshal([]byte(body), &posted); err != nil || len(posted) != 2 {
		t.Fatalf("post answer: %s", body)
	}
	one := posted[0]
	id, _ := one["id"].(string)
	if id == "" || one["title"] != "one" || one["done"] != true || one["realmId"] != PublicRealm {
		t.Errorf("stored object: %v", one)
	}
	for _, hidden := range []string{"reference_id", "permission", "__type"} {
		if _, ok := one[hidden]; ok {
			t.Errorf("object shows %s: %v", hidden, one)
		}
	}
	// Guests read the public realm without a token.
	code, body = send(t, srv, "", "GET", "/public/item", "")
	if code != 200 || strings.Count(body, `"title"`) != 2 {
		t.Errorf("public list: %d %s", code, body)
	}
	code, body = send(t, srv, "app", "GET", "/all/item?title=two", "")
	if code != 200 || !strings.Contains(body, `"two"`) || strings.Contains(body, `"one"`) {
		t.Errorf("filtered list: %d %s", code, body)
	}
	code, body = send(t, srv, "app", "GET", "/all/item?realmId=rlm-other", "")
	if code != 200 || body != "[]" {
		t.Errorf("other realm: %d %s", code, body)
	}
	if code, body = send(t, srv, "app", "GET", "/all/item/"+id, ""); code != 200 || !strings.Contains(body, `"one"`) {
		t.Errorf("get: %d %s", code, body)
	}
	// An update through the same key keeps the row.
	code, body = send(t, srv, "app", "POST", "/all/item", `{"id":"`+id+`","title":"uno","realmId":"rlm-public"}`)
	if code != 200 || !strings.Contains(body, `"uno"`) || !strings.Contains(body, id) {
		t.Errorf("update: %d %s", code, body)
	}
	if code, body = send(t, srv, "app", "DELETE", "/all/item/"+id, ""); code != 200 && code != 204 {
		t.Errorf("delete: %d %s", code, body)
	}
	if code, body = send(t, srv, "app", "GET", "/all/item/"+id, ""); code != 404 || !strings.Contains(body, `"not_found"`) {
		t.Errorf("get after delete: %d %s", code, body)
	}
}

func TestDataRefusals(t *testing.T) {
	srv, _ := dexieServer(t)
	for _, c := range []struct {
		as, method, path, body string
		status                 int
		contains               string
	}{
		{"", "GET", "/all/item", "", 401, "Bearer token"},
		{"", "POST", "/public/item", `{"title":"x"}`, 401, "unauthorized"},
		{"app", "GET", "/all/nosuch", "", 404, "nosuch"},
		{"app", "GET", "/all/item/not-a-uuid", "", 400, "ids are UUIDs"},
		{"app", "GET", "/all/item?colour=red", "", 400, `no property \"colour\"`},
		{"app", "POST", "/all/item", `{"title":"x"}`, 400, "object 0: every object posted to /all needs a realmId"},
		{"app", "POST", "/all/item", `[{"title":"x","realmId":"rlm-public"},{"title":"y","realmId":5}]`, 400, "object 1: realmId must be"},
		{"app", "POST", "/all/item", `{"title":"x","realmId":"rlm-public","permission":7}`, 400, "managed by the server"},
		{"app", "POST", "/public/item", `{"title":"x","realmId":"rlm-mine"}`, 400, "belong to realm rlm-public"},
		{"app", "POST", "/all/item", `{"title":"` + strings.Repeat("x", 5000) + `"}`, 413, "too large"},
		{"app", "POST", "/all/item", `nope`, 400, "not JSON"},
		{"app", "DELETE", "/all/item/0190e3b4-0000-7000-8000-000000000000", "", 404, "not_found"},
		{"app", "GET", "/my/item", "", 403, "names no user"},
	} {
		code, body := send(t, srv, c.as, c.method, c.path, c.body)
		if code != c.status || !strings.Contains(body, c.contains) {
			t.Errorf("%s %s %.40s: %d %s, want %d %q", c.method, c.path, c.body, code, body, c.status, c.contains)
		}
	}
	// Nothing of the refused batches was written.
	if code, body := send(t, srv, "app", "GET", "/all/item", ""); code != 200 || body != "[]" {
		t.Errorf("after refusals: %d %s", code, body)
	}
}

func TestUsersRoutesNeedScopes(t *testing.T) {
	srv, _ := dexieServer(t)
	if code, body := send(t, srv, "", "GET", "/users", ""); code != 401 && code != 403 {
		t.Errorf("guest users list: %d %s", code, body)
	}
	code, body := send(t, srv, "app", "GET", "/users?limit=0", "")
	if code != 400 || !strings.Contains(body, "limit") {
		t.Errorf("bad limit: %d %s", code, body)
	}
	code, body = send(t, srv, "app", "GET", "/users", "")
	var list map[string]any
	if code != 200 || json.Unmarshal([]byte(body), &list) != nil {
		t.Errorf("users list: %d %s", code, body)
	}
	code, body = send(t, srv, "app", "POST", "/users", `[{"userId":"new@example.com","type":"eval","data":{"team":"a"}}]`)
	if code != 200 {
		t.Fatalf("post users: %d %s", code, body)
	}
	code, body = send(t, srv, "app", "GET", "/users/new@example.com", "")
	if code != 200 || !strings.Contains(body, `"type":"eval"`) || !strings.Contains(body, `"team":"a"`) {
		t.Errorf("get user: %d %s", code, body)
	}
	if code, body = send(t, srv, "app", "GET", "/users?type=eval&search=NEW", ""); code != 200 || !strings.Contains(body, "new@example.com") {
		t.Errorf("search users: %d %s", code, body)
	}
	if code, body = send(t, srv, "app", "POST", "/users", `[{"userId":"x@example.com","type":"trial"}]`); code != 400 || !strings.Contains(body, "type must be") {
		t.Errorf("bad user type: %d %s", code, body)
	}
	if code, body = send(t, srv, "app", "GET", "/users/nobody@example.com", ""); code != 404 {
		t.Errorf("unknown user: %d %s", code, body)
	}
	if code, body = send(t, srv, "app", "DELETE", "/users/new@example.com", ""); code >= 300 {
		t.Errorf("delete user: %d %s", code, body)
	}
	if code, _ = send(t, srv, "app", "GET", "/users/new@example.com", ""); code != 404 {
		t.Errorf("deleted user still found: %d", code)
	}
}
