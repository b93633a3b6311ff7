// Package cluster owns the coordination between Apiary nodes that share one
// database: publish/subscribe channels, counters with a time to live, a
// lease for once-per-cluster jobs, cluster-wide locks and a locked
// read-modify-write of map values (sign-in counts, migrations), and an
// acknowledged broadcast that returns only when every live member has
// handled a message.
//
// Two implementations satisfy [Cluster]: [Local], the in-process default
// that costs nothing when a node has no peers, and [Olric], an embedded
// Olric v0.7 member that joins peers over memberlist (encrypted with the
// cluster secret) and serves PubSub and DMaps on its own port (protected by
// the same secret).
package cluster
