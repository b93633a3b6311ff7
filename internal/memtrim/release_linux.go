package memtrim

import (
	"fmt"
	"os"
	"syscall"
)

// Release unmaps the resident pages of the program's read-only image
// mappings (MADV_DONTNEED: they are clean copies of the executable, so
// nothing is lost; the next use maps them again from the page cache). It
// returns how many bytes of address space it advised.
func Release() (int64, error) {
	st, err := os.Stat("/proc/self/exe")
	if err != nil {
		return 0, fmt.Errorf("memtrim: %w", err)
	}
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, fmt.Errorf("memtrim: no inode for /proc/self/exe")
	}
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		return 0, fmt.Errorf("memtrim: %w", err)
	}
	spans, err := imageSpans(f, sys.Ino)
	_ = f.Close()
	if err != nil {
		return 0, err
	}
	var n int64
	for _, s := range spans {
		if _, _, errno := syscall.Syscall(syscall.SYS_MADVISE, s.lo, s.hi-s.lo, syscall.MADV_DONTNEED); errno != 0 {
			return n, fmt.Errorf("memtrim: madvise: %w", errno)
		}
		n += int64(s.hi - s.lo)
	}
	return n, nil
}
