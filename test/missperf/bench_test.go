package missperf

// In-process benchmarks of issue 15 through Server.Handler() (every
// middleware, authentication, the resource layer, SQLite; no socket).
//
//   go test -run '^$' -bench . -count 3 ./test/missperf/
//   MISSPERF_ROWS=100000 go test -run '^$' -bench Miss ./test/missperf/
//
// Every request is the plain user's on a locked-down instance, so the
// table gate and the row predicate are evaluated. Besides ns/op each
// benchmark reports cpu-ms/op: the process's user+system CPU time over
// the loop divided by the iterations (it includes the garbage collector
// and SQLite's work, which ns/op on a shared machine hides or inflates).

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

func benchRows(b *testing.B) int {
	if v, err := strconv.Atoi(os.Getenv("MISSPERF_ROWS")); err == nil && v >= 100 {
		return v
	}
	return 10000
}

// cpuTime is the process's user plus system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// loop runs op b.N times and reports the CPU time per operation.
func loop(b *testing.B, op func(i int) (*httptest.ResponseRecorder, int)) {
	b.Helper()
	b.ReportAllocs()
	c0 := cpuTime()
	i := 0
	for b.Loop() {
		rec, want := op(i)
		if rec.Code != want {
			b.Fatalf("iteration %d: status %d, want %d: %.300s", i, rec.Code, want, rec.Body.Bytes())
		}
		i++
	}
	b.StopTimer()
	if i > 0 {
		b.ReportMetric(float64((cpuTime()-c0).Nanoseconds())/1e6/float64(i), "cpu-ms/op")
	}
}

// listPaths are random page (1 to rows/10) and random sort list URLs.
func listPaths(rows, n int) []string {
	r := rand.New(rand.NewPCG(15, 15))
	pages := max(1, rows/10)
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("/api/todo?page%%5Bsize%%5D=10&page%%5Bnumber%%5D=%d&sort=%s", r.IntN(pages)+1, sorts[r.IntN(len(sorts))])
	}
	return out
}

// BenchmarkMissRandomPageSort: random page and random sort with the read
// cache off, so every request runs the list path.
func BenchmarkMissRandomPageSort(b *testing.B) {
	rows := benchRows(b)
	e := newEnv(b, rows, 0)
	paths := listPaths(rows, 4096)
	loop(b, func(i int) (*httptest.ResponseRecorder, int) {
		return e.Do(http.MethodGet, paths[i%len(paths)], nil, e.userTok), http.StatusOK
	})
}

// BenchmarkMissDeepPage: the last page sorted by due (the slowest plan).
func BenchmarkMissDeepPage(b *testing.B) {
	rows := benchRows(b)
	e := newEnv(b, rows, 0)
	path := fmt.Sprintf("/api/todo?page%%5Bsize%%5D=10&page%%5Bnumber%%5D=%d&sort=due", rows/10)
	loop(b, func(int) (*httptest.ResponseRecorder, int) {
		return e.Do(http.MethodGet, path, nil, e.userTok), http.StatusOK
	})
}

// BenchmarkMixed: 70% random page/sort lists, 20% get by random id, 10%
// creates, with the default read cache (every create moves the stamp).
func BenchmarkMixed(b *testing.B) {
	rows := benchRows(b)
	e := newEnv(b, rows, 32)
	paths := listPaths(rows, 4096)
	r := rand.New(rand.NewPCG(7, 7))
	create := []byte(`{"data":{"type":"todo","attributes":{"title":"created by the benchmark","due":"2027-05-01","notes":"x"}}}`)
	loop(b, func(i int) (*httptest.ResponseRecorder, int) {
		switch x := r.IntN(10); {
		case x < 7:
			return e.Do(http.MethodGet, paths[i%len(paths)], nil, e.userTok), http.StatusOK
		case x < 9:
			return e.Do(http.MethodGet, "/api/todo/"+e.ids[r.IntN(len(e.ids))], nil, e.userTok), http.StatusOK
		default:
			return e.Do(http.MethodPost, "/api/todo", create, e.userTok), http.StatusCreated
		}
	})
}

// BenchmarkGetMiss: get by random id with the read cache off.
func BenchmarkGetMiss(b *testing.B) {
	e := newEnv(b, benchRows(b), 0)
	r := rand.New(rand.NewPCG(3, 3))
	loop(b, func(int) (*httptest.ResponseRecorder, int) {
		return e.Do(http.MethodGet, "/api/todo/"+e.ids[r.IntN(len(e.ids))], nil, e.userTok), http.StatusOK
	})
}

// BenchmarkGetHit: get by random id with the read cache on and warm: the
// middleware, routing and authentication a get costs besides its read.
func BenchmarkGetHit(b *testing.B) {
	e := newEnv(b, benchRows(b), 64)
	for _, id := range e.ids {
		e.Must(b, http.StatusOK, http.MethodGet, "/api/todo/"+id, "", e.userTok)
	}
	r := rand.New(rand.NewPCG(3, 3))
	loop(b, func(int) (*httptest.ResponseRecorder, int) {
		return e.Do(http.MethodGet, "/api/todo/"+e.ids[r.IntN(len(e.ids))], nil, e.userTok), http.StatusOK
	})
}

