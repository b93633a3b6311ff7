package files

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"image"
	_ "image/jpeg"
	_ "image/png"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apiary/apiary/server"
	"github.com/apiary/apiary/test/testserver"
)

func TestAssetBadInput(t *testing.T) {
	s, tok := start(t)
	img := pngBytes(t, 4, 4)
	cases := []struct {
		name string
		file map[string]any
		want int
	}{
		{"bad base64", map[string]any{"name": "a.png", "file": "data:image/png;base64,@@@notbase64"}, 400},
		{"bare bad base64", map[string]any{"name": "a.png", "contents": "!!!"}, 400},
		{"lying data uri", map[string]any{"name": "a.png", "file": dataURI("image/png", []byte("<html>hello</html>"))}, 400},
		{"lying type", map[string]any{"name": "a.txt", "file": dataURI("text/plain", img)}, 400},
		{"slash in name", map[string]any{"name": "a/b.png", "file": dataURI("image/png", img)}, 400},
		{"dotdot name", map[string]any{"name": "..", "file": dataURI("image/png", img)}, 400},
		{"nul in name", map[string]any{"name": "a\x00.png", "file": dataURI("image/png", img)}, 400},
		{"dotdot path", map[string]any{"name": "x.png", "path": "../../etc", "file": dataURI("image/png", img)}, 400},
		{"no data", map[string]any{"name": "x.png"}, 400},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := s.Do(t, http.MethodPost, "/api/profile", doc("profile", map[string]any{"title": c.name, "avatar": []any{c.file}}), tok)
			if r.Status != c.want {
				t.Fatalf("status %d, want %d: %s", r.Status, c.want, r.Body)
			}
			if !strings.Contains(string(r.Body), "errors") {
				t.Fatalf("no JSON:API error body: %s", r.Body)
			}
		})
	}
	// Nothing was written: no row and no file outside or inside the store.
	if r := s.Do(t, http.MethodGet, "/api/profile", nil, tok); len(r.Map(t)["data"].([]any)) != 0 {
		t.Fatalf("a failed upload left a row: %s", r.Body)
	}
	if _, err := os.Stat(filepath.Join(s.Dir, "etc")); err == nil {
		t.Fatal("a file was written outside the store")
	}
	entries, _ := os.ReadDir(filepath.Join(s.Dir, "storage", "avatars"))
	if len(entries) != 0 {
		t.Fatalf("files left in the store: %v", entries)
	}
}

func TestAssetStoreFailureFailsWrite(t *testing.T) {
	s, tok := start(t)
	// Point the localstore at a path that cannot be a folder: the upload fails.
	blocker := filepath.Join(s.Dir, "blocker")
	if err := os.WriteFile(blocker, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := s.Do(t, http.MethodGet, "/api/cloud_store?filter=localstore", nil, tok)
	store := r.Map(t)["data"].([]any)[0].(map[string]any)
	id := store["id"].(string)
	if r := s.Do(t, http.MethodPatch, "/api/cloud_store/"+id, patchDoc("cloud_store", id, map[string]any{"root_path": filepath.Join(blocker, "sub")}), tok); r.Status != 200 {
		t.Fatalf("patch store: %d %s", r.Status, r.Body)
	}
	r = s.Do(t, http.MethodPost, "/api/profile", doc("profile", map[string]any{"title": "x",
		"avatar": []any{map[string]any{"name": "a.png", "file": dataURI("image/png", pngBytes(t, 2, 2))}}}), tok)
	if r.Status != http.StatusBadGateway {
		t.Fatalf("upload to a broken store: %d %s", r.Status, r.Body)
	}
	if r := s.Do(t, http.MethodGet, "/api/profile", nil, tok); len(r.Map(t)["data"].([]any)) != 0 {
		t.Fatalf("the row was written although its file was not: %s", r.Body)
	}
}

func TestAssetProcessImage(t *testing.T) {
	s, tok := start(t)
	id := createRow(t, s, tok, "profile", map[string]any{
		"avatar": []any{map[string]any{"name": "big.png", "file": dataURI("image/png", pngBytes(t, 120, 80))}}})
	r := s.Do(t, http.MethodGet, "/asset/profile/"+id+"/avatar?processImage=true&resize=32,24,Lanczos&grayscale", nil, tok)
	if r.Status != 200 || r.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("processImage: %d %s %s", r.Status, r.Header.Get("Content-Type"), r.Body)
	}
	img, format, err := image.Decode(bytes.NewReader(r.Body))
	if err != nil || format != "png" || img.Bounds().Dx() != 32 || img.Bounds().Dy() != 24 {
		t.Fatalf("resized image: %v %s %v", err, format, img.Bounds())
	}
	if r := s.Do(t, http.MethodGet, "/asset/profile/"+id+"/avatar?processImage=true&resize=a,b", nil, tok); r.Status != 400 {
		t.Fatalf("bad filter argument: %d", r.Status)
	}
	// A file that is not an image: 400, not 500.
	id2 := createRow(t, s, tok, "profile", map[string]any{
		"avatar": []any{map[string]any{"name": "fake.png", "contents": b64([]byte("not an image at all")), "type": "application/octet-stream"}}})
	if r := s.Do(t, http.MethodGet, "/asset/profile/"+id2+"/avatar?processImage=true&resize=10,10", nil, tok); r.Status != 400 {
		t.Fatalf("undecodable image: %d %s", r.Status, r.Body)
	}
}

