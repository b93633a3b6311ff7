package test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/apiary/apiary/server"
	"github.com/apiary/apiary/storage/db"
)

// BenchmarkStartExistingSQLite measures a restart: server.New (schema,
// migrations that find nothing to do, seed check, secrets) + Start + the
// first GET /ping, on a SQLite database created before the timer starts.
func BenchmarkStartExistingSQLite(b *testing.B) {
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "schema_todo.yaml"), []byte(todoSchema), 0o600); err != nil {
		b.Fatal(err)
	}
	cfg := server.DefaultConfig()
	cfg.HTTP.Addr = "127.0.0.1:0"
	cfg.HTTP.ShutdownTimeout = 5 * time.Second
	cfg.DB = db.Config{Type: "sqlite3", DSN: filepath.Join(dir, "apiary.db")}
	cfg.SchemaDir = dir
	cfg.LocalStoragePath = filepath.Join(dir, "storage")
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx := context.Background()

	start := func() *server.Server {
		srv, err := server.New(ctx, cfg, log)
		if err != nil {
			b.Fatalf("server.New: %v", err)
		}
		if err := srv.Start(ctx); err != nil {
			b.Fatalf("server.Start: %v", err)
		}
		return srv
	}
	srv := start() // first boot: creates every table and seed row
	if err := srv.Close(); err != nil {
		b.Fatal(err)
	}
	client := &http.Client{Timeout: 10 * time.Second}

	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		srv := start()
		resp, err := client.Get("http://" + srv.Addr("http").String() + "/ping")
		if err != nil {
			b.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(body) != "pong" {
			b.Fatalf("ping: %d %q", resp.StatusCode, body)
		}
		b.StopTimer()
		client.CloseIdleConnections()
		if err := srv.Close(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}
