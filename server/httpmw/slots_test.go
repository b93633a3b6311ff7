package httpmw

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// errAfter yields its data, then fails like a connection whose read
// deadline passed.
type errAfter struct{ r io.Reader }

func (e *errAfter) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err == io.EOF {
		return n, errors.New("i/o timeout")
	}
	return n, err
}

func TestSlotsReadBodyFirst(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		body     io.Reader
		maxBody  int64
		wantCode int
		wantBody string
		wantSlot bool // the handler ran
	}{
		{"small body", strings.NewReader("hello"), 10, 200, "hello", true},
		{"body at the limit", strings.NewReader("0123456789"), 10, 200, "0123456789", true},
		{"larger body handed on whole", strings.NewReader("0123456789abc"), 10, 200, "0123456789abc", true},
		{"body that never arrives", &errAfter{strings.NewReader("{\"a\":")}, 10, http.StatusRequestTimeout, "", false},
		{"no body", nil, 10, 200, "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := NewSlots(NewLive(DefaultSettings()), tc.maxBody)
			ran := false
			h := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				ran = true
				if in, _, _ := s.InFlight(); in != 1 {
					t.Errorf("%d slots taken inside the handler, want 1", in)
				}
				b, _ := io.ReadAll(r.Body)
				_, _ = w.Write(b)
			}))
			req := httptest.NewRequest(http.MethodPost, "/x", tc.body)
			if tc.body == nil {
				req = httptest.NewRequest(http.MethodGet, "/x", nil)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tc.wantCode || ran != tc.wantSlot || (tc.wantCode == 200 && rec.Body.String() != tc.wantBody) {
				t.Errorf("code %d ran %v body %q", rec.Code, ran, rec.Body)
			}
			if in, q, _ := s.InFlight(); in != 0 || q != 0 {
				t.Errorf("after the request: %d running, %d waiting", in, q)
			}
		})
	}
}

func TestSlotsSaturated(t *testing.T) {
	t.Parallel()
	st := DefaultSettings()
	st.MaxConnections = 1
	s := NewSlots(NewLive(st), 1<<20)
	release, entered := make(chan struct{}), make(chan struct{})
	h := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		entered <- struct{}{}
		<-release
	}))
	if s.Saturated() {
		t.Fatal("saturated while idle")
	}
	done := make(chan struct{})
	go func() { h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil)); close(done) }()
	<-entered
	if !s.Saturated() {
		t.Error("not saturated with the only slot taken")
	}
	close(release)
	<-done
	if s.Saturated() {
		t.Error("still saturated after the slot was freed")
	}
}
