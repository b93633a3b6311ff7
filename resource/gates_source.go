package resource

// gateSource picks where a cold gate cache loads from and whether the load
// may be kept. gen is the cache generation read with the miss; the
// returned generation is the one storeGates must still see.
//
// Outside a transaction the committed state is read and kept. Inside one,
// a write that changed world rows itself must see its own changes and
// never keep them (they are not committed). Otherwise a write-only process
// would reload every table's gate on every write, so:
//
//   - SQLite (group commit, a separate pool of readers): the readers see
//     exactly the committed state, and the load is kept like any other;
//   - PostgreSQL and MySQL: the transaction reads committed state (its
//     snapshot starts after it began), so the load is kept only if no
//     change to permission data was committed since before it began.
func (s *svc) gateSource(gen uint64) (src *svc, keepGen uint64, keep bool) {
	if s.tx == nil {
		return s, gen, true
	}
	if s.gatesTouched {
		return s, 0, false
	}
	if s.group != nil {
		return &svc{core: s.core}, gen, true
	}
	return s, s.gateGen, true
}
