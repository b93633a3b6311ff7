package mail

import (
	"fmt"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/apiary/apiary/server"
	"github.com/apiary/apiary/storage/db/dbtest"
	"github.com/apiary/apiary/test/testserver"
)

// clusterPorts returns two Olric ports, each with its port+1 free.
func clusterPorts(t *testing.T) [2]int {
	t.Helper()
	var out [2]int
	for i := range out {
		for range 50 {
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			p := l.Addr().(*net.TCPAddr).Port
			l2, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p+1))
			l.Close()
			if err == nil && (i == 0 || p != out[0] && p+1 != out[0] && p != out[0]+1) {
				l2.Close()
				out[i] = p
				break
			}
			if l2 != nil {
				l2.Close()
			}
		}
		if out[i] == 0 {
			t.Fatal("no free port pair")
		}
	}
	return out
}

// TestIDLEAcrossNodes: two nodes on one database; a message delivered
// over SMTP to node A wakes an IDLE session on node B within a second,
// and a flag set on A reaches it too (PostgreSQL and MySQL: SQLite
// refuses peers).
func TestIDLEAcrossNodes(t *testing.T) {
	if typ := dbtest.Type(); typ == "sqlite3" || typ == "sqlite" {
		t.Skip("a cluster needs a shared database: run with APIARY_TEST_DB=postgres or mysql")
	}
	typ, dsn := dbtest.NewDSN(t)
	ports := clusterPorts(t)
	dir := t.TempDir()
	var nodes [2]*testserver.Server
	for i := range nodes {
		port, peer := ports[i], fmt.Sprintf("127.0.0.1:%d", ports[1-i]+1)
		nodes[i] = testserver.Start(t, testserver.WithDatabase(dir, typ, dsn), testserver.WithConfig(func(c *server.Config) {
			c.Olric = server.OlricConfig{Port: port, Peers: []string{peer}, Secret: "mail-cluster-secret"}
		}))
	}
	for i, n := range nodes {
		waitFor(t, fmt.Sprintf("node %d to see 2 members", i+1), func() bool {
			c, _ := n.Do(t, http.MethodGet, "/api/status", nil, "").Map(t)["cluster"].(map[string]any)
			return c["members"] == float64(2)
		})
	}
	e := setupOn(t, nodes[0], serverOpts{})
	b := nodes[1]
	if r := b.Do(t, http.MethodPost, "/action/mail_server/sync_mail_servers", map[string]any{"attributes": map[string]any{}}, e.admin); r.Status != http.StatusOK {
		t.Fatalf("sync_mail_servers on node B: %d %s", r.Status, r.Body)
	}
	addr := b.Srv.MailIMAPAddr()
	if addr == nil {
		t.Fatal("node B has no IMAP listener")
	}

	exists := make(chan uint32, 8)
	flags := make(chan int, 8)
	c, err := imapclient.DialStartTLS(addr.String(), &imapclient.Options{TLSConfig: tlsInsecure,
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{
			Mailbox: func(d *imapclient.UnilateralDataMailbox) {
				if d.NumMessages != nil {
					exists <- *d.NumMessages
				}
			},
			Fetch: func(m *imapclient.FetchMessageData) {
				if buf, _ := m.Collect(); buf != nil {
					flags <- len(buf.Flags)
				}
			},
		}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login("alice@"+Domain, alicePass).Wait(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	idle, err := c.Idle()
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := plainSend(e.smtpAddr, "x@outside.test", "alice@"+Domain, []byte("Subject: via A\r\n\r\nhello B\r\n")); err != nil {
		t.Fatal(err)
	}
	select {
	case n := <-exists:
		if n != 1 {
			t.Fatalf("EXISTS %d, want 1", n)
		}
		t.Logf("EXISTS on node B %v after the SMTP send to node A", time.Since(start).Round(time.Millisecond))
	case <-time.After(time.Second + time.Since(start)):
		t.Fatal("IDLE on node B saw no EXISTS within 1 s of the delivery on node A")
	}
	ref := e.mails(t, e.alice)[0]["id"].(string)
	r := e.srv.Do(t, http.MethodPatch, "/api/mail/"+ref, map[string]any{"data": map[string]any{"type": "mail", "id": ref,
		"attributes": map[string]any{"flags": `\Flagged`}}}, e.admin)
	if r.Status != http.StatusOK {
		t.Fatalf("PATCH on node A: %d %s", r.Status, r.Body)
	}
	select {
	case n := <-flags:
		if n != 1 {
			t.Fatalf("FETCH FLAGS with %d flags, want 1", n)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("IDLE on node B saw no FETCH FLAGS for the flag set on node A")
	}
	if err := idle.Close(); err != nil {
		t.Fatal(err)
	}
	if err := idle.Wait(); err != nil {
		t.Fatal(err)
	}
}
