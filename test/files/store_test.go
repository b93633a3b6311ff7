package files

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apiary/apiary/test/testserver"
)

// action calls /action/{typ}/{name} and returns the status and body.
func action(t *testing.T, s *testserver.Server, tok, typ, name string, attrs map[string]any) (int, string) {
	t.Helper()
	r := s.Do(t, http.MethodPost, "/action/"+typ+"/"+name, map[string]any{"attributes": attrs}, tok)
	return r.Status, string(r.Body)
}

// storeRef returns the id of the cloud_store row with that name.
func storeRef(t *testing.T, s *testserver.Server, tok, name string) string {
	t.Helper()
	r := s.Do(t, http.MethodGet, "/api/cloud_store?filter="+name, nil, tok)
	for _, row := range r.Map(t)["data"].([]any) {
		m := row.(map[string]any)
		if m["attributes"].(map[string]any)["name"] == name {
			return m["id"].(string)
		}
	}
	t.Fatalf("no cloud_store %s: %s", name, r.Body)
	return ""
}

func zipOf(t *testing.T, files map[string][]byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for name, data := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write(data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func fileArg(name string, data []byte) []any {
	return []any{map[string]any{"name": name, "file": "data:application/octet-stream;base64," + base64.StdEncoding.EncodeToString(data)}}
}

func TestStoreActions(t *testing.T) {
	s, tok := start(t)
	ref := storeRef(t, s, tok, "localstore")
	root := filepath.Join(s.Dir, "storage")

	// upload_file unpacks a zip into the folder.
	z := zipOf(t, map[string][]byte{"index.html": []byte("<h1>home</h1>"), "css/site.css": []byte("body{}")})
	if st, body := action(t, s, tok, "cloud_store", "upload_file", map[string]any{"cloud_store_id": ref, "path": "web", "file": fileArg("site.zip", z)}); st != 200 {
		t.Fatalf("upload_file: %d %s", st, body)
	}
	if b, err := os.ReadFile(filepath.Join(root, "web", "css", "site.css")); err != nil || string(b) != "body{}" {
		t.Fatalf("unzipped file: %v %q", err, b)
	}
	// Bad zips: ../ entries, absolute entries and a zip bomb write nothing.
	bad := map[string][]byte{
		"slip":     zipOf(t, map[string][]byte{"ok.txt": []byte("x"), "../../escape.txt": []byte("x")}),
		"absolute": zipOf(t, map[string][]byte{"ok2.txt": []byte("x"), "/etc/escape.txt": []byte("x")}),
		"bomb":     zipOf(t, map[string][]byte{"ok3.txt": []byte("x"), "zeros.bin": make([]byte, 65<<20)}),
	}
	for name, data := range bad {
		st, body := action(t, s, tok, "cloud_store", "upload_file", map[string]any{"cloud_store_id": ref, "path": "bad", "file": fileArg(name+".zip", data)})
		if st != 400 && st != 413 {
			t.Errorf("%s zip: %d %s", name, st, body)
		}
	}
	if _, err := os.Stat(filepath.Join(root, "bad")); err == nil {
		t.Error("a refused zip left files in the store")
	}
	if _, err := os.Stat(filepath.Join(s.Dir, "escape.txt")); err == nil {
		t.Error("zip slip wrote outside the store")
	}
	if st, _ := action(t, s, tok, "cloud_store", "upload_file", map[string]any{"cloud_store_id": ref, "path": "../up", "file": fileArg("a.txt", []byte("x"))}); st != 400 {
		t.Errorf("path escape: %d", st)
	}

	// create_folder, move_path, delete_path.
	if st, body := action(t, s, tok, "cloud_store", "create_folder", map[string]any{"cloud_store_id": ref, "path": "web", "name": "img"}); st != 200 {
		t.Fatalf("create_folder: %d %s", st, body)
	}
	if fi, err := os.Stat(filepath.Join(root, "web", "img")); err != nil || !fi.IsDir() {
		t.Fatalf("folder: %v", err)
	}
	if st, body := action(t, s, tok, "cloud_store", "move_path", map[string]any{"cloud_store_id": ref, "source": "web/css/site.css", "destination": "web/site.css"}); st != 200 {
		t.Fatalf("move_path: %d %s", st, body)
	}
	if _, err := os.Stat(filepath.Join(root, "web", "site.css")); err != nil {
		t.Fatalf("moved file: %v", err)
	}
	if st, body := action(t, s, tok, "cloud_store", "delete_path", map[string]any{"cloud_store_id": ref, "path": "web/css"}); st != 200 {
		t.Fatalf("delete_path: %d %s", st, body)
	}
	if _, err := os.Stat(filepath.Join(root, "web", "css")); err == nil {
		t.Fatal("delete_path left the folder")
	}
	for _, p := range []string{"", "/", "../x"} {
		if st, _ := action(t, s, tok, "cloud_store", "delete_path", map[string]any{"cloud_store_id": ref, "path": p}); st != 400 {
			t.Errorf("delete_path %q: %d", p, st)
		}
	}
	if st, _ := action(t, s, tok, "cloud_store", "delete_path", map[string]any{"cloud_store_id": ref, "path": "nope"}); st != 404 {
		t.Errorf("delete_path missing: %d", st)
	}

	// create_site makes a site row; the site actions see its files.
	if st, body := action(t, s, tok, "cloud_store", "create_site", map[string]any{"cloud_store_id": ref, "site_type": "static", "path": "web", "hostname": "blog.test"}); st != 200 {
		t.Fatalf("create_site: %d %s", st, body)
	}
	r := s.Do(t, http.MethodGet, "/api/site", nil, tok)
	sites := r.Map(t)["data"].([]any)
	if len(sites) != 1 {
		t.Fatalf("site rows: %s", r.Body)
	}
	siteRef := sites[0].(map[string]any)["id"].(string)
	st, body := action(t, s, tok, "site", "list_files", map[string]any{"site_id": siteRef, "path": ""})
	if st != 200 || !strings.Contains(body, `"index.html"`) || !strings.Contains(body, `"is_dir":true`) {
		t.Fatalf("list_files: %d %s", st, body)
	}
	st, body = action(t, s, tok, "site", "get_file", map[string]any{"site_id": siteRef, "path": "index.html"})
	if st != 200 || !strings.Contains(body, base64.StdEncoding.EncodeToString([]byte("<h1>home</h1>"))) {
		t.Fatalf("get_file: %d %s", st, body)
	}
	if st, _ := action(t, s, tok, "site", "get_file", map[string]any{"site_id": siteRef, "path": "../../etc/passwd"}); st != 400 {
		t.Fatalf("get_file escape: %d", st)
	}
	if st, body := action(t, s, tok, "site", "delete_file", map[string]any{"site_id": siteRef, "path": "site.css"}); st != 200 {
		t.Fatalf("delete_file: %d %s", st, body)
	}
	if st, _ := action(t, s, tok, "site", "sync_site_storage", map[string]any{"site_id": siteRef, "path": ""}); st != 200 {
		t.Fatalf("sync_site_storage: %d", st)
	}
}

func TestImportFilesFromStore(t *testing.T) {
	s, tok := start(t)
	dir := filepath.Join(s.Dir, "storage", "avatars")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"one.png", "two.png"} {
		if err := os.WriteFile(filepath.Join(dir, n), pngBytes(t, 3, 3), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	r := s.Do(t, http.MethodGet, "/api/world?filter=profile", nil, tok)
	var worldRef string
	for _, row := range r.Map(t)["data"].([]any) {
		m := row.(map[string]any)
		if m["attributes"].(map[string]any)["table_name"] == "profile" {
			worldRef = m["id"].(string)
		}
	}
	st, body := action(t, s, tok, "world", "import_files_from_store", map[string]any{"world_id": worldRef, "table_name": "profile"})
	if st != 200 || !strings.Contains(body, "Imported success 2 files, failed 0 files") {
		t.Fatalf("import: %d %s", st, body)
	}
	rows := s.Do(t, http.MethodGet, "/api/profile", nil, tok).Map(t)["data"].([]any)
	if len(rows) != 2 {
		t.Fatalf("rows: %d", len(rows))
	}
	id := rows[0].(map[string]any)["id"].(string)
	if g := s.Do(t, http.MethodGet, "/asset/profile/"+id+"/avatar", nil, tok); g.Status != 200 || g.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("imported asset: %d %s", g.Status, g.Header.Get("Content-Type"))
	}
	if st, _ := action(t, s, tok, "world", "sync_column_storage", map[string]any{"table_name": "profile", "column_name": "avatar"}); st != 200 {
		t.Fatalf("sync_column_storage: %d", st)
	}
}
