package daybed

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/apiary/apiary/migrations"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/resource/bootstrap"
	"github.com/apiary/apiary/schema"
	"github.com/apiary/apiary/storage/db/dbtest"
)

// liveDaybed mounts the Daybed routes over a real service on a fresh test
// database whose schema Reload re-reads from the schema folder, as the
// server does.
func liveDaybed(t *testing.T) *httptest.Server {
	t.Helper()
	srv, _ := liveDaybedRes(t)
	return srv
}

// liveDaybedRes is liveDaybed that also returns the service.
func liveDaybedRes(t *testing.T, opts ...func(*Deps)) (*httptest.Server, resource.Service) {
	t.Helper()
	dir := t.TempDir()
	d := dbtest.Open(t)
	log := slog.New(slog.DiscardHandler)
	holder := schema.NewHolder(nil)
	var res resource.Service
	reload := func(ctx context.Context) error {
		sources, err := schema.LoadDir(dir)
		if err != nil {
			return err
		}
		sc, err := schema.Compile(sources...)
		if err != nil {
			return err
		}
		if _, err := migrations.Apply(ctx, d, sc, log); err != nil {
			return err
		}
		if err := bootstrap.Run(ctx, d, sc, bootstrap.Options{LocalStoragePath: dir + "/storage"}); err != nil {
			return err
		}
		holder.Store(sc)
		if res != nil {
			res.Invalidate()
		}
		return nil
	}
	if err := reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	res = resource.New(resource.Options{DB: d, Schema: holder, Log: log})
	r := chi.NewRouter()
	deps := Deps{Res: func() resource.Service { return res }, Secret: []byte("test-secret"), SchemaDir: dir, Reload: reload,
		SignupOpen: func(context.Context) bool { return true }, Log: log, MaxBody: 1 << 16}
	for _, o := range opts {
		o(&deps)
	}
	Mount(r, deps)
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return srv, res
}

// hawkClient signs requests with Hawk credentials (nil: a guest).
type hawkClient struct {
	srv   *httptest.Server
	creds *credentials
}

