package blob

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"
)

// putPart sends one part to its presigned URL and returns the ETag.
func putPart(t *testing.T, ps Presigned, data []byte) string {
	t.Helper()
	req, _ := http.NewRequest(ps.Method, ps.URL, bytes.NewReader(data))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("ETag") == "" {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("part PUT: %d %s", resp.StatusCode, b)
	}
	return resp.Header.Get("ETag")
}

func TestMultipartPresignedParts(t *testing.T) {
	ctx := context.Background()
	all := stores(t)
	if _, err := all["local"].CreateMultipart(ctx, "a.bin", ""); !errors.Is(err, ErrNoPresign) {
		t.Fatalf("local multipart: %v", err)
	}
	st := all["s3"]
	if _, err := st.CreateMultipart(ctx, "../x", ""); !errors.Is(err, ErrBadPath) {
		t.Fatalf("bad path: %v", err)
	}
	id, err := st.CreateMultipart(ctx, "big/file.bin", "application/octet-stream")
	if err != nil || id == "" {
		t.Fatalf("create: %q %v", id, err)
	}
	if _, err := st.PresignPart(ctx, "big/file.bin", id, 0, time.Hour); !errors.Is(err, ErrBadParts) {
		t.Fatalf("part 0: %v", err)
	}
	var want []byte
	var parts []Part
	for n := int32(1); n <= 3; n++ {
		data := bytes.Repeat([]byte{byte('a' + n)}, 1000+int(n))
		want = append(want, data...)
		ps, err := st.PresignPart(ctx, "big/file.bin", id, n, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, Part{Number: n, ETag: putPart(t, ps, data)})
	}
	bad := append([]Part(nil), parts...)
	bad[1].ETag = `"0123456789abcdef0123456789abcdef"`
	if err := st.CompleteMultipart(ctx, "big/file.bin", id, bad); !errors.Is(err, ErrBadParts) {
		t.Fatalf("wrong ETag: %v", err)
	}
	if _, err := st.Stat(ctx, "big/file.bin"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("file exists after refused complete: %v", err)
	}
	// Reversed order: the store sorts them.
	if err := st.CompleteMultipart(ctx, "big/file.bin", id, []Part{parts[2], parts[0], parts[1]}); err != nil {
		t.Fatal(err)
	}
	rc, info, err := st.Open(ctx, "big/file.bin")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if b, _ := io.ReadAll(rc); !bytes.Equal(b, want) || info.Size != int64(len(want)) {
		t.Fatalf("assembled %d bytes, want %d", len(b), len(want))
	}

	id2, err := st.CreateMultipart(ctx, "big/aborted.bin", "")
	if err != nil {
		t.Fatal(err)
	}
	ps, _ := st.PresignPart(ctx, "big/aborted.bin", id2, 1, time.Hour)
	etag := putPart(t, ps, []byte("never kept"))
	if err := st.AbortMultipart(ctx, "big/aborted.bin", id2); err != nil {
		t.Fatal(err)
	}
	if err := st.CompleteMultipart(ctx, "big/aborted.bin", id2, []Part{{1, etag}}); !errors.Is(err, ErrBadParts) {
		t.Fatalf("complete after abort: %v", err)
	}
	if _, err := st.Stat(ctx, "big/aborted.bin"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("aborted file exists: %v", err)
	}
}
