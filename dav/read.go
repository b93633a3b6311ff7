package dav

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/apiary/apiary/auth"
)

// depth reads the Depth header; a missing header means 0 here, and
// infinity is refused (RFC 4918 §9.1 allows it) so one request cannot walk
// every object of every collection.
func depth(r *http.Request) (int, *davError) {
	switch strings.ToLower(strings.TrimSpace(r.Header.Get("Depth"))) {
	case "", "0":
		return 0, nil
	case "1":
		return 1, nil
	case "infinity":
		return 0, &davError{status: http.StatusForbidden, msg: "Depth: infinity is not supported; use Depth: 1",
			cond: "<d:propfind-finite-depth/>"}
	}
	return 0, errBadRequest("Depth must be 0, 1 or infinity")
}

// resolve loads the collection (and object) a target names; missing ones
// are 404.
func (h *Handler) resolve(ctx context.Context, t target) (*coll, *object, *davError) {
	if t.kind < kindCollection {
		return nil, nil, nil
	}
	res := h.d.Res()
	c, err := findCollection(ctx, res, t.coll)
	if err != nil {
		return nil, nil, h.resErr(ctx, err)
	}
	if c == nil {
		return nil, nil, errNotFound("no such collection")
	}
	if t.kind == kindCollection {
		return c, nil, nil
	}
	o, err := findObject(ctx, res, c, t.file)
	if err != nil {
		return nil, nil, h.resErr(ctx, err)
	}
	if o == nil {
		return c, nil, errNotFound("no such object")
	}
	return c, o, nil
}

func (h *Handler) propfind(w http.ResponseWriter, r *http.Request, t target) *davError {
	d, derr := depth(r)
	if derr != nil {
		return derr
	}
	body, derr := readXML(r)
	if derr != nil {
		return derr
	}
	if body != nil && (body.Name.Space != nsDAV || body.Name.Local != "propfind") {
		return errBadRequest("PROPFIND body must be a DAV:propfind element")
	}
	q := parsePropReq(body)
	ctx := r.Context()
	p := auth.PrincipalFrom(ctx)
	res := h.d.Res()
	m := newMultistatus()
	m.extra = h.lockProps
	switch t.kind {
	case kindRoot:
		m.render(r.URL.Path, rootProps(p, t.prefix), q)
		if d == 1 {
			m.render(principalHref(t.prefix, p.UserRef), principalProps(p, t.prefix), q)
		}
	case kindPrincipal:
		m.render(principalHref(t.prefix, p.UserRef), principalProps(p, t.prefix), q)
		if d == 1 {
			m.render(homeHref(t.prefix, p.UserRef), homeProps(p, t.prefix), q)
		}
	case kindHome:
		m.render(homeHref(t.prefix, p.UserRef), homeProps(p, t.prefix), q)
		if d == 1 {
			cs, err := collections(ctx, res)
			if err != nil {
				return h.resErr(ctx, err)
			}
			for i := range cs {
				if parentName(cs[i].seg) != "" {
					continue // nested: listed by its parent
				}
				st, err := h.state(ctx, res, &cs[i])
				if err != nil {
					return h.resErr(ctx, err)
				}
				m.render(collectionHref(t.prefix, p.UserRef, cs[i].seg), collectionProps(p, t.prefix, &cs[i], st), q)
			}
		}
	case kindCollection:
		c, _, derr := h.resolve(ctx, t)
		if derr != nil {
			return derr
		}
		st, err := h.state(ctx, res, c)
		if err != nil {
			return h.resErr(ctx, err)
		}
		m.render(collectionHref(t.prefix, p.UserRef, c.seg), collectionProps(p, t.prefix, c, st), q)
		if d == 1 {
			os, err := objects(ctx, res, c)
			if err != nil {
				return h.resErr(ctx, err)
			}
			data := q.wants(pCalData) || q.wants(pCardData)
			for i := range os {
				m.render(objectHref(t.prefix, p.UserRef, c.seg, os[i].file), objectProps(c, &os[i], data), q)
			}
			if c.kind == "" {
				all, err := collections(ctx, res)
				if err != nil {
					return h.resErr(ctx, err)
				}
				for _, sub := range subCollections(all, c.name) {
					st, err := h.state(ctx, res, &sub)
					if err != nil {
						return h.resErr(ctx, err)
					}
					m.render(collectionHref(t.prefix, p.UserRef, sub.seg), collectionProps(p, t.prefix, &sub, st), q)
				}
			}
		}
	case kindObject:
		c, o, derr := h.resolve(ctx, t)
		if derr != nil {
			return derr
		}
		data := q.wants(pCalData) || q.wants(pCardData)
		m.render(objectHref(t.prefix, p.UserRef, c.seg, o.file), objectProps(c, o, data), q)
	}
	m.send(w)
	return nil
}

// get answers GET and HEAD: an object's bytes, or a short listing.
func (h *Handler) get(w http.ResponseWriter, r *http.Request, t target) *davError {
	ctx := r.Context()
	if t.kind != kindObject {
		var names []string
		if t.kind == kindCollection {
			c, _, derr := h.resolve(ctx, t)
			if derr != nil {
				return derr
			}
			os, err := objects(ctx, h.d.Res(), c)
			if err != nil {
				return h.resErr(ctx, err)
			}
			for _, o := range os {
				names = append(names, o.file)
			}
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		if r.Method == http.MethodGet {
			_, _ = w.Write([]byte(strings.Join(names, "\n")))
		}
		return nil
	}
	c, o, derr := h.resolve(ctx, t)
	if derr != nil {
		return derr
	}
	w.Header().Set("Content-Type", contentType(c))
	w.Header().Set("ETag", o.etag())
	w.Header().Set("Last-Modified", httpDate(o.updated))
	w.Header().Set("Content-Length", strconv.Itoa(len(o.content)))
	if inm := r.Header.Get("If-None-Match"); inm != "" && etagMatches(inm, o) {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		_, _ = w.Write(o.content)
	}
	return nil
}

// etagMatches checks an If-Match / If-None-Match list against o (nil o
// matches nothing, "*" matches any existing object).
func etagMatches(list string, o *object) bool {
	if o == nil {
		return false
	}
	tag := o.etag()
	for _, v := range strings.Split(list, ",") {
		v = strings.TrimPrefix(strings.TrimSpace(v), "W/")
		if v == "*" || v == tag {
			return true
		}
	}
	return false
}
