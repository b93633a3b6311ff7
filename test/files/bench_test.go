package files

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// rssMiB reads the process's resident set size.
func rssMiB(t *testing.T) float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			kb, _ := strconv.Atoi(strings.Fields(line)[1])
			return float64(kb) / 1024
		}
	}
	return 0
}

// TestFilesThroughput measures the figures of docs/benchmarks.md. It runs
// only with APIARY_FILES_BENCH=1 (it moves gigabytes).
func TestFilesThroughput(t *testing.T) {
	if os.Getenv("APIARY_FILES_BENCH") != "1" {
		t.Skip("set APIARY_FILES_BENCH=1 to measure")
	}
	s, tok, addr := ftpServer(t, nil)
	id := createRow(t, s, tok, "profile", map[string]any{"title": "bench"})
	tmp := t.TempDir()
	mk := func(name string, size int64) string {
		p := filepath.Join(tmp, name)
		f, _ := os.Create(p)
		_ = f.Truncate(size)
		_ = f.Close()
		return p
	}
	base := s.URL + "/asset/profile/" + id + "/avatar/upload"
	// 1 GiB streamed upload: RSS growth of the whole process (server and test).
	runtime.GC()
	before := rssMiB(t)
	gib := mk("gib.bin", 1<<30)
	t0 := time.Now()
	out := curl(t, "-X", "POST", "-T", gib, "-H", "Authorization: Bearer "+tok, base+"?operation=stream&filename=gib.bin")
	up := time.Since(t0)
	after := rssMiB(t)
	if !strings.Contains(out, "uploaded") {
		t.Fatalf("upload: %s", out)
	}
	t.Logf("1 GiB upload: %.1f s (%.0f MiB/s), RSS %.0f -> %.0f MiB (growth %.0f MiB)", up.Seconds(), 1024/up.Seconds(), before, after, after-before)
	// 100 MiB download from the local store.
	hundred := mk("hundred.bin", 100<<20)
	curl(t, "-X", "POST", "-T", hundred, "-H", "Authorization: Bearer "+tok, base+"?operation=stream&filename=hundred.bin&upload_id=h")
	if r := s.Do(t, http.MethodPost, "/asset/profile/"+id+"/avatar/upload?operation=complete&upload_id=h&filename=hundred.bin", nil, tok); r.Status != 200 {
		t.Fatalf("complete: %d %s", r.Status, r.Body)
	}
	for i := 0; i < 3; i++ {
		speed := curl(t, "-o", "/dev/null", "-w", "%{speed_download}", s.URL+"/asset/profile/"+id+"/avatar?file=hundred.bin&token="+tok)
		bps, _ := strconv.ParseFloat(speed, 64)
		t.Logf("100 MiB /asset download: %.0f MiB/s", bps/(1<<20))
	}
	// 10 KiB assets against /ping (the ceiling of this server), with wrk.
	small := createRow(t, s, tok, "profile", map[string]any{
		"avatar": []any{map[string]any{"name": "small.png", "file": dataURI("image/png", pngBytes(t, 60, 60))}}})
	if wrk, err := exec.LookPath("wrk"); err == nil {
		for _, p := range []string{"/ping", "/asset/profile/" + small + "/avatar?token=" + tok} {
			out, _ := exec.Command(wrk, "-t2", "-c32", "-d5s", s.URL+p).CombinedOutput()
			for _, line := range strings.Split(string(out), "\n") {
				if strings.HasPrefix(line, "Requests/sec") {
					t.Logf("%s: %s", strings.SplitN(p, "?", 2)[0], strings.TrimSpace(line))
				}
			}
		}
	}
	// FTP upload and download of 256 MiB with lftp.
	ftpSite(t, s, tok)
	host, port, _ := net.SplitHostPort(addr)
	big := mk("ftp.bin", 256<<20)
	open := "set ftp:ssl-allow no; open -u admin@example.test,admin-password -p " + port + " " + host + ";"
	t0 = time.Now()
	lftp(t, open+" put "+big+" -o /files.test/ftp.bin")
	t.Logf("FTP upload 256 MiB: %.0f MiB/s", 256/time.Since(t0).Seconds())
	t0 = time.Now()
	lftp(t, open+" get /files.test/ftp.bin -o "+filepath.Join(tmp, "back.bin"))
	t.Logf("FTP download 256 MiB: %.0f MiB/s", 256/time.Since(t0).Seconds())
	fmt.Println()
}

