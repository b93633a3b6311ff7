package realtime

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/realtime/yjs"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/schema"
)

// CRDTType is the MIME type of a file column entry holding a room's Yjs
// state (contract sidecars.md §2.3).
const CRDTType = "x-crdt/yjs"

// rowSaveTimeout bounds one save into, or load from, a row.
const rowSaveTimeout = 30 * time.Second

// EntryReader reads the bytes of one entry of an asset column (a column
// whose files live in a cloud store); the server implements it over its
// stores.
type EntryReader func(ctx context.Context, col *schema.Column, entry map[string]any) ([]byte, error)

// RowRoomStore is the RoomStore of a server: every room is kept in Local,
// and a room named {table}.{referenceId}.{column} after a row's file column
// is also saved into that column, through the resource layer (a normal
// update, so it produces a change event), as two entries: <column>.yjs of
// type x-crdt/yjs with the compacted state and <column>.txt with the
// document's plain text. A room missing from Local starts from the
// column's x-crdt/yjs entry.
type RowRoomStore struct {
	Local RoomStore
	Res   func() resource.Service
	// Read reads an asset column's entry; nil: only inline columns load.
	Read EntryReader
	Log  *slog.Logger
	// Rows, when set, spaces a room's row saves at least Rows.Every apart
	// (the latest state is saved when the time comes, and by Flush); nil
	// saves into the row on every Save.
	Rows *RowSaves
}

// RowSaves paces the saves of rooms into their rows: continuous editing
// saves the local copy every few hundred milliseconds, but updates the row
// (a database write, a file upload and a /live event) at most once per
// Every.
type RowSaves struct {
	Every   time.Duration
	saving  sync.Mutex // held while a row save runs
	mu      sync.Mutex
	last    map[string]time.Time
	pending map[string]func() // the latest deferred save of a room
}

// do runs save now if the room's last row save is Every old, or defers it
// (replacing an earlier deferred save) until it is.
func (p *RowSaves) do(room string, save func()) {
	p.mu.Lock()
	if p.last == nil {
		p.last, p.pending = map[string]time.Time{}, map[string]func(){}
	}
	_, queued := p.pending[room]
	p.pending[room] = save
	wait := time.Until(p.last[room].Add(p.Every))
	p.mu.Unlock()
	switch {
	case queued: // the timer or run already due takes the latest
	case wait > 0:
		time.AfterFunc(wait, func() { p.run(room) })
	default:
		p.run(room)
	}
}

// run performs a room's latest deferred save, if any is left. Saves run
// one at a time and each takes the latest state when it starts, so an
// older state never lands after a newer one.
func (p *RowSaves) run(room string) {
	p.saving.Lock()
	defer p.saving.Unlock()
	p.mu.Lock()
	save := p.pending[room]
	delete(p.pending, room)
	if save != nil {
		p.last[room] = time.Now()
	}
	p.mu.Unlock()
	if save != nil {
		save()
	}
}

// flush performs every deferred save now.
func (p *RowSaves) flush() {
	p.mu.Lock()
	if p.pending == nil {
		p.mu.Unlock()
		return
	}
	rooms := make([]string, 0, len(p.pending))
	for r := range p.pending {
		rooms = append(rooms, r)
	}
	p.mu.Unlock()
	for _, r := range rooms {
		p.run(r)
	}
}

// Flush implements RoomStore: deferred row saves are made now.
func (s RowRoomStore) Flush() {
	s.Local.Flush()
	if s.Rows != nil {
		s.Rows.flush()
	}
}

// rowRoom is the row file column a room name designates.
type rowRoom struct {
	table *schema.Table
	col   *schema.Column
	ref   string
}

// rowOf parses a canonical room name; ok is false for free-form rooms and
// for names whose table or column is not (or no longer) a file column.
func (s RowRoomStore) rowOf(room string) (rowRoom, bool) {
	parts := strings.Split(room, ".")
	if len(parts) != 3 || uuid.Validate(parts[1]) != nil || s.Res == nil {
		return rowRoom{}, false
	}
	t, ok := s.Res().Schema().Table(parts[0])
	if !ok {
		return rowRoom{}, false
	}
	col, ok := t.Column(parts[2])
	if !ok || !strings.HasPrefix(col.ColumnType, "file.") {
		return rowRoom{}, false
	}
	return rowRoom{table: t, col: col, ref: parts[1]}, true
}

func (s RowRoomStore) logger() *slog.Logger {
	if s.Log == nil {
		return discardLog()
	}
	return s.Log
}

