package imapd_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-imap/v2/imapserver"

	"github.com/apiary/apiary/mail/imapd"
	"github.com/apiary/apiary/mail/internal/mailtest"
	"github.com/apiary/apiary/mail/store"
	"github.com/apiary/apiary/resource"
)

// rig is an IMAP server over a store on a fresh database, on loopback
// without TLS (InsecureAuth), with alice's account.
type rig struct {
	st   *store.Store
	be   *imapd.Backend
	addr string
	acct store.Account
}

func newRig(t *testing.T, limits imapd.Limits) *rig {
	t.Helper()
	res := mailtest.Resource(t)
	srv := mailtest.Server(t, res, "example.test")
	mailtest.Account(t, res, srv, "alice@example.test", "alice-pw")
	st := store.New(func() resource.Service { return res }, nil, nil)
	hub := imapd.NewHub()
	t.Cleanup(res.Subscribe(func(c resource.Change) { st.Observe(c); hub.Observe(c) }))
	be := &imapd.Backend{Store: st, Hub: hub, Log: mailtest.Log(t)}
	be.SetLimits(limits)
	s := imapserver.New(&imapserver.Options{NewSession: be.NewSession, InsecureAuth: true, Logger: quiet{},
		Caps: imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}, imap.CapUIDPlus: {}, imap.CapMove: {}, imap.CapIdle: {},
			imap.CapNamespace: {}, imap.CapSpecialUse: {}, imap.CapLiteralPlus: {}, imap.CapUnselect: {}, imap.CapESearch: {}}})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = s.Serve(be.Listen(ln)) }()
	t.Cleanup(func() { _ = s.Close() })
	acct, _, err := st.Account(context.Background(), "alice@example.test")
	if err != nil {
		t.Fatal(err)
	}
	return &rig{st: st, be: be, addr: ln.Addr().String(), acct: acct}
}

func (r *rig) client(t *testing.T, h *imapclient.UnilateralDataHandler) *imapclient.Client {
	t.Helper()
	c, err := imapclient.DialInsecure(r.addr, &imapclient.Options{UnilateralDataHandler: h})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Login("alice@example.test", "alice-pw").Wait(); err != nil {
		t.Fatal(err)
	}
	return c
}

func (r *rig) deliver(t *testing.T, box string, raw string, flags ...string) uint32 {
	t.Helper()
	_, uid, err := r.st.Deliver(context.Background(), r.acct, box, []byte(raw), store.Delivery{Flags: flags})
	if err != nil {
		t.Fatal(err)
	}
	return uid
}

func mailText(subject, from, body string) string {
	return "From: " + from + "\r\nTo: alice@example.test\r\nSubject: " + subject + "\r\nDate: Mon, 02 Jan 2006 15:04:05 +0000\r\n" +
		"Message-ID: <" + strings.ReplaceAll(subject, " ", "-") + "@x>\r\n\r\n" + body + "\r\n"
}

func TestLoginAndGuard(t *testing.T) {
	r := newRig(t, imapd.Limits{})
	cases := []struct {
		user, pass string
		ok         bool
	}{
		{"alice@example.test", "alice-pw", true},
		{"ALICE@example.test", "alice-pw", true},
		{"alice@example.test", "nope", false},
		{"ghost@example.test", "x", false},
	}
	for _, c := range cases {
		cl, err := imapclient.DialInsecure(r.addr, nil)
		if err != nil {
			t.Fatal(err)
		}
		err = cl.Login(c.user, c.pass).Wait()
		if (err == nil) != c.ok {
			t.Errorf("login %s/%s: %v", c.user, c.pass, err)
		}
		cl.Close()
	}
	// Five failures lock the address, even for the right password.
	for i := range imapd.GuardFailures {
		cl, _ := imapclient.DialInsecure(r.addr, nil)
		if err := cl.Login("alice@example.test", fmt.Sprint("bad", i)).Wait(); err == nil {
			t.Fatal("bad password accepted")
		}
		cl.Close()
	}
	cl, _ := imapclient.DialInsecure(r.addr, nil)
	defer cl.Close()
	if err := cl.Login("alice@example.test", "alice-pw").Wait(); err == nil || !strings.Contains(err.Error(), "too many failed login attempts") {
		t.Fatalf("guarded login: %v", err)
	}
}

