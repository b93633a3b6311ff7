package jsonapi

import (
	"log/slog"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/server/httperr"
	"github.com/apiary/apiary/server/respcache"
)

// DefaultMaxBody is the request body limit used when Deps.MaxBody is not set.
const DefaultMaxBody = 10 << 20

// ContentType is the media type of every response.
const ContentType = "application/vnd.api+json"

// Allow header values of the OPTIONS answers (contract core.md §5.1).
const (
	AllowCollection = "OPTIONS,GET,PATCH,POST"
	AllowItem       = "OPTIONS,GET,PATCH,DELETE"
)

// Deps is what the JSON:API handlers need.
type Deps struct {
	// Res returns the live resource layer; it is called once per request.
	Res func() resource.Service
	// Log receives internal errors; nil means slog.Default().
	Log *slog.Logger
	// MaxBody limits request bodies in bytes; 0 or less means DefaultMaxBody.
	MaxBody int64
	// Cache keeps answers of reads until a committed write changes them;
	// nil caches nothing.
	Cache *respcache.Cache
}

type api struct {
	d    Deps
	bufs bufPool // response documents are built in these
}

// Mount registers the resource routes on r, relative to where r is mounted
// (the server mounts it at /api).
func Mount(r chi.Router, d Deps) {
	if d.MaxBody <= 0 {
		d.MaxBody = DefaultMaxBody
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	a := &api{d: d}
	r = r.With(a.fieldsets)
	h := func(f httperr.HandlerFunc) http.HandlerFunc { return httperr.Handle(d.Log, f) }

	userTable := func(*http.Request) string { return "user_account" }
	r.Get("/user_account/mine", a.cached(userTable, h(a.mine)))

	r.Get("/{t}", a.cached(urlTable, h(a.list)))
	r.Post("/{t}", h(a.create))
	r.Options("/{t}", options(AllowCollection))

	r.Get("/{t}/{id}", a.cached(urlTable, h(a.get)))
	r.Patch("/{t}/{id}", h(a.update))
	r.Delete("/{t}/{id}", h(a.delete))
	r.Options("/{t}/{id}", options(AllowItem))

	r.Get("/{t}/{id}/{relation}", a.cached(urlTable, h(a.related)))

	r.Get("/{t}/{id}/relationships/{relation}", a.cached(urlTable, h(a.linkage)))
	r.Patch("/{t}/{id}/relationships/{relation}", h(a.addLinks))
	r.Post("/{t}/{id}/relationships/{relation}", h(a.addLinks))
	r.Delete("/{t}/{id}/relationships/{relation}", h(a.removeLinks))
}

// options answers a preflight-style OPTIONS with 204 and an Allow header.
func options(allow string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Allow", allow)
		w.WriteHeader(http.StatusNoContent)
	}
}

// rowID returns the {id} URL parameter after checking that it is a UUID.
func rowID(r *http.Request) (string, error) {
	id := chi.URLParam(r, "id")
	if !isUUID(id) {
		return "", &httperr.Error{Status: http.StatusBadRequest, Title: "invalid id",
			Detail: quote(id) + " is not a UUID", Parameter: "id"}
	}
	return id, nil
}

func (a *api) list(w http.ResponseWriter, r *http.Request) error {
	t := chi.URLParam(r, "t")
	pq, err := parseQuery(requestQuery(r))
	if err != nil {
		return err
	}
	res := a.d.Res()
	page, err := res.List(r.Context(), t, pq.Query)
	if err != nil {
		return err
	}
	e := newEncoder(res.Schema())
	doc := listDoc{
		Links:    pageLinks(r, pq, page.Total),
		Data:     e.objects(page.Rows, t),
		Included: e.included(pq, page.Included),
	}
	addCursorLink(doc.Links, r, pq, page.Rows)
	return a.writeJSON(w, http.StatusOK, doc)
}

func (a *api) get(w http.ResponseWriter, r *http.Request) error {
	id, err := rowID(r)
	if err != nil {
		return err
	}
	return a.getRow(w, r, chi.URLParam(r, "t"), id)
}

// mine answers GET /user_account/mine with the caller's own row.
func (a *api) mine(w http.ResponseWriter, r *http.Request) error {
	p := auth.PrincipalFrom(r.Context())
	if p.IsGuest() || p.UserRef == "" {
		return httperr.New(http.StatusUnauthorized, "unauthenticated", "sign in to read your own account")
	}
	return a.getRow(w, r, "user_account", p.UserRef)
}

func (a *api) getRow(w http.ResponseWriter, r *http.Request, t, id string) error {
	pq, err := parseQuery(requestQuery(r))
	if err != nil {
		return err
	}
	res := a.d.Res()
	row, err := res.Get(r.Context(), t, id, pq.Query)
	if err != nil {
		return err
	}
	e := newEncoder(res.Schema())
	obj := e.object(row, t)
	return a.writeJSON(w, http.StatusOK, singleDoc{Data: &obj, Included: e.included(pq, row.Included)})
}

func (a *api) create(w http.ResponseWriter, r *http.Request) error {
	t := chi.URLParam(r, "t")
	body, err := readBody(w, r, a.d.MaxBody)
	if err != nil {
		return err
	}
	in, err := parseResource(body, t, "")
	if err != nil {
		return err
	}
	in.ValidateOnly = validateOnly(r)
	res := a.d.Res()
	row, err := res.Create(r.Context(), t, in)
	if err != nil {
		return err
	}
	obj := newEncoder(res.Schema()).object(row, t)
	if in.ValidateOnly {
		return a.writeJSON(w, http.StatusOK, singleDoc{Data: &obj})
	}
	w.Header().Set("Location", strings.TrimSuffix(r.URL.Path, "/")+"/"+row.RefID)
	return a.writeJSON(w, http.StatusCreated, singleDoc{Data: &obj})
}

