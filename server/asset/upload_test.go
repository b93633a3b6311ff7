package asset

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/apiary/apiary/schema"
	"github.com/apiary/apiary/server/httperr"
	"github.com/apiary/apiary/storage/blob"
)

var pngSig = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")

func TestDecodeFiles(t *testing.T) {
	b64 := base64.StdEncoding.EncodeToString
	cases := []struct {
		name    string
		val     any
		want    []decoded // name, typ, dir, data
		wantErr string
	}{
		{"data URI", []any{map[string]any{"name": "a.png", "file": "data:image/png;base64," + b64(pngSig)}},
			[]decoded{{name: "a.png", typ: "image/png", data: pngSig}}, ""},
		{"bare base64 with type and path", []any{map[string]any{"name": "n.txt", "contents": b64([]byte("hi")), "type": "text/plain", "path": "/docs/x/"}},
			[]decoded{{name: "n.txt", typ: "text/plain", dir: "docs/x", data: []byte("hi")}}, ""},
		{"file without data: prefix", []any{map[string]any{"name": "r.bin", "file": b64([]byte{1, 2, 3})}},
			[]decoded{{name: "r.bin", typ: "application/octet-stream", data: []byte{1, 2, 3}}}, ""},
		{"unpadded base64", []any{map[string]any{"name": "u.txt", "contents": strings.TrimRight(b64([]byte("ab")), "=")}},
			[]decoded{{name: "u.txt", typ: "text/plain; charset=utf-8", data: []byte("ab")}}, ""},
		{"one object", map[string]any{"name": "o.txt", "contents": b64([]byte("o"))},
			[]decoded{{name: "o.txt", typ: "text/plain; charset=utf-8", data: []byte("o")}}, ""},
		{"two files", []any{map[string]any{"name": "1.txt", "contents": b64([]byte("1"))}, map[string]any{"name": "2.txt", "contents": b64([]byte("2"))}},
			[]decoded{{name: "1.txt", typ: "text/plain; charset=utf-8", data: []byte("1")}, {name: "2.txt", typ: "text/plain; charset=utf-8", data: []byte("2")}}, ""},
		{"a string", "x", nil, "want a list"},
		{"entry not an object", []any{"x"}, nil, "entry 0"},
		{"slash in name", []any{map[string]any{"name": "a/b", "contents": "eA=="}}, nil, "must be one name"},
		{"dot dot name", []any{map[string]any{"name": "..", "contents": "eA=="}}, nil, "must be one name"},
		{"NUL in name", []any{map[string]any{"name": "a\x00b", "contents": "eA=="}}, nil, "must be one name"},
		{"empty name", []any{map[string]any{"contents": "eA=="}}, nil, "must be one name"},
		{"climbing path", []any{map[string]any{"name": "a", "path": "../x", "contents": "eA=="}}, nil, "path"},
		{"no data", []any{map[string]any{"name": "a"}}, nil, "no file data"},
		{"not base64", []any{map[string]any{"name": "a", "contents": "%%%"}}, nil, "not valid base64"},
		{"not a base64 data URI", []any{map[string]any{"name": "a.txt", "file": "data:text/plain,hello"}}, nil, "only base64"},
		{"lying data URI", []any{map[string]any{"name": "a.png", "file": "data:image/png;base64," + b64([]byte("<html></html>"))}}, nil, "declared type image/png"},
		{"lying type", []any{map[string]any{"name": "a.txt", "contents": b64(pngSig), "type": "text/plain"}}, nil, "declared type text/plain"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := decodeFiles("avatar", c.val)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) || httperr.Status(err) != http.StatusBadRequest {
					t.Fatalf("err = %v (status %d), want 400 with %q", err, httperr.Status(err), c.wantErr)
				}
				return
			}
			if err != nil || len(got) != len(c.want) {
				t.Fatalf("got %d files, %v", len(got), err)
			}
			for i, w := range c.want {
				g := got[i]
				if g.name != w.name || g.typ != w.typ || g.dir != w.dir || string(g.data) != string(w.data) {
					t.Errorf("file %d = %+v, want %+v", i, g, w)
				}
			}
		})
	}
}

func TestStoreFilesDryRun(t *testing.T) {
	f := &Files{}
	col := &schema.Column{ColumnName: "avatar", ForeignKeyData: schema.ForeignKeyData{DataSource: "cloud_store", Namespace: "s", KeyName: "k"}}
	out, err := f.StoreFiles(context.Background(), "profile", col, []any{
		map[string]any{"name": "a.txt", "contents": base64.StdEncoding.EncodeToString([]byte("hello")), "path": "p"}}, true)
	if err != nil || len(out) != 1 {
		t.Fatalf("%v %v", out, err)
	}
	want := map[string]any{"name": "a.txt", "type": "text/plain; charset=utf-8", "path": "p", "md5": "5d41402abc4b2a76b9719d911017c592", "size": 5, "src": "p/a.txt"}
	for k, v := range want {
		if fmt.Sprint(out[0][k]) != fmt.Sprint(v) {
			t.Errorf("%s = %v, want %v", k, out[0][k], v)
		}
	}
	if _, ok := out[0]["contents"]; ok {
		t.Error("metadata kept the contents")
	}
	if _, err := f.StoreFiles(context.Background(), "profile", col, "nope", true); err == nil {
		t.Error("a bad value passed the dry run")
	}
}

