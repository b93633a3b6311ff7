package smtpd

import (
	"bytes"
	"errors"
	"testing"
	"testing/iotest"
)

func TestLoginServer(t *testing.T) {
	var gotUser, gotPass string
	s := newLoginServer(func(u, p string) error {
		gotUser, gotPass = u, p
		if p != "right" {
			return errors.New("no")
		}
		return nil
	})
	ch, done, err := s.Next(nil)
	if string(ch) != "Username:" || done || err != nil {
		t.Fatalf("step 1: %q %v %v", ch, done, err)
	}
	ch, done, err = s.Next([]byte("alice@x.test"))
	if string(ch) != "Password:" || done || err != nil {
		t.Fatalf("step 2: %q %v %v", ch, done, err)
	}
	if _, done, err = s.Next([]byte("right")); !done || err != nil || gotUser != "alice@x.test" || gotPass != "right" {
		t.Fatalf("step 3: %v %v %s %s", done, err, gotUser, gotPass)
	}
	// An initial response carries the username.
	s = newLoginServer(func(u, p string) error { return errors.New("wrong") })
	if ch, _, _ := s.Next([]byte("bob")); string(ch) != "Password:" {
		t.Fatalf("initial response: %q", ch)
	}
	if _, done, err := s.Next([]byte("x")); !done || err == nil {
		t.Fatal("a wrong password must fail")
	}
}

func TestHosts(t *testing.T) {
	var h Hosts
	if h.Has("x.test") {
		t.Fatal("empty set has a host")
	}
	h.Set([]string{"Example.Test", "other.test"})
	if !h.Has("example.test") || !h.Has("OTHER.test") || h.Has("foreign.test") {
		t.Fatal("Has")
	}
}

// TestReadPieces: the message comes back byte for byte after its prefix,
// every piece is cut to its content (nothing allocated and unused beyond
// the last piece), an announced SIZE that fits is read as one piece, and
// pieces never exceed maxChunk otherwise.
func TestReadPieces(t *testing.T) {
	prefix := []byte("Received: x\r\n")
	cases := []struct {
		name      string
		size      int
		announced int64
		limit     int64
		pieces    int // after the prefix; 0 = not checked
	}{
		{"empty", 0, 0, 0, 0},
		{"small, no SIZE", 100, 0, 1 << 20, 1},
		{"exactly one chunk", firstChunk, 0, 0, 0},
		{"several growing chunks", 3*maxChunk + 17, 0, 0, 0},
		{"SIZE announced", 50000, 50000, 1 << 20, 1},
		{"SIZE too small", 50000, 10, 1 << 20, 0},
		{"SIZE over the limit is not trusted", 5000, 1 << 30, 1 << 20, 1},
	}
	for _, c := range cases {
		body := bytes.Repeat([]byte("0123456789"), c.size/10+1)[:c.size]
		got, err := readPieces(bytes.NewReader(body), prefix, c.announced, c.limit)
		if err != nil || !bytes.Equal(got.Bytes(), append(append([]byte(nil), prefix...), body...)) || got.Len() != len(prefix)+c.size {
			t.Errorf("%s: %d bytes, %v", c.name, got.Len(), err)
		}
		if c.pieces > 0 && len(got) != 1+c.pieces {
			t.Errorf("%s: %d pieces after the prefix, want %d", c.name, len(got)-1, c.pieces)
		}
		for i, p := range got {
			if cap(p) != len(p) || (i > 0 && c.announced == 0 && len(p) > maxChunk) {
				t.Errorf("%s: piece %d holds %d bytes, capacity %d", c.name, i, len(p), cap(p))
			}
		}
	}
	if _, err := readPieces(iotest.ErrReader(errors.New("boom")), prefix, 0, 0); err == nil {
		t.Error("a read error was lost")
	}
}
