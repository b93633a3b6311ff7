package realtime

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
)

func TestCanRead(t *testing.T) {
	carol := auth.Principal{UserID: 4, UserRef: "u-carol"}
	for _, tc := range []struct {
		name     string
		p        auth.Principal
		row      RowMeta
		kind     string
		readable bool // the resource layer lets the principal read the row
		want     bool
		lookups  int
	}{
		{"admin", pAdmin, RowMeta{Object: auth.Object{OwnerID: 9}}, "update", false, true, 0},
		{"owner", pAnn, RowMeta{Object: auth.Object{OwnerID: 2, Permission: auth.UserRead}}, "update", false, true, 0},
		{"owner without read", pAnn, RowMeta{Object: auth.Object{OwnerID: 2, Permission: auth.UserUpdate}}, "update", false, false, 0},
		{"guest bits", pBob, RowMeta{Object: auth.Object{OwnerID: 2, Permission: auth.GuestRead}}, "create", false, true, 0},
		{"not shared", pBob, RowMeta{Object: auth.Object{OwnerID: 2}, RefID: "r"}, "update", true, false, 0},
		{"group shared, readable", pBob, RowMeta{Table: "todo", Object: auth.Object{OwnerID: 2}, RefID: "r", GroupShared: true}, "update", true, true, 1},
		{"group shared, not readable", pBob, RowMeta{Table: "todo", Object: auth.Object{OwnerID: 2}, RefID: "r", GroupShared: true}, "update", false, false, 1},
		{"group shared, no groups", carol, RowMeta{Table: "todo", Object: auth.Object{OwnerID: 2}, RefID: "r", GroupShared: true}, "update", true, false, 0},
		{"delete is settled by the event's groups", pBob, RowMeta{Table: "todo", Object: auth.Object{OwnerID: 2}, RefID: "r", GroupShared: true}, "delete", true, false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := newFakeRes(t)
			if tc.readable {
				res.put("todo", "r", map[string]any{})
			}
			h := &Hub{o: Options{Res: func() resource.Service { return res }}}
			e := &Event{Kind: tc.kind, Row: &tc.row}
			// Two sessions of the same principal: one lookup for both.
			for i := 0; i < 2; i++ {
				if got := newRowChecker(h, tc.p).canReadEvent(e); got != tc.want {
					t.Fatalf("session %d: got %v", i, got)
				}
			}
			if res.gets != tc.lookups {
				t.Fatalf("%d lookups, want %d", res.gets, tc.lookups)
			}
		})
	}
}

func TestRowCheckerKey(t *testing.T) {
	h := &Hub{}
	a := newRowChecker(h, auth.Principal{UserID: 3, Groups: []auth.Group{{ID: 7}, {ID: 8}}})
	b := newRowChecker(h, auth.Principal{UserID: 3, Groups: []auth.Group{{ID: 7}}})
	c := newRowChecker(h, auth.Principal{UserID: 37})
	if a.key == b.key || a.key == c.key || b.key == c.key {
		t.Fatalf("keys collide: %q %q %q", a.key, b.key, c.key)
	}
}

func TestTextFrame(t *testing.T) {
	for _, tc := range []struct {
		n      int
		header []byte
	}{
		{0, []byte{0x81, 0}},
		{125, []byte{0x81, 125}},
		{126, []byte{0x81, 126, 0, 126}},
		{65535, []byte{0x81, 126, 0xff, 0xff}},
		{65536, binary.BigEndian.AppendUint64([]byte{0x81, 127}, 65536)},
	} {
		payload := bytes.Repeat([]byte{'x'}, tc.n)
		f := textFrame(payload)
		if !bytes.Equal(f[:len(tc.header)], tc.header) || !bytes.Equal(f[len(tc.header):], payload) {
			t.Errorf("%d bytes: header %v", tc.n, f[:min(len(f), 10)])
		}
	}
}
