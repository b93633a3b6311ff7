package cluster

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"
)

// watchEvery is how often the member list is read to log joins and leaves.
const watchEvery = 250 * time.Millisecond

// watch keeps the member list current and logs who joined and who left.
func (n *Olric) watch() {
	select {
	case <-n.ready:
	case <-n.done:
		return
	}
	t := time.NewTicker(watchEvery)
	defer t.Stop()
	for {
		n.refreshMembers()
		select {
		case <-n.done:
			return
		case <-t.C:
		}
	}
}

func (n *Olric) refreshMembers() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	cl, err := n.client(ctx)
	if err != nil {
		return
	}
	ms, err := cl.Members(ctx)
	if err != nil {
		return
	}
	names := make([]string, 0, len(ms))
	for _, m := range ms {
		names = append(names, m.Name)
	}
	slices.Sort(names)
	n.mu.Lock()
	old := n.members
	n.members = names
	n.mu.Unlock()
	for _, m := range names {
		if !slices.Contains(old, m) && m != n.name {
			n.log.Info("cluster member joined", "member", m, "members", len(names))
		}
	}
	for _, m := range old {
		if !slices.Contains(names, m) {
			n.log.Warn("cluster member left", "member", m, "members", len(names))
		}
	}
}

// logWriter turns Olric's and memberlist's log lines into slog records:
// a gossip message this node cannot decrypt becomes one clear error per
// peer address, everything else is kept at debug level.
type logWriter struct {
	log  *slog.Logger
	mu   sync.Mutex
	seen map[string]bool
}

func (w *logWriter) Write(p []byte) (int, error) {
	line := strings.TrimSpace(string(p))
	if strings.Contains(line, "decrypt") || strings.Contains(line, "No installed keys") || strings.Contains(line, "Encryption is configured") {
		from := ""
		if i := strings.Index(line, "from="); i >= 0 {
			from = strings.Fields(line[i+5:] + " ")[0]
			if h, _, ok := strings.Cut(from, ":"); ok {
				from = h
			}
		}
		w.mu.Lock()
		first := !w.seen[from]
		if w.seen == nil {
			w.seen = map[string]bool{}
		}
		w.seen[from] = true
		w.mu.Unlock()
		if first {
			w.log.Error("cluster peer refused: wrong cluster secret", "peer", from)
		}
		return len(p), nil
	}
	w.log.Debug("olric", "line", line)
	return len(p), nil
}
