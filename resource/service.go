package resource

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/schema"
	"github.com/apiary/apiary/storage/db"
)

// Options are the dependencies of the resource layer.
type Options struct {
	DB     *db.DB
	Schema *schema.Holder
	Log    *slog.Logger
	// EncryptionSecret keys `encrypted` columns (32 hex characters).
	EncryptionSecret string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// PasswordCost is the bcrypt cost of password columns; 0 means
	// auth.BcryptCost (11, as Daptin). Tests lower it for speed.
	PasswordCost int
	// Files stores the files of asset columns; nil keeps submitted files
	// inline in the column as JSON.
	Files FileHandler
	// Peers, when set, learns of every commit and applies other nodes'.
	Peers Peers
	// BeforeWrite, when set, may refuse a write before it happens (before.go).
	BeforeWrite BeforeWrite
}

// core is shared by the root service and every transaction-bound one.
type core struct {
	db     *db.DB
	d      db.Dialect
	holder *schema.Holder
	log    *slog.Logger
	secret string
	cost   int
	now    func() time.Time
	bus    *bus
	cache  *caches
	gens   *generations
	views  views
	// rstmts and wstmts cache prepared statements of the reader and writer
	// pools (SQLite only; nil otherwise).
	rstmts, wstmts *stmtCache
	// group shares write transactions between concurrent writes (SQLite
	// only; nil otherwise).
	group *groupCommit
	files FileHandler
	// orders keeps ordered id lists of list queries (list_order.go).
	orders orderLists
	peers  Peers
	// beforeWrite may refuse top-level writes (before.go); nil = none.
	beforeWrite BeforeWrite
	// order serialises commit and publish per table (commit_order.go).
	order commitOrder
}

// svc implements Service. Outside a transaction q is nil: reads use the
// reader pool and each write opens its own transaction. Inside InTx, q is
// the transaction and changes wait in pending until commit.
type svc struct {
	*core
	tx      *sqlx.Tx
	pending *[]Change
	// gateGen is the gate cache's generation taken before the transaction
	// began (see gateSource).
	gateGen uint64
	// gatesTouched records that this transaction changed permission data
	// of the table gates (world rows or their group sharing).
	gatesTouched bool
}

var _ Service = (*svc)(nil)

// New builds the resource layer.
func New(o Options) Service {
	now := o.Now
	if now == nil {
		now = time.Now
	}
	log := o.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cost := o.PasswordCost
	if cost == 0 {
		cost = auth.BcryptCost
	}
	c := &core{db: o.DB, d: o.DB.Dialect, holder: o.Schema, log: log, secret: o.EncryptionSecret, cost: cost,
		now: func() time.Time { return now().UTC() }, bus: newBus(log), cache: newCaches(), gens: newGenerations(), files: o.Files, peers: o.Peers, beforeWrite: o.BeforeWrite}
	if o.Peers != nil {
		o.Peers.Attach(c.remoteCommitted)
	}
	if o.DB.Dialect.SingleWriter() {
		c.rstmts, c.wstmts = newStmtCache(o.DB.R), newStmtCache(o.DB.W)
		c.group = newGroupCommit(o.DB, c.committed)
	}
	return &svc{core: c}
}

// Schema returns the live schema snapshot.
func (s *svc) Schema() *schema.Schema { return s.holder.Load() }

// Invalidate drops cached permission and user data.
func (s *svc) Invalidate() {
	s.cache.Invalidate()
	s.gens.newEpoch()
	s.orders.reset()
	s.rstmts.reset()
	s.wstmts.reset()
}

// Subscribe registers fn for committed changes.
func (s *svc) Subscribe(fn func(Change)) func() { return s.bus.subscribe(fn) }

// reader returns what reads should go through.
func (s *svc) reader() sqlx.ExtContext {
	if s.tx != nil {
		return s.writer()
	}
	if s.rstmts != nil {
		return cachedDB{DB: s.db.R, c: s.rstmts}
	}
	return s.db.R
}

// writer returns the transaction, through the statement cache if any.
func (s *svc) writer() sqlx.ExtContext {
	if s.wstmts != nil {
		return cachedTx{Tx: s.tx, c: s.wstmts}
	}
	return s.tx
}

// InTx runs fn in one transaction (joining the current one if any).
func (s *svc) InTx(ctx context.Context, fn func(tx Service) error) error {
	return s.write(ctx, func(t *svc) error { return fn(t) })
}

// errRollback makes write roll back without reporting an error (Validate-Only).
var errRollback = errors.New("rollback")

// write runs fn in a transaction-bound svc; changes are published after commit.
func (s *svc) write(ctx context.Context, fn func(t *svc) error) error {
	if s.tx != nil {
		return fn(s)
	}
	var pending []Change
	var err error
	gen := s.cache.gatesGeneration()
	if s.group != nil {
		// The batch's leader hands the changes to committed, in order.
		_, err = s.group.run(ctx, func(tx *sqlx.Tx, p *[]Change) error {
			return fn(&svc{core: s.core, tx: tx, pending: p, gateGen: gen})
		})
	} else {
		// Commit and publish under the tables' commit locks: events of
		// one table leave in commit order (commit_order.go).
		err = s.db.InTxAround(ctx, func(tx *sqlx.Tx) error {
			return fn(&svc{core: s.core, tx: tx, pending: &pending, gateGen: gen})
		}, func(commit func() error) error {
			unlock := s.order.lock(pending)
			defer unlock()
			if err := commit(); err != nil {
				return err
			}
			s.committed(pending)
			return nil
		})
	}
	s.wstmts.prepareWanted(ctx)
	if errors.Is(err, errRollback) {
		return nil
	}
	if err != nil {
		return s.mapDBError(err)
	}
	return nil
}

// committed applies a commit's changes: generations and cached answers
// first, then the change events.
func (c *core) committed(pending []Change) {
	c.gens.committed(pending)
	if len(pending) > 0 {
		c.cache.invalidateFor(pending)
	}
	if c.peers != nil {
		c.peers.Committed(pending)
	}
	if len(pending) > 0 {
		for _, ch := range pending {
			c.bus.publish(ch)
		}
	}
}

// emit records a change to publish after commit.
func (s *svc) emit(c Change) {
	c.At = s.now()
	if touchesGates(c.Table) {
		s.gatesTouched = true
	}
	if s.pending != nil {
		*s.pending = append(*s.pending, c)
	}
}

// mapDBError turns storage errors into resource kinds.
func (s *svc) mapDBError(err error) error {
	var re *Error
	if errors.As(err, &re) {
		return err
	}
	switch {
	case errors.Is(err, db.ErrConflict):
		return &Error{Kind: ErrConflict, Title: "conflict", Detail: "a row with the same unique value already exists"}
	case errors.Is(err, db.ErrNotNull):
		return &Error{Kind: ErrValidation, Title: "missing value", Detail: "a required column has no value"}
	case errors.Is(err, db.ErrForeignKey):
		return &Error{Kind: ErrConflict, Title: "conflict", Detail: "the row is referenced by other rows"}
	case errors.Is(err, sql.ErrNoRows), errors.Is(err, db.ErrNotFound):
		return &Error{Kind: ErrNotFound, Title: "not found"}
	}
	return err
}

// table resolves a table name in the given snapshot.
func table(sc *schema.Schema, name string) (*schema.Table, error) {
	t, ok := sc.Table(name)
	if !ok {
		return nil, notFound("no such table %q", name)
	}
	return t, nil
}
