package yjs

import (
	"bytes"
	"reflect"
	"testing"
)

func TestReadMessages(t *testing.T) {
	sv := EncodeStateVector(StateVector{5: 3})
	upd := TextInsert(5, 0, nil, "text", "x")
	aw := EncodeAwareness([]AwarenessEntry{{Client: 5, Clock: 1, State: []byte(`{}`)}})
	for _, tc := range []struct {
		name  string
		frame []byte
		want  []Message
		err   bool
	}{
		{"step1", SyncMessage(SyncStep1, sv), []Message{{Type: MsgSync, Sub: SyncStep1, Payload: sv}}, false},
		{"step2", SyncMessage(SyncStep2, upd), []Message{{Type: MsgSync, Sub: SyncStep2, Payload: upd}}, false},
		{"update", SyncMessage(SyncUpdate, upd), []Message{{Type: MsgSync, Sub: SyncUpdate, Payload: upd}}, false},
		{"awareness", AwarenessMessage(aw), []Message{{Type: MsgAwareness, Payload: aw}}, false},
		{"query awareness", []byte{MsgQueryAwareness}, []Message{{Type: MsgQueryAwareness}}, false},
		{"several in one frame", append(SyncMessage(SyncStep1, sv), AwarenessMessage(aw)...),
			[]Message{{Type: MsgSync, Sub: SyncStep1, Payload: sv}, {Type: MsgAwareness, Payload: aw}}, false},
		{"auth ends the parse", []byte{MsgAuth, 0, 1, 2}, []Message{{Type: MsgAuth}}, false},
		{"unknown type ends the parse", append(SyncMessage(SyncUpdate, upd), 9, 9), []Message{{Type: MsgSync, Sub: SyncUpdate, Payload: upd}, {Type: 9}}, false},
		{"empty frame", nil, nil, false},
		{"bad sync sub-type", []byte{MsgSync, 3, 0}, nil, true},
		{"cut payload", []byte{MsgSync, SyncUpdate, 4, 1}, nil, true},
		{"cut awareness", []byte{MsgAwareness}, nil, true},
		{"cut sub-type", []byte{MsgSync}, nil, true},
	} {
		got, err := ReadMessages(tc.frame)
		if (err != nil) != tc.err {
			t.Errorf("%s: error %v", tc.name, err)
			continue
		}
		if !tc.err && !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

func TestAwarenessRoundTrip(t *testing.T) {
	for _, es := range [][]AwarenessEntry{
		{},
		{{Client: 1, Clock: 0, State: []byte(`{"user":{"name":"ann"}}`)}},
		{{Client: 1, Clock: 3, State: []byte(`null`)}, {Client: 1 << 40, Clock: 1 << 20, State: []byte(`{}`)}},
	} {
		got, err := DecodeAwareness(EncodeAwareness(es))
		if err != nil || len(got) != len(es) {
			t.Fatalf("%v: %v %v", es, got, err)
		}
		for i := range es {
			if got[i].Client != es[i].Client || got[i].Clock != es[i].Clock || !bytes.Equal(got[i].State, es[i].State) {
				t.Errorf("entry %d: %+v, want %+v", i, got[i], es[i])
			}
		}
	}
	for _, bad := range [][]byte{nil, {1}, {1, 1}, {1, 1, 1}, {1, 1, 1, 5, '{'}, {0, 0}, {0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}} {
		if _, err := DecodeAwareness(bad); err == nil {
			t.Errorf("%v decoded", bad)
		}
	}
}

// TestLogUpdates: a Daptin room log gives back its updates; state vectors
// are skipped and a log without updates or with a broken record is an error.
func TestLogUpdates(t *testing.T) {
	u1, u2 := TextInsert(1, 0, nil, "text", "a"), TextInsert(2, 0, nil, "text", "b")
	rec := func(m []byte) []byte { return appendBytes(nil, m) }
	join := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	for _, tc := range []struct {
		name string
		log  []byte
		want [][]byte
		err  bool
	}{
		{"updates and steps", join(rec(SyncMessage(SyncStep1, []byte{0})), rec(SyncMessage(SyncUpdate, u1)), rec(SyncMessage(SyncStep2, u2))), [][]byte{u1, u2}, false},
		{"awareness records are skipped", join(rec(AwarenessMessage(EncodeAwareness(nil))), rec(SyncMessage(SyncUpdate, u1))), [][]byte{u1}, false},
		{"only state vectors", rec(SyncMessage(SyncStep1, []byte{0})), nil, true},
		{"empty", nil, nil, true},
		{"cut record", []byte{9, MsgSync}, nil, true},
		{"bad message in a record", rec([]byte{MsgSync, 7}), nil, true},
	} {
		got, err := LogUpdates(tc.log)
		if (err != nil) != tc.err || (!tc.err && !reflect.DeepEqual(got, tc.want)) {
			t.Errorf("%s: %v %v", tc.name, got, err)
		}
	}
}

// TestTextInsertAndPlainText: inserts at the start, after a character and
// from two clients give the text Yjs would show.
func TestTextInsertAndPlainText(t *testing.T) {
	for _, tc := range []struct {
		name    string
		updates [][]byte
		want    string
	}{
		{"one insert", [][]byte{TextInsert(1, 0, nil, "text", "hello")}, "hello"},
		{"append after the last character", [][]byte{TextInsert(1, 0, nil, "text", "ab"), TextInsert(1, 2, &ID{1, 1}, "text", "cd")}, "abcd"},
		{"insert in the middle", [][]byte{TextInsert(1, 0, nil, "text", "ad"), TextInsert(2, 0, &ID{1, 0}, "text", "bc")}, "adbc"},
		// "bc" and "d" both follow "a" with no right neighbour named: the
		// lower client's item goes first, as in Yjs.
		{"order of arrival does not matter", [][]byte{TextInsert(2, 0, &ID{1, 0}, "text", "bc"), TextInsert(1, 0, nil, "text", "ad")}, "adbc"},
		{"a concurrent insert at the start", [][]byte{TextInsert(2, 0, nil, "text", "x"), TextInsert(1, 0, nil, "text", "y")}, "yx"},
		{"non-ASCII", [][]byte{TextInsert(1, 0, nil, "text", "é😀")}, "é😀"},
		{"empty document", nil, ""},
	} {
		u, err := Merge(tc.updates...)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := u.PlainText(); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
		// The merged state encodes to an update that decodes to the same text.
		v, err := Decode(u.Encode(nil))
		if err != nil || v.PlainText() != tc.want {
			t.Errorf("%s: re-encoded %v %q", tc.name, err, v.PlainText())
		}
	}
}

func TestFirst(t *testing.T) {
	u, _ := Merge(TextInsert(9, 4, &ID{9, 3}, "text", "x"), TextInsert(3, 0, nil, "text", "y"))
	if id, ok := u.First(); !ok || id != (ID{9, 4}) {
		t.Fatalf("first %v %v", id, ok)
	}
	empty, _ := Merge()
	if _, ok := empty.First(); ok {
		t.Fatal("empty update has a first struct")
	}
}

// TestMergeIsIdempotentAndCommutative: applying the same updates twice or
// in another order gives the same state.
func TestMergeIsIdempotentAndCommutative(t *testing.T) {
	a := TextInsert(1, 0, nil, "text", "ab")
	b := TextInsert(2, 0, &ID{1, 1}, "text", "cd")
	c := TextInsert(1, 2, &ID{2, 1}, "text", "ef")
	base, err := MergeUpdates(a, b, c)
	if err != nil {
		t.Fatal(err)
	}
	for _, order := range [][][]byte{{c, b, a}, {a, a, b, b, c}, {b, a, c, a}, {base, a}, {base, base}} {
		got, err := MergeUpdates(order...)
		if err != nil || !bytes.Equal(got, base) {
			t.Errorf("order gives %v (%v), want %v", got, err, base)
		}
	}
	u, _ := Decode(base)
	if u.PlainText() != "abcdef" {
		t.Fatalf("text %q", u.PlainText())
	}
	if _, err := MergeUpdates(a, []byte{0xff}); err == nil {
		t.Fatal("bad update merged")
	}
}

// TestTextByRoot: Text names every root type holding text; Apply adds
// an update to a merged state as Merge would.
func TestTextByRoot(t *testing.T) {
	for _, tc := range []struct {
		name    string
		updates [][]byte
		want    map[string]string
	}{
		{"two roots", [][]byte{TextInsert(1, 0, nil, "title", "T"), TextInsert(2, 0, nil, "body", "B")}, map[string]string{"title": "T", "body": "B"}},
		{"blank root left out", [][]byte{TextInsert(1, 0, nil, "title", "  "), TextInsert(2, 0, nil, "body", "B")}, map[string]string{"body": "B"}},
		{"nothing", nil, map[string]string{}},
	} {
		u, err := Merge()
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range tc.updates {
			v, err := Decode(b)
			if err != nil {
				t.Fatal(err)
			}
			u.Apply(v)
		}
		if got := u.Text(); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
		merged, _ := MergeUpdates(tc.updates...)
		if !bytes.Equal(u.Encode(nil), merged) {
			t.Errorf("%s: Apply and Merge differ", tc.name)
		}
	}
}
