package dav

import (
	"net/http"
	"net/url"
	"strings"
)

// kind is what a request path names in the virtual tree.
type kind int

const (
	kindRoot       kind = iota // /caldav/ and /caldav/users/
	kindPrincipal              // /caldav/users/{user}/
	kindHome                   // /caldav/users/{user}/calendars/
	kindCollection             // .../calendars/{collection}/
	kindObject                 // .../calendars/{collection}/{file}
)

// selfUser stands for an empty user id in a path, which Daptin allows and
// which means the caller.
const selfUser = "~"

// msgNested answers a path nested deeper than maxNesting.
const msgNested = "collections are nested too deep"

// maxNesting bounds the collection segments of a path: plain WebDAV
// collections may hold collections (calendars and address books may not).
const maxNesting = 8

// homeSegment is the fixed folder of Daptin's tree holding collections.
const homeSegment = "calendars"

// target is a parsed request path.
type target struct {
	prefix string // "/caldav" or "/carddav"
	kind   kind
	user   string // user reference id in the path
	coll   string // collection segment
	file   string // object file name
}

// parsePath splits the URL path under prefix. Encoded slashes, dot
// segments, backslashes and control characters are refused.
func parsePath(prefix string, u *url.URL) (target, *davError) {
	t := target{prefix: prefix}
	raw := strings.ToLower(u.EscapedPath())
	if strings.Contains(raw, "%2f") || strings.Contains(raw, "%5c") || strings.Contains(raw, "%00") {
		return t, errBadRequest("encoded slashes, backslashes and NUL are not allowed in a DAV path")
	}
	rest := strings.TrimPrefix(u.Path, prefix)
	if strings.HasPrefix(rest, "/users//") { // Daptin: an empty user id means the caller
		rest = "/users/" + selfUser + rest[len("/users"):]
	}
	var segs []string
	for _, s := range strings.Split(rest, "/") {
		if s == "" {
			continue
		}
		if s == "." || s == ".." || strings.ContainsAny(s, "\\\x00") || hasControl(s) {
			return t, errBadRequest("dot segments and control characters are not allowed in a DAV path")
		}
		segs = append(segs, s)
	}
	switch {
	case len(segs) == 0:
		t.kind = kindRoot
	case segs[0] != "users":
		return t, errNotFound("no such DAV resource")
	case len(segs) == 1:
		t.kind = kindRoot
	case len(segs) == 2:
		t.kind, t.user = kindPrincipal, segs[1]
	case segs[2] != homeSegment:
		return t, errNotFound("no such DAV resource")
	case len(segs) == 3:
		t.kind, t.user = kindHome, segs[1]
	case len(segs) > 3+maxNesting:
		return t, &davError{status: http.StatusNotFound, msg: msgNested}
	case len(segs) == 4 || strings.HasSuffix(u.Path, "/"):
		// A trailing slash names a collection, nested in plain
		// collections when there are more segments.
		t.kind, t.user, t.coll = kindCollection, segs[1], strings.Join(segs[3:], "/")
	default:
		t.kind, t.user, t.coll, t.file = kindObject, segs[1], strings.Join(segs[3:len(segs)-1], "/"), segs[len(segs)-1]
	}
	if len(t.coll) > 200 || len(t.file) > 255 {
		return t, errBadRequest("path segment too long")
	}
	return t, nil
}

func hasControl(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return true
		}
	}
	return false
}

// principalHref is the principal URL of user under prefix.
func principalHref(prefix, user string) string {
	return prefix + "/users/" + url.PathEscape(user) + "/"
}

// homeHref is the calendar (and address book) home set of user.
func homeHref(prefix, user string) string {
	return principalHref(prefix, user) + homeSegment + "/"
}

// collectionHref is the URL of one collection; seg may name a nested
// one (segments joined with "/").
func collectionHref(prefix, user, seg string) string {
	parts := strings.Split(seg, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return homeHref(prefix, user) + strings.Join(parts, "/") + "/"
}

// parentName is the name of the collection holding a nested collection
// ("" for a top-level one).
func parentName(name string) string {
	if i := strings.LastIndex(name, "/"); i >= 0 {
		return name[:i]
	}
	return ""
}

// objectHref is the URL of one object.
func objectHref(prefix, user, seg, file string) string {
	return collectionHref(prefix, user, seg) + url.PathEscape(file)
}
