package realtime

import (
	"context"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/realtime/yjs"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/schema"
)

func TestFileRoomStore(t *testing.T) {
	s := FileRoomStore{Dir: filepath.Join(t.TempDir(), "rooms")}
	for _, tc := range []struct {
		room  string
		state []byte
		text  string
	}{
		{"plain", []byte{1, 2, 3}, "hello"},
		{"a/b/../c", []byte{9}, "slashes stay in one file"},
		{"todo.01a24d07-298d-7cf8-94fd-cedce707bbac.notes", []byte{0, 0}, ""},
	} {
		if b, err := s.Load(tc.room); err != nil || b != nil {
			t.Fatalf("%s before save: %v %v", tc.room, b, err)
		}
		if err := s.Save(tc.room, tc.state, tc.text); err != nil {
			t.Fatal(err)
		}
		b, err := s.Load(tc.room)
		if err != nil || string(b) != string(tc.state) {
			t.Fatalf("%s: %v %v", tc.room, b, err)
		}
		txt, err := os.ReadFile(s.path(tc.room, ".txt"))
		if err != nil || string(txt) != tc.text {
			t.Fatalf("%s text: %q %v", tc.room, txt, err)
		}
		if filepath.Dir(s.path(tc.room, ".yjs")) != s.Dir {
			t.Fatalf("%s escapes the folder: %s", tc.room, s.path(tc.room, ".yjs"))
		}
	}
	entries, _ := os.ReadDir(s.Dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".tmp-") {
			t.Fatalf("temporary file left: %s", e.Name())
		}
	}
}

// memStore is a RoomStore in memory, with a forced error.
type memStore struct {
	mu  sync.Mutex
	m   map[string][]byte
	txt map[string]string
	err error
}

func (s *memStore) Load(room string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m[room], s.err
}

func (s *memStore) Flush() {}

func (s *memStore) text(room string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.txt[room]
}

func (s *memStore) Save(room string, state []byte, text string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	s.m[room], s.txt[room] = state, text
	return nil
}

const rowRef = "01a24d07-298d-7cf8-94fd-cedce707bbac"

func TestRowRoomStoreRowOf(t *testing.T) {
	res := newFakeRes(t)
	s := RowRoomStore{Local: &memStore{}, Res: func() resource.Service { return res }}
	for _, tc := range []struct {
		room  string
		ok    bool
		asset bool
	}{
		{"todo." + rowRef + ".notes", true, false},
		{"page." + rowRef + ".body", true, true},
		{"todo." + rowRef + ".title", false, false}, // not a file column
		{"nope." + rowRef + ".notes", false, false},
		{"todo.not-a-uuid.notes", false, false},
		{"free-form", false, false},
		{"a.b.c.d", false, false},
	} {
		rr, ok := s.rowOf(tc.room)
		if ok != tc.ok || (ok && resource.IsAssetColumn(rr.col) != tc.asset) {
			t.Errorf("%s: ok %v", tc.room, ok)
		}
	}
}

func TestRowEntries(t *testing.T) {
	res := newFakeRes(t)
	s := RowRoomStore{Res: func() resource.Service { return res }}
	for _, tc := range []struct {
		room, text string
		names      []string
	}{
		{"page." + rowRef + ".body", "hi", []string{"body.yjs", "body.txt"}},
		{"page." + rowRef + ".body", "", []string{"body.yjs"}},
		{"todo." + rowRef + ".notes", "hi", []string{"notes.yjs", "notes.txt"}},
	} {
		rr, _ := s.rowOf(tc.room)
		v, err := rowEntries(rr, []byte{7, 7}, tc.text)
		if err != nil {
			t.Fatal(err)
		}
		if _, isText := v.(string); isText == resource.IsAssetColumn(rr.col) {
			t.Fatalf("%s: value %T", tc.room, v)
		}
		es := columnEntries(v)
		var names []string
		for _, e := range es {
			names = append(names, e["name"].(string))
			if e["path"] != rowRef {
				t.Fatalf("path %v", e["path"])
			}
		}
		if !reflect.DeepEqual(names, tc.names) {
			t.Fatalf("%s: %v", tc.room, names)
		}
		if es[0]["type"] != CRDTType || es[0]["contents"] != base64.StdEncoding.EncodeToString([]byte{7, 7}) {
			t.Fatalf("state entry %v", es[0])
		}
		if len(es) > 1 && es[1]["contents"] != base64.StdEncoding.EncodeToString([]byte(tc.text)) {
			t.Fatalf("text entry %v", es[1])
		}
	}
}

