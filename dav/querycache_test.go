package dav

import (
	"strings"
	"testing"
)

func TestQueryKeyAndCache(t *testing.T) {
	a, _ := parseXML([]byte(`<c:calendar-query xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:d="DAV:"><d:prop><d:getetag/></d:prop>` +
		`<c:filter><c:comp-filter name="VCALENDAR"/></c:filter></c:calendar-query>`))
	b, _ := parseXML([]byte(`<x:calendar-query xmlns:x="urn:ietf:params:xml:ns:caldav">
		<y:prop xmlns:y="DAV:"><y:getetag/></y:prop><x:filter><x:comp-filter name="VCALENDAR"/></x:filter></x:calendar-query>`))
	c, _ := parseXML([]byte(`<c:calendar-query xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:d="DAV:"><d:prop><d:getetag/></d:prop>` +
		`<c:filter><c:comp-filter name="VTODO"/></c:filter></c:calendar-query>`))
	if queryKey("c1", "u", "/caldav", a) != queryKey("c1", "u", "/caldav", b) {
		t.Error("the same query with other prefixes has another key")
	}
	for _, k := range [][32]byte{queryKey("c1", "u", "/caldav", c), queryKey("c2", "u", "/caldav", a),
		queryKey("c1", "v", "/caldav", a), queryKey("c1", "u", "/carddav", a)} {
		if k == queryKey("c1", "u", "/caldav", a) {
			t.Error("different queries share a key")
		}
	}
	var qc queryCache
	k := queryKey("c1", "u", "/caldav", a)
	qc.put(k, 7, "answer")
	if got, ok := qc.get(k, 7); !ok || got != "answer" {
		t.Fatal("cached answer not found")
	}
	if _, ok := qc.get(k, 8); ok {
		t.Fatal("an answer of an older stamp was served")
	}
	qc.put(queryKey("big", "u", "", a), 1, strings.Repeat("x", maxCachedQuery+1))
	if _, ok := qc.get(queryKey("big", "u", "", a), 1); ok || qc.bytes != len("answer") {
		t.Fatalf("an oversized answer was kept (bytes %d)", qc.bytes)
	}
}
