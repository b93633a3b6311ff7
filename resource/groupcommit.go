package resource

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/apiary/apiary/storage/db"
)

// Group commit (SQLite only). SQLite has one writer connection, so write
// transactions queue for it anyway; here they queue for a shared
// transaction instead. One waiting request leads: it opens a transaction,
// runs each queued write inside its own savepoint (a failed write rolls
// back to its savepoint and leaves the others intact), commits once, and
// only then wakes every request with its own result. A request's answer is
// sent after the commit that made its write durable, exactly as before;
// what is shared is the BEGIN, the COMMIT and the WAL pages they write.
const (
	groupMaxItems = 64
	groupMaxTime  = 10 * time.Millisecond
)

type groupCommit struct {
	db      *db.DB
	mu      sync.Mutex
	queue   []*groupItem
	leading bool
	// committed receives each kept write's changes after the commit, in
	// the order the writes ran, before any request is woken and before
	// the next batch can commit: change events keep the commit order.
	committed func([]Change)
}

type groupItem struct {
	ctx      context.Context
	fn       func(tx *sqlx.Tx, pending *[]Change) error
	pending  []Change
	err      error
	panicked any
	finished bool
	wake     chan struct{}
}

func newGroupCommit(d *db.DB, committed func([]Change)) *groupCommit {
	return &groupCommit{db: d, committed: committed}
}

// run queues fn and returns when the transaction that ran it has ended:
// its changes (already handed to committed) and its error.
func (g *groupCommit) run(ctx context.Context, fn func(tx *sqlx.Tx, pending *[]Change) error) ([]Change, error) {
	it := &groupItem{ctx: ctx, fn: fn, wake: make(chan struct{})}
	g.mu.Lock()
	g.queue = append(g.queue, it)
	lead := !g.leading
	g.leading = true
	g.mu.Unlock()
	// it.finished is read only after it.wake was closed (by the leader
	// that ran it) or after this goroutine's own batch ran it.
	for {
		if !lead {
			<-it.wake
			if it.finished {
				break
			}
			it.wake = make(chan struct{}) // promoted: lead the next batch
		}
		g.batch()
		lead = false
		if it.finished {
			break
		}
	}
	if it.panicked != nil {
		panic(it.panicked)
	}
	return it.pending, it.err
}

// take removes the next queued item, or returns nil.
func (g *groupCommit) take() *groupItem {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.queue) == 0 {
		return nil
	}
	it := g.queue[0]
	g.queue[0] = nil
	g.queue = g.queue[1:]
	return it
}

func (g *groupCommit) waiting() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.queue) > 0
}

// batch runs one shared transaction, then hands the lead to the next
// waiting request, or gives it up when nobody waits.
func (g *groupCommit) batch() {
	var done []*groupItem
	defer func() {
		g.mu.Lock()
		if len(g.queue) > 0 {
			next := g.queue[0]
			close(next.wake) // not finished: it leads next
		} else {
			g.leading = false
		}
		g.mu.Unlock()
		for _, it := range done {
			it.finished = true
			close(it.wake)
		}
	}()
	first := g.take()
	if first == nil {
		return
	}
	tx, err := g.db.W.BeginTxx(context.WithoutCancel(first.ctx), nil)
	if err != nil {
		first.err = g.db.Dialect.MapError(fmt.Errorf("begin: %w", err))
		done = append(done, first)
		return
	}
	start := time.Now()
	var ok []*groupItem // items whose writes the commit will keep
	for it := first; it != nil; {
		done = append(done, it)
		alone := it == first && !g.waiting()
		succeeded, broken := g.runItem(tx, it, alone)
		if broken || (alone && !succeeded) {
			_ = tx.Rollback()
			for _, o := range ok {
				o.err, o.pending = errors.New("write not committed: an earlier write of its group failed to roll back"), nil
			}
			return
		}
		if succeeded {
			ok = append(ok, it)
		}
		if len(done) >= groupMaxItems || time.Since(start) >= groupMaxTime {
			break
		}
		it = g.take()
	}
	if err := tx.Commit(); err != nil {
		err = g.db.Dialect.MapError(fmt.Errorf("commit: %w", err))
		for _, it := range ok {
			it.err, it.pending = err, nil
		}
		return
	}
	for _, it := range ok {
		g.committed(it.pending)
	}
}

// runItem runs one write. Alone, it runs bare and a failure is left to the
// caller to roll back; otherwise it runs in a savepoint, rolled back on
// failure. It reports whether the write succeeded, and whether the
// transaction is broken (a savepoint could not be undone): then nothing of
// it may be committed.
func (g *groupCommit) runItem(tx *sqlx.Tx, it *groupItem, alone bool) (succeeded, broken bool) {
	if err := it.ctx.Err(); err != nil {
		it.err = err
		return false, false
	}
	bg := context.WithoutCancel(it.ctx)
	if !alone {
		if _, err := tx.ExecContext(bg, "SAVEPOINT apiary_w"); err != nil {
			it.err = g.db.Dialect.MapError(err)
			return false, true
		}
	}
	err := g.call(tx, it)
	if err == nil {
		if !alone {
			if _, rerr := tx.ExecContext(bg, "RELEASE apiary_w"); rerr != nil {
				it.err, it.pending = g.db.Dialect.MapError(rerr), nil
				return false, true
			}
		}
		return true, false
	}
	it.err, it.pending = err, nil
	if alone {
		return false, false
	}
	_, rerr := tx.ExecContext(bg, "ROLLBACK TO apiary_w")
	if rerr == nil {
		_, rerr = tx.ExecContext(bg, "RELEASE apiary_w")
	}
	if rerr != nil {
		it.err = errors.Join(err, fmt.Errorf("rollback to savepoint: %w", rerr))
		return false, true
	}
	return false, false
}

// call runs the write, turning a panic into an error for the transaction
// and keeping the value to re-panic in the request's own goroutine.
func (g *groupCommit) call(tx *sqlx.Tx, it *groupItem) (err error) {
	defer func() {
		if p := recover(); p != nil {
			it.panicked = p
			err = fmt.Errorf("panic in write: %v", p)
		}
	}()
	if err := it.fn(tx, &it.pending); err != nil {
		return g.db.Dialect.MapError(err)
	}
	return nil
}
