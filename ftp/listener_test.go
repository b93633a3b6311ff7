package ftp

import (
	"bytes"
	"crypto/rand"
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

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

// TestTransfers moves files of several sizes up and down, plain and over
// TLS, with REST, APPE and the three listings.
func TestTransfers(t *testing.T) {
	r := newRig(t, nil)
	for _, mode := range []string{"plain", "tls"} {
		t.Run(mode, func(t *testing.T) {
			c := dial(t, r.addr)
			if mode == "tls" {
				c.secure()
				c.want(200, "PBSZ 0")
				c.want(200, "PROT P")
				c.prot = true
			}
			c.login("u@x.test")
			dir := "/files.test/" + mode
			c.want(257, "MKD %s", dir)
			for _, size := range []int{0, 1, 100 << 10, 3 << 20} {
				name := fmt.Sprintf("%s/f%d.bin", dir, size)
				data := randomBytes(size)
				if code := c.stor("STOR", name, data); code != 226 {
					t.Fatalf("STOR %d bytes: %d", size, code)
				}
				onDisk, err := os.ReadFile(filepath.Join(r.dir, mode, fmt.Sprintf("f%d.bin", size)))
				if err != nil || !bytes.Equal(onDisk, data) {
					t.Fatalf("stored %d bytes: %v", size, err)
				}
				got, code := c.retr(name)
				if code != 226 || !bytes.Equal(got, data) {
					t.Fatalf("RETR %d bytes: %d, %d bytes back", size, code, len(got))
				}
				if msg := c.want(213, "SIZE %s", name); msg != strconv.Itoa(size) {
					t.Fatalf("SIZE = %s, want %d", msg, size)
				}
			}
			// REST then RETR resumes; APPE appends.
			name := dir + "/f100.bin"
			c.want(350, "REST 40")
			if got, code := c.retr(dir + "/f1.bin"); code != 226 || len(got) != 0 {
				t.Fatalf("REST past the end: %d %d bytes", code, len(got))
			}
			whole, _ := c.retr(dir + "/f102400.bin") // REST served one transfer only
			if len(whole) != 100<<10 {
				t.Fatalf("REST was kept: %d bytes", len(whole))
			}
			c.want(350, "REST 60")
			part, code := c.retr(dir + "/f102400.bin")
			if code != 226 || !bytes.Equal(part, whole[60:]) {
				t.Fatalf("REST 60 + RETR: %d, %d bytes", code, len(part))
			}
			if code := c.stor("STOR", name, []byte("abc")); code != 226 {
				t.Fatalf("STOR: %d", code)
			}
			if code := c.stor("APPE", name, []byte("def")); code != 226 {
				t.Fatalf("APPE: %d", code)
			}
			if got, _ := c.retr(name); string(got) != "abcdef" {
				t.Fatalf("after APPE: %q", got)
			}
			for _, l := range []struct{ cmd, want string }{
				{"LIST", "f3145728.bin"}, {"NLST", "f0.bin\r\n"}, {"MLSD", "type=file;size=3145728;"}, {"LIST -la", "f1.bin"},
			} {
				out, code := c.list(l.cmd, dir)
				if code != 226 || !strings.Contains(out, l.want) {
					t.Fatalf("%s: %d %q", l.cmd, code, out)
				}
			}
			if out, _ := c.list("NLST", "/"); out != "files.test\r\n" {
				t.Fatalf("root listing %q", out)
			}
			c.want(221, "QUIT")
		})
	}
}

// TestPermissions: each operation needs the site permission of contract
// §6, and what is refused changes nothing.
func TestPermissions(t *testing.T) {
	r := newRig(t, nil)
	if err := os.MkdirAll(filepath.Join(r.dir, "d"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(r.dir, "d", "a.txt"), []byte("A"), 0o644); err != nil {
		t.Fatal(err)
	}
	owner := dial(t, r.addr).login("u@x.test")
	reader := dial(t, r.addr).login("r@x.test")
	cases := []struct {
		name        string
		run         func(c *client) int
		owner, read int
	}{
		{"RETR", func(c *client) int { _, code := c.retr("/files.test/d/a.txt"); return code }, 226, 226},
		{"LIST", func(c *client) int { _, code := c.list("LIST", "/files.test/d"); return code }, 226, 226},
		{"STOR new", func(c *client) int {
			return c.stor("STOR", "/files.test/d/new-"+strconv.Itoa(c.c.LocalAddr().(*net.TCPAddr).Port), []byte("n"))
		}, 226, 550},
		{"STOR over", func(c *client) int { return c.stor("STOR", "/files.test/d/a.txt", []byte("B")) }, 226, 550},
		{"MKD", func(c *client) int {
			code, _ := c.send("MKD /files.test/m%d", c.c.LocalAddr().(*net.TCPAddr).Port)
			return code
		}, 257, 550},
		{"hidden site", func(c *client) int { _, code := c.retr("/hidden.test/x"); return code }, 550, 550},
		{"DELE root", func(c *client) int { code, _ := c.send("RMD /files.test"); return code }, 550, 550},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.run(reader); got != tc.read {
				t.Errorf("read-only user: %d, want %d", got, tc.read)
			}
			if got := tc.run(owner); got != tc.owner {
				t.Errorf("owner: %d, want %d", got, tc.owner)
			}
		})
	}
	// The reader's refused STOR left the owner's content.
	if b, _ := os.ReadFile(filepath.Join(r.dir, "d", "a.txt")); string(b) != "B" {
		t.Fatalf("a.txt = %q", b)
	}
	// Delete needs Delete.
	if code, _ := reader.send("DELE /files.test/d/a.txt"); code == 250 {
		t.Fatal("a reader deleted a file")
	}
	owner.want(250, "DELE /files.test/d/a.txt")
	// A wrong password is refused.
	bad := dial(t, r.addr)
	bad.want(331, "USER u@x.test")
	bad.want(530, "PASS nope")
}

