package dav

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apiary/apiary/test/testserver"
)

// vdir runs vdirsyncer with cfg, answering yes to its questions.
func vdir(t *testing.T, bin, cfg string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"-c", cfg}, args...)...)
	cmd.Stdin = strings.NewReader(strings.Repeat("y\n", 20))
	cmd.Env = append(os.Environ(), "HOME="+filepath.Dir(cfg), "LC_ALL=C.UTF-8", "LANG=C.UTF-8")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func vdirConfig(dir, url, email, pass, resolution string) string {
	cfg := `[general]
status_path = "` + dir + `/status/"

[pair cal]
a = "cal_local"
b = "cal_remote"
collections = ["from b"]
` + resolution + `

[storage cal_local]
type = "filesystem"
path = "` + dir + `/cal/"
fileext = ".ics"

[storage cal_remote]
type = "caldav"
url = "` + url + `/"
username = "` + email + `"
password = "` + pass + `"

[pair card]
a = "card_local"
b = "card_remote"
collections = ["from b"]

[storage card_local]
type = "filesystem"
path = "` + dir + `/card/"
fileext = ".vcf"

[storage card_remote]
type = "carddav"
url = "` + url + `/"
username = "` + email + `"
password = "` + pass + `"
`
	return cfg
}

func testVdirsyncer(t *testing.T, s *testserver.Server) {
	bin := needClient(t, "vdirsyncer")
	u := newUser(t, s, "vera")
	u.do(t, "MKCALENDAR", u.home()+"work/", nil, "").want(t, 201, "MKCALENDAR")
	u.do(t, "MKCOL", u.cardHome()+"people/", nil, mkAddressBook).want(t, 201, "MKCOL address book")
	u.do(t, "PUT", u.home()+"work/server.ics", calHeaders, event("server@test", "From server", "20261207T090000Z", "20261207T100000Z", "")).want(t, 201, "PUT event")
	u.do(t, "PUT", u.cardHome()+"people/ann.vcf", map[string]string{"Content-Type": "text/vcard"}, card("ann@test", "Ann Server", "ann@x.test")).want(t, 201, "PUT card")

	dir := t.TempDir()
	cfg := filepath.Join(dir, "config")
	write := func(resolution string) {
		if err := os.WriteFile(cfg, []byte(vdirConfig(dir, s.URL, u.email, u.pass, resolution)), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("")
	run := func(args ...string) string {
		t.Helper()
		out, err := vdir(t, bin, cfg, args...)
		if err != nil {
			t.Fatalf("vdirsyncer %v: %v\n%s", args, err, out)
		}
		return out
	}
	run("discover")
	run("sync")
	local := func(rel string) string {
		b, _ := os.ReadFile(filepath.Join(dir, rel))
		return string(b)
	}
	evs, _ := filepath.Glob(filepath.Join(dir, "cal", "work", "*.ics"))
	if len(evs) != 1 || !strings.Contains(local(strings.TrimPrefix(evs[0], dir+"/")), "From server") {
		t.Fatalf("event not synced down; local files: %v", evs)
	}
	cards, _ := filepath.Glob(filepath.Join(dir, "card", "people", "*.vcf"))
	if len(cards) != 1 || !strings.Contains(local(strings.TrimPrefix(cards[0], dir+"/")), "Ann Server") {
		t.Fatalf("card not synced down: %v", cards)
	}

	// Local → server: a new event and a new card.
	if err := os.WriteFile(filepath.Join(dir, "cal", "work", "laptop.ics"),
		[]byte(event("laptop@test", "From laptop", "20261208T090000Z", "20261208T100000Z", "")), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "card", "people", "bo.vcf"), []byte(card("bo@test", "Bo Laptop", "bo@x.test")), 0o600); err != nil {
		t.Fatal(err)
	}
	run("sync")
	r := u.do(t, "REPORT", u.home()+"work/", nil, calendarQuery("20261208T000000Z", "20261209T000000Z")).want(t, 207, "query")
	if !strings.Contains(r.body, "From laptop") || len(hrefs(r.body)) != 1 {
		t.Fatalf("laptop event not on the server: %s", r.body)
	}
	laptop := u.home() + "work/" + hrefs(r.body)[0]
	r = u.do(t, "PROPFIND", u.cardHome()+"people/", map[string]string{"Depth": "1"}, "").want(t, 207, "cards")
	if strings.Count(r.body, ".vcf</d:href>") != 2 {
		t.Fatalf("laptop card not on the server: %s", r.body)
	}

	// Server delete → local delete.
	u.do(t, "DELETE", u.home()+"work/server.ics", nil, "").want(t, 204, "DELETE on server")
	run("sync")
	if files, _ := filepath.Glob(filepath.Join(dir, "cal", "work", "*.ics")); len(files) != 1 {
		t.Fatalf("server delete not applied locally: %v", files)
	}
	// Local delete → server delete.
	if err := os.Remove(filepath.Join(dir, "card", "people", "bo.vcf")); err != nil {
		t.Fatal(err)
	}
	run("sync")
	r = u.do(t, "PROPFIND", u.cardHome()+"people/", map[string]string{"Depth": "1"}, "").want(t, 207, "cards after delete")
	if strings.Count(r.body, ".vcf</d:href>") != 1 {
		t.Fatalf("local delete not applied on the server: %s", r.body)
	}

	vdirConflict(t, u, bin, dir, laptop, run, write)
}

// vdirConflict changes one event on both sides: vdirsyncer must report the
// conflict, and with "a wins" put the local version on the server.
func vdirConflict(t *testing.T, u *user, bin, dir, laptop string, run func(...string) string, write func(string)) {
	t.Helper()
	cfg := filepath.Join(dir, "config")
	// Conflict: both sides change the laptop event.
	u.do(t, "PUT", laptop, calHeaders, event("laptop@test", "Changed on server", "20261208T090000Z", "20261208T100000Z", "")).want(t, 204, "server edit")
	if err := os.WriteFile(filepath.Join(dir, "cal", "work", "laptop.ics"),
		[]byte(event("laptop@test", "Changed on laptop", "20261208T090000Z", "20261208T100000Z", "")), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := vdir(t, bin, cfg, "sync")
	if err == nil || !strings.Contains(strings.ToLower(out), "conflict") {
		t.Fatalf("vdirsyncer should report the conflict: %v\n%s", err, out)
	}
	write(`conflict_resolution = "a wins"`)
	run("sync")
	g := u.do(t, "GET", laptop, nil, "").want(t, 200, "GET after conflict")
	if !strings.Contains(g.body, "Changed on laptop") {
		t.Fatalf("a wins: the server should hold the laptop version: %s", g.body)
	}
}
