package mail_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-smtp"

	"github.com/apiary/apiary/mail"
	"github.com/apiary/apiary/mail/internal/mailtest"
	"github.com/apiary/apiary/mail/store"
	"github.com/apiary/apiary/resource"
)

// conf is a mutable _config.
type conf struct {
	mu sync.Mutex
	m  map[string]string
}

func (c *conf) get(_ context.Context, k string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[k]
}

func (c *conf) set(k, v string) {
	c.mu.Lock()
	c.m[k] = v
	c.mu.Unlock()
}

type rig struct {
	res    resource.Service
	svc    *mail.Service
	conf   *conf
	server string
}

func newRig(t *testing.T, config map[string]string) *rig {
	t.Helper()
	res := mailtest.Resource(t)
	srv := mailtest.Server(t, res, "example.test")
	mailtest.Account(t, res, srv, "alice@example.test", "alice-pw")
	c := &conf{m: map[string]string{"imap.enabled": "true", "imap.listen_interface": "127.0.0.1:0", "imap.hostname": "127.0.0.1"}}
	for k, v := range config {
		c.m[k] = v
	}
	svc := mail.New(mail.Options{Res: func() resource.Service { return res }, Config: c.get, Log: mailtest.Log(t)})
	if err := svc.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = svc.Shutdown(context.Background()) })
	return &rig{res: res, svc: svc, conf: c, server: srv}
}

func TestServiceListenersFollowRowsAndConfig(t *testing.T) {
	r := newRig(t, nil)
	smtpAddr := r.svc.SMTPAddr("EXAMPLE.test")
	if smtpAddr == nil || r.svc.IMAPAddr() == nil {
		t.Fatalf("listeners: smtp %v imap %v", smtpAddr, r.svc.IMAPAddr())
	}
	if r.svc.SMTPAddr("other.test") != nil {
		t.Fatal("a listener for a host without a row")
	}
	// Mail over SMTP (implicit TLS: the row's default) lands in INBOX.
	c, err := smtp.DialTLS(smtpAddr.String(), &tls.Config{InsecureSkipVerify: true}) //nolint:gosec // self-signed
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.SendMail("x@outside.test", []string{"alice@example.test"}, strings.NewReader("Subject: hi\r\n\r\nhello\r\n")); err != nil {
		t.Fatal(err)
	}
	_ = c.Quit()
	st, total, err := r.svc.Status(mailtest.System(), "", "", 50, 1)
	if err != nil || total != 1 || st[0].Name != "INBOX" { // delivery creates only the box it needs
		t.Fatalf("Status: %d boxes %v", total, err)
	}
	for _, b := range st {
		want := 0
		if b.Name == "INBOX" {
			want = 1
		}
		if b.Messages != want || b.Unseen != want || b.Recent != want || (want == 1 && b.UIDNext != 2) {
			t.Errorf("status of %s: %+v", b.Name, b)
		}
	}
	one, total, err := r.svc.Status(mailtest.System(), "", st[0].MailBoxID, 50, 1)
	if err != nil || total != 1 || len(one) != 1 || one[0].MailBoxID != st[0].MailBoxID {
		t.Fatalf("Status of one box: %v %d %v", one, total, err)
	}
	// Disabling the row stops its listener (the change event syncs).
	if _, err := r.res.Update(mailtest.System(), store.TableServer, r.server, resource.Input{Attributes: map[string]any{"is_enabled": false}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the SMTP listener to stop", func() bool { return r.svc.SMTPAddr("example.test") == nil })
	// Turning IMAP off closes its listener on the next sync.
	r.conf.set("imap.enabled", "false")
	if err := r.svc.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	if r.svc.IMAPAddr() != nil {
		t.Fatal("IMAP still listening with imap.enabled false")
	}
}

func TestServiceIMAPLimitsFromConfig(t *testing.T) {
	r := newRig(t, map[string]string{"imap.read_timeout": "0.5", "imap.max_connections": "1"})
	addr := r.svc.IMAPAddr().String()
	greet := func() (net.Conn, string) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		l, _ := bufio.NewReader(c).ReadString('\n')
		return c, l
	}
	a, ga := greet()
	b, gb := greet()
	b.Close()
	if !strings.HasPrefix(ga, "* OK") || !strings.HasPrefix(gb, "* BYE") {
		t.Fatalf("greetings %q %q", ga, gb)
	}
	start := time.Now()
	buf := make([]byte, 64)
	for {
		if _, err := a.Read(buf); err != nil {
			break
		}
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("silent connection closed after %v", d)
	}
	a.Close()
	// Limits change live, without a new listener.
	r.conf.set("imap.max_connections", "5")
	if err := r.svc.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	if r.svc.IMAPAddr().String() != addr {
		t.Fatal("a limit change restarted the listener")
	}
	cl, err := imapclient.DialStartTLS(addr, &imapclient.Options{TLSConfig: &tls.Config{InsecureSkipVerify: true}}) //nolint:gosec // self-signed
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if err := cl.Login("alice@example.test", "alice-pw").Wait(); err != nil {
		t.Fatal(err)
	}
	cl2, err := imapclient.DialStartTLS(addr, &imapclient.Options{TLSConfig: &tls.Config{InsecureSkipVerify: true}}) //nolint:gosec // self-signed
	if err != nil {
		t.Fatal(err)
	}
	defer cl2.Close()
	if err := cl2.Noop().Wait(); err != nil {
		t.Fatalf("second connection under the raised limit: %v", err)
	}
}

func TestObserveRemoteWakesIdle(t *testing.T) {
	r := newRig(t, nil)
	ctx := mailtest.System()
	st := r.svc.Store()
	acct, _, err := st.Account(ctx, "alice@example.test")
	if err != nil {
		t.Fatal(err)
	}
	box, err := st.Mailbox(ctx, acct, "INBOX")
	if err != nil {
		t.Fatal(err)
	}
	exists := make(chan uint32, 4)
	cl, err := imapclient.DialStartTLS(r.svc.IMAPAddr().String(), &imapclient.Options{TLSConfig: &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // self-signed
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{Mailbox: func(d *imapclient.UnilateralDataMailbox) {
			if d.NumMessages != nil {
				exists <- *d.NumMessages
			}
		}}})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if err := cl.Login("alice@example.test", "alice-pw").Wait(); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	idle, err := cl.Idle()
	if err != nil {
		t.Fatal(err)
	}
	// A change as another node would report it: only the event, no local
	// write.
	r.svc.ObserveRemote(resource.Change{Table: store.TableMail, Op: resource.OpCreate, RefID: "remote-1",
		Row: map[string]any{"mail_box_id": box.RefID, "uid": float64(7), "flags": `\Recent`, "size": float64(12),
			"internal_date": time.Now().UTC().Format(time.RFC3339Nano)}})
	select {
	case n := <-exists:
		if n != 1 {
			t.Fatalf("EXISTS %d", n)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("no EXISTS for a remote change")
	}
	_ = idle.Close()
	_ = idle.Wait()
	for _, c := range []struct {
		table string
		want  bool
	}{{store.TableMail, true}, {store.TableBox, true}, {store.TableServer, true}, {store.TableAccount, true}, {"todo", false}} {
		if mail.IsMailTable(c.table) != c.want {
			t.Errorf("IsMailTable(%s) != %v", c.table, c.want)
		}
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}
