package resource

import (
	"context"
	"errors"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/schema"
)

// Get returns one row the caller may read.
func (s *svc) Get(ctx context.Context, tableName, refID string, q Query) (Row, error) {
	sc := s.Schema()
	t, err := table(sc, tableName)
	if err != nil {
		return Row{}, err
	}
	if _, err := s.checkTable(ctx, t, auth.OpPeek); err != nil {
		return Row{}, err
	}
	r, err := s.load(ctx, t, refID)
	if err != nil {
		return Row{}, err
	}
	if err := s.checkRow(ctx, t, r, auth.OpRead); err != nil {
		return Row{}, err
	}
	page := Page{Rows: []Row{r}}
	if err := s.includeWithFiles(ctx, sc, t, &page, q.Include); err != nil {
		return Row{}, err
	}
	r = applyFields(page.Rows, q.Fields)[0]
	r.Included = page.Included
	return r, nil
}

// load reads one row by public id without permission checks.
func (s *svc) load(ctx context.Context, t *schema.Table, refID string) (Row, error) {
	b, ok := refBytes(refID)
	if !ok {
		return Row{}, &Error{Kind: ErrBadRequest, Title: "invalid id", Detail: "an id must be a UUID", Parameter: "id"}
	}
	v := s.views.get(s.d, t)
	r, found, err := s.loadRaw(ctx, v, b)
	if errors.Is(err, errOtherTimes) {
		var rows []Row
		rows, err = s.query(ctx, s.reader(), v, v.byRef, b)
		found = len(rows) > 0
		if found {
			r = rows[0]
		}
	}
	if err != nil {
		return Row{}, err
	}
	if !found {
		return Row{}, notFound("no %s with id %s", t.TableName, refID)
	}
	return r, nil
}

// loadByID reads one row by internal id without permission checks.
func (s *svc) loadByID(ctx context.Context, t *schema.Table, id int64) (Row, error) {
	v := s.views.get(s.d, t)
	rows, err := s.query(ctx, s.reader(), v, v.byID, id)
	if err != nil {
		return Row{}, err
	}
	if len(rows) == 0 {
		return Row{}, notFound("no %s with id %d", t.TableName, id)
	}
	return rows[0], nil
}

// loadRaw reads a row by public id with its times read raw (v.byRefRaw);
// errOtherTimes when the view has no raw read or a stored time is in a
// form the dialect does not read, so that the caller reads it again. The
// public id is unique, so the first row is the only one: the statement is
// closed after it instead of being stepped once more to find its end.
func (s *svc) loadRaw(ctx context.Context, v *view, ref []byte) (Row, bool, error) {
	if v.byRefRaw == "" {
		return Row{}, false, errOtherTimes
	}
	rows, err := s.reader().QueryContext(oneRowCtx(ctx, s.tx == nil), s.d.Rebind(v.byRefRaw), ref)
	if err != nil {
		return Row{}, false, s.d.MapError(err)
	}
	defer rows.Close()
	if !rows.Next() {
		return Row{}, false, rows.Err()
	}
	b := v.scanBuf()
	defer v.putScanBuf(b)
	if err := rows.Scan(b.ptrs...); err != nil {
		return Row{}, false, err
	}
	if err := v.readTimes(b.raw); err != nil {
		return Row{}, false, err
	}
	r := s.makeRow(v, b.raw, auth.PrincipalFrom(ctx).System)
	if err := rows.Close(); err != nil {
		return Row{}, false, s.d.MapError(err)
	}
	return r, true, nil
}

// oneRowCtx is the context of a read by primary or unique key outside a
// transaction: ctx without its cancellation. Such a read finds at most one
// row through an index, so there is nothing worth interrupting, while a
// cancellable context costs each query two goroutines and a channel
// (database/sql's watcher of the Rows, the driver's interrupter) and, on
// SQLite, a progress handler set and cleared around the statement. The
// values (the principal) stay; a wait for a lock still ends at the
// driver's busy timeout.
func oneRowCtx(ctx context.Context, ok bool) context.Context {
	if !ok {
		return ctx
	}
	return context.WithoutCancel(ctx)
}
