package respcache

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/apiary/apiary/auth"
)

const ct = "application/vnd.api+json"

// origin counts its calls and answers with its current body and status.
type origin struct {
	calls  int
	status int
	ctype  string
	body   string
}

func (o *origin) handler(w http.ResponseWriter, r *http.Request) {
	o.calls++
	w.Header().Set("Content-Type", o.ctype)
	w.WriteHeader(o.status)
	_, _ = w.Write([]byte(o.body))
}

// stamps answers every request with group "todo" at *stamp.
func stamps(stamp *uint64) StampFunc {
	return func(*http.Request) (string, uint64, bool) { return "todo", *stamp, true }
}

func request(method, target, email string) *http.Request {
	r := httptest.NewRequest(method, target, nil)
	return r.WithContext(auth.WithPrincipal(r.Context(), auth.Principal{Email: email}))
}

func serve(h http.HandlerFunc, r *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h(rec, r)
	return rec
}

// TestWrapServesUntilTheStampMoves: the second read is the stored answer
// (origin not called, same body, headers set); a new stamp reads again.
func TestWrapServesUntilTheStampMoves(t *testing.T) {
	c := New(0)
	o := &origin{status: http.StatusOK, ctype: ct, body: `{"data":[1]}`}
	stamp := uint64(3)
	h := c.Wrap(stamps(&stamp), ct, o.handler)

	first := serve(h, request(http.MethodGet, "/api/todo?page=1", "a@x"))
	o.body = `{"data":[2]}` // what a read would now answer; the stamp says nothing changed
	second := serve(h, request(http.MethodGet, "/api/todo?page=1", "a@x"))
	if o.calls != 1 || second.Body.String() != `{"data":[1]}` || first.Body.String() != second.Body.String() {
		t.Fatalf("calls %d, bodies %q then %q: the second read was not the stored answer", o.calls, first.Body, second.Body)
	}
	if got := second.Header().Get("Content-Type"); got != ct {
		t.Fatalf("Content-Type %q", got)
	}
	if got := second.Header().Get("Content-Length"); got != "12" {
		t.Fatalf("Content-Length %q", got)
	}

	stamp = 4 // a committed write
	third := serve(h, request(http.MethodGet, "/api/todo?page=1", "a@x"))
	if o.calls != 2 || third.Body.String() != `{"data":[2]}` {
		t.Fatalf("after the stamp moved: calls %d, body %q (a stale answer was served)", o.calls, third.Body)
	}
	if _, _, hits, misses := c.Stats(); hits != 1 || misses != 2 {
		t.Fatalf("hits %d misses %d, want 1 and 2", hits, misses)
	}
}

// TestWrapKeepsCallersApart: the same URL read by another user, with
// other scopes, as the system or with another query is its own answer.
func TestWrapKeepsCallersApart(t *testing.T) {
	c := New(0)
	o := &origin{status: http.StatusOK, ctype: ct, body: "x"}
	stamp := uint64(1)
	h := c.Wrap(stamps(&stamp), ct, o.handler)
	reqs := []*http.Request{
		request(http.MethodGet, "/api/todo", "a@x"),
		request(http.MethodGet, "/api/todo", "b@x"),
		request(http.MethodGet, "/api/todo?sort=title", "a@x"),
	}
	scoped := httptest.NewRequest(http.MethodGet, "/api/todo", nil)
	reqs = append(reqs, scoped.WithContext(auth.WithPrincipal(scoped.Context(), auth.Principal{Email: "a@x", Scopes: []string{"read"}})))
	system := httptest.NewRequest(http.MethodGet, "/api/todo", nil)
	reqs = append(reqs, system.WithContext(auth.WithPrincipal(system.Context(), auth.Principal{Email: "a@x", System: true})))
	keys := map[string]bool{}
	for _, r := range reqs {
		keys[Key(r)] = true
		serve(h, r)
	}
	if len(keys) != len(reqs) || o.calls != len(reqs) {
		t.Fatalf("%d distinct keys and %d reads for %d different callers or queries", len(keys), o.calls, len(reqs))
	}
	for _, r := range reqs {
		serve(h, r)
	}
	if o.calls != len(reqs) {
		t.Fatalf("repeated reads reached the origin: %d calls", o.calls)
	}
}