// Load implements RoomStore: the local copy, else the row's entry.
func (s RowRoomStore) Load(room string) ([]byte, error) {
	b, err := s.Local.Load(room)
	if err != nil || b != nil {
		return b, err
	}
	rr, ok := s.rowOf(room)
	if !ok {
		return nil, nil
	}
	ctx, cancel := context.WithTimeout(auth.WithPrincipal(context.Background(), auth.System()), rowSaveTimeout)
	defer cancel()
	row, err := s.Res().Get(ctx, rr.table.TableName, rr.ref, resource.Query{Include: []string{CRDTType}}) // reads hide x-crdt/yjs entries unless asked for
	if err != nil {
		return nil, fmt.Errorf("yjs room %s: read row: %w", room, err)
	}
	for _, e := range columnEntries(row.Attrs[rr.col.ColumnName]) {
		if e["type"] != CRDTType {
			continue
		}
		data, err := s.entryBytes(ctx, rr.col, e)
		if err != nil {
			return nil, fmt.Errorf("yjs room %s: read %v: %w", room, e["name"], err)
		}
		return stateFromEntry(data)
	}
	return nil, nil
}

// entryBytes reads an entry inline (contents) or through Read.
func (s RowRoomStore) entryBytes(ctx context.Context, col *schema.Column, e map[string]any) ([]byte, error) {
	if c, ok := e["contents"].(string); ok && c != "" {
		return base64.StdEncoding.DecodeString(strings.TrimPrefix(c, CRDTType+","))
	}
	if s.Read == nil || !resource.IsAssetColumn(col) {
		return nil, fmt.Errorf("no contents and no store to read from")
	}
	return s.Read(ctx, col, e)
}

// stateFromEntry accepts a Yjs v1 update (what Apiary saves) or Daptin's
// room log (varint-length-prefixed sync messages), merged into one update.
func stateFromEntry(data []byte) ([]byte, error) {
	if u, err := yjs.Merge(data); err == nil {
		return u.Encode(nil), nil
	}
	updates, err := yjs.LogUpdates(data)
	if err != nil {
		return nil, fmt.Errorf("neither a Yjs update nor a room log: %w", err)
	}
	u, err := yjs.Merge(updates...)
	if err != nil {
		return nil, err
	}
	return u.Encode(nil), nil
}

// Save implements RoomStore: the local copy first, then the row.
func (s RowRoomStore) Save(room string, state []byte, text string) error {
	if err := s.Local.Save(room, state, text); err != nil {
		return err
	}
	rr, ok := s.rowOf(room)
	if !ok {
		return nil
	}
	if s.Rows == nil {
		return s.saveRow(room, rr, state, text)
	}
	s.Rows.do(room, func() {
		if err := s.saveRow(room, rr, state, text); err != nil {
			s.logger().Error("yjs room not saved into its row", "room", room, "err", err)
		}
	})
	return nil
}

// saveRow writes a room's state and text into its row's file column.
func (s RowRoomStore) saveRow(room string, rr rowRoom, state []byte, text string) error {
	ctx, cancel := context.WithTimeout(auth.WithPrincipal(context.Background(), auth.System()), rowSaveTimeout)
	defer cancel()
	val, err := rowEntries(rr, state, text)
	if err != nil {
		return err
	}
	if _, err := s.Res().Update(ctx, rr.table.TableName, rr.ref, resource.Input{Attributes: map[string]any{rr.col.ColumnName: val}}); err != nil {
		if re := (*resource.Error)(nil); errors.As(err, &re) && re.Kind == resource.ErrNotFound {
			s.logger().Info("yjs room's row is gone, saved locally only", "room", room)
			return nil
		}
		return fmt.Errorf("yjs room %s: save into row: %w", room, err)
	}
	return nil
}

// rowEntries builds the column value saved for a room. An asset column
// gets file objects the upload path stores (the row keeps their metadata,
// merged by name with its other files, under path <referenceId>); an
// inline column gets the whole list as JSON with the contents inline.
func rowEntries(rr rowRoom, state []byte, text string) (any, error) {
	name := rr.col.ColumnName
	list := []any{map[string]any{"name": name + ".yjs", "type": CRDTType, "path": rr.ref,
		"contents": base64.StdEncoding.EncodeToString(state)}}
	if text != "" { // an upload needs data; an empty document keeps no text file
		list = append(list, map[string]any{"name": name + ".txt", "type": "text/plain; charset=utf-8", "path": rr.ref,
			"contents": base64.StdEncoding.EncodeToString([]byte(text))})
	}
	if resource.IsAssetColumn(rr.col) {
		return list, nil
	}
	b, err := json.Marshal(list)
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

// columnEntries reads a file column's value: a list of objects, or its
// JSON text (inline columns may come back as text or bytes).
func columnEntries(v any) []map[string]any {
	var list []any
	switch x := v.(type) {
	case []any:
		list = x
	case string:
		_ = json.Unmarshal([]byte(x), &list)
	case []byte:
		_ = json.Unmarshal(bytes.TrimSpace(x), &list)
	}
	out := make([]map[string]any, 0, len(list))
	for _, e := range list {
		if m, ok := e.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}