// TestBadPaths: paths that leave a site or carry NUL are refused.
func TestBadPaths(t *testing.T) {
	r := newRig(t, nil)
	c := dial(t, r.addr).login("u@x.test")
	for _, p := range []string{"/etc/passwd", "/files.test/../../etc/passwd", "/files.test/a\x00b", `/files.test/a\b`, "/nosuch.test/x"} {
		if _, code := c.retr(p); code == 226 || code == 150 {
			t.Errorf("RETR %q: %d", p, code)
		}
	}
	if code, _ := c.send("RNFR /files.test/index.html"); code == 350 {
		if code, _ := c.send("RNTO /other.test/x"); code == 250 {
			t.Error("renamed across sites")
		}
	}
}

// TestActiveMode: PORT and EPRT connect back to the client only.
func TestActiveMode(t *testing.T) {
	r := newRig(t, nil)
	if err := os.MkdirAll(r.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(r.dir, "x.txt"), []byte("active"), 0o644); err != nil {
		t.Fatal(err)
	}
	c := dial(t, r.addr).login("u@x.test")
	for _, extended := range []bool{false, true} {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := ln.Addr().(*net.TCPAddr).Port
		if extended {
			c.want(200, "EPRT |1|127.0.0.1|%d|", port)
		} else {
			c.want(200, "PORT 127,0,0,1,%d,%d", port>>8, port&0xff)
		}
		got := make(chan []byte, 1)
		go func() {
			dc, err := ln.Accept()
			if err != nil {
				got <- nil
				return
			}
			b, _ := io.ReadAll(dc)
			_ = dc.Close()
			got <- b
		}()
		c.want(150, "RETR /files.test/x.txt")
		if code, msg := c.read(); code != 226 {
			t.Fatalf("active RETR: %d %s", code, msg)
		}
		if b := <-got; string(b) != "active" {
			t.Fatalf("active data %q", b)
		}
		_ = ln.Close()
	}
	// No bounce: another address is refused, and bad syntax too.
	c.want(504, "PORT 10,0,0,1,4,1")
	c.want(504, "EPRT |1|10.0.0.1|1025|")
	c.want(501, "PORT 1,2,3")
	c.want(501, "EPRT |9|x|1|")
	// A transfer without a data connection.
	c.want(425, "RETR /files.test/x.txt")
}

