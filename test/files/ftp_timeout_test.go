package files

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// ftpClient is a bare control connection for protocol-level tests.
type ftpClient struct {
	t *testing.T
	c net.Conn
	r *bufio.Reader
}

func dialFTP(t *testing.T, addr string) *ftpClient {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return &ftpClient{t: t, c: c, r: bufio.NewReader(c)}
}

// reply reads one (possibly multi-line) reply within 10 s.
func (f *ftpClient) reply() (int, string, error) {
	_ = f.c.SetReadDeadline(time.Now().Add(10 * time.Second))
	var all strings.Builder
	for {
		line, err := f.r.ReadString('\n')
		if err != nil {
			return 0, all.String(), err
		}
		all.WriteString(line)
		if len(line) >= 4 && line[3] == ' ' {
			code, _ := strconv.Atoi(line[:3])
			return code, all.String(), nil
		}
	}
}

// cmd sends a command and returns the reply, failing on a transport error.
func (f *ftpClient) cmd(format string, args ...any) (int, string) {
	f.t.Helper()
	if _, err := fmt.Fprintf(f.c, format+"\r\n", args...); err != nil {
		f.t.Fatal(err)
	}
	code, msg, err := f.reply()
	if err != nil {
		f.t.Fatalf("%s: %v (%q)", format, err, msg)
	}
	return code, msg
}

func (f *ftpClient) login() {
	f.t.Helper()
	if code, msg, err := f.reply(); err != nil || code != 220 {
		f.t.Fatalf("banner: %d %q %v", code, msg, err)
	}
	f.cmd("USER admin@example.test")
	if code, msg := f.cmd("PASS admin-password"); code != 230 {
		f.t.Fatalf("login: %d %s", code, msg)
	}
}

// pasv asks for a passive data port.
func (f *ftpClient) pasv() string {
	f.t.Helper()
	code, msg := f.cmd("EPSV")
	if code != 229 {
		f.t.Fatalf("EPSV: %d %s", code, msg)
	}
	port := msg[strings.Index(msg, "|||")+3 : strings.LastIndex(msg, "|")]
	host, _, _ := net.SplitHostPort(f.c.RemoteAddr().String())
	return net.JoinHostPort(host, port)
}

// closedWithin reports whether the server closes c within d.
func closedWithin(c net.Conn, r io.Reader, d time.Duration) bool {
	_ = c.SetReadDeadline(time.Now().Add(d))
	_, err := io.Copy(io.Discard, r)
	return err == nil // EOF: closed by the server; a timeout is an error
}

// TestFTPSlowClients: silent control connections and stalled data
// connections are closed after the configured timeouts, while other
// clients are served; the 101st concurrent client is refused.
func TestFTPSlowClients(t *testing.T) {
	s, tok, addr := ftpServer(t, map[string]string{"ftp.idle_timeout": "1s", "ftp.data_timeout": "1s"})
	ftpSite(t, s, tok)

	// A client that connects and sends nothing is disconnected.
	silent := dialFTP(t, addr)
	if code, _, err := silent.reply(); err != nil || code != 220 {
		t.Fatalf("banner: %d %v", code, err)
	}
	start := time.Now()
	if !closedWithin(silent.c, silent.r, 6*time.Second) {
		t.Fatal("a silent control connection was not closed after the idle timeout")
	}
	if el := time.Since(start); el < 800*time.Millisecond {
		t.Fatalf("closed after %v, before the idle timeout", el)
	}

	// An upload whose data connection sends nothing is ended with an
	// error, and the control connection still works.
	up := dialFTP(t, addr)
	up.login()
	data, err := net.Dial("tcp", up.pasv())
	if err != nil {
		t.Fatal(err)
	}
	defer data.Close()
	if code, msg := up.cmd("STOR /files.test/stalled.txt"); code != 150 {
		t.Fatalf("STOR: %d %s", code, msg)
	}
	if code, msg, err := up.reply(); err != nil || code/100 != 4 {
		t.Fatalf("stalled upload: %d %q %v", code, msg, err)
	}
	if !closedWithin(data, data, 6*time.Second) {
		t.Fatal("the stalled data connection was not closed")
	}
	entries, _ := os.ReadDir(filepath.Join(s.Dir, "storage", "ftpsite"))
	for _, e := range entries {
		if e.Name() != "index.html" {
			t.Fatalf("a stalled upload left %s", e.Name())
		}
	}
	// A passive port the client never connects to: RETR gives up.
	up.pasv()
	code, msg := up.cmd("RETR /files.test/index.html")
	if code == 150 {
		code, msg, err = up.reply()
		if err != nil {
			t.Fatal(err)
		}
	}
	if code != 425 {
		t.Fatalf("RETR without a data connection: %d %s", code, msg)
	}

	up.cmd("QUIT")
	if !closedWithin(up.c, up.r, 6*time.Second) {
		t.Fatal("QUIT did not close")
	}

	// 100 clients at once are served; the 101st is refused.
	var held []*ftpClient
	for i := 0; i < 100; i++ {
		c := dialFTP(t, addr)
		if code, _, err := c.reply(); err != nil || code != 220 {
			t.Fatalf("client %d: %d %v", i, code, err)
		}
		held = append(held, c)
	}
	extra := dialFTP(t, addr)
	if code, msg, _ := extra.reply(); code != 421 || !strings.Contains(msg, "Cannot accept any additional client") {
		t.Fatalf("101st client: %d %q", code, msg)
	}
	// Once the idle clients are dropped, a real client is served again.
	for _, c := range held {
		if !closedWithin(c.c, c.r, 6*time.Second) {
			t.Fatal("an idle client was not closed")
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		c := dialFTP(t, addr)
		code, _, err := c.reply()
		if err == nil && code == 220 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no client slot after the idle clients left: %d %v", code, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if out := lftp(t, "set ftp:ssl-allow no; set net:max-retries 1; open -u admin@example.test,admin-password -p "+
		addr[strings.LastIndex(addr, ":")+1:]+" 127.0.0.1; cat /files.test/index.html"); !strings.Contains(out, "ftp site") {
		t.Fatalf("a normal client after the slow ones: %q", out)
	}
}
