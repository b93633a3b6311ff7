package asset

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/apiary/apiary/integrations/memres"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/schema"
	"github.com/apiary/apiary/server/filestore"
)

const assetTable = `
Tables:
  - TableName: profile
    Columns:
      - {Name: title, ColumnType: label, DataType: varchar(200), IsNullable: true}
      - {Name: avatar, ColumnType: file.*, DataType: text, IsNullable: true, IsForeignKey: true,
         ForeignKeyData: {DataSource: cloud_store, Namespace: disk, KeyName: avatars}}
      - {Name: notes, ColumnType: markdown, DataType: text, IsNullable: true}
`

// routeEnv is the /asset routes over an in-memory resource layer and one
// local store rooted in a temporary directory.
type routeEnv struct {
	res  *memres.Res
	root string
	h    http.Handler
}

func newRouteEnv(t *testing.T, maxUpload int64) *routeEnv {
	t.Helper()
	f, err := schema.Parse("t.yaml", []byte(assetTable))
	if err != nil {
		t.Fatal(err)
	}
	sc, err := schema.Compile(schema.Source{Path: "t.yaml", File: f})
	if err != nil {
		t.Fatal(err)
	}
	res := memres.New()
	res.Sc = sc
	root := t.TempDir()
	res.Put(filestore.TableStore, "st-1", map[string]any{"name": "disk", "store_provider": "local", "root_path": root})
	get := func() resource.Service { return res }
	r := chi.NewRouter()
	Mount(r, Deps{Res: get, Stores: filestore.New(get, "", slog.New(slog.DiscardHandler)), Log: slog.New(slog.DiscardHandler), MaxUpload: maxUpload})
	return &routeEnv{res: res, root: root, h: r}
}

func (e *routeEnv) do(t *testing.T, method, url string, body []byte, hdr map[string]string) (*httptest.ResponseRecorder, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(method, url, bytes.NewReader(body))
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	var out map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &out)
	return rec, out
}

func TestChunkedUploadFlow(t *testing.T) {
	e := newRouteEnv(t, 64)
	ref := e.res.Put("profile", "p1", map[string]any{"title": "x"})
	base := "/asset/profile/" + ref + "/avatar/upload"

	rec, out := e.do(t, http.MethodPost, base+"?operation=init&filename=a.txt", nil, nil)
	if rec.Code != 200 || out["upload_type"] != "stream" {
		t.Fatalf("init on a local store: %d %s", rec.Code, rec.Body)
	}
	id, _ := out["upload_id"].(string)
	if up, _ := out["upload_url"].(string); !strings.Contains(up, "operation=stream") || !strings.Contains(up, "upload_id="+id) {
		t.Errorf("upload_url %q", up)
	}
	rec, out = e.do(t, http.MethodPost, base+"?operation=stream&filename=a.txt&upload_id="+id, []byte("hello"), nil)
	if rec.Code != 200 || out["status"] != "uploaded" || out["size"] != float64(5) {
		t.Fatalf("stream: %d %s", rec.Code, rec.Body)
	}
	if data, err := os.ReadFile(filepath.Join(e.root, "avatars", "a.txt")); err != nil || string(data) != "hello" {
		t.Fatalf("stored file: %q %v", data, err)
	}
	rec, out = e.do(t, http.MethodPost, base+"?operation=complete&filename=a.txt&upload_id="+id, nil, nil)
	if rec.Code != 200 || out["status"] != "completed" || out["fileName"] != "a.txt" {
		t.Fatalf("complete: %d %s", rec.Code, rec.Body)
	}
	files, _ := e.res.Rows("profile")[0].Attrs["avatar"].(resource.StoredFiles)
	if len(files) != 1 || files[0]["md5"] != "5d41402abc4b2a76b9719d911017c592" || files[0]["size"] != int64(5) {
		t.Fatalf("column after complete: %#v", e.res.Rows("profile")[0].Attrs["avatar"])
	}
	// Completing an unknown id re-reads a file the store holds (a restart
	// lost the pending entry) and refuses one it does not.
	if rec, out = e.do(t, http.MethodPost, base+"?operation=complete&filename=a.txt&upload_id=gone", nil, nil); rec.Code != 200 || out["size"] != float64(5) {
		t.Errorf("complete after restart: %d %s", rec.Code, rec.Body)
	}
	if rec, out = e.do(t, http.MethodPost, base+"?operation=complete&filename=b.txt&upload_id=gone", nil, nil); rec.Code != 400 || out["error"] == nil {
		t.Errorf("complete of a file never sent: %d %s", rec.Code, rec.Body)
	}
}

