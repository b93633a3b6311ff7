package realtime

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/schema"
)

// Limits of a /live connection (contract sidecars.md §1.1).
const (
	OutboundBuffer = 512              // queued frames per connection; a full queue drops the client
	MaxMessage     = 10 << 20         // largest client message; bigger closes with 1009
	ReadIdle       = 5 * time.Minute  // no message for this long closes the connection
	writeWait      = 10 * time.Second // per frame
	// Coalesce is the default shortest time between two writes to one
	// connection while frames keep coming (Options.Coalesce).
	Coalesce = 20 * time.Millisecond
	// lingerRounds is how many empty coalescing intervals a writer waits
	// before it ends: a stream of 25 events/s or more keeps one writer
	// goroutine, and a connection that got one event holds none 60 ms on.
	lingerRounds = 2
	// kickAt is the queue length at which a writer stops coalescing.
	kickAt = OutboundBuffer / 4
)

// Options are the dependencies of a Hub.
type Options struct {
	Res    func() resource.Service
	Log    *slog.Logger
	Broker Broker     // nil: a LocalBroker
	Topics TopicStore // nil: a MemoryTopics
	// ReadIdle overrides the 5-minute read deadline (tests).
	ReadIdle time.Duration
	// Coalesce overrides the writers' coalescing interval; 0 is Coalesce.
	Coalesce time.Duration
}

// Hub serves GET /live and publishes committed row changes to table topics.
type Hub struct {
	o        Options
	upgrader websocket.Upgrader
	sessions atomic.Int64
	mu       sync.Mutex
	conns    map[*session]struct{}
	out      *outbox
	feeds    feeds
	cancel   func()
}

// NewHub builds a Hub and subscribes it to the resource layer's changes.
func NewHub(o Options) *Hub {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Broker == nil {
		o.Broker = NewLocalBroker()
	}
	if o.Topics == nil {
		o.Topics = NewMemoryTopics()
	}
	if o.ReadIdle <= 0 {
		o.ReadIdle = ReadIdle
	}
	if o.Coalesce <= 0 {
		o.Coalesce = Coalesce
	}
	h := &Hub{o: o, conns: map[*session]struct{}{}, upgrader: websocket.Upgrader{
		// Small read buffers and pooled write buffers keep an idle
		// connection cheap (no write buffer is held between frames).
		ReadBufferSize: 1024, WriteBufferSize: 1024, WriteBufferPool: &sync.Pool{},
		CheckOrigin: func(*http.Request) bool { return true }, // tokens, not cookies alone, carry authority
	}}
	h.out = newOutbox(h.publishEvent)
	h.cancel = o.Res().Subscribe(h.onChange)
	return h
}

// Close stops listening to changes and closes every connection.
func (h *Hub) Close() {
	h.cancel()
	h.out.close()
	for _, s := range lockedKeys(&h.mu, h.conns) {
		s.closeWith(websocket.CloseGoingAway, "server shutting down")
	}
}

// Broker returns the broker the hub publishes to.
func (h *Hub) Broker() Broker { return h.o.Broker }

// ServeHTTP upgrades GET /live. The caller's Principal is already on the
// request context (a revoked token was refused with 401 before).
func (h *Hub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := auth.PrincipalFrom(r.Context())
	conn, err := h.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has answered with an HTTP error
	}
	if p.IsGuest() || p.UserRef == "" {
		_ = conn.SetWriteDeadline(time.Now().Add(writeWait))
		_ = conn.WriteMessage(websocket.TextMessage, []byte(`{"message": "unauthorized"}`))
		_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.ClosePolicyViolation, "unauthorized"), time.Now().Add(writeWait))
		_ = conn.Close()
		return
	}
	s := newSession(h, conn, p, h.sessions.Add(1))
	h.mu.Lock()
	h.conns[s] = struct{}{}
	h.mu.Unlock()
	// The session reads in a fresh goroutine, whose stack starts small,
	// and this handler returns: the request goroutine's stack, grown by
	// the middleware chain, is not kept for the connection's lifetime.
	go func() {
		s.run()
		h.mu.Lock()
		delete(h.conns, s)
		h.mu.Unlock()
	}()
}

// Connections returns the number of open /live sessions.
func (h *Hub) Connections() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.conns)
}

// onChange receives a committed change, under the table's commit-order
// lock: it copies what the event needs (the caller keeps the row map) and
// hands it to the outbox; encoding and fan-out happen after the lock.
func (h *Hub) onChange(c resource.Change) {
	if !h.o.Broker.Subscribed(c.Table) {
		return
	}
	t, ok := h.o.Res().Schema().Table(c.Table)
	if !ok {
		return
	}
	_, shared := t.GroupLink()
	e := &Event{Topic: c.Table, Kind: string(c.Op), Source: "database",
		Row: &RowMeta{Table: c.Table, RefID: c.RefID, Object: c.Object, GroupShared: shared}}
	var payload map[string]any
	if c.Op == resource.OpDelete {
		payload = map[string]any{"reference_id": c.RefID}
	} else {
		payload = publicRow(t, c)
	}
	h.out.put(pendingEvent{e: e, payload: payload})
}

// publishEvent encodes a row event's payload and publishes it (the
// outbox's goroutine).
func (h *Hub) publishEvent(p pendingEvent) {
	data, err := json.Marshal(p.payload)
	if err != nil {
		h.o.Log.Error("row event not encodable", "table", p.e.Topic, "err", err)
		return
	}
	p.e.Data = data
	if err := h.o.Broker.Publish(context.Background(), p.e); err != nil {
		h.o.Log.Warn("row event not published", "table", p.e.Topic, "err", err)
	}
}

// publicRow copies the change's attributes without the columns no event may
// carry: password, bcrypt, md5 and encrypted columns.
func publicRow(t *schema.Table, c resource.Change) map[string]any {
	out := make(map[string]any, len(c.Row)+2)
	for k, v := range c.Row {
		out[k] = v
	}
	for _, col := range t.Columns {
		if ct, ok := schema.LookupType(col.ColumnType); ok && ct.Secret != schema.SecretNone {
			delete(out, col.ColumnName)
		}
	}
	delete(out, "id")
	out["__type"] = c.Table
	if c.RefID != "" {
		out["reference_id"] = c.RefID
	}
	return out
}

func discardLog() *slog.Logger { return slog.New(slog.DiscardHandler) }

// lockedKeys returns the keys of m read under mu, so that the caller can act
// on them (close connections) without holding mu.
func lockedKeys[K comparable, V any](mu *sync.Mutex, m map[K]V) []K {
	mu.Lock()
	defer mu.Unlock()
	out := make([]K, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
