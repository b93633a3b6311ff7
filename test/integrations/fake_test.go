package integrations

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apiary/apiary/server"
	"github.com/apiary/apiary/storage/db"
	"github.com/apiary/apiary/storage/db/dbtest"
	"github.com/apiary/apiary/test/testserver"
)

// Secrets the fake API expects; no answer or log line may carry them.
const (
	fixedKey  = "fixed-api-key-5d1e7c"
	connToken = "conn-token-93af02"
	flowKey   = "flow-api-key-77b3e1"
)

// petSpec describes the fake API (servers[0].url is filled in).
const petSpec = `openapi: 3.0.3
info: {title: Pet store, version: "1.0"}
servers: [{url: "%s"}]
components:
  securitySchemes:
    ApiKey: {type: apiKey, in: header, name: X-API-Key}
  schemas:
    Pet:
      type: object
      properties:
        name: {type: string}
        tag: {type: string}
        owner: {type: object, properties: {email: {type: string}}}
security: [{ApiKey: []}]
paths:
  /pets:
    get:
      operationId: listPets
      parameters: [{name: limit, in: query, schema: {type: integer}}]
      responses: {"200": {description: ok}}
    post:
      operationId: createPet
      requestBody:
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Pet"}
      responses: {"201": {description: created}}
  /pets/{petId}:
    get:
      operationId: getPet
      parameters: [{name: petId, in: path, required: true, schema: {type: string}}]
      responses: {"200": {description: ok}}
  /whoami:
    get:
      operationId: whoami
      responses: {"200": {description: ok}}
  /slow:
    get:
      operationId: slow
      responses: {"200": {description: ok}}
  /huge:
    get:
      operationId: huge
      responses: {"200": {description: ok}}
`

// fakeAPI is the upstream REST API.
type fakeAPI struct {
	*httptest.Server
	mu      sync.Mutex
	created []map[string]any
	stop    chan struct{}
}

func newFakeAPI(t *testing.T) *fakeAPI {
	f := &fakeAPI{stop: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /pets", func(w http.ResponseWriter, r *http.Request) {
		n := 3
		fmt.Sscan(r.URL.Query().Get("limit"), &n)
		pets := make([]map[string]any, n)
		for i := range pets {
			pets[i] = map[string]any{"id": i, "name": fmt.Sprintf("pet-%04d", i), "tag": "synced", "unknown_column": "dropped"}
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"data": pets})
	})
	mux.HandleFunc("POST /pets", func(w http.ResponseWriter, r *http.Request) {
		var m map[string]any
		_ = json.NewDecoder(r.Body).Decode(&m)
		f.mu.Lock()
		f.created = append(f.created, m)
		f.mu.Unlock()
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(m)
	})
	mux.HandleFunc("GET /pets/{id}", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-API-Key") != fixedKey {
			http.Error(w, `{"message":"bad key"}`, http.StatusUnauthorized)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"id": r.PathValue("id"), "name": "Rex"})
	})
	mux.HandleFunc("GET /whoami", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{"bearer": strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ") == connToken,
			"key": r.Header.Get("X-API-Key") == flowKey || r.Header.Get("X-API-Key") == fixedKey})
	})
	mux.HandleFunc("GET /slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-f.stop:
		case <-r.Context().Done():
		}
	})
	mux.HandleFunc("GET /huge", func(w http.ResponseWriter, r *http.Request) {
		chunk := bytes.Repeat([]byte("x"), 64<<10)
		for i := 0; i < 64; i++ { // 4 MiB, over the test's 1 MiB cap
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	f.Server = httptest.NewServer(mux)
	t.Cleanup(func() { close(f.stop); f.Close() })
	return f
}

// logBuffer keeps every log line for the secret scan and shows them if
// the test fails.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
	out io.Writer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	l.buf.Write(p)
	l.mu.Unlock()
	return l.out.Write(p)
}

func (l *logBuffer) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.buf.String() }

// startServer boots a server like testserver.Start but keeps its logs.
func startServer(t *testing.T, schemaYAML string, cfgFn func(*server.Config)) (*testserver.Server, *logBuffer) {
	t.Helper()
	dir := t.TempDir()
	if schemaYAML != "" {
		if err := os.WriteFile(filepath.Join(dir, "schema_test.yaml"), []byte(schemaYAML), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	typ, dsn := dbtest.NewDSN(t)
	cfg := server.DefaultConfig()
	cfg.HTTP.Addr = "127.0.0.1:0"
	cfg.HTTP.ShutdownTimeout = 5 * time.Second
	cfg.DB = db.Config{Type: typ, DSN: dsn}
	cfg.SchemaDir = dir
	cfg.LocalStoragePath = filepath.Join(dir, "storage")
	cfg.PasswordCost = 4
	if cfgFn != nil {
		cfgFn(&cfg)
	}
	logs := &logBuffer{out: testserver.NewLogWriter(t)}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv, err := server.New(context.Background(), cfg, log)
	if err != nil {
		t.Fatalf("server.New: %v", err)
	}
	if err := srv.Start(context.Background()); err != nil {
		t.Fatalf("server.Start: %v", err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return &testserver.Server{URL: "http://" + srv.Addr("http").String(), Dir: dir, Srv: srv,
		Client: &http.Client{Timeout: 30 * time.Second}}, logs
}
