package dav

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
)

// maxMultiget bounds the hrefs of one multiget.
const maxMultiget = 5000

func (h *Handler) report(w http.ResponseWriter, r *http.Request, t target) *davError {
	body, derr := readXML(r)
	if derr != nil {
		return derr
	}
	if body == nil {
		return errBadRequest("REPORT needs an XML body")
	}
	if t.kind != kindCollection && !(t.kind == kindObject && body.Name.Local != "sync-collection") {
		return errForbidden("REPORT is supported on calendars and address books")
	}
	ctx := r.Context()
	c, _, derr := h.resolve(ctx, target{prefix: t.prefix, kind: kindCollection, user: t.user, coll: t.coll})
	if derr != nil {
		return derr
	}
	switch {
	case body.Name == xmlName(nsCalDAV, "calendar-query") && c.kind == kindCalendar:
		return h.calendarQuery(w, r, t, c, body)
	case body.Name == xmlName(nsCardDAV, "addressbook-query") && c.kind == kindAddressBook:
		return h.addressbookQuery(w, r, t, c, body)
	case (body.Name == xmlName(nsCalDAV, "calendar-multiget") && c.kind == kindCalendar) ||
		(body.Name == xmlName(nsCardDAV, "addressbook-multiget") && c.kind == kindAddressBook):
		return h.multiget(w, r, t, c, body)
	case body.Name == xmlName(nsCalDAV, "free-busy-query") && c.kind == kindCalendar:
		return h.freeBusy(w, r, c, body)
	case body.Name == xmlName(nsDAV, "sync-collection"):
		return h.syncCollection(w, r, t, c, body)
	}
	return &davError{status: http.StatusForbidden, msg: "unsupported REPORT " + body.Name.Local + " on this collection",
		cond: "<d:supported-report/>"}
}

func (h *Handler) multiget(w http.ResponseWriter, r *http.Request, t target, c *coll, body *node) *davError {
	ctx := r.Context()
	q := parsePropReq(body)
	hrefs := body.children(nsDAV, "href")
	if len(hrefs) > maxMultiget {
		return errBadRequest("too many hrefs in one multiget")
	}
	me := auth.PrincipalFrom(ctx).UserRef
	m := newMultistatus()
	for _, hn := range hrefs {
		raw := strings.TrimSpace(hn.Text)
		u, err := url.Parse(raw)
		if err != nil {
			m.status(raw, http.StatusBadRequest)
			continue
		}
		ot, derr := parsePath(t.prefix, u)
		if derr != nil || ot.kind != kindObject || ot.user != me || ot.coll != t.coll {
			m.status(raw, http.StatusNotFound)
			continue
		}
		o, err := findObject(ctx, h.d.Res(), c, ot.file)
		if err != nil {
			return h.resErr(ctx, err)
		}
		if o == nil {
			m.status(raw, http.StatusNotFound)
			continue
		}
		m.render(objectHref(t.prefix, me, c.seg, o.file), objectProps(c, o, true), q)
	}
	m.send(w)
	return nil
}

// syncCollection answers RFC 6578: every object changed since the token,
// and a 404 response for every object deleted since (from tombstones).
func (h *Handler) syncCollection(w http.ResponseWriter, r *http.Request, t target, c *coll, body *node) *davError {
	ctx := r.Context()
	res := h.d.Res()
	if lvl := strings.TrimSpace(body.child(nsDAV, "sync-level").text()); lvl != "" && lvl != "1" {
		return &davError{status: http.StatusForbidden, msg: "only sync-level 1 is supported", cond: "<d:number-of-matches-within-limits/>"}
	}
	q := parsePropReq(body)
	st, err := h.state(ctx, res, c)
	if err != nil {
		return h.resErr(ctx, err)
	}
	var since time.Time
	if tok := strings.TrimSpace(body.child(nsDAV, "sync-token").text()); tok != "" {
		at, ok := parseToken(tok)
		if !ok {
			return &davError{status: http.StatusForbidden, msg: "unknown sync-token; sync again without one", cond: "<d:valid-sync-token/>"}
		}
		since = at
	}
	var os []object
	var err2 error
	if since.IsZero() {
		os, err2 = objects(ctx, res, c)
	} else {
		os, err2 = changedSince(ctx, res, c, since)
	}
	if err2 != nil {
		return h.resErr(ctx, err2)
	}
	me := auth.PrincipalFrom(ctx).UserRef
	data := q.wants(pCalData) || q.wants(pCardData)
	m := newMultistatus()
	live := map[string]bool{}
	for i := range os {
		live[os[i].file] = true
		m.render(objectHref(t.prefix, me, c.seg, os[i].file), objectProps(c, &os[i], data), q)
	}
	if !since.IsZero() {
		if err := h.tombstones(ctx, m, t, c, since, live); err != nil {
			return h.resErr(ctx, err)
		}
	}
	m.raw("<d:sync-token>" + esc(st.token()) + "</d:sync-token>")
	m.send(w)
	return nil
}

// tombstones adds a 404 response for each object deleted since, unless an
// object of that name exists again.
func (h *Handler) tombstones(ctx context.Context, m *multistatus, t target, c *coll, since time.Time, live map[string]bool) error {
	rows, err := listAll(ctx, h.d.Res(), tableTombstone, resource.Query{Fields: []string{"file_name"},
		Conditions: []resource.Condition{cond("collection_id", "is", c.ref), cond("created_at", "gte", since.UTC().Format(time.RFC3339Nano))}})
	if err != nil {
		return err
	}
	me := auth.PrincipalFrom(ctx).UserRef
	seen := map[string]bool{}
	for _, row := range rows {
		f := str(row.Attrs["file_name"])
		if live[f] || seen[f] {
			continue
		}
		seen[f] = true
		if o, err := findObject(ctx, h.d.Res(), c, f); err != nil {
			return err
		} else if o != nil {
			continue
		}
		m.status(objectHref(t.prefix, me, c.seg, f), http.StatusNotFound)
	}
	return nil
}
