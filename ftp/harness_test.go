package ftp

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/storage/blob"
)

// fakeRes is the part of the resource layer the FTP driver uses: users
// with passwords, sites, and per-user allowed operations on every site.
type fakeRes struct {
	resource.Service // nil: only the methods below are called
	passwords        map[string]string
	allow            map[string][]auth.Op // e-mail → operations allowed
	sites            []resource.Row
}

func (f *fakeRes) Authenticate(_ context.Context, email, pass string) (auth.Principal, error) {
	if p, ok := f.passwords[email]; !ok || p != pass {
		return auth.Principal{}, resource.ErrUnauthenticated
	}
	return auth.Principal{UserID: 1, Email: email}, nil
}

func (f *fakeRes) List(_ context.Context, table string, q resource.Query) (resource.Page, error) {
	if table != siteTable || q.PageNumber > 1 {
		return resource.Page{}, nil
	}
	return resource.Page{Rows: f.sites}, nil
}

func (f *fakeRes) CheckRow(ctx context.Context, table, ref string, op auth.Op) (resource.Row, error) {
	p := auth.PrincipalFrom(ctx)
	for _, a := range f.allow[p.Email] {
		if a == op {
			return resource.Row{Table: table, RefID: ref}, nil
		}
	}
	return resource.Row{}, resource.ErrForbidden
}

// fakeStores opens every site's store: one local folder.
type fakeStores struct{ st *blob.Store }

func (f fakeStores) ByRef(context.Context, string) (*blob.Store, resource.Row, error) {
	return f.st, resource.Row{}, nil
}

// rig is a running FTP listener over a local store with the site
// "files.test" (folder "site") and the user u@x.test, who may do
// everything, and r@x.test, who may only peek and read.
type rig struct {
	l    *Listener
	dir  string // the store's root
	addr string
	tls  *tls.Config
}

var everything = []auth.Op{auth.OpPeek, auth.OpRead, auth.OpCreate, auth.OpUpdate, auth.OpDelete}

func newRig(t *testing.T, tune func(*Options)) *rig {
	t.Helper()
	dir := t.TempDir()
	st, err := blob.Open(context.Background(), blob.Spec{Provider: "local", Root: dir})
	if err != nil {
		t.Fatal(err)
	}
	res := &fakeRes{passwords: map[string]string{"u@x.test": "pw", "r@x.test": "pw"},
		allow: map[string][]auth.Op{"u@x.test": everything, "r@x.test": {auth.OpPeek, auth.OpRead}},
		sites: []resource.Row{
			{RefID: "s1", Attrs: map[string]any{"enable": true, "ftp_enabled": true, "hostname": "files.test", "path": "site", "cloud_store_id": "c1"}},
			{RefID: "s2", Attrs: map[string]any{"enable": true, "ftp_enabled": false, "hostname": "hidden.test", "path": "hidden", "cloud_store_id": "c1"}},
		}}
	cfg := &tls.Config{Certificates: []tls.Certificate{selfSigned(t)}, MinVersion: tls.VersionTLS12}
	o := Options{Res: func() resource.Service { return res }, Stores: fakeStores{st}, Addr: "127.0.0.1:0", TLS: cfg}
	if tune != nil {
		tune(&o)
	}
	l := New(o)
	if err := l.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Shutdown(context.Background()) })
	return &rig{l: l, dir: filepath.Join(dir, "site"), addr: l.Addr().String(), tls: cfg}
}

func selfSigned(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "files.test"}, DNSNames: []string{"files.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// client is a minimal FTP client speaking on a raw connection.
type client struct {
	t    *testing.T
	c    net.Conn
	r    *bufio.Reader
	prot bool // data connections use TLS
}

func dial(t *testing.T, addr string) *client {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	cl := &client{t: t, c: c, r: bufio.NewReader(c)}
	if code, msg := cl.read(); code != 220 {
		t.Fatalf("banner: %d %s", code, msg)
	}
	return cl
}

// read reads one reply; code 0 means the connection ended.
func (c *client) read() (int, string) {
	_ = c.c.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		line, err := c.r.ReadString('\n')
		if err != nil {
			return 0, err.Error()
		}
		if len(line) >= 4 && line[3] == ' ' {
			code, _ := strconv.Atoi(line[:3])
			return code, strings.TrimSpace(line[4:])
		}
	}
}

