package dav

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
)

// proppatch sets displayname, description and color of a collection.
// Other (dead) properties cannot be stored and are answered 403.
func (h *Handler) proppatch(w http.ResponseWriter, r *http.Request, t target) *davError {
	body, derr := readXML(r)
	if derr != nil {
		return derr
	}
	if body == nil || body.Name.Space != nsDAV || body.Name.Local != "propertyupdate" {
		return errBadRequest("PROPPATCH body must be a DAV:propertyupdate element")
	}
	ctx := r.Context()
	var c *coll
	if t.kind == kindCollection {
		if c, _, derr = h.resolve(ctx, t); derr != nil {
			return derr
		}
	} else if _, _, derr = h.resolve(ctx, t); derr != nil {
		return derr
	}
	attrs := map[string]any{}
	var names []*node
	bad := false
	for _, op := range body.Children {
		remove := op.Name.Local == "remove"
		for _, p := range op.child(nsDAV, "prop").Children {
			names = append(names, p)
			col := ""
			switch {
			case c == nil:
			case p.Name == pDisplayName:
				col = "display_name"
			case p.Name == pCalDesc || p.Name == pCardDesc:
				col = "description"
			case p.Name == pColor:
				col = "color"
			}
			if col == "" {
				bad = true
				continue
			}
			if remove {
				attrs[col] = nil
			} else {
				attrs[col] = strings.TrimSpace(p.Text)
			}
		}
	}
	status := http.StatusOK
	if bad {
		status = http.StatusFailedDependency
	} else if len(attrs) > 0 {
		if _, err := h.d.Res().Update(ctx, tableCollection, c.ref, resource.Input{Attributes: attrs}); err != nil {
			return h.resErr(ctx, err)
		}
	}
	m := newMultistatus()
	m.raw("<d:response>" + href(r.URL.Path))
	for _, p := range names {
		st := status
		if bad && (c == nil || !(p.Name == pDisplayName || p.Name == pCalDesc || p.Name == pCardDesc || p.Name == pColor)) {
			st = http.StatusForbidden
		}
		m.raw("<d:propstat><d:prop>" + elem(p.Name, "") + "</d:prop><d:status>HTTP/1.1 " + statusLine(st) + "</d:status></d:propstat>")
	}
	m.raw("</d:response>")
	m.send(w)
	return nil
}

// copyMove copies or moves one object to another object path of the
// caller (into a collection of the same or another kind, validated again).
func (h *Handler) copyMove(w http.ResponseWriter, r *http.Request, t target) *davError {
	if t.kind != kindObject {
		return errForbidden("only objects can be copied or moved")
	}
	ctx := r.Context()
	c, o, derr := h.resolve(ctx, t)
	if derr != nil {
		return derr
	}
	du, err := url.Parse(r.Header.Get("Destination"))
	if err != nil || du.Path == "" {
		return errBadRequest("missing or malformed Destination header")
	}
	if du.Host != "" && du.Host != r.Host {
		return &davError{status: http.StatusBadGateway, msg: "Destination is on another server"}
	}
	prefix := "/caldav"
	if strings.HasPrefix(du.Path, "/carddav") {
		prefix = "/carddav"
	} else if !strings.HasPrefix(du.Path, "/caldav") {
		return &davError{status: http.StatusBadGateway, msg: "Destination is outside the DAV tree"}
	}
	dt, derr := parsePath(prefix, du)
	if derr != nil {
		return derr
	}
	if dt.kind != kindObject || dt.user != auth.PrincipalFrom(ctx).UserRef {
		return errForbidden("Destination must be an object path of your own")
	}
	if dt.coll == t.coll && dt.file == t.file {
		return errForbidden("source and destination are the same")
	}
	dc, cur, _ := h.resolve(ctx, dt)
	if dc == nil {
		return &davError{status: http.StatusConflict, msg: "the destination collection does not exist"}
	}
	if cur != nil && strings.EqualFold(strings.TrimSpace(r.Header.Get("Overwrite")), "F") {
		return &davError{status: http.StatusPreconditionFailed, msg: "the destination exists and Overwrite is F"}
	}
	_, created, derr := h.store(ctx, dc, dt.file, cur, o.content, "", func(*object) *davError { return nil })
	if derr != nil {
		return derr
	}
	if r.Method == "MOVE" {
		if err := h.d.Res().InTx(ctx, func(tx resource.Service) error { return removeObject(ctx, tx, c, o) }); err != nil {
			return h.resErr(ctx, err)
		}
	}
	if created {
		w.WriteHeader(http.StatusCreated)
	} else {
		w.WriteHeader(http.StatusNoContent)
	}
	return nil
}
