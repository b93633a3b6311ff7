package files

import (
	"bytes"
	"crypto/rand"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apiary/apiary/test/testserver"
)

// ftpServer boots a server, enables FTP in _config, restarts it on the
// same database and returns it with an admin token and the FTP address.
func ftpServer(t *testing.T, extra map[string]string) (*testserver.Server, string, string) {
	t.Helper()
	s1, tok := start(t)
	cfg := map[string]string{"ftp.enable": "true", "ftp.listen_interface": "127.0.0.1:0"}
	for k, v := range extra {
		cfg[k] = v
	}
	for k, v := range cfg {
		if r := s1.Do(t, http.MethodPost, "/_config/backend/"+k, v, tok); r.Status != 200 {
			t.Fatalf("set %s: %d %s", k, r.Status, r.Body)
		}
	}
	c := s1.Config()
	_ = s1.Srv.Close()
	s := testserver.Start(t, testserver.WithDatabase(s1.Dir, c.DB.Type, c.DB.DSN), testserver.WithSchema("schema_files.yaml", fileSchema))
	addr := s.Srv.Addr("ftp")
	if addr == nil {
		t.Fatal("no ftp listener")
	}
	return s, s.SignIn(t, "admin@example.test", "admin-password"), addr.String()
}

// ftpSite creates an FTP-enabled site "files.test" on the localstore.
func ftpSite(t *testing.T, s *testserver.Server, tok string) string {
	t.Helper()
	ref := makeSite(t, s, tok, "files.test", "ftpsite", map[string][]byte{"index.html": []byte("<p>ftp site</p>")})
	if r := s.Do(t, http.MethodPatch, "/api/site/"+ref, patchDoc("site", ref, map[string]any{"ftp_enabled": true}), tok); r.Status != 200 {
		t.Fatalf("enable ftp: %d %s", r.Status, r.Body)
	}
	return ref
}

func randomTree(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for name, size := range map[string]int{"a.bin": 300 << 10, "sub/b.txt": 1234, "sub/deeper/c.bin": 70 << 10, "empty.txt": 0} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		b := make([]byte, size)
		_, _ = rand.Read(b)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// sameTree compares every file of want with got, byte for byte.
func sameTree(t *testing.T, want, got string) {
	t.Helper()
	n := 0
	_ = filepath.Walk(want, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(want, p)
		a, _ := os.ReadFile(p)
		b, err := os.ReadFile(filepath.Join(got, rel))
		if err != nil || !bytes.Equal(a, b) {
			t.Errorf("%s differs after the round trip (%v)", rel, err)
		}
		n++
		return nil
	})
	if n == 0 {
		t.Fatal("empty tree")
	}
}

func lftp(t *testing.T, script string) string {
	t.Helper()
	bin := needTool(t, "lftp")
	cmd := exec.Command(bin, "-c", script)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("lftp: %v\n%s", err, out)
	}
	return string(out)
}

func TestFTPWithLftp(t *testing.T) {
	s, tok, addr := ftpServer(t, map[string]string{"ftp.passive_ports": "42100-42180"})
	ftpSite(t, s, tok)
	host, port, _ := net.SplitHostPort(addr)
	src := randomTree(t)
	for _, mode := range []struct{ name, set string }{
		{"plain", "set ftp:ssl-allow no;"},
		{"ftps", "set ftp:ssl-force true; set ftp:ssl-protect-data true; set ssl:verify-certificate no;"},
	} {
		t.Run(mode.name, func(t *testing.T) {
			remote := "/files.test/up-" + mode.name
			open := mode.set + " set net:max-retries 1; set net:timeout 10; open -u admin@example.test,admin-password -p " + port + " " + host + ";"
			lftp(t, open+" mkdir -p "+remote+"; mirror -R "+src+" "+remote)
			// Written through: the store folder has the files at once.
			sameTree(t, src, filepath.Join(s.Dir, "storage", "ftpsite", "up-"+mode.name))
			down := t.TempDir()
			lftp(t, open+" mirror "+remote+" "+down)
			sameTree(t, src, down)
			// The site serves an uploaded file immediately.
			if _, body := siteGet(t, s, "files.test", "/up-"+mode.name+"/sub/b.txt", nil); len(body) != 1234 {
				t.Fatalf("site did not serve the FTP upload: %d bytes", len(body))
			}
		})
	}
	// The virtual root lists the site.
	if out := lftp(t, "set ftp:ssl-allow no; open -u admin@example.test,admin-password -p "+port+" "+host+"; cls /"); !strings.Contains(out, "files.test") {
		t.Fatalf("root listing: %q", out)
	}
	// A wrong password is refused.
	cmd := exec.Command(needTool(t, "lftp"), "-c", "set ftp:ssl-allow no; set net:max-retries 1; open -u admin@example.test,wrong -p "+port+" "+host+"; ls /")
	if out, err := cmd.CombinedOutput(); err == nil {
		t.Fatalf("wrong password accepted: %s", out)
	}
}

