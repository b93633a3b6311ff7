package realtime

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/schema"
)

// testSchema has a plain table, a table with a secret column, an inline
// file column and an asset column.
const testSchema = `
Tables:
  - TableName: todo
    Columns:
      - {Name: title, ColumnType: label, DataType: varchar(200)}
      - {Name: pin, ColumnType: password, IsNullable: true}
      - {Name: notes, ColumnType: file.document, IsNullable: true}
  - TableName: page
    Columns:
      - {Name: body, ColumnType: file.document, DataType: text, IsNullable: true, IsForeignKey: true,
         ForeignKeyData: {DataSource: cloud_store, Namespace: localstore, KeyName: pages}}
`

func compileSchema(t *testing.T) *schema.Schema {
	t.Helper()
	f, err := schema.Parse("schema_rt.yaml", []byte(testSchema))
	if err != nil {
		t.Fatal(err)
	}
	sc, err := schema.Compile(schema.Source{Path: "schema_rt.yaml", File: f})
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// fakeRes is the part of resource.Service realtime uses; other methods
// panic through the nil embedded interface.
type fakeRes struct {
	resource.Service
	sc *schema.Schema

	mu       sync.Mutex
	tablePer map[string]auth.Object  // table gates; absent: readable by all
	rows     map[string]resource.Row // "table/ref"
	getErr   error                   // forced Get error
	gets     int                     // Get calls
	canWrite func(p auth.Principal) bool
	updates  []resource.Input
	onChange func(resource.Change)
}

func newFakeRes(t *testing.T) *fakeRes {
	return &fakeRes{sc: compileSchema(t), tablePer: map[string]auth.Object{}, rows: map[string]resource.Row{},
		canWrite: func(auth.Principal) bool { return true }}
}

func (f *fakeRes) Schema() *schema.Schema { return f.sc }

func (f *fakeRes) TablePermission(_ context.Context, table string) (auth.Object, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if o, ok := f.tablePer[table]; ok {
		return o, nil
	}
	return auth.Object{Permission: auth.GuestPeek | auth.GuestRead | auth.GuestCreate}, nil
}

func (f *fakeRes) Subscribe(fn func(resource.Change)) func() {
	f.mu.Lock()
	f.onChange = fn
	f.mu.Unlock()
	return func() {}
}

func (f *fakeRes) Get(_ context.Context, table, ref string, _ resource.Query) (resource.Row, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.gets++
	if f.getErr != nil {
		return resource.Row{}, f.getErr
	}
	r, ok := f.rows[table+"/"+ref]
	if !ok {
		return resource.Row{}, &resource.Error{Kind: resource.ErrNotFound, Title: "not found"}
	}
	return r, nil
}

func (f *fakeRes) Update(ctx context.Context, table, ref string, in resource.Input) (resource.Row, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r, ok := f.rows[table+"/"+ref]
	if !ok {
		return resource.Row{}, &resource.Error{Kind: resource.ErrNotFound, Title: "not found"}
	}
	if !f.canWrite(auth.PrincipalFrom(ctx)) {
		return resource.Row{}, &resource.Error{Kind: resource.ErrForbidden, Title: "forbidden"}
	}
	if in.ValidateOnly {
		return r, nil
	}
	f.updates = append(f.updates, in)
	for k, v := range in.Attributes {
		r.Attrs[k] = v
	}
	return r, nil
}

func (f *fakeRes) put(table, ref string, attrs map[string]any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rows[table+"/"+ref] = resource.Row{Table: table, RefID: ref, Attrs: attrs}
}

// Principals of the tests, chosen by ?as= on the URL.
var (
	pAdmin = auth.Principal{UserID: 1, UserRef: "u-admin", Admin: true}
	pAnn   = auth.Principal{UserID: 2, UserRef: "u-ann"}
	pBob   = auth.Principal{UserID: 3, UserRef: "u-bob", Groups: []auth.Group{{ID: 7, Ref: "g-7"}}}
)

func principalOf(name string) auth.Principal {
	switch name {
	case "admin":
		return pAdmin
	case "ann":
		return pAnn
	case "bob":
		return pBob
	}
	return auth.Guest()
}

// withAs puts the principal named by ?as= on the request, as the server's
// authentication middleware does.
func withAs(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(auth.WithPrincipal(r.Context(), principalOf(r.URL.Query().Get("as")))))
	})
}

// testHub is a Hub over a fakeRes behind an httptest server.
type testHub struct {
	t   *testing.T
	res *fakeRes
	hub *Hub
	srv *httptest.Server
}

func newTestHub(t *testing.T) *testHub {
	t.Helper()
	res := newFakeRes(t)
	h := NewHub(Options{Res: func() resource.Service { return res }})
	srv := httptest.NewServer(withAs(h))
	t.Cleanup(func() { h.Close(); srv.Close() })
	return &testHub{t: t, res: res, hub: h, srv: srv}
}

// liveClient is a /live client of a testHub.
type liveClient struct {
	t *testing.T
	c *websocket.Conn
}

func (th *testHub) dial(as string) *liveClient {
	th.t.Helper()
	c, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(th.srv.URL, "http")+"/live?as="+as, nil)
	if err != nil {
		th.t.Fatal(err)
	}
	th.t.Cleanup(func() { _ = c.Close() })
	lc := &liveClient{t: th.t, c: c}
	if f := lc.read(); f.Type != "session" && as != "" {
		th.t.Fatalf("first frame %+v", f)
	}
	return lc
}

// testFrame is a decoded server frame.
type testFrame struct {
	Type, ID, Method, Error, Topic, Event, Source, Message string
	OK                                                     *bool
	Data                                                   []byte
}

func (lc *liveClient) read() testFrame {
	lc.t.Helper()
	_ = lc.c.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, b, err := lc.c.ReadMessage()
	if err != nil {
		lc.t.Fatalf("read: %v", err)
	}
	var f testFrame
	if err := json.Unmarshal(b, &f); err != nil {
		lc.t.Fatalf("frame %s: %v", b, err)
	}
	return f
}

// quiet asserts that nothing arrives for a short while.
func (lc *liveClient) quiet() {
	lc.t.Helper()
	_ = lc.c.SetReadDeadline(time.Now().Add(150 * time.Millisecond))
	if _, b, err := lc.c.ReadMessage(); err == nil {
		lc.t.Fatalf("unexpected frame %s", b)
	}
}

func (lc *liveClient) call(method string, attrs map[string]any) {
	lc.t.Helper()
	if err := lc.c.WriteJSON(map[string]any{"id": "1", "method": method, "attributes": attrs}); err != nil {
		lc.t.Fatal(err)
	}
}