func (c *client) send(format string, a ...any) (int, string) {
	c.t.Helper()
	if _, err := fmt.Fprintf(c.c, format+"\r\n", a...); err != nil {
		return 0, err.Error()
	}
	return c.read()
}

// want sends a command and fails unless the reply has the code.
func (c *client) want(code int, format string, a ...any) string {
	c.t.Helper()
	got, msg := c.send(format, a...)
	if got != code {
		c.t.Fatalf("%s: %d %s, want %d", fmt.Sprintf(format, a...), got, msg, code)
	}
	return msg
}

func (c *client) login(user string) *client {
	c.t.Helper()
	c.want(331, "USER %s", user)
	c.want(230, "PASS pw")
	return c
}

// secure runs AUTH TLS and PROT P.
func (c *client) secure() *client {
	c.t.Helper()
	c.want(234, "AUTH TLS")
	tc := tls.Client(c.c, &tls.Config{InsecureSkipVerify: true})
	if err := tc.Handshake(); err != nil {
		c.t.Fatal(err)
	}
	c.c, c.r = tc, bufio.NewReader(tc)
	return c
}

// data opens a passive data connection.
func (c *client) data() net.Conn {
	c.t.Helper()
	msg := c.want(229, "EPSV")
	port := msg[strings.Index(msg, "|||")+3 : strings.LastIndex(msg, "|")]
	dc, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", port), 5*time.Second)
	if err != nil {
		c.t.Fatal(err)
	}
	c.t.Cleanup(func() { _ = dc.Close() })
	if c.prot {
		return tls.Client(dc, &tls.Config{InsecureSkipVerify: true})
	}
	return dc
}

// retr downloads a file; the final code is returned with the bytes.
func (c *client) retr(p string) ([]byte, int) {
	c.t.Helper()
	dc := c.data()
	if code, msg := c.send("RETR %s", p); code != 150 {
		return nil, code
	} else if msg == "" {
		c.t.Fatal("empty 150")
	}
	_ = dc.SetReadDeadline(time.Now().Add(10 * time.Second))
	b, err := io.ReadAll(dc)
	if err != nil {
		c.t.Fatalf("RETR %s: %v", p, err)
	}
	code, _ := c.read()
	return b, code
}

// stor uploads data with STOR or APPE; it returns the final code.
func (c *client) stor(cmd, p string, data []byte) int {
	c.t.Helper()
	dc := c.data()
	if code, _ := c.send("%s %s", cmd, p); code != 150 {
		return code
	}
	_ = dc.SetWriteDeadline(time.Now().Add(10 * time.Second))
	if _, err := dc.Write(data); err != nil {
		c.t.Fatal(err)
	}
	if tc, ok := dc.(*tls.Conn); ok {
		_ = tc.CloseWrite()
		_, _ = io.Copy(io.Discard, tc)
	}
	_ = dc.Close()
	code, _ := c.read()
	return code
}

// list runs LIST, NLST or MLSD and returns the listing.
func (c *client) list(cmd, p string) (string, int) {
	c.t.Helper()
	dc := c.data()
	if code, _ := c.send("%s %s", cmd, p); code != 150 {
		return "", code
	}
	_ = dc.SetReadDeadline(time.Now().Add(10 * time.Second))
	b, err := io.ReadAll(dc)
	if err != nil && !errors.Is(err, io.EOF) {
		c.t.Fatalf("%s: %v", cmd, err)
	}
	code, _ := c.read()
	return string(b), code
}