func (c hawkClient) do(t *testing.T, method, path, body string) (int, map[string]any, string) {
	t.Helper()
	req, err := http.NewRequest(method, c.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.creds != nil {
		u, _ := url.Parse(c.srv.URL)
		nonce := make([]byte, 6)
		_, _ = rand.Read(nonce)
		hh := hawkHeader{ID: c.creds.ID, TS: strconv.FormatInt(time.Now().Unix(), 10), Nonce: hex.EncodeToString(nonce)}
		hh.MAC = hawkMAC(c.creds.Key, hh, method, req.URL.RequestURI(), u.Hostname(), u.Port())
		req.Header.Set("Authorization", `Hawk id="`+hh.ID+`", ts="`+hh.TS+`", nonce="`+hh.Nonce+`", mac="`+hh.MAC+`"`)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	return resp.StatusCode, m, string(raw)
}

func newIdentityClient(t *testing.T, srv *httptest.Server) hawkClient {
	t.Helper()
	code, _, body := hawkClient{srv: srv}.do(t, "POST", "/v1/tokens", "")
	var ans tokenAnswer
	if code != http.StatusCreated || json.Unmarshal([]byte(body), &ans) != nil || ans.Credentials.ID == "" || len(ans.Token) != 64 {
		t.Fatalf("token: %d %s", code, body)
	}
	return hawkClient{srv: srv, creds: &ans.Credentials}
}

const todoModel = `{"definition":{"title":"todo","description":"a list","fields":[
	{"name":"item","type":"string"},
	{"name":"done","type":"boolean","required":false},
	{"name":"size","type":"range","min":1,"max":5,"required":false}]}}`

func TestModelAndRecordLifecycle(t *testing.T) {
	srv := liveDaybed(t)
	owner := newIdentityClient(t, srv)
	if code, _, body := owner.do(t, "PUT", "/v1/models/todo", todoModel); code != 200 || !strings.Contains(body, `"id":"todo"`) {
		t.Fatalf("put model: %d %s", code, body)
	}
	code, ans, body := owner.do(t, "POST", "/v1/models/todo/records", `{"item":"milk","done":true,"size":2}`)
	id, _ := ans["id"].(string)
	if code != http.StatusCreated || id == "" {
		t.Fatalf("post record: %d %s", code, body)
	}
	code, ans, body = owner.do(t, "GET", "/v1/models/todo/records/"+id, "")
	if code != 200 || ans["item"] != "milk" || ans["done"] != true || ans["size"] != 2.0 || ans["id"] != id {
		t.Errorf("get record: %d %s", code, body)
	}
	if code, ans, body = owner.do(t, "PATCH", "/v1/models/todo/records/"+id, `{"done":false}`); code != 200 || ans["done"] != false || ans["item"] != "milk" {
		t.Errorf("patch: %d %s", code, body)
	}
	fresh := "0190e3b4-0000-7000-8000-0000000000aa"
	if code, _, body = owner.do(t, "PUT", "/v1/models/todo/records/"+fresh, `{"item":"eggs"}`); code != 200 || !strings.Contains(body, fresh) {
		t.Errorf("put new record: %d %s", code, body)
	}
	if code, _, body = owner.do(t, "PUT", "/v1/models/todo/records/"+fresh, `{"item":"bread"}`); code != 200 {
		t.Errorf("put existing record: %d %s", code, body)
	}
	code, ans, body = owner.do(t, "GET", "/v1/models/todo/records", "")
	recs, _ := ans["records"].([]any)
	if code != 200 || len(recs) != 2 || !strings.Contains(body, "bread") || strings.Contains(body, "eggs") {
		t.Errorf("list: %d %s", code, body)
	}
	if code, ans, _ = owner.do(t, "GET", "/v1/models/todo/definition", ""); code != 200 || ans["title"] != "todo" {
		t.Errorf("definition: %d %v", code, ans)
	}
	code, ans, body = owner.do(t, "GET", "/v1/models/todo/permissions", "")
	if perms, _ := ans[owner.creds.ID].([]any); code != 200 || len(perms) != len(permissionNames()) {
		t.Errorf("permissions of the owner: %d %s", code, body)
	}
	if code, _, body = owner.do(t, "GET", "/v1/models/todo", ""); code != 200 || !strings.Contains(body, `"records"`) || !strings.Contains(body, `"permissions"`) {
		t.Errorf("model: %d %s", code, body)
	}
	if code, _, body = owner.do(t, "GET", "/v1/models", ""); code != 200 || !strings.Contains(body, `"todo"`) {
		t.Errorf("models: %d %s", code, body)
	}
	if code, _, body = owner.do(t, "DELETE", "/v1/models/todo/records/"+id, ""); code != 200 || !strings.Contains(body, id) {
		t.Errorf("delete record: %d %s", code, body)
	}
	if code, _, _ = owner.do(t, "GET", "/v1/models/todo/records/"+id, ""); code != 404 {
		t.Errorf("deleted record: %d", code)
	}
	if code, ans, body = owner.do(t, "DELETE", "/v1/models/todo/records", ""); code != 200 || len(ans["records"].([]any)) != 1 {
		t.Errorf("delete all: %d %s", code, body)
	}
	if code, _, body = owner.do(t, "DELETE", "/v1/models/todo", ""); code != 200 {
		t.Errorf("delete model: %d %s", code, body)
	}
	if code, _, _ = owner.do(t, "GET", "/v1/models/todo/definition", ""); code != 404 {
		t.Errorf("deleted model: %d", code)
	}
}

func TestModelPermissionsAndRefusals(t *testing.T) {
	srv := liveDaybed(t)
	owner := newIdentityClient(t, srv)
	other := newIdentityClient(t, srv)
	guest := hawkClient{srv: srv}
	if code, _, body := owner.do(t, "PUT", "/v1/models/todo", todoModel); code != 200 {
		t.Fatalf("put model: %d %s", code, body)
	}
	// Only the owner's credentials hold permissions on a new model.
	if code, _, _ := guest.do(t, "GET", "/v1/models/todo/definition", ""); code != 401 {
		t.Errorf("guest definition: %d", code)
	}
	if code, ans, _ := other.do(t, "GET", "/v1/models/todo/permissions", ""); code != 403 || ans["credentials_id"] != other.creds.ID {
		t.Errorf("other permissions: %d %v", code, ans)
	}
	if code, _, _ := other.do(t, "POST", "/v1/models/todo/records", `{"item":"x"}`); code != 403 {
		t.Errorf("other create: %d", code)
	}
	// Granting read_definition to Everyone opens the definition to guests.
	code, ans, body := owner.do(t, "PATCH", "/v1/models/todo/permissions", `{"Everyone":["read_definition"]}`)
	if code != 200 || ans["system.Everyone"] == nil {
		t.Fatalf("patch permissions: %d %s", code, body)
	}
	if code, _, body := guest.do(t, "GET", "/v1/models/todo/definition", ""); code != 200 {
		t.Errorf("guest definition after grant: %d %s", code, body)
	}
	if code, _, _ := guest.do(t, "GET", "/v1/models/todo/permissions", ""); code != 401 {
		t.Errorf("guest permissions: %d", code)
	}
	for _, c := range []struct {
		client       hawkClient
		method, path string
		body         string
		status       int
		contains     string
	}{
		{owner, "PUT", "/v1/models/Bad-Name", todoModel, 400, "not a valid model name"},
		{owner, "PUT", "/v1/models/other", `{"definition":{"title":"t"}}`, 400, "definition.description"},
		{owner, "PUT", "/v1/models/other", `{"definition":{"title":"t","description":"d","fields":[{"name":"a","type":"nope"}]}}`, 400, "definition.fields.0"},
		{owner, "PUT", "/v1/models/other", `not json`, 400, "error"},
		{owner, "GET", "/v1/models/missing/records", "", 404, "missing"},
		{owner, "GET", "/v1/models/todo/records/not-a-uuid", "", 404, "not-a-uuid"},
		{owner, "POST", "/v1/models/todo/records", `{"done":true}`, 400, "item"},
		{owner, "POST", "/v1/models/todo/records", `{"item":"x","size":9}`, 400, "size"},
		{owner, "POST", "/v1/models/todo/records", `{"item":"x","extra":1}`, 400, "extra"},
		{owner, "PATCH", "/v1/models/todo/records/0190e3b4-0000-7000-8000-0000000000bb", `{"done":true}`, 404, "not found"},
		{owner, "PUT", "/v1/models/todo/permissions", `["x"]`, 400, "principal"},
		{owner, "POST", "/v1/models/todo/records", `{"item":"` + strings.Repeat("x", 1<<16) + `"}`, 400, "too large"},
	} {
		code, _, body := c.client.do(t, c.method, c.path, c.body)
		if code != c.status || !strings.Contains(body, c.contains) {
			t.Errorf("%s %s %.40s: %d %.300s, want %d %q", c.method, c.path, c.body, code, body, c.status, c.contains)
		}
	}
	// Nothing refused was stored.
	_, ans, _ = owner.do(t, "GET", "/v1/models/todo/records", "")
	if recs, _ := ans["records"].([]any); len(recs) != 0 {
		t.Errorf("refused records were stored: %v", recs)
	}
	// A forged Hawk id is refused.
	forged := hawkClient{srv: srv, creds: &credentials{ID: strings.Repeat("0", 64), Key: "k", Algorithm: "sha256"}}
	if code, _, body := forged.do(t, "GET", "/v1/models", ""); code != 401 || !strings.Contains(body, "unknown Hawk credentials") {
		t.Errorf("forged id: %d %s", code, body)
	}
	if code, _, body := owner.do(t, "GET", "/v1/fields", ""); code != 200 || !strings.Contains(body, `"regex"`) {
		t.Errorf("fields: %d %s", code, body)
	}
}
