package files

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"strings"
	"testing"

	"github.com/apiary/apiary/test/testserver"
)

// siteGet sends a GET with a Host header (and optional Basic auth).
func siteGet(t *testing.T, s *testserver.Server, host, path string, hdr map[string]string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.URL+path, nil)
	req.Host = host
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(resp.Body)
	return resp, b.String()
}

func makeSite(t *testing.T, s *testserver.Server, tok, host, dir string, files map[string][]byte) string {
	t.Helper()
	ref := storeRef(t, s, tok, "localstore")
	if st, b := action(t, s, tok, "cloud_store", "upload_file", map[string]any{"cloud_store_id": ref, "path": dir, "file": fileArg("s.zip", zipOf(t, files))}); st != 200 {
		t.Fatalf("upload: %d %s", st, b)
	}
	if st, b := action(t, s, tok, "cloud_store", "create_site", map[string]any{"cloud_store_id": ref, "site_type": "static", "path": dir, "hostname": host}); st != 200 {
		t.Fatalf("create_site: %d %s", st, b)
	}
	for _, row := range s.Do(t, http.MethodGet, "/api/site", nil, tok).Map(t)["data"].([]any) {
		m := row.(map[string]any)
		if m["attributes"].(map[string]any)["hostname"] == host {
			return m["id"].(string)
		}
	}
	t.Fatalf("site %s not found", host)
	return ""
}

func TestSiteHosting(t *testing.T) {
	s, tok := start(t)
	js := []byte(strings.Repeat("console.log('apiary');\n", 200))
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write(js)
	_ = zw.Close()
	siteRef := makeSite(t, s, tok, "blog.test", "blog", map[string][]byte{
		"index.html": []byte("<h1>blog home</h1>"), "about/index.html": []byte("<h1>about</h1>"),
		"app.js": js, "app.js.gz": gz.Bytes(), "css/site.css": []byte("body{color:red}")})

	// The site is live at once: by host, index.html for / and folders.
	resp, body := siteGet(t, s, "blog.test", "/", nil)
	if resp.StatusCode != 200 || body != "<h1>blog home</h1>" || resp.Header.Get("Cache-Control") != "public, max-age=300" {
		t.Fatalf("/: %d %q %v", resp.StatusCode, body, resp.Header)
	}
	if _, body := siteGet(t, s, "blog.test:8080", "/about/", nil); body != "<h1>about</h1>" {
		t.Fatalf("/about/: %q", body)
	}
	resp, body = siteGet(t, s, "blog.test", "/css/site.css", nil)
	if body != "body{color:red}" || resp.Header.Get("Content-Type") != "text/css; charset=utf-8" || resp.Header.Get("Cache-Control") != "public, max-age=31536000" {
		t.Fatalf("css: %q %v", body, resp.Header)
	}
	// SPA fallback: an unknown path answers the root index.html with 200.
	if resp, body := siteGet(t, s, "blog.test", "/posts/42", nil); resp.StatusCode != 200 || body != "<h1>blog home</h1>" {
		t.Fatalf("SPA fallback: %d %q", resp.StatusCode, body)
	}
	// gzip sidecar, conditional GET and Range.
	resp, body = siteGet(t, s, "blog.test", "/app.js", map[string]string{"Accept-Encoding": "gzip"})
	if resp.Header.Get("Content-Encoding") != "gzip" || body != gz.String() {
		t.Fatalf("gzip sidecar: %v (%d bytes)", resp.Header, len(body))
	}
	resp, _ = siteGet(t, s, "blog.test", "/css/site.css", nil)
	if r2, _ := siteGet(t, s, "blog.test", "/css/site.css", map[string]string{"If-None-Match": resp.Header.Get("ETag")}); r2.StatusCode != 304 {
		t.Fatalf("If-None-Match: %d", r2.StatusCode)
	}
	if out := curl(t, "-H", "Host: blog.test", "-r", "5-9", s.URL+"/css/site.css"); out != "color" {
		t.Fatalf("Range: %q", out)
	}
	// API paths stay on the API even on the site's host.
	if resp, body := siteGet(t, s, "blog.test", "/api/site", map[string]string{"Authorization": "Bearer " + tok}); resp.StatusCode != 200 || !strings.Contains(body, `"data"`) {
		t.Fatalf("API on site host: %d %s", resp.StatusCode, body)
	}
	// By first path segment on any host.
	if _, body := siteGet(t, s, "127.0.0.1", "/blog.test/css/site.css", nil); body != "body{color:red}" {
		t.Fatalf("path-based: %q", body)
	}
	// Execute denied to guests: 401 with a Basic challenge; Basic sign-in works.
	if r := s.Do(t, http.MethodPatch, "/api/site/"+siteRef, patchDoc("site", siteRef, map[string]any{"permission": 4096 | 256 | 128}), tok); r.Status != 200 {
		t.Fatalf("patch permission: %d %s", r.Status, r.Body)
	}
	resp, body = siteGet(t, s, "blog.test", "/", nil)
	if resp.StatusCode != 401 || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), `Basic realm="blog.test"`) || body != "unauthorised" {
		t.Fatalf("guest on private site: %d %v %q", resp.StatusCode, resp.Header, body)
	}
	if resp, _ := siteGet(t, s, "127.0.0.1", "/blog.test/", nil); resp.StatusCode != 403 {
		t.Fatalf("guest on private site by path: %d", resp.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/", nil)
	req.Host = "blog.test"
	req.SetBasicAuth("admin@example.test", "admin-password")
	if r, err := http.DefaultClient.Do(req); err != nil || r.StatusCode != 200 {
		t.Fatalf("Basic sign-in: %v %v", err, r)
	}
	// A changed hostname serves at once on the new host, not the old one.
	if r := s.Do(t, http.MethodPatch, "/api/site/"+siteRef, patchDoc("site", siteRef, map[string]any{"hostname": "news.test", "permission": 561441}), tok); r.Status != 200 {
		t.Fatalf("patch hostname: %d", r.Status)
	}
	if _, body := siteGet(t, s, "news.test", "/", nil); body != "<h1>blog home</h1>" {
		t.Fatalf("renamed site: %q", body)
	}
	if resp, body := siteGet(t, s, "blog.test", "/", nil); strings.Contains(body, "blog home") {
		t.Fatalf("old host still serves: %d", resp.StatusCode)
	}
}
