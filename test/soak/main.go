// Command soak runs a freshly built Apiary on SQLite under mixed load (list,
// get, create, patch, signin) for DURATION (default 30m), samples the
// server's RSS every 10 s, and fails (exit 1) when the RSS grew by 10% or
// more after the warm-up, when any answer was a 5xx, when a request failed
// at the socket, or when the server exited. Run it from the repository root
// (make soak). It talks only to 127.0.0.1.
//
// Environment: DURATION (Go duration, default 30m), WARMUP (default 2m;
// at most half the duration), WORKERS (concurrent clients, default 16),
// KEEP=1 (keep the work folder).
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// soakSchema matches the benchmark tables (test/bench/load.sh): a locked-
// down table gate plus guest read/create/update, and rows the owner alone
// may change.
const soakSchema = `
Tables:
  - TableName: project
    Permission: 561455
    DefaultPermission: 573313
    Columns:
      - {Name: name, ColumnType: label, IsIndexed: true}
  - TableName: item
    Permission: 561455
    DefaultPermission: 573313
    Columns:
      - {Name: title, ColumnType: label, DataType: varchar(200), IsIndexed: true}
      - {Name: priority, ColumnType: measurement, DataType: int(11), DefaultValue: "1"}
      - {Name: done, ColumnType: truefalse, DefaultValue: "false"}
      - {Name: notes, ColumnType: content, IsNullable: true}
Relations:
  - {Subject: item, Relation: belongs_to, Object: project}
`

// maxGrowth is the allowed RSS growth after the warm-up.
const maxGrowth = 0.10

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "soak: FAIL:", err)
		os.Exit(1)
	}
	fmt.Println("soak: PASS")
}

func envDuration(name string, def time.Duration) (time.Duration, error) {
	s := os.Getenv(name)
	if s == "" {
		return def, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s=%q: want a Go duration such as 30m", name, s)
	}
	return d, nil
}

func run() error {
	duration, err := envDuration("DURATION", 30*time.Minute)
	if err != nil {
		return err
	}
	warmup, err := envDuration("WARMUP", 2*time.Minute)
	if err != nil {
		return err
	}
	warmup = min(warmup, duration/2)
	workers := 16
	if s := os.Getenv("WORKERS"); s != "" {
		if workers, err = strconv.Atoi(s); err != nil || workers < 1 {
			return fmt.Errorf("WORKERS=%q: want a positive integer", s)
		}
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	work, err := os.MkdirTemp("", "apiary-soak.")
	if err != nil {
		return err
	}
	if os.Getenv("KEEP") == "1" {
		defer fmt.Println("soak: kept", work)
	} else {
		defer os.RemoveAll(work)
	}
	bin := filepath.Join(work, "apiary")
	build := exec.Command("go", "build", "-o", bin, "./cmd/apiary")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("go build ./cmd/apiary (run from the repository root): %w", err)
	}
	data := filepath.Join(work, "data")
	if err := os.MkdirAll(data, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(data, "schema_soak.yaml"), []byte(soakSchema), 0o600); err != nil {
		return err
	}

	srv, err := startServer(bin, data, filepath.Join(work, "apiary.log"))
	if err != nil {
		return err
	}
	defer srv.stop()
	fmt.Printf("soak: server pid %d on %s; %v of load with %d clients, warm-up %v\n", srv.cmd.Process.Pid, srv.url, duration, workers, warmup)

	c := &client{base: srv.url, http: &http.Client{Timeout: 30 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: workers}}}
	fx, err := seed(ctx, c)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}

	// Load and RSS sampling run until the duration ends.
	lctx, cancel := context.WithTimeout(ctx, duration)
	defer cancel()
	st := &stats{}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			load(lctx, c, fx, st, w)
		}()
	}
	var samples []sample
	start := time.Now()
	tick := time.NewTicker(10 * time.Second)
	died := false
loop:
	for {
		select {
		case <-lctx.Done():
			break loop
		case <-srv.exited:
			died = true
			cancel()
			break loop
		case <-tick.C:
			kb, err := rssKB(srv.cmd.Process.Pid)
			if err != nil {
				died = true
				cancel()
				break loop
			}
			el := time.Since(start)
			samples = append(samples, sample{at: el, kb: kb})
			n, s5, e := st.total.Load(), st.status5xx.Load(), st.errors.Load()
			fmt.Printf("soak: %6s  %8d requests (%5.0f/s)  RSS %6.1f MiB  5xx %d  socket errors %d\n",
				el.Round(time.Second), n, float64(n)/el.Seconds(), float64(kb)/1024, s5, e)
		}
	}
	tick.Stop()
	wg.Wait()
	if ctx.Err() != nil {
		return errors.New("interrupted")
	}
	return report(st, samples, warmup, died, srv)
}

