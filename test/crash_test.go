package test

// Crash safety: the real binary, killed with SIGKILL in the middle of a
// burst of writes, must keep every write it acknowledged (201) and leave a
// SQLite file that passes PRAGMA integrity_check.

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"github.com/apiary/apiary/test/apiclient"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "modernc.org/sqlite" // the "sqlite" driver, for PRAGMA integrity_check
)

// crashSchema is the one table the writers fill.
const crashSchema = `
Tables:
  - TableName: crash_row
    Columns:
      - {Name: title, ColumnType: label, DataType: varchar(200)}
      - {Name: seq, ColumnType: measurement, DataType: int(11)}
      - {Name: notes, ColumnType: content, IsNullable: true}
`

// crashRounds is 3 in the normal run and APIARY_CRASH_ROUNDS (20 in the
// full run: make crash, make soak) when set.
func crashRounds(t *testing.T) int {
	t.Helper()
	if s := os.Getenv("APIARY_CRASH_ROUNDS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			t.Fatalf("APIARY_CRASH_ROUNDS=%q: want a positive integer", s)
		}
		return n
	}
	return 3
}

// TestCrashSafety writes as fast as 4 clients can, kills the server with
// SIGKILL 50–400 ms into the writes, restarts it on the same database and
// checks that every acknowledged row is there; after the last round the
// SQLite file must pass PRAGMA integrity_check (it is also checked after
// every kill, before the restart).
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the real binary; skipped with -short")
	}
	switch db := os.Getenv("APIARY_TEST_DB"); db {
	case "postgres", "mysql":
		t.Skipf("APIARY_TEST_DB=%s: the crash test kills a server whose database is a local SQLite file; "+
			"a %s server keeps its data in another process, which a SIGKILL of Apiary does not reach", db, db)
	}
	t.Parallel()
	rounds := crashRounds(t)

	dir := t.TempDir()
	bin := filepath.Join(dir, "apiary")
	build := exec.Command("go", "build", "-o", bin, "github.com/apiary/apiary/cmd/apiary")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	data := filepath.Join(dir, "data")
	if err := os.MkdirAll(data, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(data, "schema_crash.yaml"), []byte(crashSchema), 0o600); err != nil {
		t.Fatal(err)
	}
	dbPath := filepath.Join(data, "apiary.db")
	c := &crashServer{bin: bin, dir: data, dbPath: dbPath, log: filepath.Join(dir, "apiary.log")}
	t.Cleanup(c.kill)

	c.start(t)
	tok := c.admin(t)

	acked := map[string]bool{}
	for round := range rounds {
		t0 := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), 25*time.Second)
		got, attempts := c.writeAndKill(ctx, t, tok, round)
		cancel()
		for _, id := range got {
			acked[id] = true
		}
		integrityCheck(t, dbPath, fmt.Sprintf("round %d, after SIGKILL", round+1))
		c.start(t)
		stored := c.listIDs(t, tok)
		missing := 0
		for id := range acked {
			if !stored[id] {
				missing++
				if missing <= 5 {
					t.Errorf("round %d: acknowledged id %s is gone after the restart", round+1, id)
				}
			}
		}
		if missing > 0 {
			t.Fatalf("round %d: %d of %d acknowledged rows lost; server log:\n%s", round+1, missing, len(acked), c.logTail())
		}
		t.Logf("round %d: %d of %d POSTs acknowledged before the kill, %d rows stored, all %d acknowledged present (%v)",
			round+1, len(got), attempts, len(stored), len(acked), time.Since(t0).Round(time.Millisecond))
		if time.Since(t0) > 30*time.Second {
			t.Errorf("round %d took %v, more than 30 s", round+1, time.Since(t0))
		}
	}
	c.stop(t)
	integrityCheck(t, dbPath, "after the final stop")
}

// crashServer is the child process under test.
type crashServer struct {
	bin, dir, dbPath, log string
	url                   string
	cmd                   *exec.Cmd
	exited                chan struct{} // closed when cmd has been waited for
	client                *http.Client
	api                   *apiclient.Client
}

// start launches the binary on a free loopback port and waits (bounded)
// until /ping answers.
func (c *crashServer) start(t *testing.T) {
	t.Helper()
	port := freePort(t)
	logf, err := os.OpenFile(c.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	fmt.Fprintf(logf, "=== start on port %d\n", port)
	cmd := exec.Command(c.bin, "-port", fmt.Sprintf("127.0.0.1:%d", port), "-db_type", "sqlite3",
		"-db_connection_string", c.dbPath, "-schema_folder", c.dir,
		"-local_storage_path", filepath.Join(c.dir, "storage"), "-log_level", "warn")
	cmd.Dir = c.dir
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	c.cmd, c.exited = cmd, exited
	c.url = fmt.Sprintf("http://127.0.0.1:%d", port)
	c.client = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 8}}
	c.api = &apiclient.Client{Base: c.url, HTTP: c.client}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			t.Fatalf("server exited during start-up; log:\n%s", c.logTail())
		default:
		}
		resp, err := c.client.Get(c.url + "/ping")
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("server did not answer /ping within 20 s; log:\n%s", c.logTail())
}

// kill sends SIGKILL and waits for the process to be gone.
func (c *crashServer) kill() {
	if c.cmd == nil {
		return
	}
	_ = c.cmd.Process.Signal(syscall.SIGKILL)
	<-c.exited
	c.cmd = nil
	c.client.CloseIdleConnections()
}

