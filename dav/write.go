package dav

import (
	"context"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
)

// mkcol creates a collection: MKCALENDAR a calendar, MKCOL with an
// extended-mkcol body (RFC 5689) whatever its resourcetype says, and a
// plain MKCOL a plain WebDAV collection whose objects are not validated.
func (h *Handler) mkcol(w http.ResponseWriter, r *http.Request, t target) *davError {
	ctx := r.Context()
	if ct := r.Header.Get("Content-Type"); r.ContentLength != 0 && ct != "" && !strings.Contains(ct, "xml") {
		return &davError{status: http.StatusUnsupportedMediaType, msg: "MKCOL accepts only an XML body"}
	}
	switch t.kind {
	case kindRoot, kindPrincipal, kindHome:
		return &davError{status: http.StatusMethodNotAllowed, msg: "this collection already exists"}
	}
	kind := "" // a plain WebDAV collection, as in Daptin
	attrs := map[string]any{"name": t.coll, "description": ""}
	body, derr := readXML(r)
	if derr != nil {
		if derr.status == http.StatusBadRequest && r.ContentLength > 0 && !strings.Contains(r.Header.Get("Content-Type"), "xml") {
			derr.status = http.StatusUnsupportedMediaType
		}
		return derr
	}
	if body != nil {
		set := body.child(nsDAV, "set").child(nsDAV, "prop")
		if rt := set.child(nsDAV, "resourcetype"); rt != nil {
			switch {
			case rt.child(nsCalDAV, "calendar") != nil:
				kind = kindCalendar
			case rt.child(nsCardDAV, "addressbook") != nil:
				kind = kindAddressBook
			default:
				kind = ""
			}
		}
		if n := set.child(nsDAV, "displayname"); n != nil {
			attrs["display_name"] = strings.TrimSpace(n.Text)
		}
		for _, d := range []*node{set.child(nsCalDAV, "calendar-description"), set.child(nsCardDAV, "addressbook-description")} {
			if d != nil {
				attrs["description"] = d.Text
			}
		}
		if c := set.child(nsApple, "calendar-color"); c != nil {
			attrs["color"] = strings.TrimSpace(c.Text)
		}
	}
	if r.Method == "MKCALENDAR" {
		kind = kindCalendar
	}
	attrs["dav_kind"] = kind
	existing, err := findCollection(ctx, h.d.Res(), t.coll)
	if err != nil {
		return h.resErr(ctx, err)
	}
	if existing != nil {
		return &davError{status: http.StatusMethodNotAllowed, msg: "a collection with this name exists", cond: "<d:resource-must-be-null/>"}
	}
	if derr := checkParent(ctx, h.d.Res(), t.coll, kind); derr != nil {
		return derr
	}
	if _, o, err := objectAt(ctx, h.d.Res(), t.coll); err != nil {
		return h.resErr(ctx, err)
	} else if o != nil {
		return &davError{status: http.StatusMethodNotAllowed, msg: "an object exists at this path"}
	}
	if _, err := h.d.Res().Create(ctx, tableCollection, resource.Input{Attributes: attrs}); err != nil {
		return h.resErr(ctx, err)
	}
	w.Header().Set("Location", collectionHref(t.prefix, t.user, t.coll))
	w.WriteHeader(http.StatusCreated)
	return nil
}

// objectAttrs validates content for collection c and returns the row
// attributes to store.
func objectAttrs(c *coll, file string, content []byte, contentType string) (map[string]any, *davError) {
	attrs := map[string]any{"rpath": "/" + c.ref + "/" + file, "file_name": file, "content": string(content)}
	mt, _, _ := mime.ParseMediaType(contentType)
	switch c.kind {
	case kindCalendar:
		if mt != "" && mt != "text/calendar" {
			return nil, &davError{status: http.StatusUnsupportedMediaType, msg: "a calendar accepts text/calendar, not " + mt,
				cond: "<c:supported-calendar-data/>"}
		}
		_, info, derr := parseICal(content)
		if derr != nil {
			return nil, derr
		}
		attrs["uid"], attrs["summary"], attrs["component"], attrs["recurring"] = info.uid, info.summary, info.comp, info.recurring
		attrs["start_at"], attrs["end_at"] = timeOrNil(info.start), timeOrNil(info.end)
	case kindAddressBook:
		if mt != "" && mt != "text/vcard" && mt != "text/x-vcard" && mt != "text/directory" {
			return nil, &davError{status: http.StatusUnsupportedMediaType, msg: "an address book accepts text/vcard, not " + mt,
				cond: "<cr:supported-address-data/>"}
		}
		_, info, derr := parseVCard(content)
		if derr != nil {
			return nil, derr
		}
		attrs["uid"], attrs["full_name"], attrs["emails"] = info.uid, info.fullName, info.emails
	}
	return attrs, nil
}