func TestMailboxCommands(t *testing.T) {
	r := newRig(t, imapd.Limits{})
	c := r.client(t, nil)
	list := func(opts *imap.ListOptions, pattern string) []string {
		t.Helper()
		data, err := c.List("", pattern, opts).Collect()
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, d := range data {
			out = append(out, d.Mailbox)
		}
		slices.Sort(out)
		return out
	}
	if got := list(nil, "*"); !slices.Equal(got, []string{"Archive", "Drafts", "INBOX", "Sent", "Spam", "Trash"}) {
		t.Fatalf("LIST * = %v", got)
	}
	steps := []struct {
		name string
		err  error
		ok   bool
	}{
		{"CREATE Work", c.Create("Work", nil).Wait(), true},
		{"CREATE Work/2026", c.Create("Work/2026", nil).Wait(), true},
		{"CREATE Work again", c.Create("Work", nil).Wait(), false},
		{"RENAME Work/2026 Work/Old", c.Rename("Work/2026", "Work/Old", nil).Wait(), true},
		{"RENAME missing", c.Rename("Nope", "Other", nil).Wait(), false},
		{"UNSUBSCRIBE Work", c.Unsubscribe("Work").Wait(), true},
		{"SUBSCRIBE missing", c.Subscribe("Nope").Wait(), false},
		{"DELETE INBOX", c.Delete("INBOX").Wait(), false},
		{"DELETE Work/Old", c.Delete("Work/Old").Wait(), true},
		{"DELETE missing", c.Delete("Nope").Wait(), false},
	}
	for _, s := range steps {
		if (s.err == nil) != s.ok {
			t.Errorf("%s: %v", s.name, s.err)
		}
	}
	if got := list(nil, "W%"); !slices.Equal(got, []string{"Work"}) {
		t.Errorf("LIST W%% = %v", got)
	}
	if got := list(&imap.ListOptions{SelectSubscribed: true}, "*"); slices.Contains(got, "Work") || !slices.Contains(got, "INBOX") {
		t.Errorf("LIST (SUBSCRIBED) = %v", got)
	}
	if got := list(&imap.ListOptions{SelectSpecialUse: true}, "*"); !slices.Equal(got, []string{"Archive", "Drafts", "Sent", "Spam", "Trash"}) {
		t.Errorf("LIST (SPECIAL-USE) = %v", got)
	}
	r.deliver(t, "INBOX", mailText("one", "a@x.test", "hi"))
	r.deliver(t, "INBOX", mailText("two", "b@x.test", "hi"), `\Seen`)
	st, err := c.Status("INBOX", &imap.StatusOptions{NumMessages: true, NumUnseen: true, UIDNext: true, UIDValidity: true}).Wait()
	if err != nil || *st.NumMessages != 2 || *st.NumUnseen != 1 || st.UIDNext != 3 || st.UIDValidity == 0 {
		t.Fatalf("STATUS = %+v %v", st, err)
	}
	if _, err := c.Status("Nope", &imap.StatusOptions{NumMessages: true}).Wait(); err == nil {
		t.Error("STATUS of a missing mailbox succeeded")
	}
	ns, err := c.Namespace().Wait()
	if err != nil || len(ns.Personal) != 1 || ns.Personal[0].Delim != '/' {
		t.Errorf("NAMESPACE = %+v %v", ns, err)
	}
	sel, err := c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil || sel.NumMessages != 2 || sel.UIDNext != 3 || !slices.Contains(sel.Flags, imap.FlagSeen) {
		t.Fatalf("EXAMINE = %+v %v", sel, err)
	}
	if _, err := c.Select("Nope", nil).Wait(); err == nil {
		t.Error("SELECT of a missing mailbox succeeded")
	}
}

