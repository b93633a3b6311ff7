package httpmw

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
)

// nopWriter is a ResponseWriter that keeps only its header map.
type nopWriter struct{ h http.Header }

func (w *nopWriter) Header() http.Header         { return w.h }
func (w *nopWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *nopWriter) WriteHeader(int)             {}

func BenchmarkRateLimit(b *testing.B) {
	h := RateLimit(NewLive(DefaultSettings()), nil)(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	var n atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		id := n.Add(1)
		r := httptest.NewRequest(http.MethodGet, "/api/todo", nil)
		r.RemoteAddr = "10.0." + strconv.FormatInt(id%256, 10) + ".1:4000"
		w := &nopWriter{h: http.Header{}}
		for pb.Next() {
			h.ServeHTTP(w, r)
		}
	})
}
