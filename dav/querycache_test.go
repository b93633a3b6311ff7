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

func TestQueryCacheAccountingAndKeyCanon(t *testing.T) {
	var qc queryCache
	k1, k2 := [32]byte{1}, [32]byte{2}
	qc.put(k1, 1, "abc")
	qc.put(k1, 2, "abcdef") // replacing an entry counts only the new body
	if qc.bytes != 6 {
		t.Fatalf("bytes = %d after replacing, want 6", qc.bytes)
	}
	if _, ok := qc.get(k1, 1); ok {
		t.Error("the replaced answer is still served")
	}
	big := strings.Repeat("y", maxCachedQuery)
	for i := 0; qc.bytes+len(big) <= maxQueryCacheBytes; i++ {
		qc.put([32]byte{3, byte(i)}, 1, big)
	}
	qc.put(k2, 1, big) // would exceed the bound: the cache starts over
	if _, ok := qc.get(k1, 2); ok {
		t.Error("the cache was not emptied when full")
	}
	if got, ok := qc.get(k2, 1); !ok || got != big || qc.bytes != len(big) {
		t.Errorf("after emptying: found %v, bytes %d", ok, qc.bytes)
	}

	parse := func(s string) *node {
		t.Helper()
		n, err := parseXML([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	const ns = `xmlns:c="urn:ietf:params:xml:ns:caldav"`
	for _, tc := range []struct {
		a, b string
		same bool
	}{
		{`<c:time-range ` + ns + ` start="1" end="2"/>`, `<c:time-range end="2" ` + ns + ` start="1"/>`, true},
		{`<c:text-match ` + ns + `> x </c:text-match>`, `<c:text-match ` + ns + `>x</c:text-match>`, true},
		{`<c:text-match ` + ns + `>x</c:text-match>`, `<c:text-match ` + ns + `>y</c:text-match>`, false},
		{`<c:time-range ` + ns + ` start="1"/>`, `<c:time-range ` + ns + ` end="1"/>`, false},
		{`<c:comp-filter ` + ns + ` name="VEVENT"/>`, `<comp-filter xmlns="DAV:" name="VEVENT"/>`, false},
	} {
		if got := queryKey("c", "u", "/caldav", parse(tc.a)) == queryKey("c", "u", "/caldav", parse(tc.b)); got != tc.same {
			t.Errorf("%s vs %s: same key = %v, want %v", tc.a, tc.b, got, tc.same)
		}
	}
}
