package feed

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/server/httperr"
)

// Format is one of the three feed syntaxes.
type Format string

// The formats, named by their URL extension.
const (
	RSS  Format = "rss"
	Atom Format = "atom"
	JSON Format = "json"
)

// Content types of the answers, as Daptin sends them (sidecars.md §9).
const (
	ContentTypeXML  = "application/xml"
	ContentTypeJSON = "application/json"
)

// CacheMaxAge is how long, in seconds, clients and caches may keep a feed.
const CacheMaxAge = 60

// contentType returns the Content-Type of an answer in format f.
func (f Format) contentType() string {
	if f == JSON {
		return ContentTypeJSON
	}
	return ContentTypeXML
}

// Mount registers GET and HEAD /feed/{name} on r. res is called on every
// request, so a service swapped on live reload is picked up. eval
// evaluates the stream's QueryParams over the feed request's query
// parameters (nil: the values as written).
func Mount(r chi.Router, res func() resource.Service, log *slog.Logger, eval Evaluator) {
	if log == nil {
		log = slog.Default()
	}
	h := &handler{res: res, log: log, eval: eval}
	r.Get("/feed/{name}", h.ServeHTTP)
	r.Head("/feed/{name}", h.ServeHTTP)
}

type handler struct {
	res  func() resource.Service
	log  *slog.Logger
	eval Evaluator
}

// ServeHTTP answers one feed request.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	segment := chi.URLParam(r, "name")
	if s, err := url.PathUnescape(segment); err == nil {
		segment = s
	}
	name, format, negotiated, ok := parseName(segment, r.Header.Get("Accept"))
	if !ok {
		w.Header().Set("Content-Type", ContentTypeJSON)
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"error":"Invalid feed request"}`))
		return
	}
	doc, err := h.build(r, name, format)
	if err != nil {
		httperr.Write(w, r, h.log, err)
		return
	}
	writeFeed(w, r, doc, format, negotiated)
}

// build loads the feed, its stream and the caller's items, and renders them.
func (h *handler) build(r *http.Request, name string, format Format) (*rendered, error) {
	res := h.res()
	ctx := r.Context()
	cfg, err := loadFeed(ctx, res, name)
	if err != nil {
		return nil, err
	}
	if !cfg.allows(format) {
		return nil, notFound("feed %q is not offered as %s", name, format)
	}
	items, err := listItems(ctx, res, cfg, RequestParams(r.URL.Query(), h.eval))
	if err != nil {
		return nil, err
	}
	// Only an answer to a request without credentials is the same for
	// everyone (a service token is no user, yet it may see more).
	public := auth.PrincipalFrom(ctx).IsGuest() && auth.TokenFromRequest(r) == ""
	return render(cfg, items, format, public)
}

// parseName splits "name.ext" and picks the format: by extension; for
// any other extension by Accept, else RSS. A segment without a dot is not
// a feed request (ok false). negotiated reports that Accept decided.
func parseName(segment, accept string) (name string, f Format, negotiated, ok bool) {
	i := strings.LastIndexByte(segment, '.')
	if i <= 0 {
		return "", "", false, false
	}
	name, ext := segment[:i], strings.ToLower(segment[i+1:])
	switch Format(ext) {
	case RSS, Atom, JSON:
		return name, Format(ext), false, true
	}
	return name, fromAccept(accept), true, true
}

// fromAccept picks the format an Accept header prefers among the feed
// media types; RSS when it names neither Atom nor JSON Feed.
func fromAccept(accept string) Format {
	best, bestQ := RSS, 0.0
	for _, part := range strings.Split(accept, ",") {
		media, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			k, v, found := strings.Cut(strings.TrimSpace(p), "=")
			if found && strings.EqualFold(k, "q") {
				q = parseQ(v)
			}
		}
		var f Format
		switch strings.ToLower(strings.TrimSpace(media)) {
		case "application/atom+xml":
			f = Atom
		case "application/feed+json":
			f = JSON
		case "application/rss+xml":
			f = RSS
		default:
			continue
		}
		if q > bestQ {
			best, bestQ = f, q
		}
	}
	return best
}

// parseQ reads a quality value ("0.8"); anything malformed counts as 0.
func parseQ(v string) float64 {
	q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || q < 0 {
		return 0
	}
	return min(q, 1)
}

// notFound is the 404 of an unknown or switched-off feed or stream.
func notFound(format string, a ...any) error {
	return &resource.Error{Kind: resource.ErrNotFound, Title: "not found", Detail: fmt.Sprintf(format, a...)}
}

// isNotFound reports a resource-layer "not found".
func isNotFound(err error) bool { return errors.Is(err, resource.ErrNotFound) }