func TestAssetChunkedAndFormUpload(t *testing.T) {
	s := testserver.Start(t, testserver.WithSchema("schema_files.yaml", fileSchema),
		testserver.WithConfig(func(c *server.Config) { c.Files.MaxUploadBytes = 3 << 20 }))
	tok := s.Admin(t)
	id := createRow(t, s, tok, "profile", map[string]any{"title": "chunked"})
	base := "/asset/profile/" + id + "/avatar/upload"
	r := s.Do(t, http.MethodPost, base+"?operation=init&filename=blob.bin", nil, tok)
	var init map[string]any
	if err := json.Unmarshal(r.Body, &init); err != nil || init["upload_type"] != "stream" {
		t.Fatalf("init: %d %s", r.Status, r.Body)
	}
	data := make([]byte, 2<<20)
	_, _ = rand.Read(data)
	src := filepath.Join(t.TempDir(), "blob.bin")
	if err := os.WriteFile(src, data, 0o600); err != nil {
		t.Fatal(err)
	}
	out := curl(t, "-X", "POST", "--data-binary", "@"+src, "-H", "Authorization: Bearer "+tok, s.URL+init["upload_url"].(string))
	if !strings.Contains(out, `"status":"uploaded"`) {
		t.Fatalf("stream: %s", out)
	}
	r = s.Do(t, http.MethodPost, init["complete_url"].(string), nil, tok)
	if r.Status != 200 || !strings.Contains(string(r.Body), `"completed"`) {
		t.Fatalf("complete: %d %s", r.Status, r.Body)
	}
	if g := s.Do(t, http.MethodGet, "/asset/profile/"+id+"/avatar?file=blob.bin", nil, tok); !bytes.Equal(g.Body, data) {
		t.Fatalf("streamed file differs (%d bytes)", len(g.Body))
	}
	// Over the limit: 413 and no file.
	big := filepath.Join(t.TempDir(), "big.bin")
	if err := os.WriteFile(big, make([]byte, 4<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	code := curl(t, "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "--data-binary", "@"+big, "-H", "Authorization: Bearer "+tok,
		s.URL+base+"?operation=stream&filename=big.bin")
	if code != "413" {
		t.Fatalf("over the limit: %s", code)
	}
	if _, err := os.Stat(filepath.Join(s.Dir, "storage", "avatars", "big.bin")); err == nil {
		t.Fatal("an upload over the limit left a file")
	}
	// complete without a streamed file: 400.
	if r := s.Do(t, http.MethodPost, base+"?operation=complete&upload_id=nope&filename=none.bin", nil, tok); r.Status != 400 {
		t.Fatalf("complete of nothing: %d", r.Status)
	}
	// A browser-style form post (multipart/form-data), as curl -F sends it.
	pic := filepath.Join(t.TempDir(), "form.png")
	if err := os.WriteFile(pic, pngBytes(t, 5, 5), 0o600); err != nil {
		t.Fatal(err)
	}
	out = curl(t, "-F", "file=@"+pic+";type=image/png", "-H", "Authorization: Bearer "+tok, s.URL+base)
	if !strings.Contains(out, `"form.png"`) || !strings.Contains(out, `"blob.bin"`) {
		t.Fatalf("form upload: %s", out)
	}
	// Another user may not upload to the row.
	other := s.User(t, "o", "o@example.com", "password1")
	if r := s.Do(t, http.MethodPost, base+"?operation=stream&filename=x.bin", "x", other); r.Status < 400 || r.Status == 500 {
		t.Fatalf("other user's stream: %d", r.Status)
	}
}
