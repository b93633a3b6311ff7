package dav

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/apiary/apiary/resource"
)

func TestSyncStateTokens(t *testing.T) {
	cases := []struct {
		st   syncState
		tok  string
		ctag string
	}{
		{syncState{at: time.UnixMicro(0), count: 0}, "http://apiary.invalid/sync/0-0", "0-0"},
		{syncState{at: time.UnixMicro(1796599441892600), count: 2}, "http://apiary.invalid/sync/1796599441892600-2", "1796599441892600-2"},
	}
	for _, tc := range cases {
		if tc.st.token() != tc.tok || tc.st.ctag() != tc.ctag {
			t.Errorf("%+v: %s %s", tc.st, tc.st.token(), tc.st.ctag())
		}
		at, ok := parseToken("  " + tc.tok + "\n")
		if !ok || !at.Equal(tc.st.at) {
			t.Errorf("parseToken(%s) = %v %v", tc.tok, at, ok)
		}
	}
	// A delete changes the count at the same instant: the token changes.
	a, b := syncState{at: time.UnixMicro(5), count: 3}, syncState{at: time.UnixMicro(5), count: 2}
	if a.token() == b.token() {
		t.Error("tokens equal for different counts")
	}
	for _, bad := range []string{"http://apiary.invalid/sync/", "http://apiary.invalid/sync/-", "urn:x:1-2", "http://apiary.invalid/sync/12"} {
		if _, ok := parseToken(bad); ok {
			t.Errorf("parseToken(%q) accepted", bad)
		}
	}
}

func TestRowConversions(t *testing.T) {
	at := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		v    any
		want string
	}{{nil, ""}, {"s", "s"}, {[]byte("b"), "b"}, {int64(7), "7"}, {true, "true"}}
	for _, tc := range cases {
		if got := str(tc.v); got != tc.want {
			t.Errorf("str(%v) = %q", tc.v, got)
		}
	}
	if !tm(at).Equal(at) || !tm("2027-01-01").IsZero() || !tm(nil).IsZero() {
		t.Error("tm")
	}
	row := resource.Row{RefID: "ref1", Attrs: map[string]any{"name": "work", "dav_kind": "calendar", "user_account_id": "owner",
		"display_name": "", "updated_at": at}}
	mine := collFromRow(row, "owner")
	if mine.seg != "work" || mine.displayName() != "work" || mine.table() != tableCalendar || !mine.updated.Equal(at) {
		t.Errorf("own collection: %+v", mine)
	}
	shared := collFromRow(row, "someone else")
	if shared.seg != "ref1" {
		t.Errorf("a shared collection is reached by reference: %+v", shared)
	}
	row.Attrs["display_name"], row.Attrs["dav_kind"] = "Work", "addressbook"
	if c := collFromRow(row, "owner"); c.displayName() != "Work" || c.table() != tableVCard {
		t.Errorf("address book: %+v", c)
	}
	o := objFromRow(resource.Row{RefID: "o1", Attrs: map[string]any{"file_name": "a.ics", "content": []byte("C"), "start_at": at, "end_at": nil, "recurring": int64(1)}})
	if o.file != "a.ics" || string(o.content) != "C" || !o.start.Equal(at) || !o.end.IsZero() || !o.recurring {
		t.Errorf("object: %+v", o)
	}
	if (&object{content: []byte("a")}).etag() == (&object{content: []byte("b")}).etag() || !strings.HasPrefix(o.etag(), `"`) {
		t.Error("etag")
	}
}

func TestDeleteMarks(t *testing.T) {
	var d deleteMarks
	now := time.Now()
	if d.take("x", now) {
		t.Fatal("an unmarked row is taken")
	}
	d.mark("a", now)
	d.mark("b", now.Add(-2*markTTL))
	if !d.take("a", now) || d.take("a", now) {
		t.Error("a mark is taken exactly once")
	}
	if d.take("b", now) {
		t.Error("a stale mark counts")
	}
	for i := 0; i < maxCachedStates; i++ {
		d.mark(strings.Repeat("x", i%7)+string(rune('a'+i%26))+time.Duration(i).String(), now.Add(-2*markTTL))
	}
	d.mark("fresh", now)
	if len(d.m) > maxCachedStates || !d.take("fresh", now) {
		t.Errorf("marks are bounded (%d) and keep fresh ones", len(d.m))
	}
}

func TestDeletedObject(t *testing.T) {
	h := New(Deps{})
	before := map[string]any{"collection_id": "c1", "file_name": "a.ics"}
	cases := []struct {
		name   string
		c      resource.Change
		marked bool
		ok     bool
	}{
		{"calendar delete", resource.Change{Table: tableCalendar, Op: resource.OpDelete, RefID: "r1", Before: before}, false, true},
		{"vcard delete", resource.Change{Table: tableVCard, Op: resource.OpDelete, RefID: "r2", Before: before}, false, true},
		{"deleted by DAV", resource.Change{Table: tableCalendar, Op: resource.OpDelete, RefID: "r3", Before: before}, true, false},
		{"update", resource.Change{Table: tableCalendar, Op: resource.OpUpdate, RefID: "r4", Row: before}, false, false},
		{"other table", resource.Change{Table: "note", Op: resource.OpDelete, RefID: "r5", Before: before}, false, false},
		{"from a peer, no row", resource.Change{Table: tableCalendar, Op: resource.OpDelete, RefID: "r6"}, false, false},
		{"no file name", resource.Change{Table: tableCalendar, Op: resource.OpDelete, RefID: "r7", Before: map[string]any{"collection_id": "c1"}}, false, false},
		{"no collection", resource.Change{Table: tableCalendar, Op: resource.OpDelete, RefID: "r8", Before: map[string]any{"file_name": "a.ics"}}, false, false},
	}
	for _, tc := range cases {
		if tc.marked {
			h.marks.mark(tc.c.RefID, time.Now())
		}
		coll, file, ok := h.deletedObject(tc.c)
		if ok != tc.ok || (ok && (coll != "c1" || file != "a.ics")) {
			t.Errorf("%s: %q %q %v", tc.name, coll, file, ok)
		}
	}
}