func TestAppendFetchStoreSearch(t *testing.T) {
	r := newRig(t, imapd.Limits{})
	c := r.client(t, nil)
	raw := "From: Ann <ann@x.test>\r\nTo: alice@example.test\r\nSubject: hello there\r\nDate: Tue, 03 Jan 2006 10:00:00 +0000\r\n" +
		"Message-ID: <app1@x>\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nthe text part\r\n" +
		"--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=a.bin\r\n\r\nBINARY\r\n--b--\r\n"
	when := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	cmd := c.Append("INBOX", int64(len(raw)), &imap.AppendOptions{Flags: []imap.Flag{"$Work"}, Time: when})
	if _, err := io.WriteString(cmd, raw); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Close(); err != nil {
		t.Fatal(err)
	}
	ad, err := cmd.Wait()
	if err != nil || ad.UID != 1 || ad.UIDValidity == 0 {
		t.Fatalf("APPEND = %+v %v", ad, err)
	}
	if cmd := c.Append("Nope", 3, nil); cmd != nil {
		_, _ = io.WriteString(cmd, "x\r\n")
		_ = cmd.Close()
		if _, err := cmd.Wait(); err == nil || !strings.Contains(err.Error(), "TRYCREATE") {
			t.Errorf("APPEND to a missing mailbox: %v", err)
		}
	}
	r.deliver(t, "INBOX", mailText("second", "bob@y.test", "small body"), `\Flagged`)
	r.deliver(t, "INBOX", mailText("third", "carl@z.test", strings.Repeat("big ", 500)))
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	msgs, err := c.Fetch(imap.SeqSetNum(1), &imap.FetchOptions{UID: true, Flags: true, Envelope: true, RFC822Size: true, InternalDate: true,
		BodyStructure: &imap.FetchItemBodyStructure{Extended: true},
		BodySection:   []*imap.FetchItemBodySection{{Peek: true}, {Peek: true, Specifier: imap.PartSpecifierHeader}, {Peek: true, Part: []int{1}}}}).Collect()
	if err != nil || len(msgs) != 1 {
		t.Fatalf("FETCH: %v", err)
	}
	m := msgs[0]
	if m.UID != 1 || m.RFC822Size != int64(len(raw)) || !m.InternalDate.Equal(when) || m.Envelope.Subject != "hello there" ||
		m.Envelope.From[0].Addr() != "ann@x.test" || m.Envelope.MessageID != "app1@x" || !slices.Contains(m.Flags, "$Work") {
		t.Fatalf("FETCH data: %+v env %+v", m, m.Envelope)
	}
	if mp, ok := m.BodyStructure.(*imap.BodyStructureMultiPart); !ok || len(mp.Children) != 2 || mp.Subtype != "mixed" {
		t.Errorf("BODYSTRUCTURE = %#v", m.BodyStructure)
	}
	var whole, header, part1 string
	for _, b := range m.BodySection {
		switch {
		case b.Section.Specifier == imap.PartSpecifierHeader:
			header = string(b.Bytes)
		case len(b.Section.Part) == 1:
			part1 = string(b.Bytes)
		default:
			whole = string(b.Bytes)
		}
	}
	if whole != raw || !strings.HasPrefix(header, "From: Ann") || !strings.HasSuffix(header, "\r\n\r\n") || part1 != "the text part" {
		t.Errorf("sections: whole ok=%v header=%q part1=%q", whole == raw, header, part1)
	}
	// PEEK left \Seen off; a plain BODY[] sets it.
	if _, err := c.Fetch(imap.SeqSetNum(1), &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{{}}}).Collect(); err != nil {
		t.Fatal(err)
	}
	flags := func(seq uint32) []imap.Flag {
		t.Helper()
		d, err := c.Fetch(imap.SeqSetNum(seq), &imap.FetchOptions{Flags: true}).Collect()
		if err != nil || len(d) != 1 {
			t.Fatalf("FETCH FLAGS %d: %v", seq, err)
		}
		return d[0].Flags
	}
	if !slices.Contains(flags(1), imap.FlagSeen) {
		t.Errorf("BODY[] did not set \\Seen: %v", flags(1))
	}
	stores := []struct {
		op   imap.StoreFlagsOp
		fl   []imap.Flag
		want []imap.Flag
	}{
		{imap.StoreFlagsAdd, []imap.Flag{imap.FlagAnswered, "$Label"}, []imap.Flag{imap.FlagFlagged, imap.FlagAnswered, "$Label"}},
		{imap.StoreFlagsDel, []imap.Flag{imap.FlagFlagged, "$label"}, []imap.Flag{imap.FlagAnswered}},
		{imap.StoreFlagsSet, []imap.Flag{imap.FlagDraft}, []imap.Flag{imap.FlagDraft}},
	}
	for _, s := range stores {
		if _, err := c.Store(imap.SeqSetNum(2), &imap.StoreFlags{Op: s.op, Flags: s.fl}, nil).Collect(); err != nil {
			t.Fatal(err)
		}
		got := flags(2)
		slices.Sort(got)
		want := slices.Clone(s.want)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("STORE %v %v: flags %v, want %v", s.op, s.fl, got, want)
		}
	}
	searches := []struct {
		name string
		c    imap.SearchCriteria
		want []uint32
	}{
		{"all", imap.SearchCriteria{}, []uint32{1, 2, 3}},
		{"seen", imap.SearchCriteria{Flag: []imap.Flag{imap.FlagSeen}}, []uint32{1}},
		{"unseen", imap.SearchCriteria{NotFlag: []imap.Flag{imap.FlagSeen}}, []uint32{2, 3}},
		{"keyword", imap.SearchCriteria{Flag: []imap.Flag{"$Work"}}, []uint32{1}},
		{"from header", imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "From", Value: "bob@"}}}, []uint32{2}},
		{"subject", imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "Subject", Value: "THIRD"}}}, []uint32{3}},
		{"body text", imap.SearchCriteria{Body: []string{"small body"}}, []uint32{2}},
		{"text anywhere", imap.SearchCriteria{Text: []string{"text part"}}, []uint32{1}},
		{"larger", imap.SearchCriteria{Larger: 1500}, []uint32{3}},
		{"smaller", imap.SearchCriteria{Smaller: 300}, []uint32{2}},
		{"since", imap.SearchCriteria{Since: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)}, []uint32{1, 2, 3}},
		{"sent before", imap.SearchCriteria{SentBefore: time.Date(2006, 1, 3, 0, 0, 0, 0, time.UTC)}, []uint32{2, 3}},
		{"uid set", imap.SearchCriteria{UID: []imap.UIDSet{{{Start: 2, Stop: 3}}}}, []uint32{2, 3}},
		{"not", imap.SearchCriteria{Not: []imap.SearchCriteria{{Flag: []imap.Flag{imap.FlagSeen}}}}, []uint32{2, 3}},
		{"or", imap.SearchCriteria{Or: [][2]imap.SearchCriteria{{{Flag: []imap.Flag{imap.FlagSeen}}, {Flag: []imap.Flag{imap.FlagDraft}}}}}, []uint32{1, 2}},
	}
	for _, s := range searches {
		d, err := c.UIDSearch(&s.c, nil).Wait()
		if err != nil {
			t.Errorf("%s: %v", s.name, err)
			continue
		}
		var got []uint32
		for _, u := range d.AllUIDs() {
			got = append(got, uint32(u))
		}
		if !slices.Equal(got, s.want) {
			t.Errorf("SEARCH %s = %v, want %v", s.name, got, s.want)
		}
	}
	if _, err := c.Fetch(imap.SeqSetNum(9), &imap.FetchOptions{Flags: true}).Collect(); err == nil {
		t.Error("FETCH past the end succeeded")
	}
}

