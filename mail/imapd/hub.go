package imapd

import (
	"sync"

	"github.com/apiary/apiary/mail/store"
	"github.com/apiary/apiary/resource"
)

// Hub wakes the sessions that have a mailbox selected when a message of
// that mailbox changes, whatever surface changed it.
type Hub struct {
	mu   sync.Mutex
	subs map[string]map[*watcher]struct{} // mailbox ref -> watchers
}

type watcher struct {
	box string
	ch  chan struct{}
}

// NewHub returns an empty hub; feed it with Observe.
func NewHub() *Hub { return &Hub{subs: map[string]map[*watcher]struct{}{}} }

// Observe is a resource.Service change subscriber.
func (h *Hub) Observe(c resource.Change) {
	if c.Table != store.TableMail && c.Table != store.TableBox {
		return
	}
	box := ""
	if c.Row != nil {
		if c.Table == store.TableBox {
			box = c.RefID
		} else if s, ok := c.Row["mail_box_id"].(string); ok {
			box = s
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for b, ws := range h.subs {
		if box != "" && b != box {
			continue
		}
		for w := range ws {
			select {
			case w.ch <- struct{}{}:
			default:
			}
		}
	}
}

func (h *Hub) watch(box string) *watcher {
	w := &watcher{box: box, ch: make(chan struct{}, 1)}
	h.mu.Lock()
	if h.subs[box] == nil {
		h.subs[box] = map[*watcher]struct{}{}
	}
	h.subs[box][w] = struct{}{}
	h.mu.Unlock()
	return w
}

func (h *Hub) unwatch(w *watcher) {
	if w == nil {
		return
	}
	h.mu.Lock()
	delete(h.subs[w.box], w)
	if len(h.subs[w.box]) == 0 {
		delete(h.subs, w.box)
	}
	h.mu.Unlock()
}
