// Package dav holds the end-to-end tests of CalDAV and CardDAV: raw
// protocol requests, vdirsyncer, litmus and tsdav against a real server.
package dav