func TestCopyMoveExpunge(t *testing.T) {
	r := newRig(t, imapd.Limits{})
	c := r.client(t, nil)
	for i := range 4 {
		r.deliver(t, "INBOX", mailText(fmt.Sprint("m", i), "a@x.test", "hi"))
	}
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	cd, err := c.Copy(imap.SeqSetNum(1, 2), "Archive").Wait()
	if err != nil || cd.DestUIDs.String() != "1:2" {
		t.Fatalf("COPY = %+v %v", cd, err)
	}
	if _, err := c.Copy(imap.SeqSetNum(1), "Nope").Wait(); err == nil {
		t.Error("COPY to a missing mailbox succeeded")
	}
	md, err := c.Move(imap.SeqSetNum(3), "Trash").Wait()
	if err != nil || md.DestUIDs.String() != "1" {
		t.Fatalf("MOVE = %+v %v", md, err)
	}
	if _, err := c.Store(imap.SeqSetNum(1), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Collect(); err != nil {
		t.Fatal(err)
	}
	exp, err := c.Expunge().Collect()
	if err != nil || !slices.Equal(exp, []uint32{1}) {
		t.Fatalf("EXPUNGE = %v %v", exp, err)
	}
	uids := func(box string) []uint32 {
		t.Helper()
		b, err := r.st.Mailbox(context.Background(), r.acct, box)
		if err != nil {
			t.Fatal(err)
		}
		ms, err := r.st.Messages(context.Background(), b)
		if err != nil {
			t.Fatal(err)
		}
		var out []uint32
		for _, m := range ms {
			out = append(out, m.UID)
		}
		return out
	}
	for box, want := range map[string][]uint32{"INBOX": {2, 4}, "Archive": {1, 2}, "Trash": {1}} {
		if got := uids(box); !slices.Equal(got, want) {
			t.Errorf("%s UIDs %v, want %v", box, got, want)
		}
	}
	// UID EXPUNGE removes only the given deleted UIDs.
	if _, err := c.Store(imap.SeqSetNum(1, 2), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Collect(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UIDExpunge(imap.UIDSetNum(4)).Collect(); err != nil {
		t.Fatal(err)
	}
	if got := uids("INBOX"); !slices.Equal(got, []uint32{2}) {
		t.Errorf("INBOX after UID EXPUNGE 4: %v", got)
	}
	if err := c.Unselect().Wait(); err != nil {
		t.Fatal(err)
	}
}

func TestIdleSeesDeliveries(t *testing.T) {
	r := newRig(t, imapd.Limits{})
	got := make(chan uint32, 4)
	c := r.client(t, &imapclient.UnilateralDataHandler{Mailbox: func(d *imapclient.UnilateralDataMailbox) {
		if d.NumMessages != nil {
			got <- *d.NumMessages
		}
	}})
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	idle, err := c.Idle()
	if err != nil {
		t.Fatal(err)
	}
	r.deliver(t, "INBOX", mailText("pushed", "a@x.test", "hi"))
	select {
	case n := <-got:
		if n != 1 {
			t.Fatalf("EXISTS %d", n)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("no EXISTS in IDLE")
	}
	if err := idle.Close(); err != nil {
		t.Fatal(err)
	}
	if err := idle.Wait(); err != nil {
		t.Fatal(err)
	}
	// NOOP reports what changed since (Poll).
	r.deliver(t, "INBOX", mailText("polled", "a@x.test", "hi"))
	if err := c.Noop().Wait(); err != nil {
		t.Fatal(err)
	}
	select {
	case n := <-got:
		if n != 2 {
			t.Fatalf("EXISTS after NOOP %d", n)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("no EXISTS after NOOP")
	}
}

func TestLimits(t *testing.T) {
	r := newRig(t, imapd.Limits{ReadTimeout: 300 * time.Millisecond, MaxConns: 2})
	if got := r.be.Limits(); got.IdleTimeout != imapd.DefaultIdleTimeout || got.MaxConns != 2 {
		t.Fatalf("Limits = %+v", got)
	}
	greet := func() (net.Conn, string) {
		conn, err := net.Dial("tcp", r.addr)
		if err != nil {
			t.Fatal(err)
		}
		_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		l, _ := bufio.NewReader(conn).ReadString('\n')
		return conn, l
	}
	a, ga := greet()
	b, gb := greet()
	x, gx := greet()
	defer x.Close()
	if !strings.HasPrefix(ga, "* OK") || !strings.HasPrefix(gb, "* OK") || !strings.HasPrefix(gx, "* BYE") {
		t.Fatalf("greetings %q %q %q", ga, gb, gx)
	}
	// Both silent connections are closed after the read timeout.
	for _, conn := range []net.Conn{a, b} {
		start := time.Now()
		_ = conn.SetReadDeadline(start.Add(5 * time.Second))
		if _, err := io.ReadAll(conn); err != nil || time.Since(start) > 3*time.Second {
			t.Fatalf("silent connection: %v after %v", err, time.Since(start))
		}
		conn.Close()
	}
	// A logged-in client may stay silent longer.
	c := r.client(t, nil)
	time.Sleep(700 * time.Millisecond)
	if err := c.Noop().Wait(); err != nil {
		t.Fatalf("NOOP after silence when logged in: %v", err)
	}
	// Raising the limits live applies to the next connections.
	r.be.SetLimits(imapd.Limits{MaxConns: 5})
	if r.be.Limits().ReadTimeout != imapd.DefaultReadTimeout {
		t.Fatalf("defaults not restored: %+v", r.be.Limits())
	}
}

// quiet drops go-imap's log lines (timeouts the tests cause on purpose).
type quiet struct{}

func (quiet) Printf(string, ...any) {}