func TestDavTableAndStateGeneration(t *testing.T) {
	for table, want := range map[string]bool{"collection": true, "calendar": true, "vcard": true, "dav_tombstone": true,
		"calendar_calendar_id_has_usergroup_usergroup_id": true, "note": false, "user_account": false, "calendars": false} {
		if davTable(table) != want {
			t.Errorf("davTable(%s) != %v", table, want)
		}
	}
	h := New(Deps{})
	g := h.states.gen.Load()
	h.OnChange(resource.Change{Table: "note", Op: resource.OpCreate})
	if h.states.gen.Load() != g {
		t.Error("a change outside DAV invalidated the sync states")
	}
	h.OnChange(resource.Change{Table: tableCollection, Op: resource.OpUpdate})
	if h.states.gen.Load() == g {
		t.Error("a collection change kept the sync states")
	}
}

func TestDepthHeader(t *testing.T) {
	cases := []struct {
		hdr    string
		d      int
		status int
	}{{"", 0, 0}, {"0", 0, 0}, {"1", 1, 0}, {" 1 ", 1, 0}, {"Infinity", 0, 403}, {"infinity", 0, 403}, {"2", 0, 400}, {"-1", 0, 400}, {"one", 0, 400}}
	for _, tc := range cases {
		r := httptest.NewRequest("PROPFIND", "/caldav/", nil)
		if tc.hdr != "" {
			r.Header.Set("Depth", tc.hdr)
		}
		d, derr := depth(r)
		if (tc.status == 0) != (derr == nil) || (derr != nil && derr.status != tc.status) || d != tc.d {
			t.Errorf("Depth %q: %d %v", tc.hdr, d, derr)
		}
	}
}

func TestPreconditions(t *testing.T) {
	o := &object{content: []byte("current")}
	tag := o.etag()
	cases := []struct {
		name            string
		ifMatch, ifNone string
		obj             *object
		status          int
	}{
		{"none", "", "", o, 0},
		{"If-Match current", tag, "", o, 0},
		{"If-Match stale", `"old"`, "", o, 412},
		{"If-Match on a missing object", tag, "", nil, 412},
		{"If-Match * exists", "*", "", o, 0},
		{"If-Match * missing", "*", "", nil, 412},
		{"If-None-Match * exists", "", "*", o, 412},
		{"If-None-Match * missing", "", "*", nil, 0},
		{"If-None-Match other", "", `"old"`, o, 0},
		{"If-None-Match current", "", tag, o, 412},
		{"weak If-Match", "W/" + tag, "", o, 0},
		{"list", "", `"a", ` + tag, o, 412},
	}
	for _, tc := range cases {
		r := httptest.NewRequest("PUT", "/caldav/x", nil)
		if tc.ifMatch != "" {
			r.Header.Set("If-Match", tc.ifMatch)
		}
		if tc.ifNone != "" {
			r.Header.Set("If-None-Match", tc.ifNone)
		}
		derr := preconditions(r, tc.obj)
		if (tc.status == 0) != (derr == nil) || (derr != nil && derr.status != tc.status) {
			t.Errorf("%s: %v", tc.name, derr)
		}
	}
}

func TestMovedObject(t *testing.T) {
	before := map[string]any{"collection_id": "c1", "file_name": "a.ics"}
	cases := []struct {
		name string
		c    resource.Change
		ok   bool
	}{
		{"renamed", resource.Change{Table: tableCalendar, Op: resource.OpUpdate, Before: before, Row: map[string]any{"collection_id": "c1", "file_name": "b.ics"}}, true},
		{"moved", resource.Change{Table: tableVCard, Op: resource.OpUpdate, Before: before, Row: map[string]any{"collection_id": "c2", "file_name": "a.ics"}}, true},
		{"content only", resource.Change{Table: tableCalendar, Op: resource.OpUpdate, Before: before, Row: map[string]any{"collection_id": "c1", "file_name": "a.ics"}}, false},
		{"named now, unnamed before", resource.Change{Table: tableCalendar, Op: resource.OpUpdate, Before: map[string]any{"collection_id": "c1"}, Row: before}, false},
		{"relationship endpoint", resource.Change{Table: tableCalendar, Op: resource.OpUpdate}, false},
		{"delete", resource.Change{Table: tableCalendar, Op: resource.OpDelete, Before: before}, false},
		{"other table", resource.Change{Table: "note", Op: resource.OpUpdate, Before: before, Row: map[string]any{}}, false},
	}
	for _, tc := range cases {
		coll, file, ok := movedObject(tc.c)
		if ok != tc.ok || (ok && (coll != "c1" || file != "a.ics")) {
			t.Errorf("%s: %q %q %v", tc.name, coll, file, ok)
		}
	}
}