// stop asks for a clean shutdown (SIGTERM), bounded, then kills.
func (c *crashServer) stop(t *testing.T) {
	t.Helper()
	if c.cmd == nil {
		return
	}
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.exited:
		c.cmd = nil
	case <-time.After(15 * time.Second):
		t.Errorf("server did not stop within 15 s of SIGTERM")
		c.kill()
	}
}

func (c *crashServer) logTail() string {
	b, _ := os.ReadFile(c.log)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

func (c *crashServer) must(t *testing.T, want int, method, path, body, tok string) []byte {
	t.Helper()
	code, out, err := c.api.Do(context.Background(), method, path, body, tok)
	if err != nil || code != want {
		t.Fatalf("%s %s: %d %v, want %d: %.300s", method, path, code, err, want, out)
	}
	return out
}

// admin signs up, signs in and becomes the administrator (which locks the
// instance down), lifts the per-path rate limit for the writers, and
// returns the token.
func (c *crashServer) admin(t *testing.T) string {
	t.Helper()
	const email, pw = "crash@example.test", "crash-password"
	c.must(t, http.StatusOK, http.MethodPost, "/action/user_account/signup",
		`{"attributes":{"name":"Crash","email":"`+email+`","password":"`+pw+`","passwordConfirm":"`+pw+`"}}`, "")
	out := c.must(t, http.StatusOK, http.MethodPost, "/action/user_account/signin",
		`{"attributes":{"email":"`+email+`","password":"`+pw+`"}}`, "")
	tok, err := apiclient.TokenOf(out)
	if err != nil {
		t.Fatal(err)
	}
	c.must(t, http.StatusOK, http.MethodPost, "/action/world/become_an_administrator", `{"attributes":{}}`, tok)
	code, out, err := c.api.Do(context.Background(), http.MethodPut, "/_config/backend/limit.rate",
		`{"version":"1","limits":{"/api/crash_row":1000000}}`, tok)
	if err != nil || (code != http.StatusOK && code != http.StatusNotFound) {
		t.Fatalf("set limit.rate: %d %v %.300s", code, err, out)
	}
	return tok
}

// writeAndKill runs 4 writers that POST rows as fast as they can, kills
// the server with SIGKILL 50–400 ms after the first write, and returns the
// ids whose 201 answer was read completely, and the number of POSTs sent.
func (c *crashServer) writeAndKill(ctx context.Context, t *testing.T, tok string, round int) ([]string, int) {
	t.Helper()
	var (
		mu       sync.Mutex
		ids      []string
		attempts int
		wg       sync.WaitGroup
	)
	started := make(chan struct{})
	var once sync.Once
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ctx.Err() == nil; i++ {
				once.Do(func() { close(started) })
				body := fmt.Sprintf(`{"data":{"type":"crash_row","attributes":{"title":"round %d writer %d row %d","seq":%d,"notes":"%s"}}}`,
					round, w, i, i, strings.Repeat("x", 200))
				mu.Lock()
				attempts++
				mu.Unlock()
				code, out, err := c.api.Do(ctx, http.MethodPost, "/api/crash_row", body, tok)
				if err != nil {
					if ctx.Err() == nil {
						time.Sleep(5 * time.Millisecond) // the server is gone; wait for the cancel
					}
					continue
				}
				if code != http.StatusCreated {
					continue
				}
				var d struct {
					Data struct {
						ID string `json:"id"`
					} `json:"data"`
				}
				if json.Unmarshal(out, &d) != nil || d.Data.ID == "" {
					t.Errorf("201 without data.id: %.200s", out)
					continue
				}
				mu.Lock()
				ids = append(ids, d.Data.ID)
				mu.Unlock()
			}
		}()
	}
	select {
	case <-started:
	case <-ctx.Done():
	}
	time.Sleep(time.Duration(50+rand.IntN(351)) * time.Millisecond)
	c.kill()
	cancel()
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	return append([]string(nil), ids...), attempts
}

// listIDs pages through every crash_row as the administrator.
func (c *crashServer) listIDs(t *testing.T, tok string) map[string]bool {
	t.Helper()
	ids := map[string]bool{}
	for page := 1; ; page++ {
		out := c.must(t, http.StatusOK, http.MethodGet,
			fmt.Sprintf("/api/crash_row?page%%5Bsize%%5D=1000&page%%5Bnumber%%5D=%d", page), "", tok)
		var d struct {
			Data []struct {
				ID string `json:"id"`
			} `json:"data"`
		}
		if err := json.Unmarshal(out, &d); err != nil {
			t.Fatalf("list page %d: %v", page, err)
		}
		for _, r := range d.Data {
			ids[r.ID] = true
		}
		if len(d.Data) < 1000 {
			return ids
		}
		if page > 1000 {
			t.Fatal("more than 1,000 pages of crash rows")
		}
	}
}

// integrityCheck opens the SQLite file directly (no server running) and
// runs PRAGMA integrity_check.
func integrityCheck(t *testing.T, path, when string) {
	t.Helper()
	conn, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	rows, err := conn.Query("PRAGMA integrity_check")
	if err != nil {
		t.Fatalf("integrity_check %s: %v", when, err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(lines) != 1 || lines[0] != "ok" {
		t.Fatalf("PRAGMA integrity_check %s: %s", when, strings.Join(lines, "; "))
	}
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
