package main

import "runtime/debug"

// The collector's settings for a server process. A server's live heap is
// small (about 17 MiB idle) and its allocation rate high, so Go's default
// (collect each time the heap doubles) spends a fifth of an uncached
// read's CPU collecting. Unless the operator set GOGC or GOMEMLIMIT, the
// heap may grow to five times the live data (gcPercent), with a soft cap
// that makes the collector work harder near it (memory limit: a base plus
// twice the read cache, the largest thing the server keeps in memory on
// purpose). docs/performance.md has the measurements.
const (
	gcPercent   = 400
	memLimitMiB = 256
)

// gcTuning is what to set: a GC percent and a memory limit in bytes; a
// zero field means leave Go's (or the environment's) value alone.
type gcTuning struct {
	percent int
	limit   int64
}

// tuneGC decides the collector's settings from the environment and the
// read cache size.
func tuneGC(lookupEnv func(string) (string, bool), readCacheMB int) gcTuning {
	var t gcTuning
	if _, set := lookupEnv("GOGC"); !set {
		t.percent = gcPercent
	}
	if _, set := lookupEnv("GOMEMLIMIT"); !set {
		t.limit = int64(memLimitMiB+2*max(readCacheMB, 0)) << 20
	}
	return t
}

// apply sets the process's collector (process-wide: only main calls it).
func (t gcTuning) apply() {
	if t.percent != 0 {
		debug.SetGCPercent(t.percent)
	}
	if t.limit != 0 {
		debug.SetMemoryLimit(t.limit)
	}
}
