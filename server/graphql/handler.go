package graphql

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/gqlerrors"
	"github.com/graphql-go/graphql/language/ast"
	"github.com/graphql-go/graphql/language/parser"
	"github.com/graphql-go/graphql/language/source"

	"github.com/apiary/apiary/actions"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/schema"
	"github.com/apiary/apiary/server/httperr"
	"github.com/apiary/apiary/server/httpmw"
)

// Deps are what the handler needs from the server.
type Deps struct {
	// Res returns the live resource layer; the schema is taken from it.
	Res func() resource.Service
	// Exec runs an action (actions.Executor.Execute); nil leaves the
	// execute… mutations answering an error.
	Exec func(ctx context.Context, typ, name string, attrs map[string]any) (any, error)
	// Enabled is read on every request; false answers 404 as if the route
	// did not exist. Nil means disabled.
	Enabled func() bool
	// Log receives internal errors; nil discards them.
	Log *slog.Logger
	// MaxBody bounds a POST body; 0 means 10 MiB.
	MaxBody int64
	// Limits bound the work of one request; zero fields take defaults.
	Limits Limits
}

// Handler serves /graphql. It is safe for concurrent use.
type Handler struct {
	d   Deps
	log *slog.Logger
	mu  sync.Mutex // serialises builds
	cur atomic.Pointer[built]
}

// built is the GraphQL schema of one schema snapshot, with the documents
// already parsed and validated against it.
type built struct {
	sc   *schema.Schema
	gs   graphql.Schema
	mu   sync.Mutex
	docs map[string]*ast.Document
}

// maxDocs bounds the validated-document cache of one schema.
const maxDocs = 512

// New returns the /graphql handler. The GraphQL schema is generated on
// the first request and again whenever the resource layer's schema
// pointer changes (a reload), so the server needs no rebuild hook.
func New(d Deps) *Handler {
	if d.MaxBody <= 0 {
		d.MaxBody = 10 << 20
	}
	d.Limits = d.Limits.withDefaults()
	log := d.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Handler{d: d, log: log}
}

// current returns the GraphQL schema of the live schema, building it if
// the schema changed since the last request.
func (h *Handler) current() (*built, error) {
	sc := h.d.Res().Schema()
	if b := h.cur.Load(); b != nil && b.sc == sc {
		return b, nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if b := h.cur.Load(); b != nil && b.sc == sc {
		return b, nil
	}
	gs, err := h.build(sc)
	if err != nil {
		return nil, err
	}
	b := &built{sc: sc, gs: gs, docs: map[string]*ast.Document{}}
	h.cur.Store(b)
	return b, nil
}

// request is a GraphQL request as GET parameters or a POST body carry it.
type request struct {
	Query         string         `json:"query"`
	Variables     map[string]any `json:"variables"`
	OperationName string         `json:"operationName"`
}

// ServeHTTP answers GET ?query= and POST {query, variables, operationName}.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.d.Enabled == nil || !h.d.Enabled() {
		httperr.Write(w, r, h.log, httperr.New(http.StatusNotFound, "not found", "no route for "+r.Method+" "+r.URL.Path))
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		httperr.Write(w, r, h.log, httperr.New(http.StatusMethodNotAllowed, "method not allowed", r.Method+" is not allowed on "+r.URL.Path))
		return
	}
	req, err := h.readRequest(r)
	if err != nil {
		status := http.StatusBadRequest
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			status = http.StatusRequestEntityTooLarge
		}
		writeErrors(w, status, err.Error())
		return
	}
	if err := h.d.Limits.checkVariables(req.Variables); err != nil {
		writeErrors(w, http.StatusBadRequest, err.Error())
		return
	}
	b, err := h.current()
	if err != nil {
		h.log.ErrorContext(r.Context(), "graphql schema build failed", "err", err)
		writeErrors(w, http.StatusInternalServerError, "internal error")
		return
	}
	doc, res := b.document(req.Query, h.d.Limits)
	if res != nil {
		status := http.StatusOK // a valid request whose query fails validation
		if doc == nil {
			status = http.StatusBadRequest // the query does not parse
		}
		writeJSON(w, status, res)
		return
	}
	if r.Method == http.MethodGet && isMutation(doc, req.OperationName) {
		w.Header().Set("Allow", "POST")
		writeErrors(w, http.StatusMethodNotAllowed, "mutations must be sent with POST")
		return
	}
	// The request's context ends when the client goes away; the timeout
	// bounds the rest.
	ctx, cancel := context.WithTimeout(r.Context(), h.d.Limits.Timeout)
	defer cancel()
	ctx = actions.WithClientIP(ctx, httpmw.ClientIP(r))
	out := graphql.Execute(graphql.ExecuteParams{Schema: b.gs, AST: doc, OperationName: req.OperationName,
		Args: req.Variables, Context: ctx})
	if ctx.Err() != nil && r.Context().Err() == nil {
		writeErrors(w, http.StatusServiceUnavailable, "the query ran longer than "+h.d.Limits.Timeout.String())
		return
	}
	writeAnswer(w, out, h.d.Limits.MaxAnswerBytes)
}