func timeOrNil(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// preconditions applies If-Match and If-None-Match to the current object.
func preconditions(r *http.Request, o *object) *davError {
	if im := r.Header.Get("If-Match"); im != "" && !etagMatches(im, o) {
		return &davError{status: http.StatusPreconditionFailed, msg: "If-Match does not match the current ETag"}
	}
	if inm := r.Header.Get("If-None-Match"); inm != "" && etagMatches(inm, o) {
		return &davError{status: http.StatusPreconditionFailed, msg: "If-None-Match: the object exists"}
	}
	return nil
}

func (h *Handler) put(w http.ResponseWriter, r *http.Request, t target) *davError {
	if t.kind != kindObject {
		return &davError{status: http.StatusMethodNotAllowed, msg: "PUT needs an object path inside a collection"}
	}
	ctx := r.Context()
	c, _, derr := h.resolve(ctx, t)
	if c == nil {
		if derr != nil && derr.status != http.StatusNotFound {
			return derr
		}
		return &davError{status: http.StatusConflict, msg: "the collection does not exist; create it with MKCOL or MKCALENDAR"}
	}
	content, err := io.ReadAll(io.LimitReader(r.Body, h.d.MaxBody+1))
	if err != nil {
		return errBadRequest("could not read the request body")
	}
	if int64(len(content)) > h.d.MaxBody {
		return &davError{status: http.StatusRequestEntityTooLarge, msg: "the object is too large"}
	}
	o2, created, derr := h.store(ctx, c, t.file, nil, content, r.Header.Get("Content-Type"), func(cur *object) *davError {
		return preconditions(r, cur)
	}, nil)
	if derr != nil {
		return derr
	}
	w.Header().Set("ETag", o2.etag())
	if created {
		w.Header().Set("Location", objectHref(t.prefix, t.user, c.seg, t.file))
		w.WriteHeader(http.StatusCreated)
	} else {
		w.WriteHeader(http.StatusNoContent)
	}
	return nil
}

// store writes content (and extra columns) as object file of c in one
// transaction, after check passes on the current row read inside it;
// before, when given, runs first in the same transaction.
func (h *Handler) store(ctx context.Context, c *coll, file string, extra map[string]any, content []byte, ctype string,
	check func(*object) *davError, before func(tx resource.Service) error) (*object, bool, *davError) {
	attrs, derr := objectAttrs(c, file, content, ctype)
	if derr != nil {
		return nil, false, derr
	}
	for k, v := range extra {
		attrs[k] = v
	}
	var out object
	created := false
	err := h.d.Res().InTx(ctx, func(tx resource.Service) error {
		cur, err := findObject(ctx, tx, c, file)
		if err != nil {
			return err
		}
		if derr := check(cur); derr != nil {
			return derr
		}
		if before != nil {
			if err := before(tx); err != nil {
				return err
			}
		}
		if uid, ok := attrs["uid"].(string); ok && uid != "" {
			if derr := uidConflict(ctx, tx, c, file, uid); derr != nil {
				return derr
			}
		}
		var row resource.Row
		if cur == nil {
			created = true
			row, err = tx.Create(ctx, c.table(), resource.Input{Attributes: attrs,
				Relationships: map[string]resource.RelInput{"collection_id": {Refs: []resource.Ref{{Type: tableCollection, ID: c.ref}}}}})
		} else {
			row, err = tx.Update(ctx, c.table(), cur.ref, resource.Input{Attributes: attrs})
		}
		if err != nil {
			return err
		}
		if created {
			links, err := groupLinks(ctx, tx, c.ref)
			if err != nil {
				return err
			}
			if err := shareObject(ctx, tx, c.table(), row.RefID, links); err != nil {
				return err
			}
		}
		out = objFromRow(row)
		out.content = content
		return nil
	})
	if err != nil {
		var de *davError
		if errors.As(err, &de) {
			return nil, false, de
		}
		return nil, false, h.resErr(ctx, err)
	}
	return &out, created, nil
}

// uidConflict refuses a second object with the same UID (RFC 4791 §5.3.2.1).
func uidConflict(ctx context.Context, res resource.Service, c *coll, file, uid string) *davError {
	page, err := res.List(ctx, c.table(), resource.Query{PageSize: 1, Fields: []string{"file_name"}, Conditions: []resource.Condition{
		cond("collection_id", "is", c.ref), cond("uid", "is", uid), cond("file_name", "not", file)}})
	if err != nil || len(page.Rows) == 0 {
		return nil
	}
	cnd := "<c:no-uid-conflict/>"
	if c.kind == kindAddressBook {
		cnd = "<cr:no-uid-conflict/>"
	}
	return &davError{status: http.StatusConflict, msg: "another object in this collection has UID " + uid, cond: cnd}
}

func (h *Handler) delete(w http.ResponseWriter, r *http.Request, t target) *davError {
	ctx := r.Context()
	if t.kind < kindCollection {
		return errForbidden("this collection cannot be deleted")
	}
	c, o, derr := h.resolve(ctx, t)
	if derr != nil {
		return derr
	}
	if t.kind == kindObject {
		if derr := preconditions(r, o); derr != nil {
			return derr
		}
		h.marks.mark(o.ref, time.Now())
		if err := h.d.Res().InTx(ctx, func(tx resource.Service) error { return removeObject(ctx, tx, c, o) }); err != nil {
			return h.resErr(ctx, err)
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	if c.owner != auth.PrincipalFrom(ctx).UserRef {
		return errForbidden("only the owner may delete a shared collection")
	}
	err := h.d.Res().InTx(ctx, func(tx resource.Service) error { return h.removeCollection(ctx, tx, c) })
	if err != nil {
		return h.resErr(ctx, err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// removeObject deletes o and leaves a tombstone for sync-collection.
func removeObject(ctx context.Context, tx resource.Service, c *coll, o *object) error {
	if err := tx.Delete(ctx, c.table(), o.ref); err != nil {
		return err
	}
	row, err := tx.Create(ctx, tableTombstone, resource.Input{Attributes: map[string]any{"file_name": o.file},
		Relationships: map[string]resource.RelInput{"collection_id": {Refs: []resource.Ref{{Type: tableCollection, ID: c.ref}}}}})
	if err != nil {
		return err
	}
	links, err := groupLinks(ctx, tx, c.ref)
	if err != nil {
		return err
	}
	return shareObject(ctx, tx, tableTombstone, row.RefID, links)
}