// TestWrapStoresOnlyCacheableAnswers: writes, unstamped requests, errors,
// other content types and failed writes are never stored.
func TestWrapStoresOnlyCacheableAnswers(t *testing.T) {
	stamp := uint64(1)
	cases := []struct {
		name    string
		method  string
		stampOf StampFunc
		o       origin
	}{
		{"post", http.MethodPost, stamps(&stamp), origin{status: http.StatusOK, ctype: ct}},
		{"no stamp", http.MethodGet, func(*http.Request) (string, uint64, bool) { return "", 0, false }, origin{status: http.StatusOK, ctype: ct}},
		{"not found", http.MethodGet, stamps(&stamp), origin{status: http.StatusNotFound, ctype: ct}},
		{"other type", http.MethodGet, stamps(&stamp), origin{status: http.StatusOK, ctype: "text/html"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := New(0)
			o := tc.o
			h := c.Wrap(tc.stampOf, ct, o.handler)
			serve(h, request(tc.method, "/api/todo", "a@x"))
			serve(h, request(tc.method, "/api/todo", "a@x"))
			if o.calls != 2 {
				t.Fatalf("origin called %d times, want 2 (nothing stored)", o.calls)
			}
			if n, _, _, _ := c.Stats(); n != 0 {
				t.Fatalf("%d entries stored", n)
			}
		})
	}
	t.Run("failed write", func(t *testing.T) {
		c := New(0)
		o := &origin{status: http.StatusOK, ctype: ct, body: "partial"}
		h := c.Wrap(stamps(&stamp), ct, o.handler)
		h(&failingWriter{ResponseRecorder: httptest.NewRecorder()}, request(http.MethodGet, "/api/todo", "a@x"))
		if n, _, _, _ := c.Stats(); n != 0 {
			t.Fatalf("an answer whose write failed was stored (%d entries)", n)
		}
	})
}

type failingWriter struct{ *httptest.ResponseRecorder }

func (f *failingWriter) Write([]byte) (int, error) { return 0, errors.New("connection reset") }

// TestWrapImplicitStatusAndNilCache: an origin that writes without
// WriteHeader is a 200 and is stored; a nil cache passes through.
func TestWrapImplicitStatusAndNilCache(t *testing.T) {
	c := New(0)
	calls := 0
	next := func(w http.ResponseWriter, r *http.Request) {
		calls++
		w.Header().Set("Content-Type", ct)
		_, _ = w.Write([]byte("a"))
		_, _ = w.Write([]byte("b"))
	}
	stamp := uint64(1)
	h := c.Wrap(stamps(&stamp), ct, next)
	serve(h, request(http.MethodGet, "/x", ""))
	if rec := serve(h, request(http.MethodGet, "/x", "")); calls != 1 || rec.Body.String() != "ab" || rec.Code != http.StatusOK {
		t.Fatalf("calls %d, %d %q", calls, rec.Code, rec.Body)
	}
	var none *Cache
	h = none.Wrap(stamps(&stamp), ct, next)
	serve(h, request(http.MethodGet, "/x", ""))
	serve(h, request(http.MethodGet, "/x", ""))
	if calls != 3 {
		t.Fatalf("a nil cache answered: %d origin calls, want 3", calls)
	}
}

// TestPutSkipsHugeAndLateAnswers: an answer over maxEntryBytes is not
// kept, nor one computed under a stamp older than the group's newest.
func TestPutSkipsHugeAndLateAnswers(t *testing.T) {
	c := New(0)
	c.Put("big", "g", 1, []byte(strings.Repeat("x", maxEntryBytes+1)))
	if _, ok := c.Get("big", 1); ok {
		t.Fatal("an answer over maxEntryBytes was kept")
	}
	c.Put("new", "g", 5, []byte("n"))
	c.Put("late", "g", 4, []byte("l"))
	if _, ok := c.Get("late", 4); ok {
		t.Fatal("an answer older than the group's newest stamp was kept")
	}
	if b, ok := c.Get("new", 5); !ok || string(b) != "n" {
		t.Fatal("the newest answer went")
	}
}
