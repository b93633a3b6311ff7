package files

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAssetUploadAndServe(t *testing.T) {
	s, tok := start(t)
	img := pngBytes(t, 40, 30)
	id := createRow(t, s, tok, "profile", map[string]any{"title": "a",
		"avatar": []any{map[string]any{"name": "face.png", "file": dataURI("image/png", img), "type": "image/png"}}})

	// The file is in the store, at <root>/<KeyName>/<name>, byte for byte.
	onDisk, err := os.ReadFile(filepath.Join(s.Dir, "storage", "avatars", "face.png"))
	if err != nil || !bytes.Equal(onDisk, img) {
		t.Fatalf("stored file: %v (equal=%v)", err, bytes.Equal(onDisk, img))
	}
	// The row keeps metadata only.
	r := s.Do(t, http.MethodGet, "/api/profile/"+id, nil, tok)
	attrs := r.Map(t)["data"].(map[string]any)["attributes"].(map[string]any)
	sum := md5.Sum(img)
	if av := toString(attrs["avatar"]); !strings.Contains(av, hex.EncodeToString(sum[:])) || strings.Contains(av, "base64") {
		t.Fatalf("avatar metadata = %v", attrs["avatar"])
	}

	// GET /asset with every header.
	a := s.Do(t, http.MethodGet, "/asset/profile/"+id+"/avatar.png", nil, tok)
	if a.Status != 200 || !bytes.Equal(a.Body, img) {
		t.Fatalf("asset: %d, %d bytes", a.Status, len(a.Body))
	}
	for k, want := range map[string]string{"Content-Type": "image/png", "Content-Disposition": `inline; filename="face.png"`,
		"Cache-Control": "private, max-age=604800", "Vary": "Authorization", "Accept-Ranges": "bytes"} {
		if got := a.Header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	et := a.Header.Get("ETag")
	if et == "" {
		t.Fatal("no ETag")
	}

	// curl: conditional GET (304), Range (206), Range past the end (416).
	url := s.URL + "/asset/profile/" + id + "/avatar?token=" + tok
	if code := curl(t, "-o", "/dev/null", "-w", "%{http_code}", "-H", "If-None-Match: "+et, url); code != "304" {
		t.Fatalf("If-None-Match: %s", code)
	}
	if part := curl(t, "-r", "0-7", url); part != string(img[:8]) {
		t.Fatalf("Range 0-7 = %q", part)
	}
	if code := curl(t, "-o", "/dev/null", "-w", "%{http_code}", "-r", "100000-", url); code != "416" {
		t.Fatalf("Range past end: %s", code)
	}

	// Every request is authorised: a guest and another user get no file.
	if g := s.Do(t, http.MethodGet, "/asset/profile/"+id+"/avatar", nil, ""); g.Status != http.StatusForbidden && g.Status != http.StatusNotFound {
		t.Fatalf("guest asset: %d %s", g.Status, g.Body)
	}
	other := s.User(t, "o", "o@example.com", "password1")
	if g := s.Do(t, http.MethodGet, "/asset/profile/"+id+"/avatar", nil, other); g.Status == 200 {
		t.Fatalf("other user read the file")
	}
	// Unknown table, non-asset column, unknown file: 404.
	for _, p := range []string{"/asset/nope/" + id + "/avatar", "/asset/profile/" + id + "/title", "/asset/profile/" + id + "/avatar?file=x.png"} {
		if g := s.Do(t, http.MethodGet, p, nil, tok); g.Status != http.StatusNotFound {
			t.Errorf("%s: %d", p, g.Status)
		}
	}
}

func TestAssetPatchMergesByName(t *testing.T) {
	s, tok := start(t)
	one, two := pngBytes(t, 4, 4), pngBytes(t, 8, 8)
	id := createRow(t, s, tok, "profile", map[string]any{
		"avatar": []any{map[string]any{"name": "a.png", "file": dataURI("image/png", one)}}})
	r := s.Do(t, http.MethodPatch, "/api/profile/"+id, patchDoc("profile", id, map[string]any{
		"avatar": []any{map[string]any{"name": "b.png", "contents": b64(two), "path": "thumbs"}}}), tok)
	if r.Status != 200 {
		t.Fatalf("patch: %d %s", r.Status, r.Body)
	}
	av := toString(r.Map(t)["data"].(map[string]any)["attributes"].(map[string]any)["avatar"])
	if !strings.Contains(av, `"a.png"`) || !strings.Contains(av, `"thumbs/b.png"`) {
		t.Fatalf("merged avatar = %s", av)
	}
	if g := s.Do(t, http.MethodGet, "/asset/profile/"+id+"/avatar?file=b.png", nil, tok); g.Status != 200 || !bytes.Equal(g.Body, two) {
		t.Fatalf("b.png: %d", g.Status)
	}
	if g := s.Do(t, http.MethodGet, "/asset/profile/"+id+"/avatar?index=0", nil, tok); !bytes.Equal(g.Body, one) {
		t.Fatalf("index 0 is not a.png")
	}
	// Same name again replaces the entry and the file.
	three := pngBytes(t, 2, 2)
	r = s.Do(t, http.MethodPatch, "/api/profile/"+id, patchDoc("profile", id, map[string]any{
		"avatar": []any{map[string]any{"name": "a.png", "file": dataURI("image/png", three)}}}), tok)
	av = toString(r.Map(t)["data"].(map[string]any)["attributes"].(map[string]any)["avatar"])
	if strings.Count(av, `"name":"a.png"`) != 1 {
		t.Fatalf("replaced avatar = %s", av)
	}
	if g := s.Do(t, http.MethodGet, "/asset/profile/"+id+"/avatar?file=a.png", nil, tok); !bytes.Equal(g.Body, three) {
		t.Fatal("a.png was not replaced")
	}
}
