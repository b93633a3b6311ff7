package httpmw

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

var bigBody = strings.Repeat(`{"type":"todo","attributes":{"title":"hello world"}},`, 200)

func gzipHandler(enabled bool, inner http.Handler) http.Handler {
	s := DefaultSettings()
	s.Gzip = enabled
	return Gzip(NewLive(s))(inner)
}

func gunzip(t *testing.T, b []byte) string {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not gzip: %v", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("bad gzip stream: %v", err)
	}
	return string(out)
}

func TestGzip(t *testing.T) {
	t.Parallel()
	jsonBody := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/vnd.api+json")
		w.Header().Set("Content-Length", "99999")
		_, _ = io.WriteString(w, bigBody)
	})
	scenarios := []struct {
		name     string
		enabled  bool
		method   string
		path     string
		accept   string
		hdr      map[string]string
		handler  http.Handler
		wantGzip bool
	}{
		{"on", true, "GET", "/api/todo", "gzip", nil, jsonBody, true},
		{"on with q and others", true, "GET", "/api/todo", "br;q=1, gzip;q=0.5", nil, jsonBody, true},
		{"star", true, "GET", "/api/todo", "*", nil, jsonBody, true},
		{"disabled", false, "GET", "/api/todo", "gzip", nil, jsonBody, false},
		{"not accepted", true, "GET", "/api/todo", "br", nil, jsonBody, false},
		{"no accept-encoding", true, "GET", "/api/todo", "", nil, jsonBody, false},
		{"q zero", true, "GET", "/api/todo", "gzip;q=0", nil, jsonBody, false},
		{"asset", true, "GET", "/asset/todo/1/file.txt", "gzip", nil, jsonBody, false},
		{"live", true, "GET", "/live", "gzip", nil, jsonBody, false},
		{"yjs", true, "GET", "/yjs/doc1", "gzip", nil, jsonBody, false},
		{"lively is not live", true, "GET", "/lively", "gzip", nil, jsonBody, true},
		{"png", true, "GET", "/img/a.PNG", "gzip", nil, jsonBody, false},
		{"jpeg", true, "GET", "/x.jpeg", "gzip", nil, jsonBody, false},
		{"zip", true, "GET", "/x.zip", "gzip", nil, jsonBody, false},
		{"dot in dir only", true, "GET", "/v1.png/list", "gzip", nil, jsonBody, true},
		{"head", true, "HEAD", "/api/todo", "gzip", nil, jsonBody, false},
		{"upgrade", true, "GET", "/api/todo", "gzip", map[string]string{"Upgrade": "websocket", "Connection": "Upgrade"}, jsonBody, false},
		{"already encoded", true, "GET", "/api/todo", "gzip", nil, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Encoding", "br")
			_, _ = io.WriteString(w, bigBody)
		}), false},
		{"204", true, "DELETE", "/api/todo/1", "gzip", nil, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusNoContent)
		}), false},
		{"304", true, "GET", "/meta", "gzip", nil, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusNotModified)
		}), false},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			hdr := map[string]string{}
			for k, v := range sc.hdr {
				hdr[k] = v
			}
			if sc.accept != "" {
				hdr["Accept-Encoding"] = sc.accept
			}
			w := serve(gzipHandler(sc.enabled, sc.handler), sc.method, sc.path, "", hdr)
			isGzip := w.Header().Get("Content-Encoding") == "gzip"
			if isGzip != sc.wantGzip {
				t.Fatalf("gzip = %v, want %v (headers %v)", isGzip, sc.wantGzip, w.Header())
			}
			if !sc.wantGzip {
				if contains(w.Header().Values("Vary"), "Accept-Encoding") {
					t.Errorf("Vary: Accept-Encoding on an uncompressed response")
				}
				return
			}
			if !contains(w.Header().Values("Vary"), "Accept-Encoding") {
				t.Errorf("no Vary: Accept-Encoding: %v", w.Header())
			}
			if cl := w.Header().Get("Content-Length"); cl != "" {
				t.Errorf("Content-Length %s kept", cl)
			}
			if got := gunzip(t, w.Body.Bytes()); got != bigBody {
				t.Errorf("decompressed body differs: %d bytes, want %d", len(got), len(bigBody))
			}
			if w.Body.Len() >= len(bigBody) {
				t.Errorf("compressed %d >= original %d", w.Body.Len(), len(bigBody))
			}
		})
	}
}

func TestGzipSniffsContentTypeFromPlainBytes(t *testing.T) {
	t.Parallel()
	h := gzipHandler(true, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "<!DOCTYPE html><html><body>hi</body></html>")
	}))
	w := serve(h, "GET", "/", "", map[string]string{"Accept-Encoding": "gzip"})
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Fatalf("Content-Type %q", ct)
	}
}

func TestGzipEmptyBodyIsValidStream(t *testing.T) {
	t.Parallel()
	h := gzipHandler(true, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusCreated)
	}))
	w := serve(h, "POST", "/", "", map[string]string{"Accept-Encoding": "gzip"})
	if w.Code != http.StatusCreated || gunzip(t, w.Body.Bytes()) != "" {
		t.Fatalf("%d %q", w.Code, w.Body)
	}
}

func TestGzipFlush(t *testing.T) {
	t.Parallel()
	flushed := make(chan struct{})
	proceed := make(chan struct{})
	srv := httptest.NewServer(gzipHandler(true, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = io.WriteString(w, "data: first\n\n")
		if err := http.NewResponseController(w).Flush(); err != nil {
			t.Errorf("flush: %v", err)
		}
		close(flushed)
		<-proceed
		_, _ = io.WriteString(w, "data: second\n\n")
	})))
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL+"/stream", nil)
	req.Header.Set("Accept-Encoding", "gzip") // set by hand, so the client does not decompress
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("not gzip: %v", resp.Header)
	}
	<-flushed
	zr, err := gzip.NewReader(resp.Body) // reads the header, which only arrives if flushed
	if err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(zr).ReadString('\n')
	if err != nil || line != "data: first\n" {
		t.Fatalf("before the handler ended: %q, %v", line, err)
	}
	close(proceed)
}

// hijackRecorder is a recorder that can be hijacked.
type hijackRecorder struct {
	*httptest.ResponseRecorder
	hijacked bool
}

func (h *hijackRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h.hijacked = true
	c1, c2 := net.Pipe()
	_ = c2.Close()
	return c1, bufio.NewReadWriter(bufio.NewReader(c1), bufio.NewWriter(c1)), nil
}

func TestGzipHijackPassthrough(t *testing.T) {
	t.Parallel()
	var hjErr error
	h := gzipHandler(true, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		c, _, err := http.NewResponseController(w).Hijack()
		hjErr = err
		if c != nil {
			_ = c.Close()
		}
	}))
	rec := &hijackRecorder{ResponseRecorder: httptest.NewRecorder()}
	r := httptest.NewRequest("GET", "/api/x", nil)
	r.Header.Set("Accept-Encoding", "gzip")
	h.ServeHTTP(rec, r)
	if hjErr != nil || !rec.hijacked {
		t.Fatalf("hijack through gzip writer: %v %v", hjErr, rec.hijacked)
	}
	if rec.Header().Get("Content-Encoding") != "" {
		t.Fatal("hijacked response got Content-Encoding")
	}
}
