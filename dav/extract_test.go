package dav

import (
	"context"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
)

func TestExtractedColumns(t *testing.T) {
	at := func(s string) time.Time { v, _ := time.Parse("20060102T150405Z", s); return v }
	ics := cal("DTSTART:20270101T090000Z\r\nDTEND:20270101T100000Z\r\nSUMMARY:S\r\n")
	vcf := "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:c1\r\nFN:Ann\r\nEMAIL:a@x.test\r\nEND:VCARD\r\n"
	settled := map[string]any{"content": ics, "uid": "u", "summary": "S", "component": "VEVENT", "start_at": at("20270101T090000Z"),
		"end_at": at("20270101T100000Z"), "recurring": false, "file_name": "a.ics", "collection_id": "c"}
	with := func(base map[string]any, kv ...any) map[string]any {
		out := map[string]any{}
		for k, v := range base {
			out[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			out[kv[i].(string)] = kv[i+1]
		}
		return out
	}
	cases := []struct {
		name  string
		table string
		row   map[string]any
		want  []string // columns to change; nil = nothing
	}{
		{"settled event", tableCalendar, settled, nil},
		{"new summary", tableCalendar, with(settled, "summary", "old"), []string{"summary"}},
		{"moved start", tableCalendar, with(settled, "start_at", at("20270102T090000Z")), []string{"start_at"}},
		{"missing times", tableCalendar, with(settled, "start_at", nil, "end_at", nil), []string{"end_at", "start_at"}},
		{"recurring flag", tableCalendar, with(settled, "recurring", int64(1)), []string{"recurring"}},
		{"no file name", tableCalendar, with(settled, "file_name", ""), []string{"file_name", "rpath"}},
		{"no file name, no collection", tableCalendar, with(settled, "file_name", "", "collection_id", ""), nil},
		{"invalid content", tableCalendar, with(settled, "content", "garbage", "summary", "x"), nil},
		{"settled card", tableVCard, map[string]any{"content": vcf, "uid": "c1", "full_name": "Ann", "emails": "a@x.test", "file_name": "c.vcf"}, nil},
		{"card from JSON:API", tableVCard, map[string]any{"content": vcf, "collection_id": "c", "reference_id": "r"}, []string{"emails", "file_name", "full_name", "rpath", "uid"}},
	}
	for _, tc := range cases {
		got := extractedColumns(tc.table, tc.row)
		var keys []string
		for k := range got {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		if strings.Join(keys, ",") != strings.Join(tc.want, ",") {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
	if got := extractedColumns(tableVCard, map[string]any{"content": vcf, "collection_id": "c", "reference_id": "r"}); got["file_name"] != "r.vcf" || got["rpath"] != "/c/r.vcf" {
		t.Errorf("file name of a card written elsewhere: %v", got)
	}
}

func TestSameTime(t *testing.T) {
	a := time.Date(2027, 1, 1, 9, 0, 0, 0, time.UTC)
	b := a.Add(500 * time.Millisecond) // databases keep whole seconds at least
	cases := []struct {
		v    any
		t    *time.Time
		want bool
	}{
		{a, &a, true}, {a, &b, true}, {a.Add(time.Second), &a, false}, {nil, nil, true}, {"", nil, true},
		{a, nil, false}, {nil, &a, false}, {"2027-01-01", &a, false}, {"x", nil, false},
	}
	for i, tc := range cases {
		if got := sameTime(tc.v, tc.t); got != tc.want {
			t.Errorf("case %d: sameTime(%v, %v) = %v", i, tc.v, tc.t, got)
		}
	}
	if timeOrNil(nil) != nil || timeOrNil(&a) != "2027-01-01T09:00:00Z" {
		t.Error("timeOrNil")
	}
}

// TestHandlerAuthAndSwitch: Basic credentials (cached, and voided by a
// wrong password), the challenge, the on/off switch, OPTIONS and the
// well-known redirects.
func TestHandlerAuthAndSwitch(t *testing.T) {
	hs := newHarness(t)
	u := hs.user("fay")
	on := true
	hs.h.d.Enabled = func() bool { return on }
	serve := func(method, path string, basic [2]string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, path, nil)
		if basic[0] != "" {
			r.SetBasicAuth(basic[0], basic[1])
		}
		w := httptest.NewRecorder()
		hs.h.ServeHTTP(w, r)
		return w
	}
	good := [2]string{"fay@x.test", "password-fay"}
	cases := []struct {
		name, method, path string
		basic              [2]string
		code               int
		header, value      string
	}{
		{"no credentials", "PROPFIND", "/caldav/", [2]string{}, 401, "WWW-Authenticate", `Basic realm="caldav", charset="UTF-8"`},
		{"wrong password", "PROPFIND", "/caldav/", [2]string{"fay@x.test", "nope"}, 401, "", ""},
		{"unknown user", "PROPFIND", "/caldav/", [2]string{"who@x.test", "password-fay"}, 401, "", ""},
		{"basic", "PROPFIND", "/caldav/", good, 207, "DAV", davHeader},
		{"basic again, cached", "PROPFIND", "/caldav/users/" + u.p.UserRef + "/", good, 207, "", ""},
		{"email in capitals", "PROPFIND", "/carddav/", [2]string{"FAY@x.test", "password-fay"}, 207, "", ""},
		{"OPTIONS needs no sign-in", "OPTIONS", "/caldav/", [2]string{}, 200, "Allow", allowHeader},
		{"well-known caldav", "GET", "/.well-known/caldav", [2]string{}, 301, "Location", "/caldav/"},
		{"well-known carddav", "PROPFIND", "/.well-known/carddav", [2]string{}, 301, "Location", "/carddav/"},
		{"empty user id means the caller", "PROPFIND", "/caldav/users//calendars/", good, 207, "", ""},
		{"outside the tree", "PROPFIND", "/caldav/groups/", good, 404, "", ""},
	}
	for _, tc := range cases {
		w := serve(tc.method, tc.path, tc.basic)
		if w.Code != tc.code || (tc.header != "" && w.Header().Get(tc.header) != tc.value) {
			t.Errorf("%s: %d %v %s", tc.name, w.Code, w.Header(), w.Body.String())
		}
	}
	// A password change voids the cached credentials.
	sys := auth.WithPrincipal(context.Background(), auth.System())
	if _, err := hs.res.Update(sys, "user_account", u.p.UserRef, resource.Input{Attributes: map[string]any{"password": "changed-password"}}); err != nil {
		t.Fatal(err)
	}
	if w := serve("PROPFIND", "/caldav/", good); w.Code != 401 {
		t.Errorf("old password after a change: %d", w.Code)
	}
	if w := serve("PROPFIND", "/caldav/", [2]string{"fay@x.test", "changed-password"}); w.Code != 207 {
		t.Errorf("new password: %d", w.Code)
	}
	on = false
	if w := serve("PROPFIND", "/caldav/", good); w.Code != 404 {
		t.Errorf("DAV off: %d", w.Code)
	}
}

// TestStateFollowsWritesWithoutEvents: a handler that sees no change
// events (as on another cluster node) still notices a write, through the
// resource layer's read stamps, so its ctag and sync-token move.
func TestStateFollowsWritesWithoutEvents(t *testing.T) {
	hs := newHarness(t)
	u := hs.user("hal")
	u.do("MKCALENDAR", "~/c/", nil, "").want(t, 201, "MKCALENDAR")
	other := New(Deps{Res: func() resource.Service { return hs.res }, Log: hs.h.d.Log}) // not subscribed
	c, err := findCollection(u.ctx, hs.res, "c")
	if err != nil || c == nil {
		t.Fatalf("collection: %v", err)
	}
	before, err := other.state(u.ctx, hs.res, c)
	if err != nil {
		t.Fatal(err)
	}
	u.do("PUT", "~/c/a.ics", icsHdr, ev("a", "20270101T090000Z", "20270101T100000Z")).want(t, 201, "PUT")
	after, err := other.state(u.ctx, hs.res, c)
	if err != nil {
		t.Fatal(err)
	}
	if after.count != before.count+1 || after.token() == before.token() {
		t.Fatalf("state without events: %+v then %+v", before, after)
	}
	again, _ := other.state(u.ctx, hs.res, c)
	if again != after {
		t.Fatalf("the state is not kept between writes: %+v then %+v", after, again)
	}
}
