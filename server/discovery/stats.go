package discovery

import (
	"bufio"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// statistics answers GET /statistics (administrators only) with the keys
// Daptin uses — web, db, cpu, memory, host, process — filled from the
// request counters, the connection pools and the Go runtime. Unlike Daptin
// it shows nothing about other processes, disks or CPU flags.
func (h *handlers) statistics(w http.ResponseWriter, r *http.Request) {
	now := time.Now()
	up := h.uptime()
	web := map[string]any{}
	if h.d.Metrics != nil {
		web = h.d.Metrics.snapshot().web()
	}
	web["pid"] = os.Getpid()
	web["uptime"] = up.String()
	web["uptime_sec"] = up.Seconds()
	web["time"] = now.UTC().Format(time.RFC3339Nano)
	web["unixtime"] = now.Unix()
	if h.d.Events != nil {
		web["change_events"] = h.d.Events()
	}
	db := map[string]any{}
	if h.d.DBStats != nil {
		db = h.d.DBStats()
	}
	if h.d.DBType != "" {
		db["type"] = h.d.DBType
	}
	hostname, _ := os.Hostname()
	out := map[string]any{
		"web":    web,
		"db":     db,
		"cpu":    map[string]any{"counts": runtime.NumCPU(), "gomaxprocs": runtime.GOMAXPROCS(0), "goroutines": runtime.NumGoroutine()},
		"memory": memoryStats(),
		"host":   map[string]any{"hostname": hostname},
		"process": map[string]any{
			"pid": os.Getpid(), "uptime_sec": up.Seconds(), "started_at": h.d.Started().UTC().Format(time.RFC3339),
			"go_version": runtime.Version(), "version": h.d.Version,
		},
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, r, h.d.Log, http.StatusOK, out)
}

// memoryStats reports the Go heap and, on Linux, the resident set size.
func memoryStats() map[string]any {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	out := map[string]any{
		"heap_alloc_bytes":   ms.HeapAlloc,
		"heap_inuse_bytes":   ms.HeapInuse,
		"heap_sys_bytes":     ms.HeapSys,
		"heap_objects":       ms.HeapObjects,
		"stack_inuse_bytes":  ms.StackInuse,
		"sys_bytes":          ms.Sys,
		"total_alloc_bytes":  ms.TotalAlloc,
		"num_gc":             ms.NumGC,
		"gc_pause_total_sec": time.Duration(ms.PauseTotalNs).Seconds(),
		"next_gc_bytes":      ms.NextGC,
		"gc_cpu_fraction":    ms.GCCPUFraction,
	}
	if rss, ok := residentBytes(); ok {
		out["rss_bytes"] = rss
	}
	return out
}

// statusFile is where Linux reports a process's memory use.
const statusFile = "/proc/self/status"

// residentBytes reads VmRSS from /proc/self/status; false where there is
// no such file (not Linux) or no such line.
func residentBytes() (int64, bool) {
	f, err := os.Open(statusFile)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	return parseVmRSS(bufio.NewScanner(f))
}

// parseVmRSS finds "VmRSS:   1234 kB" and returns it in bytes.
func parseVmRSS(sc *bufio.Scanner) (int64, bool) {
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:")
		if !ok {
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) == 0 {
			return 0, false
		}
		n, err := strconv.ParseInt(fields[0], 10, 64)
		if err != nil {
			return 0, false
		}
		if len(fields) > 1 && strings.EqualFold(fields[1], "kB") {
			n *= 1024
		}
		return n, true
	}
	return 0, false
}