// TestTimeoutsAndLimits: silent control connections, stalled data
// connections and passive ports never used end after their timeouts;
// MaxClients is enforced.
func TestTimeoutsAndLimits(t *testing.T) {
	r := newRig(t, func(o *Options) {
		o.IdleTimeout, o.DataTimeout, o.MaxClients = 400*time.Millisecond, 300*time.Millisecond, 3
		o.PassivePorts = "42300-42310"
	})
	silent := dial(t, r.addr)
	start := time.Now()
	if code, _ := silent.read(); code != 0 || time.Since(start) > 5*time.Second {
		t.Fatal("silent client not closed")
	}

	c := dial(t, r.addr).login("u@x.test")
	msg := c.want(227, "PASV")
	if !strings.Contains(msg, "127,0,0,1,") {
		t.Fatalf("PASV %s", msg)
	}
	nums := strings.Split(strings.Trim(msg[strings.Index(msg, "("):], "()."), ",")
	hi, _ := strconv.Atoi(nums[4])
	lo, _ := strconv.Atoi(nums[5])
	if port := hi<<8 | lo; port < 42300 || port > 42310 {
		t.Fatalf("passive port %d outside the range", port)
	}
	// A missing file is refused before any data connection.
	c.want(550, "RETR /files.test/nothing")
	// A passive port never connected to: the transfer gives up.
	if err := os.MkdirAll(r.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(r.dir, "there.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	c.want(229, "EPSV")
	c.want(150, "RETR /files.test/there.txt")
	if code, _ := c.read(); code != 425 {
		t.Fatalf("RETR without the client's data connection: %d", code)
	}
	c2 := dial(t, r.addr).login("u@x.test")
	c2.data()
	dc := c2.data() // a second EPSV replaces the first
	c2.want(150, "STOR /files.test/stalled.bin")
	if code, _ := c2.read(); code != 451 {
		t.Fatalf("stalled STOR: %d", code)
	}
	_ = dc.SetReadDeadline(time.Now().Add(3 * time.Second))
	if _, err := io.ReadAll(dc); err != nil {
		t.Fatalf("stalled data connection not closed: %v", err)
	}
	if _, err := os.Stat(filepath.Join(r.dir, "stalled.bin")); err == nil {
		t.Fatal("a stalled upload left a file")
	}
	// Limit: c and c2 are in; one more fits, the next is refused.
	dial(t, r.addr)
	extra, err := net.Dial("tcp", r.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer extra.Close()
	b := make([]byte, 100)
	_ = extra.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, _ := extra.Read(b)
	if !strings.HasPrefix(string(b[:n]), "421 Cannot accept any additional client") {
		t.Fatalf("fourth client: %q", b[:n])
	}
}

// TestProtAndForceTLS: PROT needs AUTH TLS; with ForceTLS, data
// connections need PROT P.
func TestProtAndForceTLS(t *testing.T) {
	r := newRig(t, nil)
	c := dial(t, r.addr)
	c.want(503, "PROT P")
	c.secure()
	c.want(536, "PROT S")
	c.want(200, "PROT C")
	f := newRig(t, func(o *Options) { o.ForceTLS = true })
	fc := dial(t, f.addr)
	fc.want(534, "USER u@x.test")
	fc.secure()
	fc.login("u@x.test")
	fc.want(536, "PROT C")
	fc.want(521, "EPSV")
	fc.want(200, "PROT P")
	fc.prot = true
	if out, code := fc.list("NLST", "/"); code != 226 || out != "files.test\r\n" {
		t.Fatalf("NLST over TLS: %d %q", code, out)
	}
}
