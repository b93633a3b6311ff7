package resource

// Peers links the resource layer to other nodes that share its database,
// so that their read stamps and cached answers move with this node's
// writes (docs/cluster.md).
type Peers interface {
	// Committed is called after every committed write, before the write
	// returns to its caller, with the write's changes (none: the write
	// may have changed anything). It may block until the other nodes have
	// applied them.
	Committed(changes []Change)
	// Attach hands over the function that applies changes another node
	// committed: read stamps move and cached answers are dropped, as for
	// a local write, but no change event is published here.
	Attach(apply func(changes []Change))
}

// remoteCommitted applies changes committed by another node.
func (c *core) remoteCommitted(changes []Change) {
	c.gens.committed(changes)
	if len(changes) > 0 {
		c.cache.invalidateFor(changes)
	}
}
