package imapd

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"github.com/apiary/apiary/mail/store"
)

func TestApplyStore(t *testing.T) {
	cur := []string{`\Seen`, "$Work"}
	cases := []struct {
		op    imap.StoreFlagsOp
		flags []imap.Flag
		want  string
	}{
		{imap.StoreFlagsAdd, []imap.Flag{imap.FlagFlagged, `\seen`}, `\Seen,$Work,\Flagged`},
		{imap.StoreFlagsDel, []imap.Flag{`\SEEN`}, `$Work`},
		{imap.StoreFlagsSet, []imap.Flag{imap.FlagDeleted, `\Recent`}, `\Deleted`},
		{imap.StoreFlagsSet, nil, ``},
	}
	for _, c := range cases {
		got := applyStore(slices.Clone(cur), &imap.StoreFlags{Op: c.op, Flags: c.flags})
		if strings.Join(got, ",") != c.want {
			t.Errorf("%v %v: %q, want %q", c.op, c.flags, got, c.want)
		}
	}
	if !sameFlags([]string{"a", "B"}, []string{"b", "A"}) || sameFlags([]string{"a"}, []string{"a", "b"}) {
		t.Error("sameFlags")
	}
}

func TestIndexes(t *testing.T) {
	s := &session{sel: &selected{msgs: []store.Meta{{UID: 3}, {UID: 5}, {UID: 9}}}}
	seq := func(start, stop uint32) imap.SeqSet { return imap.SeqSet{{Start: start, Stop: stop}} }
	uid := func(start, stop imap.UID) imap.UIDSet { return imap.UIDSet{{Start: start, Stop: stop}} }
	cases := []struct {
		name string
		set  imap.NumSet
		want []int
		bad  bool
	}{
		{"1:*", seq(1, 0), []int{0, 1, 2}, false},
		{"2", seq(2, 2), []int{1}, false},
		{"*", seq(0, 0), []int{2}, false},
		{"4 is past the end", seq(4, 4), nil, true},
		{"UID 4:9", uid(4, 9), []int{1, 2}, false},
		{"UID 10:*", uid(10, 0), []int{2}, false},
		{"UID 6:8", uid(6, 8), nil, false},
	}
	for _, c := range cases {
		got, err := s.indexes(c.set)
		if (err != nil) != c.bad || !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, %v; want %v bad=%v", c.name, got, err, c.want, c.bad)
		}
	}
	empty := &session{sel: &selected{}}
	if _, err := empty.indexes(seq(1, 0)); err == nil {
		t.Error("1:* on an empty mailbox is a BAD sequence set")
	}
	if got, err := empty.indexes(uid(1, 0)); err != nil || len(got) != 0 {
		t.Errorf("UID 1:* on an empty mailbox: %v %v", got, err)
	}
}

func TestSearchMatch(t *testing.T) {
	raw := []byte("From: a@x.test\r\nSubject: Quarterly report\r\nDate: Mon, 02 Nov 2026 10:00:00 +0000\r\n\r\nNumbers inside.\r\n")
	s := &session{sel: &selected{msgs: []store.Meta{{UID: 7, Flags: []string{`\Seen`}, Size: int64(len(raw)),
		Date: time.Date(2026, 11, 3, 8, 0, 0, 0, time.UTC)}}}}
	day := func(d int) time.Time { return time.Date(2026, 11, d, 0, 0, 0, 0, time.UTC) }
	cases := []struct {
		name string
		c    imap.SearchCriteria
		want bool
	}{
		{"seen", imap.SearchCriteria{Flag: []imap.Flag{imap.FlagSeen}}, true},
		{"unseen", imap.SearchCriteria{NotFlag: []imap.Flag{imap.FlagSeen}}, false},
		{"subject", imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "Subject", Value: "quarterly"}}}, true},
		{"body", imap.SearchCriteria{Body: []string{"numbers"}}, true},
		{"text miss", imap.SearchCriteria{Text: []string{"absent"}}, false},
		{"since", imap.SearchCriteria{Since: day(3)}, true},
		{"before", imap.SearchCriteria{Before: day(3)}, false},
		{"sent before", imap.SearchCriteria{SentBefore: day(3)}, true},
		{"larger", imap.SearchCriteria{Larger: 10}, true},
		{"smaller", imap.SearchCriteria{Smaller: 10}, false},
		{"uid", imap.SearchCriteria{UID: []imap.UIDSet{{{Start: 7, Stop: 7}}}}, true},
		{"not", imap.SearchCriteria{Not: []imap.SearchCriteria{{Flag: []imap.Flag{imap.FlagSeen}}}}, false},
		{"or", imap.SearchCriteria{Or: [][2]imap.SearchCriteria{{{Smaller: 10}, {Body: []string{"inside"}}}}}, true},
	}
	for _, c := range cases {
		var body []byte
		if needsText(&c.c) {
			body = raw
		}
		if got := s.match(0, s.sel.msgs[0], body, &c.c); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

func TestGuard(t *testing.T) {
	now := time.Unix(1000, 0)
	b := &Backend{Now: func() time.Time { return now }}
	for i := 0; i < GuardFailures; i++ {
		if b.guarded("u") {
			t.Fatalf("guarded after %d failures", i)
		}
		b.fail("u")
	}
	if !b.guarded("u") || b.guarded("other") {
		t.Fatal("guard after 5 failures")
	}
	now = now.Add(GuardWindow + time.Second)
	if b.guarded("u") {
		t.Fatal("guard outlived its window")
	}
}
