package dav

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
)

// copyMove copies or moves one object to another object path of the
// caller (into a collection of the same or another kind, validated
// again); a move removes the source and writes the copy in one
// transaction.
func (h *Handler) copyMove(w http.ResponseWriter, r *http.Request, t target) *davError {
	if t.kind != kindObject && t.kind != kindCollection {
		return errForbidden("only collections and objects can be copied or moved")
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
	if t.kind == kindCollection {
		if dt.kind < kindCollection || dt.user != auth.PrincipalFrom(ctx).UserRef {
			return errForbidden("Destination must be a collection path of your own")
		}
		dst := dt.coll
		if dt.kind == kindObject {
			dst += "/" + dt.file
		}
		return h.copyMoveCollection(w, r, c, dst)
	}
	if dt.kind == kindCollection && parentName(dt.coll) != "" {
		// An object over a collection nested in a plain collection.
		dt.kind, dt.file, dt.coll = kindObject, dt.coll[len(parentName(dt.coll))+1:], parentName(dt.coll)
	}
	if dt.kind != kindObject || dt.user != auth.PrincipalFrom(ctx).UserRef {
		return errForbidden("Destination must be an object path of your own")
	}
	over, err := findCollection(ctx, h.d.Res(), dt.coll+"/"+dt.file)
	if err != nil {
		return h.resErr(ctx, err)
	}
	if over != nil && over.seg != over.name {
		over = nil
	}
	if dt.coll == t.coll && dt.file == t.file {
		return errForbidden("source and destination are the same")
	}
	dc, cur, _ := h.resolve(ctx, dt)
	if dc == nil {
		return &davError{status: http.StatusConflict, msg: "the destination collection does not exist"}
	}
	if (cur != nil || over != nil) && strings.EqualFold(strings.TrimSpace(r.Header.Get("Overwrite")), "F") {
		return &davError{status: http.StatusPreconditionFailed, msg: "the destination exists and Overwrite is F"}
	}
	if r.Method == "MOVE" {
		h.marks.mark(o.ref, time.Now())
	}
	before := func(tx resource.Service) error {
		if over != nil {
			if err := h.removeCollection(ctx, tx, over); err != nil {
				return err
			}
		}
		if r.Method == "MOVE" {
			return removeObject(ctx, tx, c, o)
		}
		return nil
	}
	_, created, derr := h.store(ctx, dc, dt.file, map[string]any{"dead_props": nilIfEmpty(o.dead)}, o.content, "",
		func(*object) *davError { return nil }, before)
	if derr != nil {
		return derr
	}
	if created && over == nil {
		w.WriteHeader(http.StatusCreated)
	} else {
		w.WriteHeader(http.StatusNoContent)
	}
	return nil
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
