package mail

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/apiary/apiary/server"
	"github.com/apiary/apiary/test/testserver"
)

// Domain is the local mail domain of every test.
const Domain = "example.test"

// env is a server with a mail domain, two users with an account each and
// listeners on loopback.
type env struct {
	srv      *testserver.Server
	admin    string
	alice    string // alice's API token
	bob      string
	smtpAddr string
	imapAddr string
}

const (
	alicePass = "alice-mail-pass"
	bobPass   = "bob-mail-pass"
)

// serverOpts are the attributes of the mail_server row, the outbox's
// smarthost and the DNS records the server sees.
type serverOpts struct {
	authRequired bool
	implicitTLS  bool
	maxSize      int
	smarthost    string
	dns          fakeDNS
	// config are extra _config backend settings, set before the listeners
	// are synced.
	config map[string]string
}

func setup(t testing.TB, o serverOpts) *env {
	t.Helper()
	return setupOn(t, testserver.Start(t, testserver.WithConfig(func(c *server.Config) {
		c.Mail.Smarthost = o.smarthost
		c.Mail.DNS = o.dns
	})), o)
}

// setupOn configures the mail domain, users and listeners on srv.
func setupOn(t testing.TB, srv *testserver.Server, o serverOpts) *env {
	t.Helper()
	e := &env{srv: srv, admin: srv.Admin(t)}
	e.alice = srv.User(t, "Alice", "alice@users.test", "alice-password")
	e.bob = srv.User(t, "Bob", "bob@users.test", "bob-password")
	if o.maxSize == 0 {
		o.maxSize = 1 << 20
	}
	ms := e.create(t, "mail_server", map[string]any{"hostname": Domain, "is_enabled": true, "listen_interface": "127.0.0.1:0",
		"always_on_tls": o.implicitTLS, "authentication_required": o.authRequired, "max_size": o.maxSize, "max_clients": 20}, nil)
	for _, u := range []struct{ email, addr, pass string }{{"alice@users.test", "alice@" + Domain, alicePass}, {"bob@users.test", "bob@" + Domain, bobPass}} {
		acct := e.create(t, "mail_account", map[string]any{"username": u.addr, "password": u.pass, "password_md5": u.pass}, map[string]any{
			"mail_server_id": map[string]any{"data": map[string]any{"type": "mail_server", "id": ms}},
		})
		// The owner is the user who receives the mail (a create keeps its
		// caller as owner, so it is set by an update).
		r := srv.Do(t, http.MethodPatch, "/api/mail_account/"+acct, map[string]any{"data": map[string]any{"type": "mail_account", "id": acct,
			"attributes": map[string]any{}, "relationships": map[string]any{
				"user_account_id": map[string]any{"data": map[string]any{"type": "user_account", "id": e.userRef(t, u.email)}}}}}, e.admin)
		if r.Status != http.StatusOK {
			t.Fatalf("give mail_account to its user: %d %s", r.Status, r.Body)
		}
	}
	var conf [][2]string
	for k, v := range o.config {
		conf = append(conf, [2]string{k, v})
	}
	conf = append(conf, [][2]string{{"imap.listen_interface", "127.0.0.1:0"}, {"imap.hostname", "127.0.0.1"}, {"imap.enabled", "true"}}...)
	for _, kv := range conf {
		key, val := kv[0], kv[1]
		if r := srv.Do(t, http.MethodPut, "/_config/backend/"+key, val, e.admin); r.Status != http.StatusOK {
			t.Fatalf("config %s: %d %s", key, r.Status, r.Body)
		}
	}
	if r := srv.Do(t, http.MethodPost, "/action/mail_server/sync_mail_servers", map[string]any{"attributes": map[string]any{}}, e.admin); r.Status != http.StatusOK {
		t.Fatalf("sync_mail_servers: %d %s", r.Status, r.Body)
	}
	a := srv.Srv.MailSMTPAddr(Domain)
	if a == nil {
		t.Fatal("no SMTP listener after sync_mail_servers")
	}
	e.smtpAddr = a.String()
	if a := srv.Srv.MailIMAPAddr(); a != nil {
		e.imapAddr = a.String()
	} else {
		t.Fatal("no IMAP listener after imap.enabled")
	}
	return e
}

