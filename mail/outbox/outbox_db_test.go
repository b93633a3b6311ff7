package outbox_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-msgauth/dkim"
	"github.com/emersion/go-smtp"

	"github.com/apiary/apiary/mail/internal/mailtest"
	"github.com/apiary/apiary/mail/outbox"
	"github.com/apiary/apiary/mail/store"
	"github.com/apiary/apiary/resource"
)

// sink is a local SMTP server that accepts mail for accept@ addresses and
// refuses any other recipient with 550.
type sink struct {
	mu   sync.Mutex
	got  []string // "from -> to: data"
	addr string
}

func (s *sink) NewSession(*smtp.Conn) (smtp.Session, error) { return &sinkSession{s: s}, nil }

type sinkSession struct {
	s        *sink
	from, to string
}

func (x *sinkSession) Reset()        {}
func (x *sinkSession) Logout() error { return nil }
func (x *sinkSession) Mail(from string, _ *smtp.MailOptions) error {
	x.from = from
	return nil
}
func (x *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if !strings.HasPrefix(to, "accept@") {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	}
	x.to = to
	return nil
}
func (x *sinkSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	x.s.mu.Lock()
	x.s.got = append(x.s.got, x.from+" -> "+x.to+": "+string(b))
	x.s.mu.Unlock()
	return err
}

func startSink(t *testing.T) *sink {
	t.Helper()
	s := &sink{}
	srv := smtp.NewServer(s)
	srv.Domain = "sink.test"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.addr = ln.Addr().String()
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return s
}

type fixture struct {
	res   resource.Service
	st    *store.Store
	out   *outbox.Outbox
	clock *time.Time
	sink  *sink
}

func newFixture(t *testing.T, smarthost bool, mx outbox.Resolver) *fixture {
	t.Helper()
	res := mailtest.Resource(t)
	srv := mailtest.Server(t, res, "example.test")
	mailtest.Account(t, res, srv, "alice@example.test", "alice-pw")
	st := store.New(func() resource.Service { return res }, nil, nil)
	f := &fixture{res: res, st: st, sink: startSink(t)}
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	f.clock = &now
	o := outbox.Options{Store: st, Now: func() time.Time { return *f.clock }, Resolver: mx,
		Config: func(_ context.Context, key string) string {
			if key == "mail.dkim_selector" {
				return "s2026"
			}
			return ""
		}}
	if smarthost {
		o.Smarthost = f.sink.addr
	} else {
		_, port, _ := net.SplitHostPort(f.sink.addr)
		fmt.Sscan(port, &o.Port)
	}
	f.out = outbox.New(o)
	return f
}

