package databite

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestLimiterWindow(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := newLimiter(2, time.Minute, func() time.Time { return now })
	steps := []struct {
		key     string
		advance time.Duration
		ok      bool
	}{
		{"a", 0, true}, {"a", 0, true}, {"a", 0, false},
		{"b", 0, true}, // another address has its own count
		{"a", 59 * time.Second, false},
		{"a", time.Second, true}, // a new window
	}
	for i, s := range steps {
		now = now.Add(s.advance)
		if ok, _ := l.allow(s.key); ok != s.ok {
			t.Errorf("step %d (%s): allowed %v, want %v", i, s.key, ok, s.ok)
		}
	}
	var unlimited *limiter
	if ok, _ := unlimited.allow("x"); !ok {
		t.Error("a nil limiter refused")
	}
	if ok, _ := newLimiter(0, time.Minute, time.Now).allow("x"); !ok {
		t.Error("limit 0 refused")
	}
}

func TestLimiterAnswer(t *testing.T) {
	l := newLimiter(1, time.Minute, time.Now)
	h := l.wrap(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	codes := []int{}
	for i := 0; i < 2; i++ {
		w := httptest.NewRecorder()
		h(w, httptest.NewRequest(http.MethodGet, "/api/connectors", nil))
		codes = append(codes, w.Code)
		if w.Code == http.StatusTooManyRequests && w.Body.String() != "{\"error\":\""+TooMany+"\"}\n" {
			t.Errorf("body %q", w.Body.String())
		}
	}
	if codes[0] != http.StatusNoContent || codes[1] != http.StatusTooManyRequests {
		t.Errorf("codes %v", codes)
	}
}