const pyFTP = `
import ftplib, io, sys, ssl
host, port, user, pw, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
if mode == "tls":
    ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
    f = ftplib.FTP_TLS(context=ctx, timeout=20); f.connect(host, port); f.login(user, pw); f.prot_p()
    # Uploads too: ftplib waits for the server's TLS close_notify after an
    # upload, which the data channel sends.
else:
    f = ftplib.FTP(timeout=20); f.connect(host, port); f.login(user, pw)
def expect_error(fn, *a):
    try:
        fn(*a)
    except ftplib.all_errors as e:
        return str(e)
    raise SystemExit("no error for %s %r" % (fn.__name__, a))
print("ROOT", f.nlst("/"))
f.cwd("/files.test")
f.storbinary("STOR py.txt", io.BytesIO(b"hello from python"))
f.storbinary("APPE py.txt", io.BytesIO(b" + more"))
buf = io.BytesIO(); f.retrbinary("RETR py.txt", buf.write); print("GOT", buf.getvalue().decode())
print("SIZE", f.size("py.txt"))
f.mkd("pydir"); f.rename("py.txt", "pydir/moved.txt")
print("LIST", f.nlst("pydir"))
print("ESCAPE", expect_error(f.retrbinary, "RETR /etc/passwd", print))
print("DOTDOT", expect_error(f.retrbinary, "RETR ../../../../etc/passwd", print))
print("NOSITE", expect_error(f.cwd, "/nosuch.test"))
print("CROSS", expect_error(f.rename, "pydir/moved.txt", "/other.test/x.txt"))
f.delete("pydir/moved.txt"); f.rmd("pydir")
# goftp resets the current folder after RMD of one of its parents, even a
# refused one: keep this last.
print("ROOTDEL", expect_error(f.rmd, "/files.test"))
f.quit()
print("OK")
`

func python(t *testing.T, args ...string) string {
	t.Helper()
	bin := needTool(t, "python3")
	out, err := exec.Command(bin, append([]string{"-c", pyFTP}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, out)
	}
	return string(out)
}

func TestFTPWithPythonAndPermissions(t *testing.T) {
	s, tok, addr := ftpServer(t, nil)
	siteRef := ftpSite(t, s, tok)
	host, port, _ := net.SplitHostPort(addr)
	for _, mode := range []string{"plain", "tls"} {
		out := python(t, host, port, "admin@example.test", "admin-password", mode)
		wants := []string{"ROOT ['files.test']", "GOT hello from python + more", "SIZE 24", "LIST ['moved.txt']", "OK"}
		for _, want := range wants {
			if !strings.Contains(out, want) {
				t.Fatalf("%s: missing %q in\n%s", mode, want, out)
			}
		}
	}
	// A plain user sees no site until the site row grants guest/user bits.
	s.SignUp(t, "u", "u@example.test", "user-password")
	check := func(script string) (string, error) {
		out, err := exec.Command(needTool(t, "python3"), "-c", `
import ftplib, io, sys
f = ftplib.FTP(); f.connect(sys.argv[1], int(sys.argv[2])); f.login("u@example.test", "user-password")
`+script, host, port).CombinedOutput()
		return string(out), err
	}
	if r := s.Do(t, http.MethodPatch, "/api/site/"+siteRef, patchDoc("site", siteRef, map[string]any{"permission": 0}), tok); r.Status != 200 {
		t.Fatalf("patch: %d", r.Status)
	}
	if out, err := check(`print(f.nlst("/"))
try:
    f.cwd("/files.test"); print("ENTERED")
except ftplib.all_errors as e:
    print("NOSITE", e)`); err != nil || strings.Contains(out, "files.test']") || !strings.Contains(out, "NOSITE") {
		t.Fatalf("user saw a site without Peek: %v %s", err, out)
	}
	// Guest peek+read only: listing and download work, upload is refused.
	if r := s.Do(t, http.MethodPatch, "/api/site/"+siteRef, patchDoc("site", siteRef, map[string]any{"permission": 1 | 2 | 32}), tok); r.Status != 200 {
		t.Fatalf("patch: %d", r.Status)
	}
	out, err := check(`
print(f.nlst("/"))
b = io.BytesIO(); f.retrbinary("RETR /files.test/index.html", b.write); print(b.getvalue())
try:
    f.storbinary("STOR /files.test/x.txt", io.BytesIO(b"x")); print("STORED")
except ftplib.all_errors as e:
    print("REFUSED", e)
`)
	if err != nil || !strings.Contains(out, "files.test") || !strings.Contains(out, "ftp site") || !strings.Contains(out, "REFUSED") {
		t.Fatalf("read-only user: %v %s", err, out)
	}
	if _, err := os.Stat(filepath.Join(s.Dir, "storage", "ftpsite", "x.txt")); err == nil {
		t.Fatal("a refused upload was written")
	}
}

func TestFTPWithRclone(t *testing.T) {
	s, tok, addr := ftpServer(t, nil)
	ftpSite(t, s, tok)
	host, port, _ := net.SplitHostPort(addr)
	bin := needTool(t, "rclone")
	env := append(os.Environ(), "HOME="+t.TempDir(), "RCLONE_CONFIG="+filepath.Join(t.TempDir(), "rclone.conf"))
	obs, err := exec.Command(bin, "obscure", "admin-password").Output()
	if err != nil {
		t.Fatal(err)
	}
	flags := []string{"--ftp-host", host, "--ftp-port", port, "--ftp-user", "admin@example.test", "--ftp-pass", strings.TrimSpace(string(obs)),
		"--ftp-explicit-tls", "--ftp-no-check-certificate", "--retries", "1", "--low-level-retries", "1"}
	// No retries: every transfer must succeed the first time. (An empty
	// file's TLS data connection used to be closed before its handshake,
	// so rclone saw it reset about one run in ten.)
	src := randomTree(t)
	run := func(args ...string) {
		t.Helper()
		cmd := exec.Command(bin, append(args, flags...)...)
		cmd.Env = env
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("rclone %v: %v\n%s", args, err, out)
		}
	}
	run("copy", src, ":ftp:files.test/rc")
	sameTree(t, src, filepath.Join(s.Dir, "storage", "ftpsite", "rc"))
	down := t.TempDir()
	run("copy", ":ftp:files.test/rc", down)
	sameTree(t, src, down)
}
