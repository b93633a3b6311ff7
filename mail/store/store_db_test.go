package store_test

import (
	"bytes"
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apiary/apiary/mail/internal/mailtest"
	"github.com/apiary/apiary/mail/store"
	"github.com/apiary/apiary/resource"
)

// fixture is a store on a fresh database with one server and two accounts.
type fixture struct {
	res   resource.Service
	st    *store.Store
	alice store.Account
	bob   store.Account
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	res := mailtest.Resource(t)
	srv := mailtest.Server(t, res, "example.test")
	mailtest.Account(t, res, srv, "alice@example.test", "alice-pw")
	mailtest.Account(t, res, srv, "bob@example.test", "bob-pw")
	st := store.New(func() resource.Service { return res }, nil, nil)
	unsub := res.Subscribe(st.Observe)
	t.Cleanup(unsub)
	f := &fixture{res: res, st: st}
	var ok bool
	var err error
	if f.alice, ok, err = st.Account(mailtest.System(), "alice@example.test"); !ok || err != nil {
		t.Fatalf("alice: %v %v", ok, err)
	}
	if f.bob, ok, err = st.Account(mailtest.System(), "bob@example.test"); !ok || err != nil {
		t.Fatalf("bob: %v %v", ok, err)
	}
	return f
}

func msg(subject string) []byte {
	return []byte("From: x@outside.test\r\nTo: alice@example.test\r\nSubject: " + subject + "\r\nMessage-ID: <" + subject + "@x>\r\n\r\nbody of " + subject + "\r\n")
}

func TestAccountsAndLogin(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	cases := []struct {
		user, pass string
		ok         bool
	}{
		{"alice@example.test", "alice-pw", true},
		{"  ALICE@example.test ", "alice-pw", true},
		{"alice@example.test", "wrong", false},
		{"bob@example.test", "bob-pw", true},
		{"nobody@example.test", "x", false},
		{"", "", false},
	}
	for _, c := range cases {
		a, ok, err := f.st.Login(ctx, c.user, c.pass)
		if err != nil || ok != c.ok {
			t.Errorf("Login(%q, %q) = %v, %v; want %v", c.user, c.pass, ok, err, c.ok)
		}
		if ok && a.Username != strings.ToLower(strings.TrimSpace(c.user)) {
			t.Errorf("Login(%q) account %q", c.user, a.Username)
		}
	}
	if _, ok, err := f.st.Account(ctx, "nobody@example.test"); ok || err != nil {
		t.Errorf("Account(nobody) = %v, %v", ok, err)
	}
	if f.alice.OwnerRef == "" || f.alice.ServerRef == "" || f.alice.OwnerRef == f.bob.OwnerRef {
		t.Errorf("accounts: %+v %+v", f.alice, f.bob)
	}
	servers, err := f.st.Servers(ctx)
	if err != nil || len(servers) != 1 || servers[0].Hostname != "example.test" || !servers[0].Enabled || servers[0].MaxClients != 5 ||
		servers[0].MaxSize != 1<<20 || servers[0].Listen != "127.0.0.1:0" {
		t.Errorf("Servers = %+v, %v", servers, err)
	}
}

// TestUpperCaseUsernames: accounts created with upper-case letters are
// found by any spelling (RCPT and LOGIN), LIKE wildcards in an address
// match nothing else.
func TestUpperCaseUsernames(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	srv := f.alice.ServerRef
	mailtest.Account(t, f.res, srv, "Carol.Smith@Example.test", "carol-pw")
	mailtest.Account(t, f.res, srv, "d_x@example.test", "d-pw")
	cases := []struct {
		address, pass string
		found, login  bool
		want          string
	}{
		{"carol.smith@example.test", "carol-pw", true, true, "carol.smith@example.test"},
		{"CAROL.SMITH@EXAMPLE.TEST", "carol-pw", true, true, "carol.smith@example.test"},
		{"Carol.Smith@Example.test", "wrong", true, false, "carol.smith@example.test"},
		{"D_X@example.test", "d-pw", true, true, "d_x@example.test"},
		{"dyx@example.test", "d-pw", false, false, ""},
		{"%@example.test", "d-pw", false, false, ""},
		{"c%@example.test", "carol-pw", false, false, ""},
	}
	for _, c := range cases {
		a, ok, err := f.st.Account(ctx, c.address)
		if err != nil || ok != c.found || a.Username != c.want {
			t.Errorf("Account(%q) = %q, %v, %v; want %q, %v", c.address, a.Username, ok, err, c.want, c.found)
		}
		_, ok, err = f.st.Login(ctx, c.address, c.pass)
		if err != nil || ok != c.login {
			t.Errorf("Login(%q, %q) = %v, %v; want %v", c.address, c.pass, ok, err, c.login)
		}
	}
}