// sample is one RSS reading.
type sample struct {
	at time.Duration
	kb int64
}

// stats counts answers by kind; all fields are updated atomically.
type stats struct {
	total, status2xx, status4xx, status5xx, errors atomic.Int64
	byOp                                           sync.Map // op -> *atomic.Int64
}

func (s *stats) record(op string, code int, err error) {
	s.total.Add(1)
	v, _ := s.byOp.LoadOrStore(op, new(atomic.Int64))
	v.(*atomic.Int64).Add(1)
	switch {
	case err != nil:
		s.errors.Add(1)
	case code >= 500:
		s.status5xx.Add(1)
	case code >= 400:
		s.status4xx.Add(1)
	default:
		s.status2xx.Add(1)
	}
}

// report prints the summary and returns an error when a limit is broken.
func report(st *stats, samples []sample, warmup time.Duration, died bool, srv *server) error {
	var ops []string
	st.byOp.Range(func(k, v any) bool {
		ops = append(ops, fmt.Sprintf("%s %d", k, v.(*atomic.Int64).Load()))
		return true
	})
	fmt.Printf("soak: %d requests (%s): 2xx %d, 4xx %d, 5xx %d, socket errors %d\n",
		st.total.Load(), strings.Join(ops, ", "), st.status2xx.Load(), st.status4xx.Load(), st.status5xx.Load(), st.errors.Load())
	var problems []string
	if died {
		problems = append(problems, "the server exited during the run; log tail:\n"+srv.logTail())
	}
	if n := st.status5xx.Load(); n > 0 {
		problems = append(problems, fmt.Sprintf("%d answers were 5xx", n))
	}
	if n := st.errors.Load(); n > 0 {
		problems = append(problems, fmt.Sprintf("%d requests failed at the socket", n))
	}
	// Baseline: the mean of the first three samples after the warm-up;
	// end: the mean of the last three.
	var after []int64
	for _, s := range samples {
		if s.at >= warmup {
			after = append(after, s.kb)
		}
	}
	if len(after) < 2 {
		problems = append(problems, fmt.Sprintf("only %d RSS samples after the warm-up; run longer", len(after)))
	} else {
		k := min(3, len(after)/2)
		base, end := mean(after[:k]), mean(after[len(after)-k:])
		growth := (end - base) / base
		peak := int64(0)
		for _, s := range samples {
			peak = max(peak, s.kb)
		}
		fmt.Printf("soak: RSS after the %v warm-up %.1f MiB, at the end %.1f MiB: growth %+.1f%% (limit %.0f%%); peak %.1f MiB\n",
			warmup, base/1024, end/1024, 100*growth, 100*maxGrowth, float64(peak)/1024)
		if growth >= maxGrowth {
			problems = append(problems, fmt.Sprintf("RSS grew %.1f%% after the warm-up (limit %.0f%%)", 100*growth, 100*maxGrowth))
		}
	}
	if tail := srv.logTail(); strings.Contains(tail, "panic") {
		problems = append(problems, "the server log mentions a panic:\n"+tail)
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

func mean(v []int64) float64 {
	var sum float64
	for _, x := range v {
		sum += float64(x)
	}
	return sum / float64(len(v))
}

// rssKB reads VmRSS of a process.
func rssKB(pid int) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		}
	}
	return 0, fmt.Errorf("pid %d: no VmRSS", pid)
}

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

// client sends JSON requests to the server.
type client struct {
	base string
	http *http.Client
}

func (c *client) do(ctx context.Context, method, path, body, tok string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/vnd.api+json")
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	return resp.StatusCode, out, err
}

func (c *client) must(ctx context.Context, want int, method, path, body, tok string) ([]byte, error) {
	code, out, err := c.do(ctx, method, path, body, tok)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	if code != want {
		return nil, fmt.Errorf("%s %s: %d, want %d: %.300s", method, path, code, want, out)
	}
	return out, nil
}

func signinBody(email, pw string) string {
	b, _ := json.Marshal(map[string]any{"attributes": map[string]any{"email": email, "password": pw}})
	return string(b)
}

