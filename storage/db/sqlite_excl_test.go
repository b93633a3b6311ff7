package db

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// probeEnv names the file TestSQLiteProbeProcess opens when the test binary
// is run again as a second process.
const probeEnv = "APIARY_SQLITE_PROBE"

// TestSQLiteProbeProcess is the second process of TestSQLiteHeldByTheProcess:
// it reads the file named in probeEnv and prints "read" or the error.
func TestSQLiteProbeProcess(t *testing.T) {
	path := os.Getenv(probeEnv)
	if path == "" {
		t.Skip("run by TestSQLiteHeldByTheProcess only")
	}
	conn, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(200)")
	if err != nil {
		fmt.Println("open:", err)
		return
	}
	defer conn.Close()
	var n int
	if err := conn.QueryRow("SELECT COUNT(*) FROM t").Scan(&n); err != nil {
		fmt.Println("error:", err)
		return
	}
	fmt.Println("read", n)
}

// TestSQLiteHeldByTheProcess: by default another process can read the
// SQLite file while the server has it open; with "vfs=unix-excl" in the
// connection string (docs/performance.md) the server's process holds it:
// its own pools share it, another process is refused.
func TestSQLiteHeldByTheProcess(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		name, params string
		otherReads   bool
	}{
		{name: "default: shared", params: "", otherReads: true},
		{name: "vfs=unix-excl: held by this process", params: "?vfs=unix-excl", otherReads: false},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "apiary.db")
			ctx := context.Background()
			d, err := Open(ctx, Config{Type: "sqlite3", DSN: path + s.params}, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			if _, err := d.W.ExecContext(ctx, `CREATE TABLE t (a INTEGER)`); err != nil {
				t.Fatal(err)
			}
			if _, err := d.W.ExecContext(ctx, `INSERT INTO t VALUES (1), (2)`); err != nil {
				t.Fatal(err)
			}
			var n int
			if err := d.R.GetContext(ctx, &n, `SELECT COUNT(*) FROM t`); err != nil || n != 2 {
				t.Fatalf("reader pool of the same process: %d, %v", n, err)
			}
			cmd := exec.Command(os.Args[0], "-test.run=^TestSQLiteProbeProcess$", "-test.v")
			cmd.Env = append(os.Environ(), probeEnv+"="+path)
			out, _ := cmd.CombinedOutput()
			read := strings.Contains(string(out), "read 2")
			if read != s.otherReads {
				t.Errorf("another process read the file: %v, want %v; it said:\n%s", read, s.otherReads, out)
			}
			if !s.otherReads && !strings.Contains(string(out), "locked") {
				t.Errorf("want the other process refused with \"database is locked\", it said:\n%s", out)
			}
		})
	}
}
