package main

import (
	"bytes"
	"context"
	"fmt"
	"github.com/apiary/apiary/test/apiclient"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// server is the child process.
type server struct {
	cmd    *exec.Cmd
	url    string
	log    string
	exited chan struct{}
}

func startServer(bin, dir, logPath string) (*server, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	cmd := exec.Command(bin, "-port", fmt.Sprintf("127.0.0.1:%d", port), "-db_type", "sqlite3",
		"-db_connection_string", filepath.Join(dir, "apiary.db"), "-schema_folder", dir,
		"-local_storage_path", filepath.Join(dir, "storage"), "-log_level", "warn")
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{cmd: cmd, url: fmt.Sprintf("http://127.0.0.1:%d", port), log: logPath, exited: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(s.exited) }()
	hc := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-s.exited:
			return nil, fmt.Errorf("server exited at start-up:\n%s", s.logTail())
		default:
		}
		if resp, err := hc.Get(s.url + "/ping"); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, nil
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.stop()
	return nil, fmt.Errorf("server did not answer /ping within 30 s:\n%s", s.logTail())
}

// stop sends SIGTERM and waits up to 15 s, then SIGKILL.
func (s *server) stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(15 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
}

func (s *server) logTail() string {
	b, _ := os.ReadFile(s.log)
	if len(b) > 3000 {
		b = b[len(b)-3000:]
	}
	return string(b)
}

// fixture is what the load needs: the plain user's token and rows.
type fixture struct {
	tok      string
	projects []string
	mu       sync.RWMutex
	items    []string
	seeded   int // items[:seeded] are the seed rows, never deleted
}

func (f *fixture) randomItem() string {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.items[rand.IntN(len(f.items))]
}

// takeCreated removes and returns a random item the load created, or "".
func (f *fixture) takeCreated() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := len(f.items) - f.seeded
	if n <= 0 {
		return ""
	}
	i := f.seeded + rand.IntN(n)
	id := f.items[i]
	f.items[i] = f.items[len(f.items)-1]
	f.items = f.items[:len(f.items)-1]
	return id
}

func (f *fixture) addItem(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.items) < 5000 {
		f.items = append(f.items, id)
	}
}

// seed locks the instance down (an administrator), signs up a plain user,
// lifts the rate limit on the load's paths and creates 20 projects and 200
// items as the plain user.
func seed(ctx context.Context, c *apiclient.Client) (*fixture, error) {
	admin, err := c.Account(ctx, "Admin", "admin@example.test", "admin-password")
	if err != nil {
		return nil, err
	}
	if _, err := c.Must(ctx, http.StatusOK, http.MethodPost, "/action/world/become_an_administrator", `{"attributes":{}}`, admin); err != nil {
		return nil, err
	}
	code, out, err := c.Do(ctx, http.MethodPut, "/_config/backend/limit.rate",
		`{"version":"1","limits":{"/api/item":1000000,"/api/project":1000000,"/action/user_account/signin":1000000}}`, admin)
	if err != nil || (code != http.StatusOK && code != http.StatusNotFound) {
		return nil, fmt.Errorf("set limit.rate: %d %v %.200s", code, err, out)
	}
	fx := &fixture{}
	if fx.tok, err = c.Account(ctx, "Plain", "plain@example.test", "plain-password"); err != nil {
		return nil, err
	}
	for i := range 20 {
		out, err := c.Must(ctx, http.StatusCreated, http.MethodPost, "/api/project",
			fmt.Sprintf(`{"data":{"type":"project","attributes":{"name":"project %02d"}}}`, i), fx.tok)
		if err != nil {
			return nil, err
		}
		id, err := apiclient.IDOf(out)
		if err != nil {
			return nil, err
		}
		fx.projects = append(fx.projects, id)
	}
	for i := range 200 {
		out, err := c.Must(ctx, http.StatusCreated, http.MethodPost, "/api/item", itemBody(i, fx.projects[i%len(fx.projects)]), fx.tok)
		if err != nil {
			return nil, err
		}
		id, err := apiclient.IDOf(out)
		if err != nil {
			return nil, err
		}
		fx.items = append(fx.items, id)
	}
	fx.seeded = len(fx.items)
	return fx, nil
}

func itemBody(i int, project string) string {
	return fmt.Sprintf(`{"data":{"type":"item","attributes":{"title":"soak item %d","priority":%d,"notes":"soak"},`+
		`"relationships":{"project_id":{"data":{"type":"project","id":"%s"}}}}}`, i, i%5, project)
}

// load sends requests until ctx ends: 40% list (half of them with the
// project included), 30% get, 10% create, 10% delete (of a row the load
// created), 7% patch, 3% signin. Creates and deletes balance, so the data
// stays about the same size and memory that follows the data (SQLite page
// caches) reaches its steady state during the warm-up: growth after it
// then points at a leak, not at a bigger database.
func load(ctx context.Context, c *apiclient.Client, fx *fixture, st *stats, w int) {
	signin := apiclient.SigninBody("plain@example.test", "plain-password")
	for i := 0; ctx.Err() == nil; i++ {
		var (
			op       string
			code     int
			out      []byte
			err      error
			wantBody bool
		)
		switch r := rand.IntN(100); {
		case r < 40:
			op = "list"
			path := fmt.Sprintf("/api/item?page%%5Bsize%%5D=10&page%%5Bnumber%%5D=%d", 1+rand.IntN(10))
			if r < 20 {
				path += "&include=project_id"
			}
			code, out, err = c.Do(ctx, http.MethodGet, path, "", fx.tok)
		case r < 70:
			op = "get"
			code, out, err = c.Do(ctx, http.MethodGet, "/api/item/"+fx.randomItem(), "", fx.tok)
		case r < 80:
			op = "create"
			code, out, err = c.Do(ctx, http.MethodPost, "/api/item", itemBody(w*1_000_000+i, fx.projects[rand.IntN(len(fx.projects))]), fx.tok)
			wantBody = code == http.StatusCreated
		case r < 90:
			op = "delete"
			if id := fx.takeCreated(); id != "" {
				code, out, err = c.Do(ctx, http.MethodDelete, "/api/item/"+id, "", fx.tok)
			} else {
				code, out, err = c.Do(ctx, http.MethodGet, "/api/item/"+fx.randomItem(), "", fx.tok)
			}
		case r < 97:
			op = "patch"
			id := fx.randomItem()
			code, out, err = c.Do(ctx, http.MethodPatch, "/api/item/"+id,
				fmt.Sprintf(`{"data":{"type":"item","id":"%s","attributes":{"priority":%d,"title":"patched %d"}}}`, id, i%5, i), fx.tok)
		default:
			op = "signin"
			code, out, err = c.Do(ctx, http.MethodPost, "/action/user_account/signin", signin, "")
		}
		if ctx.Err() != nil {
			return // the run ended during this request: not counted
		}
		st.record(op, code, err)
		if code >= 500 && st.status5xx.Load() <= 5 {
			fmt.Fprintf(os.Stderr, "soak: %s answered %d: %.300s\n", op, code, bytes.TrimSpace(out))
		}
		if err != nil && st.errors.Load() <= 5 {
			fmt.Fprintf(os.Stderr, "soak: %s: %v\n", op, err)
		}
		if wantBody {
			if id, err := apiclient.IDOf(out); err == nil {
				fx.addItem(id)
			}
		}
	}
}
