package blob

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// stores opens a local store and an S3 store on a loopback S3 API.
func stores(t *testing.T) map[string]*Store {
	t.Helper()
	ctx := context.Background()
	local, err := Open(ctx, Spec{Provider: "local", Root: filepath.Join(t.TempDir(), "root")})
	if err != nil {
		t.Fatal(err)
	}
	s3, err := Open(ctx, S3TestSpec(t, "bucket1"))
	if err != nil {
		t.Fatal(err)
	}
	return map[string]*Store{"local": local, "s3": s3}
}

// S3TestSpec starts an in-memory S3 API on 127.0.0.1 with one bucket and
// returns the Spec of a store on it.
func S3TestSpec(t *testing.T, bucket string) Spec {
	t.Helper()
	be := s3mem.New()
	if err := be.CreateBucket(bucket); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(gofakes3.New(be).Server())
	t.Cleanup(ts.Close)
	return Spec{Provider: "s3", Root: "s3test:" + bucket + "/prefix", Params: map[string]string{
		"type": "s3", "provider": "Other", "access_key_id": "AK", "secret_access_key": "SK",
		"endpoint": ts.URL, "region": "us-east-1", "force_path_style": "true"}}
}

func TestStoreRoundTrip(t *testing.T) {
	ctx := context.Background()
	for name, s := range stores(t) {
		t.Run(name, func(t *testing.T) {
			body := bytes.Repeat([]byte("0123456789"), 1000)
			info, err := s.Put(ctx, "docs/a.txt", bytes.NewReader(body), int64(len(body)), time.Time{})
			if err != nil || info.Size != int64(len(body)) {
				t.Fatalf("Put = %+v, %v", info, err)
			}
			if _, err := s.Put(ctx, "docs/unknown-size.txt", strings.NewReader("abc"), -1, time.Time{}); err != nil {
				t.Fatal(err)
			}
			rc, st, err := s.Open(ctx, "docs/a.txt")
			if err != nil || st.Size != int64(len(body)) {
				t.Fatalf("Open = %+v, %v", st, err)
			}
			if _, err := rc.Seek(9990, io.SeekStart); err != nil {
				t.Fatal(err)
			}
			tail, _ := io.ReadAll(rc)
			_ = rc.Close()
			if string(tail) != "0123456789" {
				t.Fatalf("tail after seek = %q", tail)
			}
			list, err := s.List(ctx, "docs")
			if err != nil || len(list) != 2 {
				t.Fatalf("List = %+v, %v", list, err)
			}
			if err := s.Move(ctx, "docs/a.txt", "moved/b.txt"); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Stat(ctx, "docs/a.txt"); !errors.Is(err, ErrNotFound) {
				t.Fatalf("Stat after move = %v", err)
			}
			if st, err := s.Stat(ctx, "moved/b.txt"); err != nil || st.Size != int64(len(body)) {
				t.Fatalf("Stat moved = %+v, %v", st, err)
			}
			if err := s.Delete(ctx, "moved"); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Stat(ctx, "moved/b.txt"); !errors.Is(err, ErrNotFound) {
				t.Fatalf("Stat after delete = %v", err)
			}
			if _, _, err := s.Open(ctx, "nope.txt"); !errors.Is(err, ErrNotFound) {
				t.Fatalf("Open missing = %v", err)
			}
			for _, bad := range []string{"../x", "/etc/passwd", "a\x00b", ""} {
				if _, err := s.Put(ctx, bad, strings.NewReader("x"), 1, time.Time{}); err == nil {
					t.Errorf("Put(%q) accepted", bad)
				}
			}
			if err := s.Delete(ctx, ""); !errors.Is(err, ErrBadPath) {
				t.Errorf("Delete(root) = %v", err)
			}
		})
	}
}

