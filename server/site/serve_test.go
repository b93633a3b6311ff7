package site

import (
	"bytes"
	"compress/gzip"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apiary/apiary/storage/blob"
)

// siteStore makes a local store with a site folder "www".
func siteStore(t *testing.T, files map[string][]byte) *blob.Store {
	t.Helper()
	root := t.TempDir()
	for name, data := range files {
		p := filepath.Join(root, "www", filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	st, err := blob.Open(context.Background(), blob.Spec{Provider: "local", Root: root})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func gz(t *testing.T, b []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	w := gzip.NewWriter(&out)
	_, _ = w.Write(b)
	_ = w.Close()
	return out.Bytes()
}

func TestServeFile(t *testing.T) {
	big := bytes.Repeat([]byte("body { color: red }\n"), 200)
	st := siteStore(t, map[string][]byte{
		"index.html":        []byte("<p>home</p>"),
		"docs/index.html":   []byte("<p>docs</p>"),
		"app.css":           big,
		"app.css.gz":        gz(t, big),
		"logo.png":          []byte("\x89PNG\r\n\x1a\nxxxx"),
		"data/file.unknown": []byte("raw"),
	})
	s := &Sites{}
	cases := []struct {
		name, rel string
		hdr       map[string]string
		status    int
		body      string
		want      map[string]string
	}{
		{"index", "index.html", nil, 200, "<p>home</p>", map[string]string{"Content-Type": "text/html; charset=utf-8", "Cache-Control": "public, max-age=300"}},
		{"folder serves its index", "docs", nil, 200, "<p>docs</p>", nil},
		{"file cached a year", "logo.png", nil, 200, "\x89PNG\r\n\x1a\nxxxx", map[string]string{"Content-Type": "image/png", "Cache-Control": "public, max-age=31536000"}},
		{"unknown type", "data/file.unknown", nil, 200, "raw", map[string]string{"Content-Type": "application/octet-stream"}},
		{"SPA fallback", "no/such/page", nil, 200, "<p>home</p>", nil},
		{"gzip sidecar", "app.css", map[string]string{"Accept-Encoding": "gzip"}, 200, string(gz(t, big)), map[string]string{"Content-Encoding": "gzip", "Vary": "Accept-Encoding"}},
		{"no gzip without Accept-Encoding", "app.css", nil, 200, string(big), map[string]string{"Content-Encoding": ""}},
		{"no gzip for a Range", "app.css", map[string]string{"Accept-Encoding": "gzip", "Range": "bytes=0-3"}, 206, "body", map[string]string{"Content-Encoding": ""}},
		{"Range past the end", "logo.png", map[string]string{"Range": "bytes=500-"}, 416, "", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/"+c.rel, nil)
			for k, v := range c.hdr {
				r.Header.Set(k, v)
			}
			w := httptest.NewRecorder()
			s.serveFile(context.Background(), w, r, st, "www", c.rel)
			if w.Code != c.status || (c.body != "" && w.Body.String() != c.body) {
				t.Fatalf("%d %q, want %d %q", w.Code, w.Body.String(), c.status, c.body)
			}
			for k, v := range c.want {
				if got := w.Header().Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
		})
	}
	// The ETag answers 304.
	w := httptest.NewRecorder()
	s.serveFile(context.Background(), w, httptest.NewRequest(http.MethodGet, "/logo.png", nil), st, "www", "logo.png")
	et := w.Header().Get("ETag")
	r := httptest.NewRequest(http.MethodGet, "/logo.png", nil)
	r.Header.Set("If-None-Match", et)
	w = httptest.NewRecorder()
	s.serveFile(context.Background(), w, r, st, "www", "logo.png")
	if et == "" || w.Code != http.StatusNotModified {
		t.Fatalf("If-None-Match %s: %d", et, w.Code)
	}
}

func TestServePlaceholderAndBadPath(t *testing.T) {
	st := siteStore(t, map[string][]byte{"other/x.txt": []byte("x")})
	s := &Sites{}
	w := httptest.NewRecorder()
	s.serveFile(context.Background(), w, httptest.NewRequest(http.MethodGet, "/", nil), st, "www", "index.html")
	if w.Code != 200 || !strings.Contains(w.Body.String(), "Site is loading") {
		t.Fatalf("placeholder: %d %q", w.Code, w.Body.String())
	}
	w = httptest.NewRecorder()
	s.serveFile(context.Background(), w, httptest.NewRequest(http.MethodGet, "/", nil), st, "www", "../other/x.txt")
	if w.Code != http.StatusBadRequest {
		t.Fatalf("escaping path: %d %q", w.Code, w.Body.String())
	}
}

func TestCacheControl(t *testing.T) {
	cases := []struct {
		cfg  map[string]any
		want string
	}{
		{nil, ""},
		{map[string]any{"no_store": true, "max_age": 60.0}, "no-store"},
		{map[string]any{"no_cache": true}, "no-cache"},
		{map[string]any{"enable": false, "max_age": 60.0}, "no-cache"},
		{map[string]any{"max_age": 60.0}, "public, max-age=60"},
		{map[string]any{"private": true, "max_age": 30.0}, "private, max-age=30"},
		{map[string]any{"enable": true}, ""},
		{map[string]any{"max_age": -5.0}, ""},
	}
	for _, c := range cases {
		if got := cacheControl(c.cfg); got != c.want {
			t.Errorf("cacheControl(%v) = %q, want %q", c.cfg, got, c.want)
		}
	}
}

func TestTypesAndEncoding(t *testing.T) {
	types := []struct {
		name, typ    string
		compressible bool
	}{
		{"a.html", "text/html; charset=utf-8", true},
		{"a.JS", "text/javascript; charset=utf-8", true},
		{"a.json", "application/json", true},
		{"a.svg", "image/svg+xml", true},
		{"a.xml", "application/xml", true},
		{"a.png", "image/png", false},
		{"a.woff2", "font/woff2", false},
		{"a", "application/octet-stream", false},
	}
	for _, c := range types {
		typ := typeByName(c.name)
		if typ != c.typ || compressible(typ) != c.compressible {
			t.Errorf("%s: %s compressible=%v", c.name, typ, compressible(typ))
		}
	}
	for hdr, want := range map[string]bool{"": false, "gzip": true, "br, gzip;q=0.5": true, "identity": false} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Accept-Encoding", hdr)
		if acceptsGzip(r) != want {
			t.Errorf("acceptsGzip(%q) != %v", hdr, want)
		}
	}
}
