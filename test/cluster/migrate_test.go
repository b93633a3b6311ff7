package cluster

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/apiary/apiary/server"
	"github.com/apiary/apiary/storage/db"
	"github.com/apiary/apiary/storage/db/dbtest"
	"github.com/apiary/apiary/test/testserver"
)

// logRecords collects a node's JSON log records (and shows them in the
// test log).
type logRecords struct {
	mu  sync.Mutex
	buf bytes.Buffer
	out io.Writer
}

func (l *logRecords) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf.Write(p)
	return l.out.Write(p)
}

// count returns how many records have message msg and a positive
// numeric field.
func (l *logRecords) count(msg, field string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, line := range bytes.Split(l.buf.Bytes(), []byte("\n")) {
		var r map[string]any
		if json.Unmarshal(line, &r) != nil || r["msg"] != msg {
			continue
		}
		if v, _ := r[field].(float64); v > 0 {
			n++
		}
	}
	return n
}

// startTogether builds and starts n nodes on one fresh database at the
// same moment, as several servers behind a load balancer starting after a
// deploy: every node is built (migrations, one at a time under the
// cluster lock), then all start at once (start-up seeding races).
func startTogether(t *testing.T, n int, schemaFile string) ([]*server.Server, []*logRecords, []string) {
	typ, dsn := dbtest.NewDSN(t)
	ports := make([]int, n)
	for i := range ports {
		ports[i] = freePort(t)
	}
	srvs := make([]*server.Server, n)
	logs := make([]*logRecords, n)
	dirs := make([]string, n)
	errs := make([]error, n)
	var wg, built sync.WaitGroup
	built.Add(n)
	for i := range n {
		dirs[i] = t.TempDir()
		if err := os.WriteFile(filepath.Join(dirs[i], "schema_item.yaml"), []byte(schemaFile), 0o600); err != nil {
			t.Fatal(err)
		}
		cfg := server.DefaultConfig()
		cfg.HTTP.Addr = "127.0.0.1:0"
		cfg.DB = db.Config{Type: typ, DSN: dsn}
		cfg.SchemaDir, cfg.LocalStoragePath = dirs[i], filepath.Join(dirs[i], "storage")
		cfg.PasswordCost = 4
		var peers []string
		for j, p := range ports {
			if j != i {
				peers = append(peers, fmt.Sprintf("127.0.0.1:%d", p+1))
			}
		}
		cfg.Olric = server.OlricConfig{Port: ports[i], Peers: peers, Secret: secret}
		logs[i] = &logRecords{out: testserver.NewLogWriter(t)}
		log := slog.New(slog.NewJSONHandler(logs[i], &slog.HandlerOptions{Level: slog.LevelDebug})).With("node", i+1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := server.New(context.Background(), cfg, log)
			built.Done()
			built.Wait()
			if err == nil {
				err = s.Start(context.Background())
			}
			srvs[i], errs[i] = s, err
		}()
	}
	wg.Wait()
	for i, s := range srvs {
		if s != nil {
			t.Cleanup(func() { _ = s.Close() })
		}
		if errs[i] != nil {
			t.Fatalf("node %d did not start: %v", i+1, errs[i])
		}
	}
	return srvs, logs, dirs
}

// TestMigrationsRunOnce: three nodes starting at once on an empty
// database migrate it one at a time under the cluster lock, so exactly one
// creates the tables and none fails; three reloads at once with a new
// table likewise create it once.
func TestMigrationsRunOnce(t *testing.T) {
	needSharedDB(t)
	srvs, logs, dirs := startTogether(t, 3, itemSchema)
	created := 0
	for _, l := range logs {
		created += l.count("migration applied", "tables_created")
	}
	if created != 1 {
		t.Fatalf("%d nodes created tables on an empty database, want 1", created)
	}

	next := itemSchema + "  - TableName: gadget\n    Columns:\n      - {Name: label, ColumnType: label, DataType: varchar(100)}\n"
	for _, d := range dirs {
		if err := os.WriteFile(filepath.Join(d, "schema_item.yaml"), []byte(next), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	errs := make([]error, len(srvs))
	for i, s := range srvs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			errs[i] = s.Reload(ctx)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("reload on node %d: %v", i+1, err)
		}
	}
	created = 0
	for _, l := range logs {
		created += l.count("schema reloaded", "tables_created")
	}
	if created != 1 {
		t.Fatalf("%d reloads created the new table, want 1", created)
	}
}
