package memtrim

import (
	"strings"
	"testing"
)

const smapsSample = `00400000-02069000 r-xp 00000000 fe:00 42                           /bin/apiary
Size:              29092 kB
Rss:               20324 kB
Private_Dirty:       100 kB
Anonymous:             0 kB
02069000-03ab5000 r--p 01c69000 fe:00 42                           /bin/apiary
Size:              26928 kB
Anonymous:             0 kB
03ab5000-03c82000 rw-p 036b5000 fe:00 42                           /bin/apiary
Size:               1844 kB
Anonymous:           316 kB
03c82000-03c90000 r--p 036b5000 fe:00 42                           /bin/apiary
Private_Dirty:         8 kB
Anonymous:             8 kB
VmFlags: rd mr mw me
7f0000000000-7f0000001000 r--p 00000000 fe:00 43                   /usr/share/zoneinfo/UTC
Anonymous:             0 kB
7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0                    [stack]
Anonymous:           132 kB
`

func TestImageSpansKeepsOnlyCleanReadOnlyImage(t *testing.T) {
	got, err := imageSpans(strings.NewReader(smapsSample), 42)
	if err != nil {
		t.Fatal(err)
	}
	want := []span{{0x400000, 0x2069000}, {0x2069000, 0x3ab5000}}
	if len(got) != len(want) {
		t.Fatalf("spans %x, want %x (no writable, dirty or other-file mapping)", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("span %d = %x, want %x", i, got[i], want[i])
		}
	}
}

func TestImageSpansBadRange(t *testing.T) {
	if _, err := imageSpans(strings.NewReader("zz-02069000 r-xp 00000000 fe:00 42 /bin/apiary\n"), 42); err == nil {
		t.Fatal("a malformed address range was accepted")
	}
}