func TestMailboxLifecycle(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	boxes, err := f.st.Mailboxes(ctx, f.alice)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, b := range boxes {
		names = append(names, b.Name)
		if b.UIDValidity == 0 || !b.Subscribed {
			t.Errorf("box %+v", b)
		}
	}
	slices.Sort(names)
	if want := slices.Sorted(slices.Values(store.DefaultBoxes)); !slices.Equal(names, want) {
		t.Fatalf("default boxes %v, want %v", names, want)
	}
	again, err := f.st.Mailboxes(ctx, f.alice)
	if err != nil || len(again) != len(boxes) {
		t.Fatalf("second listing made %d boxes: %v", len(again), err)
	}
	steps := []struct {
		name string
		do   func() error
		want error // nil = success; errAny = some error
	}{
		{"create Work", func() error { return f.st.CreateMailbox(ctx, f.alice, "Work") }, nil},
		{"create Work again", func() error { return f.st.CreateMailbox(ctx, f.alice, "Work") }, store.ErrExists},
		{"create inbox (any case)", func() error { return f.st.CreateMailbox(ctx, f.alice, "inbox") }, store.ErrExists},
		{"create empty name", func() error { return f.st.CreateMailbox(ctx, f.alice, " ") }, errAny},
		{"create a long name", func() error { return f.st.CreateMailbox(ctx, f.alice, strings.Repeat("x", 101)) }, errAny},
		{"rename Work to Jobs", func() error { return f.st.RenameMailbox(ctx, f.alice, "Work", "Jobs") }, nil},
		{"rename a missing box", func() error { return f.st.RenameMailbox(ctx, f.alice, "Work", "X") }, store.ErrNoMailbox},
		{"rename onto a box", func() error { return f.st.RenameMailbox(ctx, f.alice, "Jobs", "Sent") }, store.ErrExists},
		{"rename INBOX", func() error { return f.st.RenameMailbox(ctx, f.alice, "INBOX", "Old") }, errAny},
		{"unsubscribe Jobs", func() error { return f.st.SetSubscribed(ctx, f.alice, "Jobs", false) }, nil},
		{"subscribe a missing box", func() error { return f.st.SetSubscribed(ctx, f.alice, "Nope", true) }, store.ErrNoMailbox},
		{"delete INBOX", func() error { return f.st.DeleteMailbox(ctx, f.alice, "INBOX") }, errAny},
		{"delete a missing box", func() error { return f.st.DeleteMailbox(ctx, f.alice, "Nope") }, store.ErrNoMailbox},
	}
	for _, s := range steps {
		err := s.do()
		switch {
		case s.want == nil && err != nil:
			t.Errorf("%s: %v", s.name, err)
		case s.want == errAny && err == nil:
			t.Errorf("%s: no error", s.name)
		case s.want != nil && s.want != errAny && !errors.Is(err, s.want):
			t.Errorf("%s: %v, want %v", s.name, err, s.want)
		}
	}
	jobs, err := f.st.Mailbox(ctx, f.alice, "Jobs")
	if err != nil || jobs.Subscribed {
		t.Fatalf("Jobs: %+v %v", jobs, err)
	}
	if _, _, err := f.st.Deliver(ctx, f.alice, "Jobs", msg("in-jobs"), store.Delivery{}); err != nil {
		t.Fatal(err)
	}
	if err := f.st.DeleteMailbox(ctx, f.alice, "Jobs"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.Mailbox(ctx, f.alice, "Jobs"); !errors.Is(err, store.ErrNoMailbox) {
		t.Fatalf("Jobs after delete: %v", err)
	}
	n, err := count(f.res, store.TableMail)
	if err != nil || n != 0 {
		t.Fatalf("%d mail rows left after deleting their mailbox (%v)", n, err)
	}
	// Bob's mailboxes are his own.
	bobBoxes, err := f.st.Mailboxes(ctx, f.bob)
	if err != nil || len(bobBoxes) != len(store.DefaultBoxes) {
		t.Fatalf("bob's boxes: %d %v", len(bobBoxes), err)
	}
}

var errAny = errors.New("any error")

func TestDeliverAllocatesUIDsAndStoresTheRow(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	date := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	box, uid, err := f.st.Deliver(ctx, f.alice, "INBOX", msg("first"), store.Delivery{Flags: []string{`\Seen`, "$Work"},
		Date: date, EnvelopeFrom: "x@outside.test", Recipient: "alice@example.test", IP: "192.0.2.1", TLS: true, SpamScore: 60})
	if err != nil || uid != 1 || box.Name != "INBOX" {
		t.Fatalf("Deliver = %+v %d %v", box, uid, err)
	}
	p, err := f.res.List(mailtest.System(), store.TableMail, resource.Query{PageSize: 10})
	if err != nil || len(p.Rows) != 1 {
		t.Fatalf("rows: %v %v", p, err)
	}
	a := p.Rows[0].Attrs
	checks := map[string]string{"subject": "first", "message_id": "first@x", "from_address": "x@outside.test",
		"recipient": "alice@example.test", "ip_addr": "192.0.2.1", "flags": `\Recent,\Seen,$Work`}
	for k, want := range checks {
		if got := fmt.Sprint(a[k]); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if !resource.Truthy(a["seen"]) || !resource.Truthy(a["spam"]) || !resource.Truthy(a["is_tls"]) || resource.Truthy(a["deleted"]) {
		t.Errorf("mirrored flags: seen=%v spam=%v is_tls=%v deleted=%v", a["seen"], a["spam"], a["is_tls"], a["deleted"])
	}
	if got := fmt.Sprint(a["user_account_id"]); got != f.alice.OwnerRef {
		t.Errorf("owner %q, want the account's user %q", got, f.alice.OwnerRef)
	}
	// Concurrent deliveries to one mailbox get distinct, gapless UIDs.
	const n = 12
	var wg sync.WaitGroup
	uids := make([]uint32, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, uids[i], errs[i] = f.st.Deliver(ctx, f.alice, "INBOX", msg(fmt.Sprintf("c%d", i)), store.Delivery{})
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	slices.Sort(uids)
	for i, u := range uids {
		if u != uint32(i+2) {
			t.Fatalf("concurrent UIDs %v, want 2..%d", uids, n+1)
		}
	}
	msgs, err := f.st.Messages(ctx, box)
	if err != nil || len(msgs) != n+1 || msgs[0].UID != 1 || !msgs[0].Recent || !store.HasFlag(msgs[0].Flags, `\seen`) ||
		!msgs[0].Date.Equal(date) || msgs[0].Size != int64(len(msg("first"))) {
		t.Fatalf("Messages: %d %+v %v", len(msgs), msgs[0], err)
	}
	// Load returns the raw bytes of a UID window, byte-exact.
	loaded, err := f.st.Load(ctx, box, 1, 1)
	if err != nil || len(loaded) != 1 {
		t.Fatalf("Load: %d %v", len(loaded), err)
	}
	raw, err := loaded[0].Bytes()
	if err != nil || !bytes.Equal(raw, msg("first")) {
		t.Fatalf("Bytes = %q %v", raw, err)
	}
	hdr, err := f.st.Headers(ctx, box, msgs[:1])
	if err != nil || !strings.HasSuffix(string(hdr[msgs[0].RefID]), "Message-ID: <first@x>\r\n\r\n") {
		t.Fatalf("Headers = %q %v", hdr, err)
	}
}

func TestFlagsCopyAndRemove(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	box, _, err := f.st.Deliver(ctx, f.alice, "INBOX", msg("one"), store.Delivery{})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.st.Deliver(ctx, f.alice, "INBOX", msg("two"), store.Delivery{}); err != nil {
		t.Fatal(err)
	}
	msgs, err := f.st.Messages(ctx, box)
	if err != nil || len(msgs) != 2 {
		t.Fatal(len(msgs), err)
	}
	cases := []struct {
		flags []string
		seen  bool
	}{
		{[]string{`\Seen`, `\Flagged`}, true},
		{[]string{`\Deleted`}, false},
		{nil, false},
	}
	for _, c := range cases {
		if err := f.st.SetFlags(ctx, msgs[0].RefID, c.flags); err != nil {
			t.Fatal(err)
		}
		cur, err := f.st.Messages(ctx, box)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(cur[0].Flags, c.flags) || cur[0].Recent || store.HasFlag(cur[0].Flags, `\Seen`) != c.seen {
			t.Errorf("after SetFlags(%v): %+v", c.flags, cur[0])
		}
	}
	sent, err := f.st.Mailbox(ctx, f.alice, "Sent")
	if err != nil {
		t.Fatal(err)
	}
	loaded, err := f.st.Load(ctx, box, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	uids, err := f.st.CopyTo(ctx, f.alice, loaded, sent)
	if err != nil || !slices.Equal(uids, []uint32{1, 2}) {
		t.Fatalf("CopyTo = %v %v", uids, err)
	}
	if err := f.st.Remove(ctx, []string{msgs[0].RefID, msgs[1].RefID}); err != nil {
		t.Fatal(err)
	}
	if err := f.st.Remove(ctx, nil); err != nil {
		t.Fatal(err)
	}
	left, err := f.st.Messages(ctx, box)
	if err != nil || len(left) != 0 {
		t.Fatalf("INBOX after Remove: %d %v", len(left), err)
	}
	copies, err := f.st.Messages(ctx, sent)
	if err != nil || len(copies) != 2 {
		t.Fatalf("Sent: %d %v", len(copies), err)
	}
	// UIDs are never reused: the next delivery to INBOX gets 3.
	if _, uid, err := f.st.Deliver(ctx, f.alice, "INBOX", msg("three"), store.Delivery{}); err != nil || uid != 3 {
		t.Fatalf("UID after expunge: %d %v", uid, err)
	}
}

func TestRowsWithoutUIDGetOne(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	box, _, err := f.st.Deliver(ctx, f.alice, "INBOX", msg("one"), store.Delivery{})
	if err != nil {
		t.Fatal(err)
	}
	enc, err := store.Encode(msg("api"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.res.Create(mailtest.System(), store.TableMail, resource.Input{Attributes: map[string]any{
		"mail_box_id": box.RefID, "mail": enc, "subject": "api", "size": len(msg("api")), "message_id": "api@x", "mail_id": "api",
		"hash": "api", "from_address": "app@example.test", "to_address": "alice@example.test", "reply_to_address": "app@example.test",
		"sender_address": "app@example.test", "recipient": "alice@example.test", "body": "api", "content_type": "text/plain",
		"ip_addr": "127.0.0.1", "return_path": "app@example.test", "spam_score": 0, "flags": "",
		"internal_date": time.Now().UTC()}}); err != nil {
		t.Fatal(err)
	}
	msgs, err := f.st.Messages(ctx, box)
	if err != nil || len(msgs) != 2 || msgs[0].UID != 1 || msgs[1].UID != 2 {
		t.Fatalf("Messages = %+v %v", msgs, err)
	}
	if _, uid, err := f.st.Deliver(ctx, f.alice, "INBOX", msg("next"), store.Delivery{}); err != nil || uid != 3 {
		t.Fatalf("next UID %d %v", uid, err)
	}
	// A store with cold caches (a restart) reads header blocks from the
	// headers column, and from the message for the row written without
	// one.
	cold := store.New(func() resource.Service { return f.res }, nil, nil)
	msgs, err = cold.Messages(ctx, box)
	if err != nil || len(msgs) != 3 {
		t.Fatalf("cold Messages: %d %v", len(msgs), err)
	}
	hdr, err := cold.Headers(ctx, box, msgs)
	if err != nil || len(hdr) != 3 {
		t.Fatalf("cold Headers: %d %v", len(hdr), err)
	}
	for i, subject := range []string{"one", "api", "next"} {
		want := string(msg(subject))
		want = want[:strings.Index(want, "\r\n\r\n")+4]
		if got := string(hdr[msgs[i].RefID]); got != want {
			t.Errorf("cold header of %s = %q, want %q", subject, got, want)
		}
	}
	p, err := f.res.List(mailtest.System(), store.TableMail, resource.Query{PageSize: 10, Sort: []resource.SortKey{{Column: "uid"}}})
	if err != nil || len(p.Rows) != 3 || fmt.Sprint(p.Rows[1].Attrs["headers"]) != "<nil>" && fmt.Sprint(p.Rows[1].Attrs["headers"]) != "" ||
		fmt.Sprint(p.Rows[0].Attrs["headers"]) == "" {
		t.Fatalf("headers column: %v", p.Rows)
	}
}

func TestCertificateAndSigningKey(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, ok, err := f.st.SigningKey(ctx, "example.test"); ok || err != nil {
		t.Fatalf("signing key before any certificate: %v %v", ok, err)
	}
	cert, err := f.st.Certificate(ctx, "example.test:465")
	if err != nil || len(cert.Certificate) == 0 {
		t.Fatalf("Certificate: %v", err)
	}
	again, err := f.st.Certificate(ctx, "EXAMPLE.test")
	if err != nil || !bytes.Equal(again.Certificate[0], cert.Certificate[0]) {
		t.Fatalf("second Certificate made a new one: %v", err)
	}
	k, ok, err := f.st.SigningKey(ctx, "example.test")
	if err != nil || !ok {
		t.Fatalf("SigningKey: %v %v", ok, err)
	}
	if rk, isRSA := k.(*rsa.PrivateKey); !isRSA || rk.N.BitLen() != 2048 {
		t.Fatalf("signing key %T", k)
	}
	n, err := count(f.res, store.TableCertificate)
	if err != nil || n != 1 {
		t.Fatalf("%d certificate rows (%v)", n, err)
	}
}

func count(res resource.Service, table string) (int64, error) {
	p, err := res.List(mailtest.System(), table, resource.Query{PageSize: 1})
	if err != nil {
		return 0, err
	}
	return p.Total, nil
}

// TestDeliveryFollowsRenamesAndDeletes: the mailbox a delivery goes to is
// remembered, and forgotten when the mailbox is renamed or deleted.
func TestDeliveryFollowsRenamesAndDeletes(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if err := f.st.CreateMailbox(ctx, f.alice, "Work"); err != nil {
		t.Fatal(err)
	}
	work, _, err := f.st.Deliver(ctx, f.alice, "Work", msg("w1"), store.Delivery{})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.st.RenameMailbox(ctx, f.alice, "Work", "Jobs"); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name, box string
		err       error
		ref       string // "" = any
	}{
		{"old name after rename", "Work", store.ErrNoMailbox, ""},
		{"new name", "Jobs", nil, work.RefID},
	}
	for _, s := range steps {
		b, _, err := f.st.Deliver(ctx, f.alice, s.box, msg(s.name), store.Delivery{})
		if !errors.Is(err, s.err) || (s.ref != "" && b.RefID != s.ref) {
			t.Errorf("%s: box %s, %v; want %v", s.name, b.RefID, err, s.err)
		}
	}
	sent, _, err := f.st.Deliver(ctx, f.alice, "Sent", msg("s1"), store.Delivery{})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.st.DeleteMailbox(ctx, f.alice, "Sent"); err != nil {
		t.Fatal(err)
	}
	again, uid, err := f.st.Deliver(ctx, f.alice, "Sent", msg("s2"), store.Delivery{})
	if err != nil || again.RefID == sent.RefID || uid != 1 {
		t.Fatalf("delivery after the default box was deleted: %s (old %s) uid %d %v", again.RefID, sent.RefID, uid, err)
	}
	if err := f.st.DeleteMailbox(ctx, f.alice, "Jobs"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.st.Deliver(ctx, f.alice, "Jobs", msg("gone"), store.Delivery{}); !errors.Is(err, store.ErrNoMailbox) {
		t.Fatalf("delivery to a deleted mailbox: %v", err)
	}
}

// TestLargeMessagesRoundTrip: a message whose stored form is far over
// 64 KiB (MySQL's TEXT and BLOB), with a header block over the headers
// column's bound, is stored and read back byte for byte.
func TestLargeMessagesRoundTrip(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	rnd := rand.New(rand.NewPCG(1, 2))
	noise := make([]byte, 300<<10)
	for i := range noise {
		noise[i] = byte('!' + rnd.IntN(90)) // printable, compresses poorly
	}
	cases := []struct {
		name string
		raw  []byte
	}{
		{"300 KiB body", append([]byte("Subject: big\r\n\r\n"), noise...)},
		{"40 KiB header block", append([]byte("Subject: long header\r\nX-Long: "+strings.Repeat("h", 40<<10)+"\r\n\r\n"), "body\r\n"...)},
	}
	for _, c := range cases {
		box, uid, err := f.st.Deliver(ctx, f.alice, "INBOX", c.raw, store.Delivery{})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		cold := store.New(func() resource.Service { return f.res }, nil, nil)
		loaded, err := cold.Load(ctx, box, uid, uid)
		if err != nil || len(loaded) != 1 {
			t.Fatalf("%s: Load %v", c.name, err)
		}
		got, err := loaded[0].Bytes()
		if err != nil || !bytes.Equal(got, c.raw) {
			t.Fatalf("%s: %d bytes back, want %d (%v)", c.name, len(got), len(c.raw), err)
		}
		msgs, _ := cold.Messages(ctx, box)
		hdr, err := cold.Headers(ctx, box, msgs[len(msgs)-1:])
		end := bytes.Index(c.raw, []byte("\r\n\r\n")) + 4
		if err != nil || !bytes.Equal(hdr[msgs[len(msgs)-1].RefID], c.raw[:end]) {
			t.Fatalf("%s: header %d bytes, %v", c.name, len(hdr[msgs[len(msgs)-1].RefID]), err)
		}
	}
}

// TestAccountLookupsAreCachedUntilAChange: a repeated lookup (found or
// not) is answered from the cache, and any mail_account change this
// store observes is seen by the next lookup.
func TestAccountLookupsAreCachedUntilAChange(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, ok, err := f.st.Account(ctx, "carol@example.test"); ok || err != nil {
		t.Fatalf("carol before creation: %v, %v", ok, err)
	}
	ref := mailtest.Account(t, f.res, f.alice.ServerRef, "carol@example.test", "pw")
	a, ok, err := f.st.Account(ctx, "carol@example.test")
	if !ok || err != nil || a.RefID != ref {
		t.Fatalf("carol after creation: %+v, %v, %v", a, ok, err)
	}
	if _, err := f.res.Update(mailtest.System(), store.TableAccount, ref, resource.Input{Attributes: map[string]any{"username": "carol2@example.test"}}); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := f.st.Account(ctx, "carol@example.test"); ok {
		t.Error("renamed account still found by its old name")
	}
	if a, ok, _ := f.st.Account(ctx, "carol2@example.test"); !ok || a.RefID != ref {
		t.Error("renamed account not found by its new name")
	}
	if err := f.res.Delete(mailtest.System(), store.TableAccount, ref); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := f.st.Account(ctx, "carol2@example.test"); ok {
		t.Error("deleted account still found")
	}
}
