package testserver

import (
	"syscall"
	"time"
)

// CPUTime is the user plus system CPU time the test process has used so
// far: on a shared machine, benchmarks report CPU per operation, which
// other processes' load does not inflate as much as wall-clock time.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
