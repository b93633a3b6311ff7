package actions

import (
	"context"
	"encoding/base64"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/storage/blob"
)

func TestSiteFileActions(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	for name, body := range map[string]string{"www/index.html": "<h1>home</h1>", "www/css/site.css": "body{}", "other/secret.txt": "no"} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(root, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	st, err := blob.Open(context.Background(), blob.Spec{Provider: "local", Root: root})
	if err != nil {
		t.Fatal(err)
	}
	e := New(Options{Stores: oneStore{st: st}})
	ctx := sysCtx()
	site := &resource.Row{RefID: "site-1", Attrs: map[string]any{"cloud_store_id": "store-1", "path": "www"}}
	run := func(fn Performer, attrs map[string]any) ([]Response, error) {
		return fn(ctx, Request{Subject: site, Attributes: attrs})
	}
	out, err := run(e.siteList, map[string]any{})
	if err != nil {
		t.Fatal(err)
	}
	list := out[0].Attributes.(map[string]any)["list"].([]map[string]any)
	names := map[string]bool{}
	for _, f := range list {
		names[f["name"].(string)] = f["is_dir"].(bool)
	}
	if len(names) != 2 || names["index.html"] || !names["css"] {
		t.Errorf("site list: %v", list)
	}
	out, err = run(e.siteGet, map[string]any{"path": "css/site.css"})
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := base64.StdEncoding.DecodeString(out[0].Attributes.(map[string]any)["data"].(string)); string(b) != "body{}" {
		t.Errorf("site get: %q", b)
	}
	for _, c := range []struct {
		name   string
		fn     Performer
		attrs  map[string]any
		status int
	}{
		{"get outside the site", e.siteGet, map[string]any{"path": "../other/secret.txt"}, http.StatusBadRequest},
		{"get missing", e.siteGet, map[string]any{"path": "nope.html"}, http.StatusNotFound},
		{"list missing", e.siteList, map[string]any{"path": "nope"}, http.StatusNotFound},
		{"delete the site root", e.siteDelete, map[string]any{"path": ""}, http.StatusBadRequest},
		{"delete outside", e.siteDelete, map[string]any{"path": "../other"}, http.StatusBadRequest},
	} {
		if _, err := run(c.fn, c.attrs); statusOf(err) != c.status {
			t.Errorf("%s: %v, want %d", c.name, err, c.status)
		}
	}
	if _, err := run(e.siteDelete, map[string]any{"path": "css/site.css"}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "www", "css", "site.css")); !os.IsNotExist(err) {
		t.Errorf("deleted file: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, "other", "secret.txt")); err != nil {
		t.Errorf("a file outside the site went: %v", err)
	}
	if out, err := run(e.siteSync, nil); err != nil || !strings.Contains(mustJSON(t, out), "synced") {
		t.Errorf("sync: %v %v", out, err)
	}
	noStore := &resource.Row{RefID: "site-2", Attrs: map[string]any{}}
	if _, err := e.siteList(ctx, Request{Subject: noStore}); statusOf(err) != http.StatusNotFound {
		t.Errorf("site without a store: %v", err)
	}
	down := New(Options{Stores: oneStore{down: true}})
	if _, err := down.siteList(ctx, Request{Subject: site}); statusOf(err) != http.StatusBadGateway {
		t.Errorf("store down: %v", err)
	}
}
