package dexie

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/resource/resourcetest"
)

const pairSchema = `
Tables:
  - TableName: pair
    CompositeKeys: [[name, num]]
    Columns:
      - {Name: name, ColumnType: label}
      - {Name: num, ColumnType: measurement, DataType: int(11)}
      - {Name: note, ColumnType: label, IsNullable: true}
`

func TestCompoundKeys(t *testing.T) {
	svc := resourcetest.New(t, pairSchema)
	r := chi.NewRouter()
	r.Use(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			p := auth.System()
			p.Scopes = []string{ScopeAccessDB, ScopeGlobalRead, ScopeGlobalWrite}
			next.ServeHTTP(w, req.WithContext(auth.WithPrincipal(req.Context(), p)))
		})
	})
	Mount(r, Deps{Res: func() resource.Service { return svc }, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	srv := httptest.NewServer(r)
	defer srv.Close()
	code, body := send(t, srv, "", "POST", "/all/pair", `[{"name":"Bob","num":42,"note":"first","realmId":"rlm-public"}]`)
	if code != 200 || !strings.Contains(body, `"note":"first"`) {
		t.Fatalf("post: %d %s", code, body)
	}
	// Posting the same key again updates the row; a missing note is cleared.
	code, body = send(t, srv, "", "POST", "/all/pair", `{"name":"Bob","num":42,"realmId":"rlm-public"}`)
	if code != 200 || strings.Contains(body, "first") {
		t.Errorf("upsert by compound key: %d %s", code, body)
	}
	if code, body = send(t, srv, "", "GET", "/all/pair", ""); code != 200 || strings.Count(body, `"Bob"`) != 1 {
		t.Errorf("list after upsert: %d %s", code, body)
	}
	key := "/all/pair/" + url.PathEscape(`["Bob",42]`)
	if code, body = send(t, srv, "", "GET", key, ""); code != 200 || !strings.Contains(body, `"num":42`) {
		t.Errorf("get by compound key: %d %s", code, body)
	}
	for _, c := range []struct {
		method, path, body string
		status             int
	}{
		{"GET", "/all/pair/" + url.PathEscape(`["Bob"]`), "", 400},
		{"GET", "/all/pair/" + url.PathEscape(`["Ann",1]`), "", 404},
		{"POST", "/all/pair", `{"name":"Bob","realmId":"rlm-public"}`, 400},
	} {
		if code, body := send(t, srv, "", c.method, c.path, c.body); code != c.status {
			t.Errorf("%s %s %s: %d %s, want %d", c.method, c.path, c.body, code, body, c.status)
		}
	}
	if code, body = send(t, srv, "", "DELETE", key, ""); code >= 300 {
		t.Errorf("delete by compound key: %d %s", code, body)
	}
	if code, _ = send(t, srv, "", "GET", key, ""); code != 404 {
		t.Errorf("get after delete: %d", code)
	}
}
