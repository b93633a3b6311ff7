package dav

import (
	"strings"
	"testing"
)

func TestParentName(t *testing.T) {
	for name, want := range map[string]string{"work": "", "docs/2027": "docs", "a/b/c": "a/b", "": ""} {
		if got := parentName(name); got != want {
			t.Errorf("parentName(%q) = %q, want %q", name, got, want)
		}
	}
	all := []coll{{name: "docs", seg: "docs"}, {name: "docs/a", seg: "docs/a"}, {name: "docs/a/x", seg: "docs/a/x"},
		{name: "docs/b", seg: "docs/b"}, {name: "docsx", seg: "docsx"}, {name: "docs/s", seg: "0190-ref"}}
	var got []string
	for _, c := range subCollections(all, "docs") {
		got = append(got, c.name)
	}
	if strings.Join(got, ",") != "docs/a,docs/b" {
		t.Errorf("children of docs: %v (not grandchildren, not shared ones, not docsx)", got)
	}
}

// TestHandlerNestedCollections: plain collections hold collections;
// calendars do not; COPY and MOVE carry everything inside.
func TestHandlerNestedCollections(t *testing.T) {
	hs := newHarness(t)
	u := hs.user("gil")
	dest := func(p string) map[string]string {
		return map[string]string{"Destination": "/caldav/users/" + u.p.UserRef + "/calendars/" + p}
	}
	steps := []struct {
		name, method, path string
		hdr                map[string]string
		body               string
		code               int
	}{
		{"top", "MKCOL", "~/docs/", nil, "", 201},
		{"nested", "MKCOL", "~/docs/2027/", nil, "", 201},
		{"nested without slash", "MKCOL", "~/docs/2028", nil, "", 201},
		{"deeper", "MKCOL", "~/docs/2027/q1/", nil, "", 201},
		{"again", "MKCOL", "~/docs/2027/", nil, "", 405},
		{"no parent", "MKCOL", "~/docs/none/x/", nil, "", 409},
		{"file", "PUT", "~/docs/2027/q1/a.txt", map[string]string{"Content-Type": "text/plain"}, "hello", 201},
		{"over a file", "MKCOL", "~/docs/2027/q1/a.txt", nil, "", 405},
		{"calendar", "MKCALENDAR", "~/cal/", nil, "", 201},
		{"inside a calendar", "MKCOL", "~/cal/sub/", nil, "", 403},
		{"nested calendar", "MKCALENDAR", "~/docs/cal/", nil, "", 403},
		{"too deep", "MKCOL", "~/a/b/c/d/e/f/g/h/i/", nil, "", 404},
		{"copy shallow", "COPY", "~/docs/2027/", mergeHdr(dest("docs/shallow/"), "Depth", "0"), "", 201},
		{"copy depth 1", "COPY", "~/docs/2027/", mergeHdr(dest("docs/one/"), "Depth", "1"), "", 400},
		{"copy deep", "COPY", "~/docs/2027/", dest("docs/deep/"), "", 201},
		{"copy no overwrite", "COPY", "~/docs/2027/", mergeHdr(dest("docs/deep/"), "Overwrite", "F"), "", 412},
		{"copy overwrite", "COPY", "~/docs/2027/", dest("docs/deep/"), "", 204},
		{"copy into itself", "COPY", "~/docs/", dest("docs/2027/inner/"), "", 403},
		{"copy to a missing parent", "COPY", "~/docs/2027/", dest("nope/x/"), "", 409},
		{"move", "MOVE", "~/docs/deep/", dest("moved/"), "", 201},
		{"move depth 0", "MOVE", "~/moved/", mergeHdr(dest("moved2/"), "Depth", "0"), "", 400},
		{"file over a collection", "COPY", "~/docs/2027/q1/a.txt", dest("docs/shallow/"), "", 204},
		{"collection over a file", "MOVE", "~/docs/2028/", dest("docs/shallow"), "", 204},
	}
	for _, s := range steps {
		u.do(s.method, s.path, s.hdr, s.body).want(t, s.code, s.name)
	}
	checks := []struct {
		path string
		code int
		has  string
	}{
		{"~/moved/q1/a.txt", 200, "hello"},
		{"~/docs/deep/q1/a.txt", 404, ""},
		{"~/docs/2027/q1/a.txt", 200, "hello"},
		{"~/docs/shallow/", 200, ""},
	}
	for _, c := range checks {
		r := u.do("GET", c.path, nil, "").want(t, c.code, "GET "+c.path)
		if !strings.Contains(r.body, c.has) {
			t.Errorf("GET %s: %q", c.path, r.body)
		}
	}
	home := u.do("PROPFIND", "~/", map[string]string{"Depth": "1"}, "").want(t, 207, "home").body
	if strings.Contains(home, "/docs/2027/") || !strings.Contains(home, "/calendars/docs/") || !strings.Contains(home, "/calendars/moved/") {
		t.Errorf("the home set lists top-level collections only: %s", home)
	}
	docs := u.do("PROPFIND", "~/docs/", map[string]string{"Depth": "1"}, "").want(t, 207, "docs").body
	for _, want := range []string{"/calendars/docs/2027/", "/calendars/docs/shallow/"} {
		if !strings.Contains(docs, want) {
			t.Errorf("docs lists %s: %s", want, docs)
		}
	}
	if strings.Contains(docs, "/docs/2027/q1/") || strings.Contains(docs, "/docs/2028/") {
		t.Errorf("docs lists a grandchild or a moved collection: %s", docs)
	}
	u.do("DELETE", "~/docs/", nil, "").want(t, 204, "DELETE docs")
	for _, p := range []string{"~/docs/2027/", "~/docs/2027/q1/", "~/docs/shallow/"} {
		u.do("PROPFIND", p, map[string]string{"Depth": "0"}, "").want(t, 404, "after DELETE "+p)
	}
	u.do("PROPFIND", "~/moved/q1/", map[string]string{"Depth": "0"}, "").want(t, 207, "the moved tree stays")
}

func mergeHdr(h map[string]string, k, v string) map[string]string {
	out := map[string]string{k: v}
	for a, b := range h {
		out[a] = b
	}
	return out
}
