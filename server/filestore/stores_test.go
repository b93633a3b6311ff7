package filestore

import (
	"context"
	"errors"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
)

// fakeRes holds cloud_store and credential rows in memory.
type fakeRes struct {
	resource.Service // nil: only the methods below are called
	rows             map[string][]resource.Row
	subs             []func(resource.Change)
	created          []resource.Input
}

func (f *fakeRes) List(_ context.Context, table string, q resource.Query) (resource.Page, error) {
	var out []resource.Row
	for _, r := range f.rows[table] {
		ok := true
		for _, c := range q.Conditions {
			ok = ok && r.Attrs[c.Column] == c.Value
		}
		if ok {
			out = append(out, r)
		}
	}
	return resource.Page{Rows: out}, nil
}

func (f *fakeRes) Get(_ context.Context, table, ref string, _ resource.Query) (resource.Row, error) {
	for _, r := range f.rows[table] {
		if r.RefID == ref {
			return r, nil
		}
	}
	return resource.Row{}, resource.ErrNotFound
}

func (f *fakeRes) Create(ctx context.Context, table string, in resource.Input) (resource.Row, error) {
	if !auth.PrincipalFrom(ctx).IsAdmin() {
		return resource.Row{}, resource.ErrForbidden
	}
	f.created = append(f.created, in)
	r := resource.Row{Table: table, RefID: "new", Attrs: in.Attributes}
	f.rows[table] = append(f.rows[table], r)
	return r, nil
}

func (f *fakeRes) Subscribe(fn func(resource.Change)) func() {
	f.subs = append(f.subs, fn)
	return func() {}
}

func (f *fakeRes) emit(table string) {
	for _, fn := range f.subs {
		fn(resource.Change{Table: table})
	}
}

func newFake(t *testing.T) (*fakeRes, *Stores) {
	t.Helper()
	f := &fakeRes{rows: map[string][]resource.Row{
		TableStore: {{RefID: "r1", Attrs: map[string]any{"name": "disk", "store_type": "local", "store_provider": "local",
			"root_path": filepath.Join(t.TempDir(), "disk")}}},
	}}
	s := New(func() resource.Service { return f }, "0123456789abcdef0123456789abcdef", slog.New(slog.DiscardHandler))
	s.Watch()
	return f, s
}

func TestByNameCachesUntilChange(t *testing.T) {
	f, s := newFake(t)
	ctx := context.Background()
	a, err := s.ByName(ctx, "disk")
	if err != nil || !a.IsLocal() {
		t.Fatalf("open: %v", err)
	}
	b, _ := s.ByName(ctx, "disk")
	if a != b {
		t.Fatal("a second lookup opened the store again")
	}
	f.emit("profile") // other tables do not matter
	if c, _ := s.ByName(ctx, "disk"); c != a {
		t.Fatal("an unrelated change dropped the store")
	}
	for _, table := range []string{TableStore, TableCredential} {
		f.emit(table)
		c, err := s.ByName(ctx, "disk")
		if err != nil || c == a {
			t.Fatalf("a %s change kept the old store: %v", table, err)
		}
		a = c
	}
	if _, err := s.ByName(ctx, "nope"); !errors.Is(err, ErrUnknownStore) {
		t.Fatalf("unknown store: %v", err)
	}
	st, row, err := s.ByRef(ctx, "r1")
	if err != nil || st != a || row.Attrs["name"] != "disk" {
		t.Fatalf("ByRef: %v %v", row, err)
	}
	if _, _, err := s.ByRef(ctx, "zz"); err == nil {
		t.Fatal("ByRef of an unknown row")
	}
}

func TestCredentials(t *testing.T) {
	f, s := newFake(t)
	enc, err := auth.Encrypt("0123456789abcdef0123456789abcdef", `{"type":"s3","port":9000,"force_path_style":true}`)
	if err != nil {
		t.Fatal(err)
	}
	f.rows[TableCredential] = []resource.Row{
		{Attrs: map[string]any{"name": "enc", "content": enc}},
		{Attrs: map[string]any{"name": "plain", "content": `{"a":"b"}`}},
		{Attrs: map[string]any{"name": "broken", "content": `not json`}},
	}
	cases := []struct {
		name string
		want map[string]string
		bad  bool
	}{
		{"enc", map[string]string{"type": "s3", "port": "9000", "force_path_style": "true"}, false},
		{"plain", map[string]string{"a": "b"}, false},
		{"", nil, false},
		{"broken", nil, true},
		{"missing", nil, true},
	}
	for _, c := range cases {
		got, err := s.credential(context.Background(), c.name)
		if (err != nil) != c.bad || len(got) != len(c.want) {
			t.Errorf("%s: %v %v", c.name, got, err)
			continue
		}
		for k, v := range c.want {
			if got[k] != v {
				t.Errorf("%s: %s = %q, want %q", c.name, k, got[k], v)
			}
		}
	}
}

func TestOpenS3WithCredential(t *testing.T) {
	f, s := newFake(t)
	be := s3mem.New()
	if err := be.CreateBucket("bk"); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(gofakes3.New(be).Server())
	defer ts.Close()
	f.rows[TableCredential] = []resource.Row{{Attrs: map[string]any{"name": "c", "content": `{"type":"s3","provider":"Other",` +
		`"access_key_id":"A","secret_access_key":"S","endpoint":"` + ts.URL + `","region":"us-east-1","force_path_style":"true"}`}}}
	f.rows[TableStore] = append(f.rows[TableStore],
		resource.Row{Attrs: map[string]any{"name": "s3", "store_type": "s3", "store_provider": "s3", "root_path": "s3:bk/pre", "credential_name": "c"}},
		resource.Row{Attrs: map[string]any{"name": "nocred", "store_type": "s3", "store_provider": "s3", "root_path": "x:bk", "credential_name": "gone"}})
	st, err := s.ByName(context.Background(), "s3")
	if err != nil || st.IsLocal() {
		t.Fatalf("open s3: %v", err)
	}
	if _, err := s.ByName(context.Background(), "nocred"); err == nil {
		t.Fatal("a store with a missing credential opened")
	}
}

func TestEnsureDefault(t *testing.T) {
	f, _ := newFake(t)
	ctx := context.Background()
	for _, root := range []string{";", ""} {
		if err := EnsureDefault(ctx, f, root); err != nil || len(f.created) != 0 {
			t.Fatalf("root %q: %v, %d rows created", root, err, len(f.created))
		}
	}
	if err := EnsureDefault(ctx, f, "/data/storage"); err != nil || len(f.created) != 1 {
		t.Fatalf("create: %v %d", err, len(f.created))
	}
	a := f.created[0].Attributes
	if a["name"] != DefaultStore || a["root_path"] != "/data/storage" || a["store_provider"] != "local" {
		t.Fatalf("default store row %v", a)
	}
	if err := EnsureDefault(ctx, f, "/elsewhere"); err != nil || len(f.created) != 1 {
		t.Fatalf("second call: %v, %d rows", err, len(f.created))
	}
}