// TestFTPThroughput measures FTP upload and download of 256 MiB with lftp,
// plain and FTPS, for docs/benchmarks.md (Issue 20). It runs only with
// APIARY_FILES_BENCH=1. The figures include lftp's start and login.
func TestFTPThroughput(t *testing.T) {
	if os.Getenv("APIARY_FILES_BENCH") != "1" {
		t.Skip("set APIARY_FILES_BENCH=1 to measure")
	}
	s, tok, addr := ftpServer(t, nil)
	ftpSite(t, s, tok)
	host, port, _ := net.SplitHostPort(addr)
	tmp := t.TempDir()
	src := filepath.Join(tmp, "ftp.bin")
	f, _ := os.Create(src)
	buf := make([]byte, 1<<20)
	for i := 0; i < 256; i++ {
		buf[i] = byte(i)
		_, _ = f.Write(buf)
	}
	_ = f.Close()
	// A Go client (sendfile/splice on its side) shows the server's own
	// rate, without lftp's.
	c := dialFTP(t, addr)
	c.login()
	for i := 0; i < 3; i++ {
		dc, err := net.Dial("tcp", c.pasv())
		if err != nil {
			t.Fatal(err)
		}
		t0 := time.Now()
		if code, msg := c.cmd("STOR /files.test/go.bin"); code != 150 {
			t.Fatalf("STOR: %d %s", code, msg)
		}
		in, _ := os.Open(src)
		_, _ = dc.(*net.TCPConn).ReadFrom(in)
		_ = in.Close()
		_ = dc.Close()
		if code, msg, err := c.reply(); err != nil || code != 226 {
			t.Fatalf("STOR end: %d %s %v", code, msg, err)
		}
		upS := 256 / time.Since(t0).Seconds()
		dc, err = net.Dial("tcp", c.pasv())
		if err != nil {
			t.Fatal(err)
		}
		t0 = time.Now()
		if code, msg := c.cmd("RETR /files.test/go.bin"); code != 150 {
			t.Fatalf("RETR: %d %s", code, msg)
		}
		out, _ := os.Create(filepath.Join(tmp, "go-back.bin"))
		n, _ := out.ReadFrom(dc)
		_ = out.Close()
		if code, msg, err := c.reply(); err != nil || code != 226 || n != 256<<20 {
			t.Fatalf("RETR end: %d %s %v (%d bytes)", code, msg, err, n)
		}
		t.Logf("FTP plain 256 MiB, Go client: upload %.0f MiB/s, download %.0f MiB/s", upS, 256/time.Since(t0).Seconds())
	}
	for _, mode := range []struct{ name, set string }{
		{"plain", "set ftp:ssl-allow no;"},
		{"ftps", "set ftp:ssl-force true; set ftp:ssl-protect-data true; set ssl:verify-certificate no;"},
	} {
		open := mode.set + " open -u admin@example.test,admin-password -p " + port + " " + host + ";"
		for i := 0; i < 3; i++ {
			t0 := time.Now()
			lftp(t, open+" put "+src+" -o /files.test/ftp.bin")
			upS := 256 / time.Since(t0).Seconds()
			t0 = time.Now()
			lftp(t, open+" get /files.test/ftp.bin -o "+filepath.Join(tmp, "back.bin"))
			downS := 256 / time.Since(t0).Seconds()
			t.Logf("FTP %s 256 MiB: upload %.0f MiB/s, download %.0f MiB/s", mode.name, upS, downS)
			_ = os.Remove(filepath.Join(tmp, "back.bin"))
		}
	}
}