func (e *env) create(t testing.TB, typ string, attrs, rels map[string]any) string {
	t.Helper()
	data := map[string]any{"type": typ, "attributes": attrs}
	if rels != nil {
		data["relationships"] = rels
	}
	r := e.srv.Do(t, http.MethodPost, "/api/"+typ, map[string]any{"data": data}, e.admin)
	if r.Status != http.StatusCreated && r.Status != http.StatusOK {
		t.Fatalf("create %s: %d %s", typ, r.Status, r.Body)
	}
	return r.Map(t)["data"].(map[string]any)["id"].(string)
}

func (e *env) userRef(t testing.TB, email string) string {
	t.Helper()
	rows := e.list(t, "user_account", fmt.Sprintf(`[{"column":"email","operator":"is","value":%q}]`, email), e.admin)
	if len(rows) != 1 {
		t.Fatalf("user %s: %d rows", email, len(rows))
	}
	return rows[0]["id"].(string)
}

// list returns the rows of typ matching a query= filter, as token sees them.
func (e *env) list(t testing.TB, typ, query, token string) []map[string]any {
	t.Helper()
	path := "/api/" + typ + "?page[size]=500"
	if query != "" {
		path += "&query=" + url.QueryEscape(query)
	}
	r := e.srv.Do(t, http.MethodGet, path, nil, token)
	if r.Status != http.StatusOK {
		t.Fatalf("list %s: %d %s", typ, r.Status, r.Body)
	}
	var out []map[string]any
	for _, d := range r.Map(t)["data"].([]any) {
		out = append(out, d.(map[string]any))
	}
	return out
}

// mails lists the mail rows token can read.
func (e *env) mails(t testing.TB, token string) []map[string]any { return e.list(t, "mail", "", token) }

// waitFor polls cond until it holds or 5 s pass.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

// tool returns the path of an external client; a missing one fails the
// test unless APIARY_SKIP_CLIENTS=1.
func tool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("APIARY_SKIP_CLIENTS") == "1" {
			t.Skipf("%s not installed (APIARY_SKIP_CLIENTS=1)", name)
		}
		t.Fatalf("%s not installed: run test/deps.sh", name)
	}
	return p
}

// run runs a client and returns its combined output.
func run(t testing.TB, name string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(tool(t, name), args...)
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// python runs a Python 3 script with args.
func python(t testing.TB, script string, args ...string) (string, error) {
	t.Helper()
	return run(t, "python3", append([]string{"-c", script}, args...)...)
}

func hostPort(t testing.TB, addr string) (string, string) {
	t.Helper()
	h, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	return h, p
}

// tlsInsecure trusts the server's self-signed certificate.
var tlsInsecure = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // test against a self-signed certificate

func attr(row map[string]any, name string) string {
	return strings.TrimSpace(fmt.Sprint(row["attributes"].(map[string]any)[name]))
}

// certPEM returns the PEM certificate of a hostname from the API.
func (e *env) certPEM(t testing.TB, host string) string {
	t.Helper()
	rows := e.list(t, "certificate", fmt.Sprintf(`[{"column":"hostname","operator":"is","value":%q}]`, host), e.admin)
	if len(rows) != 1 {
		t.Fatalf("certificate of %s: %d rows", host, len(rows))
	}
	return attr(rows[0], "certificate_pem")
}

// fakeDNS answers TXT, MX and address lookups from maps; anything else is
// NXDOMAIN, so no test depends on the network.
type fakeDNS struct {
	txt map[string][]string
	mx  map[string][]*net.MX
	ip  map[string][]string
}

func nxdomain(name string) error {
	return &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}

func (f fakeDNS) LookupTXT(_ context.Context, name string) ([]string, error) {
	if v, ok := f.txt[name]; ok {
		return v, nil
	}
	return nil, nxdomain(name)
}

func (f fakeDNS) LookupMX(_ context.Context, name string) ([]*net.MX, error) {
	if v, ok := f.mx[name]; ok {
		return v, nil
	}
	return nil, nxdomain(name)
}

func (f fakeDNS) LookupIPAddr(_ context.Context, host string) ([]net.IPAddr, error) {
	v, ok := f.ip[host]
	if !ok {
		return nil, nxdomain(host)
	}
	out := make([]net.IPAddr, len(v))
	for i, s := range v {
		out[i] = net.IPAddr{IP: net.ParseIP(s)}
	}
	return out, nil
}

func fmtAny(v any) string { return fmt.Sprint(v) }