func TestColumnEntries(t *testing.T) {
	for _, tc := range []struct {
		name string
		v    any
		n    int
	}{
		{"list", []any{map[string]any{"name": "a"}, "junk"}, 1},
		{"json text", `[{"name":"a"},{"name":"b"}]`, 2},
		{"json bytes", []byte(" [{\"name\":\"a\"}]\n"), 1},
		{"not json", "hello", 0},
		{"nil", nil, 0},
		{"number", 3.0, 0},
	} {
		if got := columnEntries(tc.v); len(got) != tc.n {
			t.Errorf("%s: %v", tc.name, got)
		}
	}
}

func TestStateFromEntry(t *testing.T) {
	u1 := yjs.TextInsert(1, 0, nil, "text", "ab")
	u2 := yjs.TextInsert(2, 0, nil, "text", "cd")
	var log []byte
	for _, m := range [][]byte{
		yjs.SyncMessage(yjs.SyncStep1, []byte{0}),
		yjs.SyncMessage(yjs.SyncUpdate, u1),
		yjs.SyncMessage(yjs.SyncStep2, u2),
	} {
		log = appendVarBytes(log, m)
	}
	for _, tc := range []struct {
		name    string
		data    []byte
		clients int
		err     bool
	}{
		{"an update", u1, 1, false},
		{"a Daptin room log", log, 2, false},
		{"garbage", []byte{0xff, 0xff, 0xff}, 0, true},
		{"a log of state vectors only", appendVarBytes(nil, yjs.SyncMessage(yjs.SyncStep1, []byte{0})), 0, true},
	} {
		got, err := stateFromEntry(tc.data)
		if (err != nil) != tc.err {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if err != nil {
			continue
		}
		u, err := yjs.Decode(got)
		if err != nil || len(u.StateVector()) != tc.clients {
			t.Fatalf("%s: %v clients %v", tc.name, err, u.StateVector())
		}
	}
}

// appendVarBytes appends a varint length and b (a room log record).
func appendVarBytes(dst, b []byte) []byte {
	n := uint64(len(b))
	for n >= 0x80 {
		dst = append(dst, byte(n)|0x80)
		n >>= 7
	}
	return append(append(dst, byte(n)), b...)
}

func TestRowRoomStoreSaveAndLoad(t *testing.T) {
	res := newFakeRes(t)
	local := &memStore{m: map[string][]byte{}, txt: map[string]string{}}
	read := map[string][]byte{}
	s := RowRoomStore{Local: local, Res: func() resource.Service { return res }, Log: discardLog(),
		Read: func(_ context.Context, _ *schema.Column, e map[string]any) ([]byte, error) {
			b, ok := read[e["name"].(string)]
			if !ok {
				return nil, errors.New("no such file")
			}
			return b, nil
		}}
	state := yjs.TextInsert(5, 0, nil, "text", "hello")
	inline, asset := "todo."+rowRef+".notes", "page."+rowRef+".body"
	res.put("todo", rowRef, map[string]any{})
	res.put("page", rowRef, map[string]any{})

	// Saving writes the local copy and updates the row through the resource layer.
	for _, room := range []string{inline, asset, "free"} {
		if err := s.Save(room, state, "hello"); err != nil {
			t.Fatal(err)
		}
		if string(local.m[room]) != string(state) || local.txt[room] != "hello" {
			t.Fatalf("%s: local copy not saved", room)
		}
	}
	if len(res.updates) != 2 {
		t.Fatalf("row updates: %d", len(res.updates))
	}
	// Loading prefers the local copy; without it, the row's entry.
	if b, err := s.Load(inline); err != nil || string(b) != string(state) {
		t.Fatalf("local load: %v", err)
	}
	delete(local.m, inline)
	delete(local.m, asset)
	if b, err := s.Load(inline); err != nil || len(b) == 0 {
		t.Fatalf("inline load from row: %v %v", b, err)
	}
	// The upload path keeps only metadata in an asset column.
	res.put("page", rowRef, map[string]any{"body": []any{map[string]any{"name": "body.yjs", "type": CRDTType, "path": rowRef}}})
	if _, err := s.Load(asset); err == nil {
		t.Fatal("asset entry loaded without its file")
	}
	read["body.yjs"] = state
	if b, err := s.Load(asset); err != nil || len(b) == 0 {
		t.Fatalf("asset load from row: %v %v", b, err)
	}
	if b, err := s.Load("free"); err != nil || string(b) != string(state) {
		t.Fatalf("free-form room: %v", err)
	}
	if b, err := s.Load("other-free"); err != nil || b != nil {
		t.Fatalf("unknown free-form room: %v %v", b, err)
	}
	// A row without an x-crdt/yjs entry starts empty; a missing row is an error.
	res.put("todo", rowRef, map[string]any{"notes": `[{"name":"x.txt","type":"text/plain","contents":"eA=="}]`})
	if b, err := s.Load(inline); err != nil || b != nil {
		t.Fatalf("row without state: %v %v", b, err)
	}
	res.getErr = errors.New("database down")
	if _, err := s.Load(inline); err == nil {
		t.Fatal("row read error hidden")
	}
	res.getErr = nil
	// A deleted row: the save stays local; a refused update is an error.
	delete(res.rows, "todo/"+rowRef)
	if err := s.Save(inline, state, ""); err != nil {
		t.Fatalf("save for a deleted row: %v", err)
	}
	res.canWrite = func(auth.Principal) bool { return false }
	if err := s.Save(asset, state, ""); err == nil {
		t.Fatal("refused row update hidden")
	}
	local.err = errors.New("disk full")
	if err := s.Save(asset, state, ""); !errors.Is(err, local.err) {
		t.Fatalf("local error: %v", err)
	}
}

// TestRowSavesPacing: saves in quick succession update the row once at
// once and once more with the latest state when Every has passed; Flush
// makes a deferred save at once.
func TestRowSavesPacing(t *testing.T) {
	res := newFakeRes(t)
	res.put("todo", rowRef, map[string]any{})
	local := &memStore{m: map[string][]byte{}, txt: map[string]string{}}
	s := RowRoomStore{Local: local, Res: func() resource.Service { return res }, Log: discardLog(),
		Rows: &RowSaves{Every: 300 * time.Millisecond}}
	room := "todo." + rowRef + ".notes"
	updates := func() (int, string) {
		res.mu.Lock()
		defer res.mu.Unlock()
		if len(res.updates) == 0 {
			return 0, ""
		}
		es := columnEntries(res.updates[len(res.updates)-1].Attributes["notes"])
		txt, _ := base64.StdEncoding.DecodeString(es[len(es)-1]["contents"].(string))
		return len(res.updates), string(txt)
	}
	for _, text := range []string{"a", "ab", "abc"} {
		if err := s.Save(room, yjs.TextInsert(1, 0, nil, "text", text), text); err != nil {
			t.Fatal(err)
		}
	}
	if n, txt := updates(); n != 1 || txt != "a" {
		t.Fatalf("at once: %d updates, last %q", n, txt)
	}
	if local.text(room) != "abc" {
		t.Fatalf("local copy %q", local.text(room))
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		if n, txt := updates(); n == 2 && txt == "abc" {
			break
		}
		if time.Now().After(deadline) {
			n, txt := updates()
			t.Fatalf("deferred save: %d updates, last %q", n, txt)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := s.Save(room, yjs.TextInsert(1, 0, nil, "text", "abcd"), "abcd"); err != nil {
		t.Fatal(err)
	}
	s.Flush()
	if n, txt := updates(); n != 3 || txt != "abcd" {
		t.Fatalf("after Flush: %d updates, last %q", n, txt)
	}
	time.Sleep(400 * time.Millisecond) // the timer finds nothing left to save
	if n, _ := updates(); n != 3 {
		t.Fatalf("saved again after Flush: %d", n)
	}
}