func TestChunkedUploadRefusals(t *testing.T) {
	e := newRouteEnv(t, 8)
	ref := e.res.Put("profile", "p1", map[string]any{})
	base := "/asset/profile/" + ref
	for _, tc := range []struct {
		name, method, url string
		body              string
		want              int
	}{
		{"file name with a slash", http.MethodPost, base + "/avatar/upload?operation=init&filename=a/b", "", 400},
		{"dot-dot file name", http.MethodPost, base + "/avatar/upload?operation=stream&filename=..", "x", 400},
		{"unknown operation", http.MethodPost, base + "/avatar/upload?operation=rename&filename=a.txt", "", 400},
		{"not an asset column", http.MethodPost, base + "/title/upload?operation=init&filename=a.txt", "", 400},
		{"no such table", http.MethodPost, "/asset/nope/" + ref + "/avatar/upload?filename=a.txt", "", 404},
		{"no such row", http.MethodPost, "/asset/profile/missing/avatar/upload?filename=a.txt", "", 404},
		{"over the upload limit", http.MethodPost, base + "/avatar/upload?operation=stream&filename=big.bin", "0123456789", 413},
	} {
		if rec, _ := e.do(t, tc.method, tc.url, []byte(tc.body), nil); rec.Code != tc.want {
			t.Errorf("%s: %d %s, want %d", tc.name, rec.Code, rec.Body, tc.want)
		}
	}
	if _, err := os.Stat(filepath.Join(e.root, "avatars", "big.bin")); err == nil {
		t.Error("a refused oversized upload left its file")
	}
}

func TestUploadAbortDeletesUnlistedFile(t *testing.T) {
	e := newRouteEnv(t, 0)
	ref := e.res.Put("profile", "p1", map[string]any{})
	base := "/asset/profile/" + ref + "/avatar/upload"
	_, out := e.do(t, http.MethodPost, base+"?operation=stream&filename=c.txt", []byte("abc"), nil)
	id, _ := out["upload_id"].(string)
	p := filepath.Join(e.root, "avatars", "c.txt")
	if _, err := os.Stat(p); err != nil || id == "" {
		t.Fatalf("streamed file missing (id %q): %v", id, err)
	}
	rec, out := e.do(t, http.MethodDelete, base+"?upload_id="+id, nil, nil)
	if rec.Code != 200 || out["status"] != "aborted" {
		t.Fatalf("abort: %d %s", rec.Code, rec.Body)
	}
	if _, err := os.Stat(p); !os.IsNotExist(err) {
		t.Errorf("the aborted upload's file is still there: %v", err)
	}
	if rec, _ := e.do(t, http.MethodPost, base+"?operation=complete&filename=c.txt&upload_id="+id, nil, nil); rec.Code != 400 {
		t.Errorf("complete after abort: %d", rec.Code)
	}
}

func TestFormUploadAndServe(t *testing.T) {
	e := newRouteEnv(t, 0)
	ref := e.res.Put("profile", "p1", map[string]any{"notes": "<b>&</b>"})
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("title", "ignored")
	fw, _ := mw.CreateFormFile("file", "n.txt")
	_, _ = fw.Write([]byte("form body"))
	_ = mw.Close()
	rec, out := e.do(t, http.MethodPost, "/asset/profile/"+ref+"/avatar/upload", buf.Bytes(), map[string]string{"Content-Type": mw.FormDataContentType()})
	if rec.Code != 200 || out["status"] != "completed" {
		t.Fatalf("form upload: %d %s", rec.Code, rec.Body)
	}
	if data, _ := os.ReadFile(filepath.Join(e.root, "avatars", "n.txt")); string(data) != "form body" {
		t.Fatalf("stored %q", data)
	}
	empty := multipart.NewWriter(&buf)
	buf.Reset()
	_ = empty.WriteField("title", "only a field")
	_ = empty.Close()
	if rec, _ := e.do(t, http.MethodPost, "/asset/profile/"+ref+"/avatar/upload", buf.Bytes(), map[string]string{"Content-Type": empty.FormDataContentType()}); rec.Code != 400 {
		t.Errorf("a form without a file: %d", rec.Code)
	}

	// Serving reads the column's JSON list, as the database returns it.
	e.res.Put("profile", ref, map[string]any{"notes": "<b>&</b>",
		"avatar": `[{"name":"n.txt","type":"text/plain","md5":"m","size":9}]`})
	rec, _ = e.do(t, http.MethodGet, "/asset/profile/"+ref+"/avatar", nil, nil)
	if rec.Code != 200 || rec.Body.String() != "form body" || rec.Header().Get("ETag") == "" ||
		!strings.HasPrefix(rec.Header().Get("Content-Disposition"), "inline") {
		t.Fatalf("serve: %d %v %s", rec.Code, rec.Header(), rec.Body)
	}
	etag := rec.Header().Get("ETag")
	if rec, _ = e.do(t, http.MethodGet, "/asset/profile/"+ref+"/avatar", nil, map[string]string{"If-None-Match": etag}); rec.Code != http.StatusNotModified {
		t.Errorf("conditional GET: %d", rec.Code)
	}
	if rec, _ = e.do(t, http.MethodGet, "/asset/profile/"+ref+"/avatar?file=other.txt", nil, nil); rec.Code != 404 {
		t.Errorf("a file the column does not list: %d", rec.Code)
	}
	if rec, _ = e.do(t, http.MethodGet, "/asset/profile/"+ref+"/notes.html", nil, nil); rec.Code != 200 || rec.Body.String() != "<pre>&lt;b&gt;&amp;&lt;/b&gt;</pre>" {
		t.Errorf("markdown column: %d %s", rec.Code, rec.Body)
	}
}