func (a *api) update(w http.ResponseWriter, r *http.Request) error {
	t := chi.URLParam(r, "t")
	id, err := rowID(r)
	if err != nil {
		return err
	}
	body, err := readBody(w, r, a.d.MaxBody)
	if err != nil {
		return err
	}
	in, err := parseResource(body, t, id)
	if err != nil {
		return err
	}
	in.ValidateOnly = validateOnly(r)
	res := a.d.Res()
	row, err := res.Update(r.Context(), t, id, in)
	if err != nil {
		return err
	}
	obj := newEncoder(res.Schema()).object(row, t)
	return a.writeJSON(w, http.StatusOK, singleDoc{Data: &obj})
}

func (a *api) delete(w http.ResponseWriter, r *http.Request) error {
	id, err := rowID(r)
	if err != nil {
		return err
	}
	if err := a.d.Res().Delete(r.Context(), chi.URLParam(r, "t"), id); err != nil {
		return err
	}
	return a.writeJSON(w, http.StatusOK, metaDoc{})
}

// related answers GET /{t}/{id}/{relation}: a list for to-many relations,
// one object (or null) for to-one relations.
func (a *api) related(w http.ResponseWriter, r *http.Request) error {
	t, rel := chi.URLParam(r, "t"), chi.URLParam(r, "relation")
	id, err := rowID(r)
	if err != nil {
		return err
	}
	pq, err := parseQuery(requestQuery(r))
	if err != nil {
		return err
	}
	res := a.d.Res()
	page, err := res.Related(r.Context(), t, id, rel, pq.Query)
	if err != nil {
		return err
	}
	s := res.Schema()
	e := newEncoder(s)
	link, ok := findLink(s, t, rel)
	if ok && !link.ToMany {
		doc := singleDoc{Included: e.included(pq, page.Included)}
		if len(page.Rows) > 0 {
			obj := e.object(page.Rows[0], link.Target)
			doc.Data = &obj
		}
		return a.writeJSON(w, http.StatusOK, doc)
	}
	target := rel
	if ok {
		target = link.Target
	}
	doc := listDoc{Data: e.objects(page.Rows, target), Included: e.included(pq, page.Included)}
	if pq.NumberSent && pq.SizeSent {
		doc.Links = pageLinks(r, pq, page.Total)
	}
	return a.writeJSON(w, http.StatusOK, doc)
}

// linkage answers GET /{t}/{id}/relationships/{relation}.
func (a *api) linkage(w http.ResponseWriter, r *http.Request) error {
	t, rel := chi.URLParam(r, "t"), chi.URLParam(r, "relation")
	id, err := rowID(r)
	if err != nil {
		return err
	}
	res := a.d.Res()
	refs, err := res.Linkage(r.Context(), t, id, rel)
	if err != nil {
		return err
	}
	if link, ok := findLink(res.Schema(), t, rel); ok && !link.ToMany {
		if len(refs) == 0 {
			return a.writeJSON(w, http.StatusOK, dataDoc{Data: nil})
		}
		return a.writeJSON(w, http.StatusOK, dataDoc{Data: refs[0]})
	}
	if refs == nil {
		refs = []resource.Ref{}
	}
	return a.writeJSON(w, http.StatusOK, dataDoc{Data: refs})
}

// addLinks answers PATCH and POST /{t}/{id}/relationships/{relation}: both
// add the given targets (Daptin's PATCH appends; its POST is a no-op, which
// we fix). PATCH with data null clears a to-one relation.
func (a *api) addLinks(w http.ResponseWriter, r *http.Request) error {
	return a.changeLinks(w, r, true)
}

// removeLinks answers DELETE /{t}/{id}/relationships/{relation}.
func (a *api) removeLinks(w http.ResponseWriter, r *http.Request) error {
	return a.changeLinks(w, r, false)
}

func (a *api) changeLinks(w http.ResponseWriter, r *http.Request, add bool) error {
	t, rel := chi.URLParam(r, "t"), chi.URLParam(r, "relation")
	id, err := rowID(r)
	if err != nil {
		return err
	}
	body, err := readBody(w, r, a.d.MaxBody)
	if err != nil {
		return err
	}
	refs, null, err := parseLinkage(body)
	if err != nil {
		return err
	}
	res := a.d.Res()
	switch {
	case null && r.Method == http.MethodPatch:
		err = res.RemoveLinks(r.Context(), t, id, rel, nil)
	case null:
		return &httperr.Error{Status: http.StatusBadRequest, Title: "invalid body",
			Detail: "data null is only accepted by PATCH (to clear a to-one relation)", Pointer: "/data"}
	case add:
		err = res.AddLinks(r.Context(), t, id, rel, refs)
	default:
		err = res.RemoveLinks(r.Context(), t, id, rel, refs)
	}
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// validateOnly reports whether the request asks for a dry run.
func validateOnly(r *http.Request) bool {
	v := strings.TrimSpace(r.Header.Get("Validate-Only"))
	return strings.EqualFold(v, "true") || v == "1"
}

// quote shows a client value in an error detail, shortened.
func quote(s string) string {
	const max = 64
	if len(s) > max {
		s = s[:max] + "..."
	}
	return `"` + s + `"`
}
