package cluster

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/olric-data/olric"
	"github.com/olric-data/olric/config"
)

// Options configures an Olric member.
type Options struct {
	BindAddr string   // address both ports bind to, 127.0.0.1 by default
	Port     int      // Olric's own port; memberlist uses Port+1
	Peers    []string // host:memberlistPort of other members
	Secret   string   // shared by every member: Olric password and gossip key
	Log      *slog.Logger
}

// Olric is a Cluster backed by an embedded Olric member.
type Olric struct {
	db    *olric.Olric
	cl    *olric.EmbeddedClient
	ps    *olric.PubSub
	name  string
	log   *slog.Logger
	ready chan struct{}
	done  chan struct{}

	secret string

	mu      sync.Mutex
	dmaps   map[string]olric.DMap
	members []string
	scan    *olric.ClusterClient // Keys (kv.go)
}

var _ Cluster = (*Olric)(nil)

// Start creates the member and begins joining its peers in the background:
// an unreachable peer never blocks the caller, the node serves alone until
// the peers answer. Start returns once the member's ports are bound.
func Start(o Options) (*Olric, error) {
	if o.Secret == "" {
		return nil, errors.New("a cluster secret is required")
	}
	if o.BindAddr == "" {
		o.BindAddr = "127.0.0.1"
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	// memberlist's LAN timings (500 ms probe timeout, suspicion x4): the
	// loopback ones ("local", 200 ms) declare a busy but live member dead
	// on a loaded machine, and the member count flaps.
	c := config.New("lan")
	c.BindAddr, c.BindPort = o.BindAddr, o.Port
	c.MemberlistConfig.BindAddr, c.MemberlistConfig.BindPort = o.BindAddr, o.Port+1
	c.MemberlistConfig.AdvertiseAddr, c.MemberlistConfig.AdvertisePort = o.BindAddr, o.Port+1
	key := sha256.Sum256([]byte("apiary-cluster-gossip\x00" + o.Secret))
	c.MemberlistConfig.SecretKey = key[:]
	c.Authentication = &config.Authentication{Password: o.Secret}
	c.Peers = o.Peers
	c.ReplicaCount, c.WriteQuorum, c.ReadQuorum = 1, 1, 1
	c.PartitionCount = 23
	c.JoinRetryInterval, c.MaxJoinAttempts = 500*time.Millisecond, 6
	// The coordinator pushes its routing table on every membership change
	// and then every minute by default; a member that missed the push (a
	// node restarted under its old name) could not serve a map operation
	// for that long and timed out after BootstrapTimeout (10 s). Pushing
	// every 5 s repairs a missed push before that.
	c.RoutingTablePushInterval = 5 * time.Second
	c.LogLevel, c.LogVerbosity = config.LogLevelWarn, 2
	c.Logger = log.New(&logWriter{log: o.Log}, "", 0)
	ready := make(chan struct{})
	c.Started = func() { close(ready) }
	db, err := olric.New(c)
	if err != nil {
		return nil, fmt.Errorf("olric: %w", err)
	}
	n := &Olric{db: db, name: net.JoinHostPort(o.BindAddr, strconv.Itoa(o.Port)), log: o.Log,
		ready: ready, done: make(chan struct{}), dmaps: map[string]olric.DMap{}, secret: o.Secret}
	go func() {
		if err := db.Start(); err != nil {
			o.Log.Error("cluster member stopped", "err", err)
		}
	}()
	go n.watch()
	return n, nil
}

// Ready is closed once the member has joined (or formed) its cluster.
func (n *Olric) Ready() <-chan struct{} { return n.ready }

// client waits for the member to be ready.
func (n *Olric) client(ctx context.Context) (*olric.EmbeddedClient, error) {
	select {
	case <-n.ready:
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-n.done:
		return nil, errors.New("cluster member closed")
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.cl == nil {
		cl := n.db.NewEmbeddedClient()
		// Pinned to this member: Olric fans a publish out to every member.
		ps, err := cl.NewPubSub(olric.ToAddress(n.name))
		if err != nil {
			return nil, err
		}
		n.cl, n.ps = cl, ps
	}
	return n.cl, nil
}

func (n *Olric) dmap(ctx context.Context, name string) (olric.DMap, error) {
	cl, err := n.client(ctx)
	if err != nil {
		return nil, err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if dm := n.dmaps[name]; dm != nil {
		return dm, nil
	}
	dm, err := cl.NewDMap(name)
	if err != nil {
		return nil, err
	}
	n.dmaps[name] = dm
	return dm, nil
}

// Publish implements Cluster.
func (n *Olric) Publish(ctx context.Context, channel string, payload []byte) error {
	if _, err := n.client(ctx); err != nil {
		return err
	}
	_, err := n.ps.Publish(ctx, channel, string(payload))
	return err
}

// Subscribe implements Cluster. Messages published before the member is
// ready are not seen.
func (n *Olric) Subscribe(channel string, fn func([]byte)) func() {
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{})
	go func() {
		defer close(started)
		if _, err := n.client(ctx); err != nil {
			return
		}
		sub := n.ps.Subscribe(ctx, channel)
		defer sub.Close()
		if _, err := sub.Receive(ctx); err != nil { // the subscription confirmation
			return
		}
		ch := sub.Channel()
		for {
			select {
			case <-ctx.Done():
				return
			case m, ok := <-ch:
				if !ok {
					return
				}
				fn([]byte(m.Payload))
			}
		}
	}()
	return func() { cancel(); <-started }
}

// Incr implements Cluster.
func (n *Olric) Incr(ctx context.Context, dmap, key string, ttl time.Duration) (int, error) {
	dm, err := n.dmap(ctx, dmap)
	if err != nil {
		return 0, err
	}
	if ttl > 0 {
		// Create the counter with its time to live first: Incr keeps an
		// entry's TTL, while Expire after Incr loses increments made
		// through other members (Olric v0.7.4).
		if err := dm.Put(ctx, key, 0, olric.NX(), olric.PX(ttl)); err != nil && !errors.Is(err, olric.ErrKeyFound) {
			return 0, err
		}
	}
	return dm.Incr(ctx, key, 1)
}

// Members implements Cluster.
func (n *Olric) Members(context.Context) []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	if len(n.members) == 0 {
		return []string{n.name}
	}
	return append([]string(nil), n.members...)
}

// Node implements Cluster.
func (n *Olric) Node() string { return n.name }

// Close implements Cluster.
func (n *Olric) Close(ctx context.Context) error {
	select {
	case <-n.done:
		return nil
	default:
	}
	close(n.done)
	n.mu.Lock()
	if n.scan != nil {
		_ = n.scan.Close(ctx)
	}
	n.mu.Unlock()
	return n.db.Shutdown(ctx)
}
