package realtime

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/gorilla/websocket"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
)

// RoomOptions are the dependencies of Rooms.
type RoomOptions struct {
	Res   func() resource.Service
	Log   *slog.Logger
	Store RoomStore
	Peers RoomPeers // nil: NoPeers
}

// Rooms serves the YJS routes and keeps the open rooms.
type Rooms struct {
	o        RoomOptions
	upgrader websocket.Upgrader
	mu       sync.Mutex
	rooms    map[string]*room
	wg       sync.WaitGroup
}

// NewRooms builds the YJS room server.
func NewRooms(o RoomOptions) *Rooms {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Peers == nil {
		o.Peers = NoPeers{}
	}
	return &Rooms{o: o, rooms: map[string]*room{}, upgrader: websocket.Upgrader{
		ReadBufferSize: 4096, WriteBufferSize: 4096, CheckOrigin: func(*http.Request) bool { return true }}}
}

// IsRoute reports whether path is a YJS route: /yjs/{name} or
// /live/{type}/{id}/{column}/yjs.
func IsRoute(path string) bool {
	if name, ok := strings.CutPrefix(path, "/yjs/"); ok {
		return name != ""
	}
	// Six "/"-separated parts, the second "live" and the last "yjs";
	// asked on every request, so the path is not split.
	if strings.Count(path, "/") != 5 || !strings.HasSuffix(path, "/yjs") {
		return false
	}
	_, rest, _ := strings.Cut(path, "/")
	return strings.HasPrefix(rest, "live/")
}

// access is what a caller may do in a room.
type access int

const (
	accessNone access = iota
	accessRead
	accessWrite
)

// ServeHTTP authorises the caller for the room the path names, then
// upgrades and joins it (contract sidecars.md §2.1).
func (rs *Rooms) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := auth.PrincipalFrom(r.Context())
	if p.IsGuest() {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	var table, ref, column string
	if name, ok := strings.CutPrefix(r.URL.Path, "/yjs/"); ok {
		parts := strings.Split(name, ".")
		if len(parts) != 3 || uuid.Validate(parts[1]) != nil {
			if len(name) > maxRoomName {
				http.Error(w, "document name too long", http.StatusBadRequest)
				return
			}
			rs.serveRoom(w, r, name, accessWrite)
			return
		}
		table, ref, column = parts[0], parts[1], parts[2]
	} else {
		parts := strings.Split(r.URL.Path, "/")
		table, ref, column = parts[2], parts[3], parts[4]
	}
	name, acc, status := rs.authorize(r.Context(), table, ref, column)
	if status != http.StatusOK {
		rs.o.Log.Debug("yjs connect refused", "table", table, "column", column, "ref", ref, "status", status)
		http.Error(w, http.StatusText(status), status)
		return
	}
	rs.serveRoom(w, r, name, acc)
}

// authorize checks a row's file column: 404 for an unknown table, a
// column that is not file.*, or a row the caller cannot read; 400 for a
// reference id that is not a UUID. Update permission makes the session
// read-write, read permission read-only.
func (rs *Rooms) authorize(ctx context.Context, table, ref, column string) (string, access, int) {
	res := rs.o.Res()
	t, ok := res.Schema().Table(table)
	if !ok {
		return "", accessNone, http.StatusNotFound
	}
	col, ok := t.Column(column)
	if !ok || !strings.HasPrefix(col.ColumnType, "file.") {
		rs.o.Log.Debug("yjs column not a file column", "table", table, "column", column)
		return "", accessNone, http.StatusNotFound
	}
	id, err := uuid.Parse(ref)
	if err != nil {
		return "", accessNone, http.StatusBadRequest
	}
	ref = id.String()
	if _, err := res.Get(ctx, t.TableName, ref, resource.Query{Fields: []string{"reference_id"}}); err != nil {
		rs.o.Log.Debug("yjs row not readable", "table", table, "err", err)
		var re *resource.Error
		if errors.As(err, &re) && (re.Kind == resource.ErrNotFound || re.Kind == resource.ErrForbidden) {
			return "", accessNone, http.StatusNotFound
		}
		return "", accessNone, http.StatusInternalServerError
	}
	name := t.TableName + "." + ref + "." + col.ColumnName
	if _, err := res.Update(ctx, t.TableName, ref, resource.Input{Attributes: map[string]any{}, ValidateOnly: true}); err != nil {
		return name, accessRead, http.StatusOK
	}
	return name, accessWrite, http.StatusOK
}

// serveRoom upgrades the request and runs the session in the room.
func (rs *Rooms) serveRoom(w http.ResponseWriter, r *http.Request, name string, acc access) {
	rm, err := rs.open(name)
	if err != nil {
		rs.o.Log.Error("yjs room not opened", "room", name, "err", err)
		http.Error(w, "room unavailable", http.StatusInternalServerError)
		return
	}
	conn, err := rs.upgrader.Upgrade(w, r, nil)
	if err != nil {
		rs.release(rm)
		return
	}
	c := newRoomConn(rm, conn, acc == accessRead)
	rm.join(c)
	c.run()
	rm.leave(c)
	rs.release(rm)
}

// open returns the named room, loading its saved state on first use.
func (rs *Rooms) open(name string) (*room, error) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if rm, ok := rs.rooms[name]; ok {
		rm.refs++
		return rm, nil
	}
	saved, err := rs.o.Store.Load(name)
	if err != nil {
		return nil, err
	}
	rm, err := newRoom(rs, name, saved)
	if err != nil {
		return nil, err
	}
	rm.refs = 1
	rs.rooms[name] = rm
	return rm, nil
}

// release ends one use of a room; the last one saves and forgets it.
func (rs *Rooms) release(rm *room) {
	rs.mu.Lock()
	rm.refs--
	last := rm.refs == 0
	if last && rs.rooms[rm.name] == rm {
		delete(rs.rooms, rm.name)
		rm.stop()
	}
	rs.mu.Unlock()
	if last {
		rm.flush()
	}
	rs.o.Store.Flush()
}

// Close ends every session and saves every room.
func (rs *Rooms) Close() {
	rs.mu.Lock()
	rooms := make([]*room, 0, len(rs.rooms))
	for _, rm := range rs.rooms {
		rooms = append(rooms, rm)
	}
	rs.mu.Unlock()
	for _, rm := range rooms {
		for _, c := range lockedKeys(&rm.mu, rm.conns) {
			c.close(websocket.CloseGoingAway, "server shutting down")
		}
		rm.flush()
	}
	rs.o.Store.Flush()
}

// State returns the compacted state of a room as saved or live (tests,
// snapshots).
func (rs *Rooms) State(name string) ([]byte, error) {
	rs.mu.Lock()
	rm, ok := rs.rooms[name]
	rs.mu.Unlock()
	if ok {
		rm.mu.Lock()
		defer rm.mu.Unlock()
		return rm.state.Encode(nil), nil
	}
	return rs.o.Store.Load(name)
}

// maxRoomName bounds a free-form document name (it names a file).
const maxRoomName = 200

// roomPing is how often the server pings a YJS session; roomReadIdle is
// how long it waits for any frame (a pong counts).
const (
	roomPing     = 30 * time.Second
	roomReadIdle = 60 * time.Second
	roomSendBuf  = 256
)
