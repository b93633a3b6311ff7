package blob

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"
)

// TestRangedReads seeks and reads the same file on the local and S3
// stores (an S3 object is read through ranged downloads).
func TestRangedReads(t *testing.T) {
	ctx := context.Background()
	body := strings.Repeat("0123456789", 1000)
	for name, st := range stores(t) {
		if _, err := st.Put(ctx, "r/f.txt", strings.NewReader(body), int64(len(body)), time.Time{}); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		rc, info, err := st.Open(ctx, "r/f.txt")
		if err != nil || info.Size != int64(len(body)) {
			t.Fatalf("%s: open %v %+v", name, err, info)
		}
		cases := []struct {
			off    int64
			whence int
			n      int
			want   string
		}{
			{5, io.SeekStart, 5, "56789"},
			{2, io.SeekCurrent, 3, "234"}, // 10 + 2
			{-4, io.SeekEnd, 4, "6789"},
			{0, io.SeekStart, 3, "012"},
		}
		for _, c := range cases {
			if _, err := rc.Seek(c.off, c.whence); err != nil {
				t.Fatalf("%s: seek %d/%d: %v", name, c.off, c.whence, err)
			}
			b := make([]byte, c.n)
			if _, err := io.ReadFull(rc, b); err != nil || string(b) != c.want {
				t.Errorf("%s: seek %d/%d read %q, %v; want %q", name, c.off, c.whence, b, err, c.want)
			}
		}
		if _, err := rc.Seek(-1, io.SeekStart); err == nil {
			t.Errorf("%s: seek before the start", name)
		}
		_ = rc.Close()
		if _, _, err := st.Open(ctx, "r"); err == nil {
			t.Errorf("%s: a folder opened as a file", name)
		}
	}
}
