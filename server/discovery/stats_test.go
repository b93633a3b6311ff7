package discovery

import (
	"bufio"
	"encoding/json"
	"net/http"
	"runtime"
	"strings"
	"testing"
)

func TestStatisticsAccess(t *testing.T) {
	m := NewMetrics()
	h := metricsRouter(m)
	do(h, http.MethodGet, "/slow", remote, "")
	for user, want := range map[string]int{"": http.StatusUnauthorized, "user": http.StatusForbidden} {
		rec := do(h, http.MethodGet, "/statistics", local, user)
		if rec.Code != want || !strings.Contains(rec.Body.String(), `"errors"`) {
			t.Errorf("%q: %d %s", user, rec.Code, rec.Body)
		}
	}
	rec := do(h, http.MethodGet, "/statistics", remote, "admin")
	if rec.Code != http.StatusOK {
		t.Fatalf("admin: %d %s", rec.Code, rec.Body)
	}
	var st map[string]map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &st); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"web", "db", "cpu", "memory", "host", "process"} {
		if st[k] == nil {
			t.Errorf("missing %s: %s", k, rec.Body)
		}
	}
	if st["web"]["total_count"].(float64) < 1 || st["db"]["type"] != "sqlite3" || st["db"]["writer"] == nil {
		t.Errorf("web/db: %v %v", st["web"], st["db"])
	}
	if st["memory"]["heap_alloc_bytes"].(float64) <= 0 || st["cpu"]["goroutines"].(float64) < 1 {
		t.Errorf("runtime: %v %v", st["memory"], st["cpu"])
	}
	if runtime.GOOS == "linux" && st["memory"]["rss_bytes"] == nil {
		t.Errorf("no rss on linux: %v", st["memory"])
	}
	if len(st["host"]) != 1 {
		t.Errorf("host shows more than the hostname: %v", st["host"])
	}
}

func TestParseVmRSS(t *testing.T) {
	in := "Name:\tapiary\nVmPeak:\t  9999 kB\nVmRSS:\t   2048 kB\nThreads:\t9\n"
	if n, ok := parseVmRSS(bufio.NewScanner(strings.NewReader(in))); !ok || n != 2048*1024 {
		t.Errorf("%d %v", n, ok)
	}
	if _, ok := parseVmRSS(bufio.NewScanner(strings.NewReader("Name: x\n"))); ok {
		t.Error("no VmRSS line must report false")
	}
}
