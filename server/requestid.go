package server

import (
	"context"
	"crypto/rand"
	"net/http"
	"os"
	"strconv"
	"sync/atomic"

	"github.com/go-chi/chi/v5/middleware"
)

// requestID is chi's middleware.RequestID with the same ids
// ("host/random10-000001", or the client's X-Request-Id) under the same
// context key, so middleware.GetReqID reads them, but formatted without fmt
// (one allocation a request instead of three). Each call makes a new
// process-unique prefix and counter.
func requestID() func(http.Handler) http.Handler {
	prefix := requestIDPrefix()
	var seq atomic.Uint64
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			id := r.Header.Get(middleware.RequestIDHeader)
			if id == "" {
				id = formatRequestID(prefix, seq.Add(1))
			}
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), middleware.RequestIDKey, id)))
		})
	}
}

// formatRequestID is prefix + "-" + n with at least six digits.
func formatRequestID(prefix string, n uint64) string {
	var buf [96]byte
	var digits [20]byte
	d := strconv.AppendUint(digits[:0], n, 10)
	b := append(buf[:0], prefix...)
	b = append(b, '-')
	for i := len(d); i < 6; i++ {
		b = append(b, '0')
	}
	return string(append(b, d...))
}

// requestIDPrefix is the host name, "/" and ten random base62 characters.
func requestIDPrefix() string {
	host, err := os.Hostname()
	if host == "" || err != nil {
		host = "localhost"
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	var rnd [10]byte
	_, _ = rand.Read(rnd[:]) // never fails (crypto/rand)
	for i, c := range rnd {
		rnd[i] = alphabet[int(c)%len(alphabet)]
	}
	return host + "/" + string(rnd[:])
}
