package live

import (
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/apiary/apiary/realtime/yjs"
	"github.com/apiary/apiary/test/testserver"
)

// TestYjsRelay: APIARY_BENCH_YJS_CLIENTS (50) clients in one room each
// type APIARY_BENCH_YJS_RATE (20) edits per second for
// APIARY_BENCH_SECONDS (3); reports the relay latency from a client's send
// to another client's receipt.
func TestYjsRelay(t *testing.T) {
	gate(t)
	n, rate, secs := envInt("APIARY_BENCH_YJS_CLIENTS", 50), envInt("APIARY_BENCH_YJS_RATE", 20), envInt("APIARY_BENCH_SECONDS", 3)
	s := testserver.Start(t, testserver.WithSchema("schema_item.yaml", schema))
	admin := s.Admin(t)
	url := "ws" + strings.TrimPrefix(s.URL, "http") + "/yjs/bench-room?token=" + admin
	var sent sync.Map // yjs.ID -> time.Time
	conns := make([]*websocket.Conn, n)
	lat := make([][]time.Duration, n)
	var readers sync.WaitGroup
	perClient := rate * secs
	for i := range conns {
		c, _, err := websocket.DefaultDialer.Dial(url, nil)
		if err != nil {
			t.Fatalf("client %d: %v", i, err)
		}
		defer c.Close()
		// The server's SyncStep1 greets a session once it has joined the
		// room: wait for it, or the first edits may go out before the
		// last client has joined.
		if _, _, err := c.ReadMessage(); err != nil {
			t.Fatalf("client %d: no greeting: %v", i, err)
		}
		conns[i] = c
		readers.Add(1)
		go func(i int, c *websocket.Conn) {
			defer readers.Done()
			want := (n - 1) * perClient
			_ = c.SetReadDeadline(time.Now().Add(time.Duration(secs)*time.Second + 2*time.Minute))
			for len(lat[i]) < want {
				_, frame, err := c.ReadMessage()
				if err != nil {
					return
				}
				now := time.Now()
				msgs, _ := yjs.ReadMessages(frame)
				for _, m := range msgs {
					if m.Type != yjs.MsgSync || m.Sub != yjs.SyncUpdate {
						continue
					}
					u, err := yjs.Decode(m.Payload)
					if err != nil {
						continue
					}
					if id, ok := u.First(); ok {
						if at, ok := sent.Load(id); ok {
							lat[i] = append(lat[i], now.Sub(at.(time.Time)))
						}
					}
				}
			}
		}(i, c)
	}
	var writers sync.WaitGroup
	t0 := time.Now()
	for i, c := range conns {
		writers.Add(1)
		go func(i int, c *websocket.Conn) {
			defer writers.Done()
			client := uint64(1000 + i)
			for k := 0; k < perClient; k++ {
				if d := time.Until(t0.Add(time.Duration(k) * time.Second / time.Duration(rate))); d > 0 {
					time.Sleep(d)
				}
				var origin *yjs.ID
				if k > 0 {
					origin = &yjs.ID{Client: client, Clock: uint64(k - 1)}
				}
				id := yjs.ID{Client: client, Clock: uint64(k)}
				sent.Store(id, time.Now())
				if err := c.WriteMessage(websocket.BinaryMessage, yjs.SyncMessage(yjs.SyncUpdate, yjs.TextInsert(client, uint64(k), origin, "text", "x"))); err != nil {
					return
				}
			}
		}(i, c)
	}
	writers.Wait()
	readers.Wait()
	var all []time.Duration
	short := 0
	for _, l := range lat {
		if len(l) < (n-1)*perClient {
			short++
		}
		all = append(all, l...)
	}
	if len(all) == 0 {
		t.Fatal("nothing relayed")
	}
	slices.Sort(all)
	pct := func(q float64) time.Duration { return all[int(q*float64(len(all)-1))] }
	t.Logf("%d clients × %d edits/s for %d s: %d relayed updates, p50 %v, p99 %v, max %v; clients short: %d",
		n, rate, secs, len(all), pct(0.5).Round(time.Microsecond), pct(0.99).Round(time.Microsecond), all[len(all)-1].Round(time.Microsecond), short)
	if short > 0 {
		t.Errorf("%d clients missed updates", short)
	}
}
