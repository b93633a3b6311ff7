// Package dav will own CalDAV and CardDAV over calendar and contact tables,
// through resource.Service. It is built by its own issue.
package dav
