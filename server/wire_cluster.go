package server

import (
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/server/httpmw"
	"github.com/apiary/apiary/storage/cluster"
)

// invalidationChannel carries the tables each commit touched.
const invalidationChannel = "apiary.invalidate"

// invalidationWait bounds how long a write waits for the other members to
// acknowledge its invalidation (docs/cluster.md: a member that does not
// answer in time is logged and the write returns).
const invalidationWait = 500 * time.Millisecond

// startCluster joins the peers when there are any. A node without peers
// gets the in-process cluster and no resource.Peers, so the single-node
// path costs nothing.
func (s *Server) startCluster() (resource.Peers, error) {
	o := s.cfg.Olric
	if len(o.Peers) == 0 {
		s.cluster = cluster.NewLocal()
		return nil, nil
	}
	port := o.Port
	if port == 0 {
		port = derivedOlricPort(s.cfg.HTTP.Addr)
	}
	log := s.log.With("component", "cluster")
	m, err := cluster.Start(cluster.Options{BindAddr: o.Bind, Port: port, Peers: o.Peers, Secret: o.Secret, Log: log})
	if err != nil {
		return nil, err
	}
	log.Info("cluster member starting", "node", m.Node(), "peers", len(o.Peers))
	s.cluster = m
	s.peers = &clusterPeers{c: m, kv: m, log: log}
	return s.peers, nil
}

// derivedOlricPort is the HTTP port - 1000 (6336 gives Daptin's 5336).
func derivedOlricPort(httpAddr string) int {
	_, p, _ := net.SplitHostPort(httpAddr)
	if n, err := strconv.Atoi(p); err == nil && n > 1000 {
		return n - 1000
	}
	return 5336
}

// clusterStatus is the cluster section of /api/status.
func (s *Server) clusterStatus() map[string]any {
	if s.cluster == nil {
		return nil
	}
	ms := s.cluster.Members(context.Background())
	return map[string]any{"members": len(ms), "node": s.cluster.Node(), "member_names": ms}
}

// closeCluster leaves the cluster.
func (s *Server) closeCluster() {
	if s.peers != nil {
		s.peers.close()
	}
	if s.cluster != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = s.cluster.Close(ctx)
	}
}

// clusterPeers implements resource.Peers: each commit's tables are sent to
// every other member, which moves its read stamps and drops its cached
// answers before acknowledging; the write returns once all have.
type clusterPeers struct {
	c      cluster.Cluster
	kv     cluster.KV // user topics (wire_cluster_events.go)
	log    *slog.Logger
	mu     sync.Mutex
	acked  *cluster.Acked
	schema *cluster.Acked // schema announcements (wire_cluster_schema.go)
	config *cluster.Acked // live settings changes
	// settled is set once start-up has waited for the listed peers
	// (wire_cluster_locks.go).
	settled atomic.Bool
	// remote are told the tables other nodes' commits touched, after the
	// read stamps moved (no tables: any may have changed).
	remote []func(tables []string)
}

// onRemote adds fn to the functions told of other nodes' commits; fn must
// not block.
func (p *clusterPeers) onRemote(fn func(tables []string)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.remote = append(p.remote, fn)
}

// Attach implements resource.Peers.
func (p *clusterPeers) Attach(apply func([]resource.Change)) {
	a := cluster.NewAcked(p.c, invalidationChannel, func(b []byte) {
		var tables []string
		if json.Unmarshal(b, &tables) != nil {
			tables = nil // unreadable: invalidate everything
		}
		changes := make([]resource.Change, 0, len(tables))
		for _, t := range tables {
			changes = append(changes, resource.Change{Table: t})
		}
		apply(changes)
		p.mu.Lock()
		fns := slices.Clone(p.remote)
		p.mu.Unlock()
		for _, fn := range fns {
			fn(tables)
		}
	})
	p.mu.Lock()
	p.acked = a
	p.mu.Unlock()
}

// Committed implements resource.Peers.
func (p *clusterPeers) Committed(changes []resource.Change) {
	p.mu.Lock()
	a := p.acked
	p.mu.Unlock()
	if a == nil {
		return
	}
	tables := make([]string, 0, 1)
	for _, ch := range changes {
		if !slices.Contains(tables, ch.Table) {
			tables = append(tables, ch.Table)
		}
	}
	b, _ := json.Marshal(tables)
	ctx, cancel := context.WithTimeout(context.Background(), invalidationWait)
	defer cancel()
	others := len(p.c.Members(ctx)) - 1
	n, err := a.Send(ctx, b, invalidationWait)
	if err != nil || n < others {
		p.log.Warn("cluster invalidation not acknowledged by every member", "acked", n, "members", others+1, "err", errString(err))
	}
}

func (p *clusterPeers) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.acked != nil {
		p.acked.Close()
	}
	if p.schema != nil {
		p.schema.Close()
	}
	if p.config != nil {
		p.config.Close()
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// rateLimit is the per-IP, per-path limiter: this node's counters on a
// single node, the "http-rate-limit" DMap of the cluster when there are
// peers (contract sidecars.md §3.3), so the limit holds across nodes.
func (s *Server) rateLimit() func(http.Handler) http.Handler {
	if s.peers == nil {
		return httpmw.RateLimit(s.live, nil)
	}
	return httpmw.RateLimitShared(s.live, nil, func(ctx context.Context, key string, ttl time.Duration) (int, error) {
		return s.cluster.Incr(ctx, "http-rate-limit", key, ttl)
	})
}
