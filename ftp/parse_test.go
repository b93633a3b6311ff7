package ftp

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/apiary/apiary/storage/blob"
)

func TestParsePorts(t *testing.T) {
	cases := []struct {
		in     string
		lo, hi int
		bad    bool
	}{
		{"", 0, 0, false},
		{"  ", 0, 0, false},
		{"30000-30100", 30000, 30100, false},
		{" 5 - 5 ", 5, 5, false},
		{"30100-30000", 0, 0, true},
		{"0-10", 0, 0, true},
		{"1-70000", 0, 0, true},
		{"abc", 0, 0, true},
		{"10-", 0, 0, true},
	}
	for _, c := range cases {
		lo, hi, err := parsePorts(c.in)
		if (err != nil) != c.bad || lo != c.lo || hi != c.hi {
			t.Errorf("parsePorts(%q) = %d, %d, %v", c.in, lo, hi, err)
		}
	}
}

func TestParseActive(t *testing.T) {
	cases := []struct {
		in       string
		extended bool
		ip       string
		port     int
		bad      bool
	}{
		{"127,0,0,1,4,1", false, "127.0.0.1", 1025, false},
		{"10,1,2,3,255,255", false, "10.1.2.3", 65535, false},
		{"127,0,0,1,0,0", false, "", 0, true},
		{"127,0,0,1,4", false, "", 0, true},
		{"127,0,0,256,4,1", false, "", 0, true},
		{"a,b,c,d,e,f", false, "", 0, true},
		{"|1|127.0.0.1|2000|", true, "127.0.0.1", 2000, false},
		{"|2|::1|2000|", true, "::1", 2000, false},
		{"!1!127.0.0.1!2000!", true, "127.0.0.1", 2000, false},
		{"|2|127.0.0.1|2000|", true, "", 0, true},
		{"|1|::1|2000|", true, "", 0, true},
		{"|1|127.0.0.1|0|", true, "", 0, true},
		{"|1|127.0.0.1|2000", true, "", 0, true},
		{"|", true, "", 0, true},
		{"", true, "", 0, true},
	}
	for _, c := range cases {
		ip, port, err := parseActive(c.in, c.extended)
		if (err != nil) != c.bad || (!c.bad && (ip.String() != c.ip || port != c.port)) {
			t.Errorf("parseActive(%q, %v) = %v, %d, %v", c.in, c.extended, ip, port, err)
		}
	}
}

func TestListArg(t *testing.T) {
	for in, want := range map[string]string{
		"":                 "",
		"dir":              "dir",
		"-la":              "",
		"-la dir":          "dir",
		"-l -a  /a b/c":    "/a b/c",
		"name with spaces": "name with spaces",
	} {
		if got := listArg(in); got != want {
			t.Errorf("listArg(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFormats(t *testing.T) {
	now := time.Now()
	old := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
	files := []os.FileInfo{
		fileInfo{blob.Info{Name: "a.txt", Size: 12, ModTime: now}},
		fileInfo{blob.Info{Name: "sub", IsDir: true, Size: -1, ModTime: old}},
	}
	long := string(formatLong(files))
	lines := strings.Split(strings.TrimSuffix(long, "\r\n"), "\r\n")
	if len(lines) != 2 {
		t.Fatalf("LIST lines: %q", long)
	}
	cases := []struct{ line, prefix, suffix string }{
		{lines[0], "-rw-r--r-- 1 apiary apiary           12 ", now.Format("15:04") + " a.txt"},
		{lines[1], "drwxr-xr-x 1 apiary apiary            0 ", "Feb  3  2001 sub"},
	}
	for _, c := range cases {
		if !strings.HasPrefix(c.line, c.prefix) || !strings.HasSuffix(c.line, c.suffix) {
			t.Errorf("LIST line %q, want %q…%q", c.line, c.prefix, c.suffix)
		}
	}
	if got := string(formatNames(files)); got != "a.txt\r\nsub\r\n" {
		t.Errorf("NLST %q", got)
	}
	mlsd := string(formatMLSD(files))
	for _, want := range []string{"type=file;size=12;modify=" + now.UTC().Format("20060102150405") + "; a.txt\r\n", "type=dir;size=0;modify=20010203040506; sub\r\n"} {
		if !strings.Contains(mlsd, want) {
			t.Errorf("MLSD %q lacks %q", mlsd, want)
		}
	}
}

func TestFileInfo(t *testing.T) {
	cases := []struct {
		info blob.Info
		size int64
		dir  bool
		mode string
	}{
		{blob.Info{Name: "f", Size: 5}, 5, false, "-rw-r--r--"},
		{blob.Info{Name: "d", Size: -1, IsDir: true}, 0, true, "drwxr-xr-x"},
	}
	for _, c := range cases {
		f := fileInfo{c.info}
		if f.Size() != c.size || f.IsDir() != c.dir || f.Mode().String() != c.mode || f.Name() != c.info.Name || f.Sys() != nil {
			t.Errorf("%+v: size %d dir %v mode %s", c.info, f.Size(), f.IsDir(), f.Mode())
		}
	}
	if d := dirInfo("site.test"); !d.IsDir() || d.Name() != "site.test" {
		t.Errorf("dirInfo %v", d)
	}
}
