package memtrim

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// span is one mapping of the program's image: [lo, hi).
type span struct{ lo, hi uintptr }

// imageSpans reads a /proc/<pid>/smaps listing and returns the private
// read-only mappings of the file with inode ino that hold no anonymous
// (modified) page: the program's code and read-only data. Writable
// mappings (the data segment) and read-only ones written before they were
// protected (relocations of a position-independent build) are left alone,
// since dropping their pages would lose what was written. Only
// Anonymous tells those apart: Private_Dirty also counts image pages the
// page cache has not written back yet (a binary just built).
func imageSpans(smaps io.Reader, ino uint64) ([]span, error) {
	var out []span
	var cur span
	in, clean := false, true
	flush := func() {
		if in && clean {
			out = append(out, cur)
		}
		in, clean = false, true
	}
	sc := bufio.NewScanner(smaps)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		if strings.HasSuffix(f[0], ":") { // a field of the current mapping
			if in && f[0] == "Anonymous:" && len(f) > 1 && f[1] != "0" {
				clean = false
			}
			continue
		}
		flush()
		if len(f) < 6 || len(f[1]) != 4 || f[1][0] != 'r' || f[1][1] != '-' || f[1][3] != 'p' {
			continue
		}
		if n, err := strconv.ParseUint(f[4], 10, 64); err != nil || n != ino {
			continue
		}
		addr := strings.SplitN(f[0], "-", 2)
		if len(addr) != 2 {
			return nil, fmt.Errorf("memtrim: bad address range %q", f[0])
		}
		lo, err1 := strconv.ParseUint(addr[0], 16, 64)
		hi, err2 := strconv.ParseUint(addr[1], 16, 64)
		if err1 != nil || err2 != nil || hi <= lo {
			return nil, fmt.Errorf("memtrim: bad address range %q", f[0])
		}
		cur, in = span{lo: uintptr(lo), hi: uintptr(hi)}, true
	}
	flush()
	return out, sc.Err()
}