func (c *client) account(ctx context.Context, name, email, pw string) (string, error) {
	up, _ := json.Marshal(map[string]any{"attributes": map[string]any{"name": name, "email": email, "password": pw, "passwordConfirm": pw}})
	if _, err := c.must(ctx, http.StatusOK, http.MethodPost, "/action/user_account/signup", string(up), ""); err != nil {
		return "", err
	}
	out, err := c.must(ctx, http.StatusOK, http.MethodPost, "/action/user_account/signin", signinBody(email, pw), "")
	if err != nil {
		return "", err
	}
	var list []struct {
		ResponseType string
		Attributes   map[string]any
	}
	if err := json.Unmarshal(out, &list); err != nil {
		return "", err
	}
	for _, r := range list {
		if tok, ok := r.Attributes["value"].(string); ok && r.ResponseType == "client.store.set" {
			return tok, nil
		}
	}
	return "", fmt.Errorf("signin %s: no token", email)
}

func idOf(out []byte) (string, error) {
	var d struct {
		Data struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	if err := json.Unmarshal(out, &d); err != nil || d.Data.ID == "" {
		return "", fmt.Errorf("no data.id in %.200s", out)
	}
	return d.Data.ID, nil
}

// fixture is what the load needs: the plain user's token and rows.
type fixture struct {
	tok      string
	projects []string
	mu       sync.RWMutex
	items    []string
}

func (f *fixture) randomItem() string {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.items[rand.IntN(len(f.items))]
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
func seed(ctx context.Context, c *client) (*fixture, error) {
	admin, err := c.account(ctx, "Admin", "admin@example.test", "admin-password")
	if err != nil {
		return nil, err
	}
	if _, err := c.must(ctx, http.StatusOK, http.MethodPost, "/action/world/become_an_administrator", `{"attributes":{}}`, admin); err != nil {
		return nil, err
	}
	code, out, err := c.do(ctx, http.MethodPut, "/_config/backend/limit.rate",
		`{"version":"1","limits":{"/api/item":1000000,"/api/project":1000000,"/action/user_account/signin":1000000}}`, admin)
	if err != nil || (code != http.StatusOK && code != http.StatusNotFound) {
		return nil, fmt.Errorf("set limit.rate: %d %v %.200s", code, err, out)
	}
	fx := &fixture{}
	if fx.tok, err = c.account(ctx, "Plain", "plain@example.test", "plain-password"); err != nil {
		return nil, err
	}
	for i := range 20 {
		out, err := c.must(ctx, http.StatusCreated, http.MethodPost, "/api/project",
			fmt.Sprintf(`{"data":{"type":"project","attributes":{"name":"project %02d"}}}`, i), fx.tok)
		if err != nil {
			return nil, err
		}
		id, err := idOf(out)
		if err != nil {
			return nil, err
		}
		fx.projects = append(fx.projects, id)
	}
	for i := range 200 {
		out, err := c.must(ctx, http.StatusCreated, http.MethodPost, "/api/item", itemBody(i, fx.projects[i%len(fx.projects)]), fx.tok)
		if err != nil {
			return nil, err
		}
		id, err := idOf(out)
		if err != nil {
			return nil, err
		}
		fx.items = append(fx.items, id)
	}
	return fx, nil
}

func itemBody(i int, project string) string {
	return fmt.Sprintf(`{"data":{"type":"item","attributes":{"title":"soak item %d","priority":%d,"notes":"soak"},`+
		`"relationships":{"project_id":{"data":{"type":"project","id":"%s"}}}}}`, i, i%5, project)
}

// load sends requests until ctx ends: 40% list (half of them with the
// project included), 30% get, 12% create, 15% patch, 3% signin.
func load(ctx context.Context, c *client, fx *fixture, st *stats, w int) {
	signin := signinBody("plain@example.test", "plain-password")
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
			code, out, err = c.do(ctx, http.MethodGet, path, "", fx.tok)
		case r < 70:
			op = "get"
			code, out, err = c.do(ctx, http.MethodGet, "/api/item/"+fx.randomItem(), "", fx.tok)
		case r < 82:
			op = "create"
			code, out, err = c.do(ctx, http.MethodPost, "/api/item", itemBody(w*1_000_000+i, fx.projects[rand.IntN(len(fx.projects))]), fx.tok)
			wantBody = code == http.StatusCreated
		case r < 97:
			op = "patch"
			id := fx.randomItem()
			code, out, err = c.do(ctx, http.MethodPatch, "/api/item/"+id,
				fmt.Sprintf(`{"data":{"type":"item","id":"%s","attributes":{"priority":%d,"title":"patched %d"}}}`, id, i%5, i), fx.tok)
		default:
			op = "signin"
			code, out, err = c.do(ctx, http.MethodPost, "/action/user_account/signin", signin, "")
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
			if id, err := idOf(out); err == nil {
				fx.addItem(id)
			}
		}
	}
}
