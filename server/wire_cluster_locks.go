package server

import (
	"context"
	"errors"
	"time"

	"github.com/apiary/apiary/integrations/scheduler"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/storage/cluster"
)

// Cluster-wide locks and leases (docs/cluster.md).
const (
	// migrationLock is held while a node migrates the shared database, so
	// nodes starting or reloading together migrate one after the other.
	migrationLock = "apiary-migrations"
	migrationTTL  = 5 * time.Minute // a node dying mid-migration frees it
	// readyWait is how long start-up waits for the cluster member (contract
	// sidecars.md §3.1: up to 10 s, then continue).
	readyWait = 10 * time.Second
	// signinDMap holds the sign-in failure counts of every node.
	signinDMap = "sign-in-attempts"
)

// withMigrationLock runs migrate while this node holds the cluster's
// migration lock. A node without peers, or whose member is not ready
// within readyWait (it serves alone), migrates without it.
func (s *Server) withMigrationLock(ctx context.Context, migrate func() error) error {
	if s.peers == nil {
		return migrate()
	}
	select {
	case <-s.cluster.Ready():
	case <-time.After(readyWait):
		s.log.Warn("cluster member not ready: migrating without the cluster lock", "component", "cluster")
		return migrate()
	}
	if !s.peers.settled.Swap(true) { // start-up only
		s.awaitPeers(ctx)
	}
	t0 := time.Now()
	unlock, err := s.cluster.Lock(ctx, migrationLock, migrationTTL, migrationTTL)
	if err != nil {
		if errors.Is(err, cluster.ErrLockTimeout) {
			return errors.New("cluster: another node held the migration lock too long")
		}
		// The member is up but cannot serve the lock yet (not given the
		// routing table): as when it is not ready, migrate without it;
		// a conflicting create is retried below.
		s.log.Warn("cluster lock unavailable: migrating without it", "component", "cluster", "err", err.Error())
		return migrateRetry(s, migrate)
	}
	defer unlock()
	if d := time.Since(t0); d > 50*time.Millisecond {
		s.log.Info("waited for another node's migration", "component", "cluster", "ms", d.Milliseconds())
	}
	return migrateRetry(s, migrate)
}

// migrateRetry runs migrate, and once more after a second if it fails:
// two nodes that started at the same moment may briefly form two
// clusters, each granting the lock, and the loser of a conflicting
// create finds the work done when it tries again.
func migrateRetry(s *Server, migrate func() error) error {
	if err := migrate(); err != nil {
		s.log.Warn("migration failed; trying once more", "component", "cluster", "err", err.Error())
		time.Sleep(time.Second)
		return migrate()
	}
	return nil
}

// peersSettle bounds how long start-up waits for the listed peers to
// appear in the member list before it takes a cluster lock.
const peersSettle = 3 * time.Second

// awaitPeers waits until every listed peer is a member, or peersSettle:
// nodes starting together then share one lock instead of each forming a
// cluster of its own for a moment.
// A node that reached no peer at all (they are not up: it formed its own
// cluster) does not wait.
func (s *Server) awaitPeers(ctx context.Context) {
	time.Sleep(300 * time.Millisecond) // the member list is read every 250 ms
	deadline := time.Now().Add(peersSettle)
	for n := len(s.cluster.Members(ctx)); n > 1 && n < 1+len(s.cfg.Olric.Peers) && time.Now().Before(deadline); n = len(s.cluster.Members(ctx)) {
		time.Sleep(50 * time.Millisecond)
	}
}

// shareAttempts makes the sign-in lock-out count the failures of every
// node: the limiters keep their records in the sign-in-attempts DMap.
func (s *Server) shareAttempts() {
	if s.peers == nil {
		return
	}
	s.attempts.Share(attemptStore{c: s.cluster, prefix: "account/"})
	s.addrAttempts.Share(attemptStore{c: s.cluster, prefix: "address/"})
}

// attemptStore implements auth.AttemptStore over the cluster.
type attemptStore struct {
	c      cluster.Cluster
	prefix string
}

// Update implements auth.AttemptStore.
func (a attemptStore) Update(ctx context.Context, key string, fn func([]byte) ([]byte, time.Duration)) error {
	return a.c.Update(ctx, signinDMap, a.prefix+key, fn)
}

// taskClaim is how the scheduler claims a firing: nil (every firing is
// this node's) on a single node; with peers, a claim on the task row in
// the shared database, so each firing runs on one node even while the
// cluster members are still joining or moving partitions.
func (s *Server) taskClaim() scheduler.Claim {
	if s.peers == nil {
		return nil
	}
	return scheduler.RowClaim{Res: func() resource.Service { return s.res }}
}
