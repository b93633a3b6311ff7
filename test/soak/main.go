// Command soak runs a freshly built Apiary on SQLite under mixed load (list,
// get, create, delete, patch, signin) for DURATION (default 30m), samples the
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
	"context"
	"errors"
	"fmt"
	"github.com/apiary/apiary/test/apiclient"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// soakSchema matches the benchmark tables (test/bench/load.sh): a locked-
// down table gate plus guest read/create/update (and delete on item, which
// the load's deletes need), and rows the owner alone may change.
const soakSchema = `
Tables:
  - TableName: project
    Permission: 561455
    DefaultPermission: 573313
    Columns:
      - {Name: name, ColumnType: label, IsIndexed: true}
  - TableName: item
    Permission: 561471
    DefaultPermission: 573313
    Columns:
      - {Name: title, ColumnType: label, DataType: varchar(200), IsIndexed: true}
      - {Name: priority, ColumnType: measurement, DataType: int(11), DefaultValue: "1"}
      - {Name: done, ColumnType: truefalse, DefaultValue: "false"}
      - {Name: notes, ColumnType: content, IsNullable: true}
Relations:
  - {Subject: item, Relation: belongs_to, Object: project}
`

// sampleEvery is how often the server's RSS is read.
const sampleEvery = 10 * time.Second

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

	c := &apiclient.Client{Base: srv.url, HTTP: &http.Client{Timeout: 30 * time.Second,
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
	tick := time.NewTicker(sampleEvery)
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
	// Baseline: the median of the first two minutes of samples after the
	// warm-up; end: the median of the last two minutes. RSS swings by about
	// 10% with each garbage collection, so single samples or a few of them
	// would report the sawtooth, not a trend.
	var after []int64
	for _, s := range samples {
		if s.at >= warmup {
			after = append(after, s.kb)
		}
	}
	if len(after) < 2 {
		problems = append(problems, fmt.Sprintf("only %d RSS samples after the warm-up; run longer", len(after)))
	} else {
		k := max(1, min(int(2*time.Minute/sampleEvery), len(after)/2))
		base, end := median(after[:k]), median(after[len(after)-k:])
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

func median(v []int64) float64 {
	c := slices.Clone(v)
	slices.Sort(c)
	if n := len(c); n%2 == 1 {
		return float64(c[n/2])
	} else {
		return float64(c[n/2-1]+c[n/2]) / 2
	}
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
