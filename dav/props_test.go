package dav

import (
	"encoding/xml"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/apiary/apiary/auth"
)

func TestParsePropReq(t *testing.T) {
	cases := []struct {
		name, body string
		all, names bool
		want       []string
	}{
		{"no body", "", true, false, nil},
		{"allprop", `<d:propfind xmlns:d="DAV:"><d:allprop/></d:propfind>`, true, false, nil},
		{"propname", `<d:propfind xmlns:d="DAV:"><d:propname/></d:propfind>`, false, true, nil},
		{"empty propfind", `<d:propfind xmlns:d="DAV:"/>`, true, false, nil},
		{"two props", `<d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><c:calendar-data/></d:prop></d:propfind>`, false, false,
			[]string{"DAV: getetag", "urn:ietf:params:xml:ns:caldav calendar-data"}},
		{"dead prop", `<d:propfind xmlns:d="DAV:"><d:prop><x:y xmlns:x="urn:x"/></d:prop></d:propfind>`, false, false, []string{"urn:x y"}},
	}
	for _, tc := range cases {
		var n *node
		if tc.body != "" {
			n = mustXML(t, tc.body)
		}
		q := parsePropReq(n)
		var got []string
		for _, w := range q.want {
			got = append(got, w.Space+" "+w.Local)
		}
		if q.all != tc.all || q.names != tc.names || strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("%s: %+v", tc.name, q)
		}
	}
	q := propReq{want: []xml.Name{pETag}}
	if !q.wants(pETag) || q.wants(pCalData) {
		t.Error("wants")
	}
}

func TestElem(t *testing.T) {
	cases := []struct {
		name  xml.Name
		inner string
		want  string
	}{
		{pETag, "", "<d:getetag/>"},
		{pETag, `"x"`, `<d:getetag>"x"</d:getetag>`},
		{pCalData, "a", "<c:calendar-data>a</c:calendar-data>"},
		{pCardData, "", "<cr:address-data/>"},
		{pCTag, "1", "<cs:getctag>1</cs:getctag>"},
		{pColor, "#fff", "<ic:calendar-color>#fff</ic:calendar-color>"},
		{xmlName("urn:x", "tag"), "v", `<x:tag xmlns:x="urn:x">v</x:tag>`},
		{xmlName("urn:a&b", "tag"), "", `<x:tag xmlns:x="urn:a&amp;b"></x:tag>`},
		{xmlName("", "bare"), "v", `<bare xmlns="">v</bare>`},
	}
	for _, tc := range cases {
		if got := elem(tc.name, tc.inner); got != tc.want {
			t.Errorf("elem(%v, %q) = %s, want %s", tc.name, tc.inner, got, tc.want)
		}
	}
}

// TestRenderPropstats: found properties answer 200, unknown ones 404,
// allprop leaves out the object data, propname gives empty elements.
func TestRenderPropstats(t *testing.T) {
	ps := props{pETag: `"e"`, pCalData: "DATA", pDisplayName: "n"}
	cases := []struct {
		name    string
		q       propReq
		has     []string
		hasNot  []string
		missing bool
	}{
		{"wanted", propReq{want: []xml.Name{pETag, pCTag}}, []string{`<d:getetag>"e"</d:getetag>`, "<cs:getctag/>", "404 Not Found", "200 OK"}, []string{"DATA"}, true},
		{"only missing", propReq{want: []xml.Name{pCTag}}, []string{"404 Not Found"}, []string{"200 OK"}, true},
		{"allprop", propReq{all: true}, []string{`<d:getetag>"e"</d:getetag>`, "<d:displayname>n</d:displayname>"}, []string{"DATA", "404"}, false},
		{"propname", propReq{names: true}, []string{"<d:getetag/>", "<c:calendar-data/>"}, []string{"DATA", `"e"`}, false},
		{"data wanted", propReq{want: []xml.Name{pCalData}}, []string{"<c:calendar-data>DATA</c:calendar-data>"}, []string{"404"}, false},
	}
	for _, tc := range cases {
		m := newMultistatus()
		m.render("/x/a b.ics", ps, tc.q)
		out := m.b.String()
		if !strings.Contains(out, "<d:href>/x/a b.ics</d:href>") {
			t.Errorf("%s: href: %s", tc.name, out)
		}
		for _, s := range tc.has {
			if !strings.Contains(out, s) {
				t.Errorf("%s: lacks %s: %s", tc.name, s, out)
			}
		}
		for _, s := range tc.hasNot {
			if strings.Contains(out, s) {
				t.Errorf("%s: has %s: %s", tc.name, s, out)
			}
		}
	}
}

