package openapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"
	"gopkg.in/yaml.v3"

	"github.com/apiary/apiary/schema"
	"github.com/apiary/apiary/server/httperr"
)

// Paths the document is served at.
const (
	PathYAML    = "/openapi.yaml"
	PathAPISpec = "/apispec.yaml"
	PathJSON    = "/openapi.json"
)

// Media types of the two encodings.
const (
	ContentTypeYAML = "application/yaml"
	ContentTypeJSON = "application/json"
)

// Handler serves the document for the schema live returns: JSON when the
// request path ends in ".json", YAML otherwise. The encoded document is
// built once per *schema.Schema and rebuilt when live returns another one.
// GET and HEAD are answered (HEAD only reaches it when the router routes
// HEAD here: see Mount and HeadAsGet).
func Handler(live func() *schema.Schema, log *slog.Logger) http.Handler {
	if log == nil {
		log = slog.Default()
	}
	return &handler{live: live, log: log}
}

// Mount registers GET and HEAD for PathYAML, PathAPISpec and PathJSON on r
// (absolute paths: mount it on the root router).
func Mount(r chi.Router, live func() *schema.Schema, log *slog.Logger) {
	h := Handler(live, log)
	for _, p := range []string{PathYAML, PathAPISpec, PathJSON} {
		r.Method(http.MethodGet, p, h)
		r.Method(http.MethodHead, p, h)
	}
}

// HeadAsGet lets a HEAD request reach a handler registered for GET only:
// it rewrites the method to GET and drops the body the handler writes
// (net/http then sends the headers alone). Use it around a single handler,
// not as a router-wide middleware: routes that register HEAD themselves
// never see it.
func HeadAsGet(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodHead {
			next.ServeHTTP(w, r)
			return
		}
		r2 := r.Clone(r.Context())
		r2.Method = http.MethodGet
		next.ServeHTTP(headWriter{w}, r2)
	})
}

// headWriter discards the body of a HEAD answer.
type headWriter struct{ http.ResponseWriter }

func (h headWriter) Write(p []byte) (int, error) { return len(p), nil }

// encoded is the document for one schema; each encoding is made on its
// first request.
type encoded struct {
	sc               *schema.Schema
	doc              *Document
	yaml, json       []byte
	yamlTag, jsonTag string
}

type handler struct {
	live func() *schema.Schema
	log  *slog.Logger
	mu   sync.Mutex
	last *encoded
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		httperr.Write(w, r, h.log, httperr.New(http.StatusMethodNotAllowed, "method not allowed", r.Method+" is not allowed on "+r.URL.Path))
		return
	}
	asJSON := strings.HasSuffix(r.URL.Path, ".json")
	body, tag, err := h.current(asJSON)
	if err != nil {
		h.log.ErrorContext(r.Context(), "openapi document", "err", err)
		httperr.Write(w, r, h.log, err)
		return
	}
	ct := ContentTypeYAML
	if asJSON {
		ct = ContentTypeJSON
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("ETag", tag)
	// ServeContent answers HEAD, If-None-Match (304) and ranges.
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

// current returns the live schema's document in one encoding with its
// ETag, building the document when the schema changed since the last call.
func (h *handler) current(asJSON bool) ([]byte, string, error) {
	sc := h.live()
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.last == nil || h.last.sc != sc {
		doc, err := Build(sc)
		if err != nil {
			return nil, "", err
		}
		h.last = &encoded{sc: sc, doc: doc}
	}
	e := h.last
	if asJSON {
		if e.json == nil {
			js, err := encodeJSON(e.doc)
			if err != nil {
				return nil, "", err
			}
			e.json, e.jsonTag = js, etag(js)
		}
		return e.json, e.jsonTag, nil
	}
	if e.yaml == nil {
		y, err := encodeYAML(e.doc)
		if err != nil {
			return nil, "", err
		}
		e.yaml, e.yamlTag = y, etag(y)
	}
	return e.yaml, e.yamlTag, nil
}

// Encode builds the document for sc and returns it as YAML and as JSON.
func Encode(sc *schema.Schema) (yamlDoc, jsonDoc []byte, err error) {
	doc, err := Build(sc)
	if err != nil {
		return nil, nil, err
	}
	if yamlDoc, err = encodeYAML(doc); err != nil {
		return nil, nil, err
	}
	if jsonDoc, err = encodeJSON(doc); err != nil {
		return nil, nil, err
	}
	return yamlDoc, jsonDoc, nil
}

// encodeJSON encodes doc without HTML escaping.
func encodeJSON(doc *Document) ([]byte, error) {
	var buf bytes.Buffer
	je := json.NewEncoder(&buf)
	je.SetEscapeHTML(false)
	if err := je.Encode(doc); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// encodeYAML encodes doc as block-style YAML (keys sorted).
func encodeYAML(doc *Document) ([]byte, error) {
	var buf bytes.Buffer
	e := yaml.NewEncoder(&buf)
	e.SetIndent(2)
	if err := e.Encode(doc); err != nil {
		return nil, err
	}
	if err := e.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func etag(b []byte) string {
	sum := sha256.Sum256(b)
	return `"` + hex.EncodeToString(sum[:12]) + `"`
}
