package dav

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/apiary/apiary/auth"
)

// lock answers LOCK: a new exclusive or shared write lock (creating an
// empty object at an unmapped object URL, RFC 4918 §9.10.4), or, without
// a body, a refresh of the lock whose token the If header submits.
func (h *Handler) lock(w http.ResponseWriter, r *http.Request, t target) *davError {
	ctx := r.Context()
	user := auth.PrincipalFrom(ctx).UserRef
	if t.kind < kindCollection {
		return errForbidden("only collections and objects can be locked")
	}
	key := lockKey(t)
	timeout := lockTimeout(r.Header.Get("Timeout"))
	body, derr := readXML(r)
	if derr != nil {
		return derr
	}
	if body == nil {
		lists, _ := parseIf(r.Header.Get("If"))
		for tok := range ifTokens(lists) {
			if l, ok := h.locks.refresh(tok, user, key, timeout); ok {
				return writeLock(w, http.StatusOK, l, h.locks.now(), false)
			}
		}
		return &davError{status: http.StatusPreconditionFailed, msg: "a LOCK without a body refreshes a lock: submit its token in an If header",
			cond: "<d:lock-token-submitted/>"}
	}
	if body.Name != xmlName(nsDAV, "lockinfo") || body.child(nsDAV, "locktype").child(nsDAV, "write") == nil {
		return errBadRequest("LOCK needs a DAV:lockinfo body asking for a write lock")
	}
	scope := body.child(nsDAV, "lockscope")
	shared := scope.child(nsDAV, "shared") != nil
	if !shared && scope.child(nsDAV, "exclusive") == nil {
		return errBadRequest("lockscope must be exclusive or shared")
	}
	infinite := true
	switch strings.ToLower(strings.TrimSpace(r.Header.Get("Depth"))) {
	case "", "infinity":
	case "0":
		infinite = false
	default:
		return errBadRequest("Depth of a LOCK must be 0 or infinity")
	}
	l := davLock{root: key, rootHref: hrefOf(t), infinite: infinite && t.kind == kindCollection, shared: shared,
		user: user, timeout: timeout}
	if o := body.child(nsDAV, "owner"); o != nil {
		l.owner = innerXML(o)
	}
	c, o, derr := h.resolve(ctx, t)
	if c == nil {
		if derr != nil && derr.status != http.StatusNotFound {
			return derr
		}
		return &davError{status: http.StatusConflict, msg: "the collection does not exist"}
	}
	if c.owner != user {
		return errForbidden("only the owner of a collection may lock in it")
	}
	l, err := h.locks.create(l)
	if errors.Is(err, errTooManyLocks) {
		return &davError{status: http.StatusServiceUnavailable, msg: "too many locks are held; try again later"}
	}
	if err != nil {
		return &davError{status: http.StatusLocked, msg: "a conflicting lock is held", cond: "<d:no-conflicting-lock/>"}
	}
	status := http.StatusOK
	if t.kind == kindObject && o == nil {
		_, _, derr := h.store(ctx, c, t.file, nil, nil, "", func(cur *object) *davError { return nil }, nil)
		if derr != nil {
			h.locks.unlock(l.token, user, key)
			return derr
		}
		status = http.StatusCreated
	}
	return writeLock(w, status, l, h.locks.now(), true)
}

// writeLock answers a LOCK with the lock's DAV:lockdiscovery.
func writeLock(w http.ResponseWriter, status int, l davLock, now time.Time, header bool) *davError {
	if header {
		w.Header().Set("Lock-Token", "<"+l.token+">")
	}
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<d:prop xmlns:d="DAV:"><d:lockdiscovery>`+
		activeLock(l, now)+`</d:lockdiscovery></d:prop>`)
	return nil
}

// unlock answers UNLOCK: removes the lock named by the Lock-Token header
// when it covers the request URL and the caller holds it.
func (h *Handler) unlock(w http.ResponseWriter, r *http.Request, t target) *davError {
	tok := strings.TrimSpace(r.Header.Get("Lock-Token"))
	if len(tok) < 3 || tok[0] != '<' || tok[len(tok)-1] != '>' {
		return errBadRequest("UNLOCK needs a Lock-Token header: <token>")
	}
	if !h.locks.unlock(tok[1:len(tok)-1], auth.PrincipalFrom(r.Context()).UserRef, lockKey(t)) {
		return &davError{status: http.StatusConflict, msg: "no lock of yours with this token covers this resource",
			cond: "<d:lock-token-matches-request-uri/>"}
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
