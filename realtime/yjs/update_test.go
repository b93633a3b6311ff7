package yjs

import (
	"bytes"
	"reflect"
	"testing"
)

// sample is a real yjs update: client 1001 inserts "bb" at the root text.
var sample = []byte{1, 1, 0xe9, 7, 0, 4, 1, 4, 't', 'e', 'x', 't', 2, 'b', 'b', 0}

func TestDecodeEncodeRoundTrip(t *testing.T) {
	u, err := Decode(sample)
	if err != nil {
		t.Fatal(err)
	}
	if got := u.Encode(nil); !bytes.Equal(got, sample) {
		t.Fatalf("round trip: %v, want %v", got, sample)
	}
	if sv := u.StateVector(); !reflect.DeepEqual(sv, StateVector{1001: 2}) {
		t.Fatalf("state vector %v", sv)
	}
	if diff := u.Encode(StateVector{1001: 1}); !bytes.Equal(diff, []byte{1, 1, 0xe9, 7, 1, 0x84, 0xe9, 7, 0, 1, 'b', 0}) {
		t.Fatalf("diff from clock 1: %v", diff)
	}
	if diff := u.Encode(StateVector{1001: 2}); !bytes.Equal(diff, []byte{0, 0}) {
		t.Fatalf("nothing lacking: %v", diff)
	}
}

// TestMalformed: truncated or garbage bytes are errors, never panics.
func TestMalformed(t *testing.T) {
	for i := 0; i < len(sample); i++ {
		if _, err := Decode(sample[:i]); err == nil {
			t.Errorf("prefix %d decoded", i)
		}
	}
	for _, b := range [][]byte{
		{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01},
		{1, 0xff, 0xff, 0xff, 0xff, 0x0f, 1, 0},
		{1, 1, 1, 0, 8, 1, 1, 'x', 0xff, 0xff, 0xff, 0x7f},
		{1, 1, 1, 0, 1, 0}, // deleted content of length 0
		append(append([]byte{}, sample...), 9),
	} {
		if _, err := Decode(b); err == nil {
			t.Errorf("%v decoded", b)
		}
	}
	if _, err := ReadMessages([]byte{0, 7, 0}); err == nil {
		t.Error("unknown sync sub-type accepted")
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(sample)
	f.Fuzz(func(t *testing.T, b []byte) {
		u, err := Decode(b)
		if err != nil {
			return
		}
		u.normalize()
		_ = u.Encode(nil)
		_ = u.StateVector()
	})
}

func TestMessages(t *testing.T) {
	frame := append(SyncMessage(SyncStep1, []byte{0}), AwarenessMessage(EncodeAwareness([]AwarenessEntry{{Client: 5, Clock: 2, State: []byte(`{"a":1}`)}}))...)
	ms, err := ReadMessages(frame)
	if err != nil || len(ms) != 2 || ms[0].Sub != SyncStep1 || ms[1].Type != MsgAwareness {
		t.Fatalf("%v %v", ms, err)
	}
	es, err := DecodeAwareness(ms[1].Payload)
	if err != nil || len(es) != 1 || es[0].Client != 5 || string(es[0].State) != `{"a":1}` {
		t.Fatalf("%v %v", es, err)
	}
}

func TestTextInsert(t *testing.T) {
	a := TextInsert(1001, 0, nil, "text", "bb")
	if !bytes.Equal(a, sample) {
		t.Fatalf("TextInsert: %v, want %v", a, sample)
	}
	b := TextInsert(1001, 2, &ID{1001, 1}, "text", "c")
	u, err := Merge(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if got := u.PlainText(); got != "bbc" {
		t.Fatalf("text %q", got)
	}
	if len(u.Structs[1001]) != 1 {
		t.Fatalf("typing not joined: %d structs", len(u.Structs[1001]))
	}
	if id, ok := u.First(); !ok || id != (ID{1001, 0}) {
		t.Fatalf("first %v", id)
	}
}

// TestDiffFromEveryClock: the diff for a client that has the first k
// characters of a string holds exactly the rest, and applied to what the
// client has gives the whole text.
func TestDiffFromEveryClock(t *testing.T) {
	const text = "héllo😀!"
	full := TextInsert(4, 0, nil, "text", text)
	u, err := Decode(full)
	if err != nil {
		t.Fatal(err)
	}
	units := uint64(len(toUTF16([]byte(text))))
	if sv := u.StateVector(); sv[4] != units {
		t.Fatalf("state vector %v, want %d units", sv, units)
	}
	for k := uint64(0); k <= units; k++ {
		diff := u.Encode(StateVector{4: k})
		d, err := Decode(diff)
		if err != nil {
			t.Fatalf("clock %d: %v", k, err)
		}
		if k == units {
			if len(d.Structs) != 0 {
				t.Fatalf("clock %d: diff not empty", k)
			}
			continue
		}
		if id, _ := d.First(); id != (ID{4, k}) {
			t.Fatalf("clock %d: diff starts at %v", k, id)
		}
		// What the client has: the first k units (when k does not split
		// the surrogate pair), typed as one insert.
		prefix := fromUTF16(toUTF16([]byte(text))[:k])
		if !bytes.HasPrefix([]byte(text), prefix) {
			continue
		}
		have, _ := Merge()
		if k > 0 {
			have, _ = Decode(TextInsert(4, 0, nil, "text", string(prefix)))
		}
		have.Apply(d)
		if have.PlainText() != text {
			t.Fatalf("clock %d: %q", k, have.PlainText())
		}
	}
}
