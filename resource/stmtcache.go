package resource

import (
	"context"
	"database/sql"
	"sync"

	"github.com/jmoiron/sqlx"
)

// maxCachedStmts bounds a statement cache; when full it starts again.
const maxCachedStmts = 1024

// stmtCache keeps prepared statements by SQL text, so the statements the
// resource layer runs over and over (a get by id, a page of a list, an
// insert) are parsed once per connection instead of once per request.
// database/sql prepares a cached statement again on each connection it
// meets, and a transaction reuses the copy already prepared on its
// connection. Only SQLite uses it: there the parse is a large share of a
// small query, statements re-prepare themselves after a schema change, and
// nothing limits how many a connection holds.
//
// A transaction holds its connection, and on SQLite the writer pool has only
// that one, so statements are never prepared from inside a transaction: a
// miss there runs unprepared and is noted, and the writer prepares the
// noted statements after it commits.
type stmtCache struct {
	db     *sqlx.DB
	mu     sync.Mutex
	m      map[string]*sqlx.Stmt
	wanted map[string]bool
}

func newStmtCache(db *sqlx.DB) *stmtCache {
	return &stmtCache{db: db, m: map[string]*sqlx.Stmt{}, wanted: map[string]bool{}}
}

// cached returns the statement for query if it is prepared, and notes it
// as wanted otherwise.
func (c *stmtCache) cached(query string) (*sqlx.Stmt, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	st, ok := c.m[query]
	if !ok && len(c.wanted) < maxCachedStmts {
		c.wanted[query] = true
	}
	return st, ok
}

// prepareWanted prepares the statements transactions missed; call it with
// no transaction open on the pool.
func (c *stmtCache) prepareWanted(ctx context.Context) {
	if c == nil {
		return
	}
	c.mu.Lock()
	qs := make([]string, 0, len(c.wanted))
	for q := range c.wanted {
		qs = append(qs, q)
	}
	clear(c.wanted)
	c.mu.Unlock()
	for _, q := range qs {
		_, _ = c.get(ctx, q) // a statement that does not prepare keeps running unprepared
	}
}

// get returns the prepared statement for query, preparing it if needed.
func (c *stmtCache) get(ctx context.Context, query string) (*sqlx.Stmt, error) {
	c.mu.Lock()
	st, ok := c.m[query]
	c.mu.Unlock()
	if ok {
		return st, nil
	}
	st, err := c.db.PreparexContext(ctx, query)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.m[query]; ok {
		_ = st.Close() // another request prepared it first
		return old, nil
	}
	if len(c.m) >= maxCachedStmts {
		for k, old := range c.m {
			_ = old.Close() // closes once statements in use are released
			delete(c.m, k)
		}
	}
	c.m[query] = st
	return st, nil
}

// reset closes every cached statement (after a schema change).
func (c *stmtCache) reset() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, st := range c.m {
		_ = st.Close()
		delete(c.m, k)
	}
}

// cachedDB runs queries of a pool through its statement cache. Statements
// that fail to prepare run unprepared, so errors come from the query.
type cachedDB struct {
	*sqlx.DB
	c *stmtCache
}

func (d cachedDB) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := d.c.get(ctx, query)
	if err != nil {
		return d.DB.QueryContext(ctx, query, args...)
	}
	return st.QueryContext(ctx, args...)
}

func (d cachedDB) QueryxContext(ctx context.Context, query string, args ...any) (*sqlx.Rows, error) {
	st, err := d.c.get(ctx, query)
	if err != nil {
		return d.DB.QueryxContext(ctx, query, args...)
	}
	return st.QueryxContext(ctx, args...)
}

func (d cachedDB) QueryRowxContext(ctx context.Context, query string, args ...any) *sqlx.Row {
	st, err := d.c.get(ctx, query)
	if err != nil {
		return d.DB.QueryRowxContext(ctx, query, args...)
	}
	return st.QueryRowxContext(ctx, args...)
}

func (d cachedDB) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := d.c.get(ctx, query)
	if err != nil {
		return d.DB.ExecContext(ctx, query, args...)
	}
	return st.ExecContext(ctx, args...)
}

// cachedTx runs a transaction's queries through the writer pool's cache.
type cachedTx struct {
	*sqlx.Tx
	c *stmtCache
}

func (t cachedTx) stmt(ctx context.Context, query string) *sqlx.Stmt {
	st, ok := t.c.cached(query)
	if !ok {
		return nil
	}
	return t.Tx.StmtxContext(ctx, st)
}

func (t cachedTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := t.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return t.Tx.QueryContext(ctx, query, args...)
}

func (t cachedTx) QueryxContext(ctx context.Context, query string, args ...any) (*sqlx.Rows, error) {
	if st := t.stmt(ctx, query); st != nil {
		return st.QueryxContext(ctx, args...)
	}
	return t.Tx.QueryxContext(ctx, query, args...)
}

func (t cachedTx) QueryRowxContext(ctx context.Context, query string, args ...any) *sqlx.Row {
	if st := t.stmt(ctx, query); st != nil {
		return st.QueryRowxContext(ctx, args...)
	}
	return t.Tx.QueryRowxContext(ctx, query, args...)
}

func (t cachedTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := t.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return t.Tx.ExecContext(ctx, query, args...)
}