func TestLocalPathRefusesSymlinkEscape(t *testing.T) {
	root := t.TempDir()
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "secret"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "secret"), filepath.Join(root, "link")); err != nil {
		t.Fatal(err)
	}
	s, err := Open(context.Background(), Spec{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.LocalPath("link"); !errors.Is(err, ErrBadPath) {
		t.Fatalf("LocalPath(symlink out) = %v", err)
	}
	if _, _, err := s.Open(context.Background(), "link"); err == nil {
		t.Fatal("Open followed a symlink out of the root")
	}
}

func TestNoRcloneConfigFolder(t *testing.T) {
	if os.Getenv("RCLONE_CONFIG") == "" {
		t.Fatal("RCLONE_CONFIG was not set before rclone initialised")
	}
}

// countingS3 starts an in-memory S3 API that counts multipart uploads
// begun (POST ?uploads) and single PUTs of objects.
func countingS3(t *testing.T, bucket string) (Spec, *int64, *int64) {
	t.Helper()
	be := s3mem.New()
	if err := be.CreateBucket(bucket); err != nil {
		t.Fatal(err)
	}
	h := gofakes3.New(be).Server()
	var multipart, puts int64
	var mu sync.Mutex
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		switch {
		case r.Method == http.MethodPost && r.URL.Query().Has("uploads"):
			multipart++
		case r.Method == http.MethodPut && !r.URL.Query().Has("partNumber"):
			puts++
		}
		mu.Unlock()
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	return Spec{Provider: "s3", Root: "s3count:" + bucket + "/p", Params: map[string]string{
		"type": "s3", "provider": "Other", "access_key_id": "AK", "secret_access_key": "SK",
		"endpoint": ts.URL, "region": "us-east-1", "force_path_style": "true"}}, &multipart, &puts
}

// zeros is n zero bytes, never all in memory.
func zeros(n int64) io.Reader { return io.LimitReader(zeroReader{}, n) }

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// TestS3MultipartAboveThreshold: a file of known size above 100 MiB goes
// to S3 as a multipart upload, a smaller one as one PUT.
func TestS3MultipartAboveThreshold(t *testing.T) {
	if testing.Short() {
		t.Skip("moves 100 MiB")
	}
	ctx := context.Background()
	sp, multipart, puts := countingS3(t, "big")
	st, err := Open(ctx, sp)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name          string
		size          int64
		wantMultipart bool
	}{
		{"small.bin", 1 << 20, false},
		{"at-threshold.bin", MultipartThreshold, false},
		{"big.bin", MultipartThreshold + 1, true},
	}
	for _, c := range cases {
		m0, p0 := *multipart, *puts
		info, err := st.Put(ctx, c.name, zeros(c.size), c.size, time.Time{})
		if err != nil || info.Size != c.size {
			t.Fatalf("%s: %v %+v", c.name, err, info)
		}
		if got := *multipart > m0; got != c.wantMultipart || (!got && *puts == p0) {
			t.Fatalf("%s (%d bytes): multipart %v, want %v", c.name, c.size, got, c.wantMultipart)
		}
	}
}

// TestPresignPut: a presigned PUT writes straight into the S3 store; a
// local store offers none.
func TestPresignPut(t *testing.T) {
	ctx := context.Background()
	all := stores(t)
	if _, err := all["local"].PresignPut(ctx, "a.txt", "", time.Hour); !errors.Is(err, ErrNoPresign) {
		t.Fatalf("local presign: %v", err)
	}
	st := all["s3"]
	for _, bad := range []string{"", "../x"} {
		if _, err := st.PresignPut(ctx, bad, "", time.Hour); err == nil {
			t.Errorf("presigned %q", bad)
		}
	}
	ps, err := st.PresignPut(ctx, "up/direct.txt", "text/plain", time.Hour)
	if err != nil || ps.Method != http.MethodPut || !strings.Contains(ps.URL, "/bucket1/prefix/up/direct.txt?") ||
		!strings.Contains(ps.URL, "X-Amz-Signature=") || time.Until(ps.Expires) < 59*time.Minute {
		t.Fatalf("presign: %+v %v", ps, err)
	}
	req, _ := http.NewRequest(ps.Method, ps.URL, strings.NewReader("sent directly"))
	for k, v := range ps.Headers {
		if k != "Host" {
			req.Header[k] = v
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("PUT: %v %v", err, resp)
	}
	_ = resp.Body.Close()
	rc, info, err := st.Open(ctx, "up/direct.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if b, _ := io.ReadAll(rc); string(b) != "sent directly" || info.Size != 13 {
		t.Fatalf("stored %q", b)
	}
}