func TestMultistatusSendAndErrors(t *testing.T) {
	m := newMultistatus()
	m.status("/a&b", 404)
	m.raw("<d:sync-token>t</d:sync-token>")
	w := httptest.NewRecorder()
	m.send(w)
	body := w.Body.String()
	if w.Code != 207 || !strings.HasPrefix(body, xml.Header) || !strings.HasSuffix(body, "</d:multistatus>") ||
		!strings.Contains(body, "<d:href>/a&amp;b</d:href><d:status>HTTP/1.1 404 Not Found</d:status>") {
		t.Fatalf("multistatus: %d %s", w.Code, body)
	}
	if _, err := parseXML([]byte(body[len(xml.Header):])); err != nil {
		t.Fatalf("the multistatus is not well-formed: %v", err)
	}
	cases := []struct {
		e        *davError
		ctype    string
		contains string
	}{
		{errBadRequest("bad <x>"), "text/plain; charset=utf-8", "bad <x>\n"},
		{errNotFound("gone"), "text/plain; charset=utf-8", "gone"},
		{&davError{status: 403, msg: "a<b", cond: "<d:valid-sync-token/>"}, "application/xml; charset=utf-8", "<d:valid-sync-token/><d:responsedescription>a&lt;b</d:responsedescription></d:error>"},
	}
	for _, tc := range cases {
		w := httptest.NewRecorder()
		tc.e.write(w)
		if w.Code != tc.e.status || w.Header().Get("Content-Type") != tc.ctype || !strings.Contains(w.Body.String(), tc.contains) {
			t.Errorf("%v: %d %q %s", tc.e, w.Code, w.Header().Get("Content-Type"), w.Body.String())
		}
		if tc.e.Error() != tc.e.msg {
			t.Errorf("Error() = %q", tc.e.Error())
		}
	}
	for code, want := range map[int]string{200: "200 OK", 404: "404 Not Found", 207: "207 Multi-Status", 424: "424 Failed Dependency"} {
		if got := statusLine(code); got != want {
			t.Errorf("statusLine(%d) = %q", code, got)
		}
	}
}