var createBody = []byte(`{"data":{"type":"todo","attributes":{"title":"created","due":"2027-05-01","notes":"x"}}}`)

// BenchmarkCreateCold: creates on a process that has answered no read.
func BenchmarkCreateCold(b *testing.B) {
	e := newEnv(b, 100, 32)
	loop(b, func(int) (*httptest.ResponseRecorder, int) {
		return e.Do(http.MethodPost, "/api/todo", createBody, e.userTok), http.StatusCreated
	})
}

// BenchmarkCreateWarm: the same after one list was answered.
func BenchmarkCreateWarm(b *testing.B) {
	e := newEnv(b, 100, 32)
	e.Must(b, http.StatusOK, http.MethodGet, "/api/todo", "", e.userTok)
	loop(b, func(int) (*httptest.ResponseRecorder, int) {
		return e.Do(http.MethodPost, "/api/todo", createBody, e.userTok), http.StatusCreated
	})
}

// parallel runs op from 16 goroutines (as 16 connections would) and
// reports the CPU time per operation.
func parallel(b *testing.B, op func(r *rand.Rand, i int) (*httptest.ResponseRecorder, int)) {
	b.Helper()
	parallelN(b, 16, op)
}

// parallelN is parallel from conns goroutines.
func parallelN(b *testing.B, conns int, op func(r *rand.Rand, i int) (*httptest.ResponseRecorder, int)) {
	b.Helper()
	b.ReportAllocs()
	b.SetParallelism(max(1, conns/runtime.GOMAXPROCS(0)))
	var seed atomic.Uint64
	c0 := cpuTime()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		n := seed.Add(1)
		r := rand.New(rand.NewPCG(n, n))
		for i := 0; pb.Next(); i++ {
			rec, want := op(r, i)
			if rec.Code != want {
				b.Errorf("status %d, want %d: %.300s", rec.Code, want, rec.Body.Bytes())
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64((cpuTime()-c0).Nanoseconds())/1e6/float64(b.N), "cpu-ms/op")
}

// BenchmarkMissRandomPageSort16 is BenchmarkMissRandomPageSort from 16
// goroutines.
func BenchmarkMissRandomPageSort16(b *testing.B) {
	rows := benchRows(b)
	e := newEnv(b, rows, 0)
	paths := listPaths(rows, 4096)
	parallel(b, func(r *rand.Rand, _ int) (*httptest.ResponseRecorder, int) {
		return e.Do(http.MethodGet, paths[r.IntN(len(paths))], nil, e.userTok), http.StatusOK
	})
}

// BenchmarkMixed16 is BenchmarkMixed from 16 goroutines.
func BenchmarkMixed16(b *testing.B) { benchMixedN(b, 16) }

// BenchmarkMixed64 is BenchmarkMixed from 64 goroutines.
func BenchmarkMixed64(b *testing.B) { benchMixedN(b, 64) }

func benchMixedN(b *testing.B, conns int) {
	rows := benchRows(b)
	e := newEnv(b, rows, 32)
	paths := listPaths(rows, 4096)
	create := []byte(`{"data":{"type":"todo","attributes":{"title":"created by the benchmark","due":"2027-05-01","notes":"x"}}}`)
	parallelN(b, conns, func(r *rand.Rand, _ int) (*httptest.ResponseRecorder, int) {
		switch x := r.IntN(10); {
		case x < 7:
			return e.Do(http.MethodGet, paths[r.IntN(len(paths))], nil, e.userTok), http.StatusOK
		case x < 9:
			return e.Do(http.MethodGet, "/api/todo/"+e.ids[r.IntN(len(e.ids))], nil, e.userTok), http.StatusOK
		default:
			return e.Do(http.MethodPost, "/api/todo", create, e.userTok), http.StatusCreated
		}
	})
}

// BenchmarkMissFirstPage: the first page in the default order with the
// read cache off (the common request a kept list does not serve).
func BenchmarkMissFirstPage(b *testing.B) {
	e := newEnv(b, benchRows(b), 0)
	loop(b, func(int) (*httptest.ResponseRecorder, int) {
		return e.Do(http.MethodGet, "/api/todo?page%5Bsize%5D=10", nil, e.userTok), http.StatusOK
	})
}

// BenchmarkGetMiss16 is BenchmarkGetMiss from 16 goroutines: concurrent
// readers of one process share SQLite's WAL read locks, which a sequential
// loop never does.
func BenchmarkGetMiss16(b *testing.B) {
	e := newEnv(b, benchRows(b), 0)
	parallel(b, func(r *rand.Rand, _ int) (*httptest.ResponseRecorder, int) {
		return e.Do(http.MethodGet, "/api/todo/"+e.ids[r.IntN(len(e.ids))], nil, e.userTok), http.StatusOK
	})
}