func (f *fixture) rows(t *testing.T) map[string]map[string]any {
	t.Helper()
	p, err := f.res.List(mailtest.System(), store.TableOutbox, resource.Query{PageSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]any{}
	for _, r := range p.Rows {
		out[fmt.Sprint(r.Attrs["to_address"])] = r.Attrs
	}
	return out
}

func TestSendSignsQueuesDeliversAndRetries(t *testing.T) {
	f := newFixture(t, true, nil)
	ctx := context.Background()
	err := f.out.Send(ctx, f.res, outbox.Mail{From: "alice@example.test", To: []string{"accept@far.test", "refuse@far.test"},
		Subject: "status", Body: "all good"})
	if err != nil {
		t.Fatal(err)
	}
	rows := f.rows(t)
	if len(rows) != 2 || resource.Truthy(rows["accept@far.test"]["sent"]) || fmt.Sprint(rows["accept@far.test"]["to_host"]) != "far.test" {
		t.Fatalf("queued rows: %v", rows)
	}
	// The sender's Sent box has the signed copy.
	acct, _, _ := f.st.Account(ctx, "alice@example.test")
	sent, _ := f.st.Mailbox(ctx, acct, "Sent")
	if msgs, err := f.st.Messages(ctx, sent); err != nil || len(msgs) != 1 || !store.HasFlag(msgs[0].Flags, store.FlagSeen) {
		t.Fatalf("Sent copy: %v %v", msgs, err)
	}
	res, err := f.out.Process(ctx)
	if err != nil || res.Sent != 1 || res.Failed != 1 {
		t.Fatalf("Process = %+v %v", res, err)
	}
	if len(f.sink.got) != 1 || !strings.HasPrefix(f.sink.got[0], "alice@example.test -> accept@far.test: ") {
		t.Fatalf("sink got %q", f.sink.got)
	}
	// The signature verifies with the domain's public key.
	data := strings.SplitN(f.sink.got[0], ": ", 2)[1]
	record := dkimRecord(t, f, "example.test")
	vs, err := dkim.VerifyWithOptions(strings.NewReader(data), &dkim.VerifyOptions{LookupTXT: func(name string) ([]string, error) {
		if name != "s2026._domainkey.example.test" {
			return nil, errors.New("unexpected lookup " + name)
		}
		return []string{record}, nil
	}})
	if err != nil || len(vs) != 1 || vs[0].Err != nil {
		t.Fatalf("DKIM: %v %+v", err, vs)
	}
	// Backoff: 2, 4, 8, 16 minutes, then the row stays unsent.
	for try := range 4 {
		r := f.rows(t)["refuse@far.test"]
		if n := fmt.Sprint(r["retry_count"]); n != fmt.Sprint(try+1) || !strings.Contains(fmt.Sprint(r["last_error"]), "550") {
			t.Fatalf("try %d: retry_count %s, last_error %v", try+1, n, r["last_error"])
		}
		next, ok := r["next_retry_at"].(time.Time)
		if !ok {
			next, _ = time.Parse(time.RFC3339Nano, fmt.Sprint(r["next_retry_at"]))
		}
		if d := next.Sub(*f.clock); d != (1<<(try+1))*time.Minute {
			t.Fatalf("try %d: next retry in %v", try+1, d)
		}
		// Not due yet: nothing happens.
		if res, _ := f.out.Process(ctx); res.Sent+res.Failed != 0 {
			t.Fatalf("a row ran before it was due: %+v", res)
		}
		*f.clock = next
		if res, err := f.out.Process(ctx); err != nil || res.Failed != 1 {
			t.Fatalf("retry %d: %+v %v", try+1, res, err)
		}
	}
	*f.clock = f.clock.Add(time.Hour)
	if res, _ := f.out.Process(ctx); res.Sent+res.Failed != 0 {
		t.Fatalf("a row ran after %d tries: %+v", outbox.MaxTries, res)
	}
	if n := fmt.Sprint(f.rows(t)["refuse@far.test"]["retry_count"]); n != fmt.Sprint(outbox.MaxTries) {
		t.Fatalf("retry_count %s", n)
	}
}

func dkimRecord(t *testing.T, f *fixture, domain string) string {
	t.Helper()
	p, err := f.res.List(mailtest.System(), store.TableCertificate, resource.Query{PageSize: 1,
		Conditions: []resource.Condition{{Column: "hostname", Operator: "is", Value: domain}}})
	if err != nil || len(p.Rows) != 1 {
		t.Fatalf("certificate of %s: %v", domain, err)
	}
	blk, _ := pem.Decode([]byte(fmt.Sprint(p.Rows[0].Attrs["public_key_pem"])))
	if blk == nil {
		t.Fatal("no public key")
	}
	if _, err := x509.ParsePKIXPublicKey(blk.Bytes); err != nil {
		t.Fatal(err)
	}
	return "v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(blk.Bytes)
}

// mxTable answers MX lookups from a map; other names are not found.
type mxTable map[string][]*net.MX

func (m mxTable) LookupMX(_ context.Context, name string) ([]*net.MX, error) {
	if mx, ok := m[name]; ok {
		return mx, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}

func TestDeliveryFollowsMX(t *testing.T) {
	f := newFixture(t, false, mxTable{"far.test": {{Host: "127.0.0.1.", Pref: 10}}, "broken.test": nil})
	ctx := context.Background()
	cases := []struct {
		to   string
		sent bool
	}{
		{"accept@far.test", true},         // MX 127.0.0.1
		{"accept@127.0.0.1", true},        // no MX: the domain itself
		{"accept@nowhere.invalid", false}, // no MX, no address
	}
	var to []string
	for _, c := range cases {
		to = append(to, c.to)
	}
	if err := f.out.Send(ctx, f.res, outbox.Mail{From: "app@example.test", To: to, Subject: "mx", Body: "b"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.out.Process(ctx); err != nil {
		t.Fatal(err)
	}
	rows := f.rows(t)
	for _, c := range cases {
		if got := resource.Truthy(rows[c.to]["sent"]); got != c.sent {
			t.Errorf("%s: sent=%v, want %v (last_error %v)", c.to, got, c.sent, rows[c.to]["last_error"])
		}
	}
}

func TestSendRefusals(t *testing.T) {
	f := newFixture(t, true, nil)
	ctx := context.Background()
	cases := []struct {
		name string
		m    outbox.Mail
		want string
	}{
		{"no sender", outbox.Mail{To: []string{"a@b.test"}}, "from"},
		{"no recipient", outbox.Mail{From: "alice@example.test"}, "to"},
		{"unknown named server", outbox.Mail{From: "alice@example.test", To: []string{"a@b.test"}, ServerHostname: "nope.test"}, "no mail_server"},
		{"sender without a domain", outbox.Mail{From: "alice", To: []string{"a@b.test"}}, "domain"},
	}
	for _, c := range cases {
		err := f.out.Send(ctx, f.res, c.m)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error about %q", c.name, err, c.want)
		}
	}
	if rows := f.rows(t); len(rows) != 0 {
		t.Fatalf("refused sends queued %d rows", len(rows))
	}
	if !bytes.Contains(outbox.Compose(outbox.Mail{From: "a@b.test", To: []string{"c@d.test"}, Body: "x\ny"}, *f.clock), []byte("x\r\ny\r\n")) {
		t.Fatal("Compose line endings")
	}
}