func TestPropertySets(t *testing.T) {
	p := auth.Principal{UserRef: "u1", Name: "Ann <A>", Email: "ann@x.test"}
	at := time.Date(2027, 1, 2, 3, 4, 5, 0, time.UTC)
	st := syncState{at: at, count: 7}
	cal := coll{ref: "r", name: "work", kind: kindCalendar, owner: "u1", color: "#f00", description: "d&d"}
	book := coll{ref: "r2", name: "people", kind: kindAddressBook, owner: "u2", display: "People"}
	plain := coll{ref: "r3", name: "files", owner: "u1"}
	cases := []struct {
		name string
		ps   props
		want map[xml.Name]string // a substring of each property
		not  []xml.Name
	}{
		{"root", rootProps(p, "/caldav"), map[xml.Name]string{pCurrentUser: "/caldav/users/u1/", pPrincipalColl: "/caldav/users/"}, nil},
		{"principal", principalProps(p, "/carddav"), map[xml.Name]string{pCalHome: "/caldav/users/u1/calendars/", pCardHome: "/carddav/users/u1/calendars/",
			pDisplayName: "Ann &lt;A&gt;", pCalUserAddr: "mailto:ann@x.test", pResourceType: "<d:principal/>"}, nil},
		{"principal without email", principalProps(auth.Principal{UserRef: "u1"}, "/caldav"), map[xml.Name]string{pPrincipalURL: "/caldav/users/u1/"}, []xml.Name{pCalUserAddr}},
		{"home", homeProps(p, "/caldav"), map[xml.Name]string{pOwner: "/caldav/users/u1/", pPrivileges: "<d:bind/>"}, nil},
		{"calendar", collectionProps(p, "/caldav", &cal, st), map[xml.Name]string{pResourceType: "<c:calendar/>", pCTag: st.ctag(), pSyncToken: "http://apiary.invalid/sync/",
			pColor: "#f00", pCalDesc: "d&amp;d", pDisplayName: "work", pPrivileges: "<d:write/>", pLastModified: "Sat, 02 Jan 2027 03:04:05 GMT", pReports: "<c:calendar-query/>"}, []xml.Name{pCardDataTypes}},
		{"shared address book", collectionProps(p, "/carddav", &book, st), map[xml.Name]string{pResourceType: "<cr:addressbook/>", pOwner: "/carddav/users/u2/",
			pDisplayName: "People", pReports: "<cr:addressbook-multiget/>"}, []xml.Name{pColor, pCalComps}},
		{"plain", collectionProps(p, "/caldav", &plain, st), map[xml.Name]string{pReports: "<d:sync-collection/>"}, []xml.Name{pCalComps, pCardDataTypes}},
	}
	for _, tc := range cases {
		for n, sub := range tc.want {
			if !strings.Contains(tc.ps[n], sub) {
				t.Errorf("%s: %s = %q, want it to hold %q", tc.name, n.Local, tc.ps[n], sub)
			}
		}
		for _, n := range tc.not {
			if _, has := tc.ps[n]; has {
				t.Errorf("%s: has %s", tc.name, n.Local)
			}
		}
	}
	if strings.Contains(collectionProps(p, "/carddav", &book, st)[pPrivileges], "<d:write/>") {
		t.Error("a shared collection offers write to a non-owner")
	}
}

func TestObjectProps(t *testing.T) {
	o := &object{file: "a.ics", content: []byte("X\r\n<"), updated: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), dead: `{"{urn:x}k":"v"}`}
	cases := []struct {
		kind     string
		data     bool
		ctype    string
		dataProp xml.Name
	}{
		{kindCalendar, true, "text/calendar; charset=utf-8", pCalData},
		{kindAddressBook, true, "text/vcard; charset=utf-8", pCardData},
		{"", false, "application/octet-stream", xml.Name{}},
	}
	for _, tc := range cases {
		c := &coll{kind: tc.kind}
		ps := objectProps(c, o, tc.data)
		if ps[pContentType] != tc.ctype || ps[pContentLength] != "4" || ps[pETag] != esc(o.etag()) || ps[xmlName("urn:x", "k")] != "v" {
			t.Errorf("%q: %v", tc.kind, ps)
		}
		if tc.data && ps[tc.dataProp] != "X&#xD;&#xA;&lt;" {
			t.Errorf("%q: data %q", tc.kind, ps[tc.dataProp])
		}
		if !tc.data && (ps[pCalData] != "" || ps[pCardData] != "") {
			t.Errorf("%q: data without asking", tc.kind)
		}
	}
}

func TestCollectionPropColumns(t *testing.T) {
	for n, want := range map[xml.Name]string{pDisplayName: "display_name", pCalDesc: "description", pCardDesc: "description", pColor: "color", pETag: "", xmlName("urn:x", "y"): ""} {
		if got := collectionProp(n); got != want {
			t.Errorf("collectionProp(%s) = %q, want %q", n.Local, got, want)
		}
	}
	for _, k := range []string{"{urn:x}y", "{}y", "y", "{broken"} {
		n := keyName(k)
		if back := propKey(n); k != "y" && k != "{broken" && back != k {
			t.Errorf("key %q -> %v -> %q", k, n, back)
		}
	}
	if keyName("{broken") != xmlName("", "{broken") {
		t.Error("an unclosed brace is a bare local name")
	}
}
