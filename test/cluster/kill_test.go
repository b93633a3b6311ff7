package cluster

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apiary/apiary/server"
	"github.com/apiary/apiary/storage/db/dbtest"
	"github.com/apiary/apiary/test/testserver"
)

// procNode is a node run as a separate bin/apiary process, so that it can
// be killed with SIGKILL.
type procNode struct {
	bin, dir, log string
	args          []string
	url           string
	cmd           *exec.Cmd
	exited        chan struct{}
}

func buildApiary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "apiary")
	build := exec.Command("go", "build", "-o", bin, "github.com/apiary/apiary/cmd/apiary")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func (p *procNode) start(t *testing.T) {
	t.Helper()
	f, err := os.OpenFile(p.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p.cmd = exec.Command(p.bin, p.args...)
	p.cmd.Stdout, p.cmd.Stderr = f, f
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p.exited = make(chan struct{})
	go func(c *exec.Cmd, done chan struct{}) { _ = c.Wait(); close(done) }(p.cmd, p.exited)
	deadline := time.Now().Add(60 * time.Second)
	for {
		if r, err := http.Get(p.url + "/ping"); err == nil {
			r.Body.Close()
			if r.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-p.exited:
			t.Fatalf("node process exited; log:\n%s", p.tail())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("node process not answering; log:\n%s", p.tail())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (p *procNode) kill() {
	if p.cmd != nil && p.cmd.Process != nil {
		_ = p.cmd.Process.Kill() // SIGKILL
		<-p.exited
	}
}

func (p *procNode) tail() string {
	b, _ := os.ReadFile(p.log)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// statusMembers reads cluster.members of a node by URL.
func statusMembers(url string) int {
	r, err := http.Get(url + "/api/status")
	if err != nil {
		return 0
	}
	defer r.Body.Close()
	var st struct {
		Cluster struct {
			Members int `json:"members"`
		} `json:"cluster"`
	}
	_ = json.NewDecoder(r.Body).Decode(&st)
	return st.Cluster.Members
}

func waitURLMembers(t *testing.T, url string, want int, what string) time.Duration {
	t.Helper()
	t0 := time.Now()
	for statusMembers(url) != want {
		if time.Since(t0) > 30*time.Second {
			t.Fatalf("%s: cluster.members = %d, want %d", what, statusMembers(url), want)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return time.Since(t0)
}

// load reads and writes items on the given nodes until stop is closed and
// counts answers of 500 or more and failed connections.
func load(urls []string, token string, stop <-chan struct{}) (wait func() (ok, bad int64, firstBad string)) {
	var wg sync.WaitGroup
	var okN, badN atomic.Int64
	var first atomic.Value
	client := &http.Client{Timeout: 10 * time.Second}
	do := func(method, url string, body []byte) {
		req, _ := http.NewRequest(method, url, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/vnd.api+json")
		r, err := client.Do(req)
		if err != nil {
			badN.Add(1)
			first.CompareAndSwap(nil, method+" "+url+": "+err.Error())
			return
		}
		r.Body.Close()
		if r.StatusCode >= 500 {
			badN.Add(1)
			first.CompareAndSwap(nil, fmt.Sprintf("%s %s: %d", method, url, r.StatusCode))
			return
		}
		okN.Add(1)
	}
	for w, u := range urls {
		for c := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					do(http.MethodGet, u+"/api/item?page[size]=20", nil)
					b, _ := json.Marshal(map[string]any{"data": map[string]any{"type": "item",
						"attributes": map[string]any{"name": fmt.Sprintf("load-%d-%d-%d", w, c, i)}}})
					do(http.MethodPost, u+"/api/item", b)
				}
			}()
		}
	}
	return func() (int64, int64, string) {
		wg.Wait()
		s, _ := first.Load().(string)
		return okN.Load(), badN.Load(), s
	}
}

// TestKillNodeUnderLoad: three nodes, the third a separate process; while
// clients read and write on nodes 1 and 2, node 3 is killed with SIGKILL:
// no request to nodes 1 and 2 fails. Restarted, node 3 rejoins, serves
// the rows written while it was dead, and sees later writes at once.
func TestKillNodeUnderLoad(t *testing.T) {
	needSharedDB(t)
	if testing.Short() {
		t.Skip("builds and kills the real binary; skipped with -short")
	}
	bin := buildApiary(t)
	typ, dsn := dbtest.NewDSN(t)
	ports := []int{freePort(t), freePort(t), freePort(t)}
	peersOf := func(i int) []string {
		var ps []string
		for j, p := range ports {
			if j != i {
				ps = append(ps, fmt.Sprintf("127.0.0.1:%d", p+1))
			}
		}
		return ps
	}
	var nodes []*testserver.Server
	for i := range 2 {
		nodes = append(nodes, testserver.Start(t, testserver.WithDatabase(t.TempDir(), typ, dsn),
			testserver.WithSchema("schema_item.yaml", itemSchema),
			testserver.WithConfig(func(c *server.Config) {
				c.Olric = server.OlricConfig{Port: ports[i], Peers: peersOf(i), Secret: secret}
			})))
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "schema_item.yaml"), []byte(itemSchema), 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	httpAddr := l.Addr().String()
	l.Close()
	p3 := &procNode{bin: bin, dir: dir, log: filepath.Join(dir, "apiary.log"), url: "http://" + httpAddr,
		args: []string{"-port", httpAddr, "-db_type", typ, "-db_connection_string", dsn, "-schema_folder", dir,
			"-local_storage_path", filepath.Join(dir, "storage"), "-olric_port", fmt.Sprint(ports[2]),
			"-olric_peers", strings.Join(peersOf(2), ","), "-cluster_secret", secret, "-log_level", "info"}}
	t.Cleanup(p3.kill)
	p3.start(t)
	for i, s := range nodes {
		waitMembers(t, s, 3, fmt.Sprintf("node %d", i+1))
	}
	waitURLMembers(t, p3.url, 3, "node 3")
	admin := nodes[0].Admin(t)
	openTable(t, nodes[0], admin, "item")
	// The load must not run into the default rate limit (shared by the
	// nodes): the writes after it would get 429s.
	if r := nodes[0].Do(t, http.MethodPut, "/_config/backend/limit.rate", `{"version":"1","limits":{"/api/item":1000000}}`, admin); r.Status != http.StatusOK {
		t.Fatalf("limit.rate: %d %s", r.Status, r.Body)
	}

	stop := make(chan struct{})
	wait := load([]string{nodes[0].URL, nodes[1].URL}, admin, stop)
	time.Sleep(500 * time.Millisecond)
	p3.kill()
	noticed := waitURLMembers(t, nodes[0].URL, 2, "node 1 after node 3 was killed")
	// Node 3 comes back once every survivor has given the old process up, as
	// a supervisor restarting it after its health check failed would.
	waitURLMembers(t, nodes[1].URL, 2, "node 2 after node 3 was killed")
	time.Sleep(500 * time.Millisecond)
	close(stop)
	okN, bad, first := wait()
	t.Logf("load on nodes 1 and 2: %d answers, %d failed; node 3's death noticed after %v", okN, bad, noticed)
	if bad > 0 {
		t.Fatalf("%d requests to nodes 1 and 2 failed while node 3 was killed (first: %s)", bad, first)
	}
	if okN < 10 {
		t.Fatalf("only %d requests answered under load", okN)
	}

	// Rows written while node 3 was dead, then node 3 comes back.
	create(t, nodes[1], admin, "while-node-3-was-dead")
	p3.start(t)
	if statusMembers(p3.url) != 3 {
		defer func() {
			if t.Failed() {
				t.Logf("node 3's log:\n%s", p3.tail())
			}
		}()
	}
	rejoin := waitURLMembers(t, p3.url, 3, "restarted node 3")
	waitMembers(t, nodes[0], 3, "node 1 after node 3 came back")
	t.Logf("node 3 rejoined %v after its restart", rejoin)
	n3 := &testserver.Server{URL: p3.url, Client: &http.Client{Timeout: 30 * time.Second}}
	if !names(t, n3, admin)["while-node-3-was-dead"] {
		t.Fatal("restarted node 3 does not serve a row written while it was dead")
	}
	// Warm node 3's read cache, write on node 1: node 3 sees it at once.
	create(t, nodes[0], admin, "after-rejoin")
	if !names(t, n3, admin)["after-rejoin"] {
		t.Fatal("restarted node 3 served a stale list after a write on node 1")
	}
}
