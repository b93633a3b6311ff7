// Package dav owns CalDAV (RFC 4791) and CardDAV (RFC 6352) with
// sync-collection (RFC 6578) under /caldav and /carddav, on Daptin's
// virtual tree /users/{user}/calendars/{collection}/{object}.
//
// Calendars and address books are `collection` rows (dav_kind calendar or
// addressbook), iCalendar objects are `calendar` rows and vCards `vcard`
// rows, all reached only through resource.Service, so permissions,
// validation and change events apply as on every other surface. Deleted
// objects leave a `dav_tombstone` row so sync-collection can report them,
// whether DAV deleted them or another surface did (from the delete
// event). Plain WebDAV collections may hold collections, named by their
// path below the home set.
//
// WebDAV write locks (RFC 4918 class 2: LOCK, UNLOCK, the If header) are
// kept in memory by a lockManager per Handler (lockmgr.go, lock.go).
//
// The protocol layer (PROPFIND, PROPPATCH, REPORT, MKCOL, MKCALENDAR, PUT,
// GET, DELETE, COPY, MOVE, LOCK, UNLOCK) is this package's own: go-webdav v0.7.0's
// server handlers lack sync-collection, getctag, PROPPATCH, COPY/MOVE and
// per-collection privileges, and assume a path layout that is not
// Daptin's. Its caldav.ValidateCalendarObject is used, with
// github.com/emersion/go-ical and go-vcard for parsing; addressbook-query
// has its own matcher (cardmatch.go: every value, case folding).
package dav
