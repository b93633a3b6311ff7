package httpmw

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"

	"github.com/klauspost/compress/gzip"
)

// gzipSkipExt are the file endings already compressed, not worth gzipping.
var gzipSkipExt = []string{".pdf", ".mp4", ".jpg", ".jpeg", ".png", ".wav", ".gif", ".mp3", ".zip", ".gz"}

// gzipPool recycles writers; a gzip.Writer holds about 800 KB of state.
var gzipPool = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(io.Discard, gzip.DefaultCompression)
	return zw
}}

// Gzip compresses responses when gzip.enable is on and the request's
// Accept-Encoding allows gzip (contract §10.5). It passes through untouched:
// paths under /asset/, /live and /yjs (files and WebSockets), paths ending in
// an already-compressed file type (.pdf .mp4 .jpg .jpeg .png .wav .gif .mp3
// .zip .gz), requests with an Upgrade header, HEAD requests, and responses
// that are 1xx, 204 or 304 or whose handler set Content-Encoding itself. A
// compressed response gets Content-Encoding: gzip and Vary: Accept-Encoding
// and loses Content-Length. The writer supports http.Flusher (a flush
// flushes the compressor too) and http.Hijacker.
func Gzip(l *Live) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !l.load().s.Gzip || r.Method == http.MethodHead || r.Header.Get("Upgrade") != "" ||
				!acceptsGzip(r.Header.Values("Accept-Encoding")) || skipGzipPath(r.URL.Path) {
				next.ServeHTTP(w, r)
				return
			}
			gw := &gzipWriter{rw: w}
			next.ServeHTTP(gw, r)
			gw.finish()
		})
	}
}

// skipGzipPath reports whether path is excluded from compression.
func skipGzipPath(path string) bool {
	if strings.HasPrefix(path, "/asset/") || underPrefix(path, "/live") || underPrefix(path, "/yjs") {
		return true
	}
	dot := strings.LastIndexByte(path, '.')
	if dot < 0 || dot < strings.LastIndexByte(path, '/') {
		return false
	}
	ext := path[dot:]
	for _, e := range gzipSkipExt {
		if strings.EqualFold(ext, e) {
			return true
		}
	}
	return false
}

// underPrefix reports whether path is prefix or below it.
func underPrefix(path, prefix string) bool {
	return path == prefix || strings.HasPrefix(path, prefix+"/")
}

// acceptsGzip reports whether the Accept-Encoding values allow gzip: a
// "gzip", "x-gzip" or "*" coding whose q-value is not zero.
func acceptsGzip(values []string) bool {
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			coding, params, _ := strings.Cut(part, ";")
			coding = strings.TrimSpace(coding)
			if !strings.EqualFold(coding, "gzip") && !strings.EqualFold(coding, "x-gzip") && coding != "*" {
				continue
			}
			if !qZero(params) {
				return true
			}
		}
	}
	return false
}

// qZero reports whether params (after the coding's ";") set q to zero.
func qZero(params string) bool {
	for _, p := range strings.Split(params, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(k), "q") {
			continue
		}
		v = strings.TrimSpace(v)
		return strings.Trim(v, "0.") == "" && v != ""
	}
	return false
}

// gzipWriter compresses what the handler writes, deciding at WriteHeader
// time whether to compress at all.
type gzipWriter struct {
	rw          http.ResponseWriter
	zw          *gzip.Writer // nil unless compressing
	wroteHeader bool
	hijacked    bool
}

// Header returns the underlying response's header map.
func (g *gzipWriter) Header() http.Header { return g.rw.Header() }

// WriteHeader decides whether to compress and sends the status.
func (g *gzipWriter) WriteHeader(code int) {
	if g.wroteHeader {
		g.rw.WriteHeader(code) // let net/http report the superfluous call
		return
	}
	if code < 200 { // informational: more headers follow
		g.rw.WriteHeader(code)
		return
	}
	g.wroteHeader = true
	h := g.rw.Header()
	if code != http.StatusNoContent && code != http.StatusNotModified && h.Get("Content-Encoding") == "" {
		h.Set("Content-Encoding", "gzip")
		h.Add("Vary", "Accept-Encoding")
		h.Del("Content-Length")
		g.zw = gzipPool.Get().(*gzip.Writer)
		g.zw.Reset(g.rw)
	}
	g.rw.WriteHeader(code)
}

// Write compresses p, sending a 200 first if no status was sent. With no
// Content-Type set, it is sniffed from the uncompressed bytes, as net/http
// would have done.
func (g *gzipWriter) Write(p []byte) (int, error) {
	if g.hijacked {
		return 0, http.ErrHijacked
	}
	if !g.wroteHeader {
		h := g.rw.Header()
		if h.Get("Content-Type") == "" && h.Get("Content-Encoding") == "" && len(p) > 0 {
			h.Set("Content-Type", http.DetectContentType(p))
		}
		g.WriteHeader(http.StatusOK)
	}
	if g.zw == nil {
		return g.rw.Write(p)
	}
	return g.zw.Write(p)
}

// Flush sends what has been compressed so far to the client.
func (g *gzipWriter) Flush() {
	if g.hijacked {
		return
	}
	if !g.wroteHeader {
		g.WriteHeader(http.StatusOK)
	}
	if g.zw != nil {
		_ = g.zw.Flush()
	}
	_ = http.NewResponseController(g.rw).Flush()
}

// Hijack hands the connection to the caller, if the underlying writer can.
func (g *gzipWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := g.rw.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("httpmw: underlying ResponseWriter does not support hijacking")
	}
	c, brw, err := hj.Hijack()
	if err == nil {
		g.hijacked = true
	}
	return c, brw, err
}

// Unwrap returns the underlying writer, for http.ResponseController.
func (g *gzipWriter) Unwrap() http.ResponseWriter { return g.rw }

// finish ends the gzip stream and returns the writer to the pool.
func (g *gzipWriter) finish() {
	if g.hijacked {
		return
	}
	if !g.wroteHeader {
		// The handler wrote nothing: an empty 200, sent uncompressed.
		g.wroteHeader = true
		return
	}
	if g.zw != nil {
		_ = g.zw.Close()
		g.zw.Reset(io.Discard)
		gzipPool.Put(g.zw)
		g.zw = nil
	}
}