// readRequest decodes the query, variables and operation name.
func (h *Handler) readRequest(r *http.Request) (request, error) {
	var req request
	if r.Method == http.MethodGet {
		v := r.URL.Query()
		req.Query, req.OperationName = v.Get("query"), v.Get("operationName")
		if s := v.Get("variables"); s != "" {
			if err := json.Unmarshal([]byte(s), &req.Variables); err != nil {
				return req, errors.New("variables must be a JSON object: " + err.Error())
			}
		}
	} else {
		body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, h.d.MaxBody))
		if err != nil {
			return req, err
		}
		mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if mt == "application/graphql" {
			req.Query = string(body)
		} else if err := json.Unmarshal(body, &req); err != nil {
			return req, errors.New("body must be a JSON object {query, variables, operationName}: " + err.Error())
		}
	}
	if strings.TrimSpace(req.Query) == "" {
		return req, errors.New("no query given")
	}
	return req, nil
}

// document checks query against the limits, parses and validates it,
// caching the result per schema. A non-nil *graphql.Result is the error
// answer; with a nil document it is a 400.
func (b *built) document(query string, l Limits) (*ast.Document, *graphql.Result) {
	b.mu.Lock()
	doc, ok := b.docs[query]
	b.mu.Unlock()
	if ok {
		return doc, nil
	}
	if err := l.checkText(query); err != nil {
		return nil, &graphql.Result{Errors: gqlerrors.FormatErrors(err)}
	}
	doc, err := parser.Parse(parser.ParseParams{Source: source.NewSource(&source.Source{Body: []byte(query), Name: "GraphQL request"})})
	if err != nil {
		return nil, &graphql.Result{Errors: gqlerrors.FormatErrors(err)}
	}
	if err := l.checkDocument(doc); err != nil {
		return nil, &graphql.Result{Errors: gqlerrors.FormatErrors(err)}
	}
	if v := graphql.ValidateDocument(&b.gs, doc, nil); !v.IsValid {
		return doc, &graphql.Result{Errors: v.Errors}
	}
	b.mu.Lock()
	if len(b.docs) >= maxDocs {
		clear(b.docs)
	}
	b.docs[query] = doc
	b.mu.Unlock()
	return doc, nil
}

// isMutation reports whether the operation to run is a mutation.
func isMutation(doc *ast.Document, opName string) bool {
	for _, def := range doc.Definitions {
		op, ok := def.(*ast.OperationDefinition)
		if !ok {
			continue
		}
		if opName == "" || (op.Name != nil && op.Name.Value == opName) {
			if op.Operation == ast.OperationTypeMutation {
				return true
			}
		}
	}
	return false
}

// writeErrors answers a transport error in GraphQL's error shape.
func writeErrors(w http.ResponseWriter, status int, msg string) {
	type message struct {
		Message string `json:"message"`
	}
	writeJSON(w, status, map[string][]message{"errors": {{Message: msg}}})
}

// writeAnswer writes an execution result, or an error when its encoding
// is larger than limit bytes. json.Encoder hands over the whole encoding
// in one Write, so the check needs no second buffer.
func writeAnswer(w http.ResponseWriter, out *graphql.Result, limit int) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	enc := json.NewEncoder(capped{w: w, limit: limit})
	enc.SetEscapeHTML(false)
	_ = enc.Encode(out)
}

// capped writes p, or in its place an error answer when p is longer than
// limit bytes.
type capped struct {
	w     io.Writer
	limit int
}

func (c capped) Write(p []byte) (int, error) {
	if len(p) <= c.limit {
		return c.w.Write(p)
	}
	msg, _ := json.Marshal(map[string][]map[string]string{"errors": {{
		"message": fmt.Sprintf("the answer is larger than %d bytes; ask for fewer rows or fields", c.limit)}}})
	if _, err := c.w.Write(append(msg, '\n')); err != nil {
		return 0, err
	}
	return len(p), nil
}

// writeJSON writes v as compact JSON without HTML escaping.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}