func TestTypeByName(t *testing.T) {
	for name, want := range map[string]string{
		"a.PNG": "image/png", "b.jpeg": "image/jpeg", "c.html": "text/html; charset=utf-8", "d.mp4": "video/mp4",
		"e.tar": "application/octet-stream", "noext": "application/octet-stream", "f.json": "application/json", "g.zip": "application/zip",
	} {
		if got := TypeByName(name); got != want {
			t.Errorf("TypeByName(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestEntries(t *testing.T) {
	cases := []struct {
		name string
		v    any
		want []entry
	}{
		{"nil", nil, nil},
		{"JSON text", `[{"name":"a.png","type":"image/png","path":"p","md5":"m","size":12}]`, []entry{{Name: "a.png", Type: "image/png", Path: "p", MD5: "m", Size: 12}}},
		{"list", []any{map[string]any{"name": "b", "size": int64(3)}, "junk"}, []entry{{Name: "b", Size: 3}}},
		{"bad JSON", "[{", nil},
		{"number", 5, nil},
	}
	for _, c := range cases {
		got := entries(c.v)
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
}

func TestPick(t *testing.T) {
	list := []entry{{Name: "a"}, {Name: "b"}, {Name: "c"}}
	cases := []struct {
		query string
		want  string
		ok    bool
	}{
		{"", "a", true},
		{"file=b", "b", true},
		{"index=2", "c", true},
		{"index=1&file=b", "b", true},
		{"index=1&file=c", "", false},
		{"index=3", "", false},
		{"index=-1", "", false},
		{"index=x", "", false},
		{"file=zzz", "", false},
	}
	for _, c := range cases {
		r := httptest.NewRequest(http.MethodGet, "/asset/t/id/col?"+c.query, nil)
		got, ok := pick(list, r)
		if ok != c.ok || got.Name != c.want {
			t.Errorf("%q: %q %v, want %q %v", c.query, got.Name, ok, c.want, c.ok)
		}
	}
	if _, ok := pick(nil, httptest.NewRequest(http.MethodGet, "/", nil)); ok {
		t.Error("picked from an empty column")
	}
}

func TestEtag(t *testing.T) {
	t0 := time.Date(2024, 1, 2, 3, 4, 5, 6, time.UTC)
	base := etag("abc", blob.Info{Size: 10, ModTime: t0})
	if !strings.HasPrefix(base, `"`) || !strings.HasSuffix(base, `"`) || len(base) != 34 {
		t.Fatalf("etag %s", base)
	}
	if etag("abc", blob.Info{Size: 10, ModTime: t0.In(time.FixedZone("x", 3600))}) != base {
		t.Error("the zone changed the ETag")
	}
	for _, other := range []string{etag("abd", blob.Info{Size: 10, ModTime: t0}), etag("abc", blob.Info{Size: 11, ModTime: t0}),
		etag("abc", blob.Info{Size: 10, ModTime: t0.Add(time.Nanosecond)})} {
		if other == base {
			t.Error("a different file has the same ETag")
		}
	}
}

func TestStoreError(t *testing.T) {
	cases := []struct {
		err  error
		want int
	}{
		{blob.ErrNotFound, http.StatusNotFound},
		{fmt.Errorf("open: %w", blob.ErrBadPath), http.StatusNotFound},
		{context.Canceled, http.StatusServiceUnavailable},
		{fmt.Errorf("x: %w", context.DeadlineExceeded), http.StatusServiceUnavailable},
		{errors.New("connection refused"), http.StatusBadGateway},
	}
	for _, c := range cases {
		if got := httperr.Status(storeError(c.err)); got != c.want {
			t.Errorf("%v: %d, want %d", c.err, got, c.want)
		}
	}
}

func TestPendingUploads(t *testing.T) {
	var p pendingUploads
	if _, ok := p.take("x"); ok {
		t.Fatal("empty set gave an upload")
	}
	p.put("a", streamed{path: "k/a", size: 3})
	p.put("b", streamed{path: "k/b", size: 4})
	if s, ok := p.take("a"); !ok || s.path != "k/a" || s.size != 3 {
		t.Fatalf("take a: %+v %v", s, ok)
	}
	if _, ok := p.take("a"); ok {
		t.Fatal("an upload was taken twice")
	}
	if id := newUploadID(); len(id) != 32 || id == newUploadID() {
		t.Fatalf("upload id %q", id)
	}
}
