package resource

import (
	"context"
	"errors"
	"sort"
	"strings"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource/bulk"
	"github.com/apiary/apiary/schema"
)

// BulkCreator is part of the Service contract: importers use it to write
// many rows of one table at once.
type BulkCreator interface {
	// CreateMany inserts rows of one table with the checks Create makes
	// (table permission, validation, conversion, defaults, owner, reference
	// ids), in one transaction (joining the current one), using multi-row
	// INSERTs. rowErrs[i] is the error of ins[i]: rows that fail
	// validation are skipped and the others written. err is set when the
	// write itself fails (a unique violation, a storage error, or a table
	// the caller may not create in); then nothing of the call is written.
	// Rows are not read back and change events carry the attributes as
	// given (plus reference_id, permission and timestamps).
	CreateMany(ctx context.Context, table string, ins []Input) (rowErrs []error, err error)
}

var _ BulkCreator = (*svc)(nil)

// bulkRow is one validated row waiting for its INSERT.
type bulkRow struct {
	in    Input
	refID string
	cols  []string
	vals  []any
	perm  int64
	owner int64
}

// CreateMany implements BulkCreator. Tables whose creates do more than an
// INSERT (default groups, to-many links, user accounts) fall back to one
// Create per row, inside the same transaction.
func (s *svc) CreateMany(ctx context.Context, tableName string, ins []Input) ([]error, error) {
	rowErrs := make([]error, len(ins))
	err := s.write(ctx, func(tx *svc) error {
		sc := tx.Schema()
		t, err := table(sc, tableName)
		if err != nil {
			return err
		}
		g, err := tx.checkTable(ctx, t, auth.OpCreate)
		if err != nil {
			return err
		}
		_, hasGroups := t.GroupLink()
		simple := t.TableName != schema.TableUser && !(hasGroups && len(t.DefaultGroups) > 0)
		p := auth.PrincipalFrom(ctx)
		now := tx.now()
		groups := map[string][]bulkRow{}
		var order []string
		for i, in := range ins {
			if in.ValidateOnly {
				rowErrs[i] = &Error{Kind: ErrBadRequest, Title: "validate-only rows cannot be bulk created"}
				continue
			}
			ch, err := tx.prepare(ctx, sc, t, in, true)
			if err == nil {
				err = requireColumns(t, ch)
			}
			if err == nil && (!simple || len(ch.toMany) > 0 || len(ch.clear) > 0) {
				_, err = tx.create(ctx, tableName, in)
				rowErrs[i] = err
				if err != nil && !isRowError(err) {
					return err
				}
				continue
			}
			if err != nil {
				if !isRowError(err) {
					return err
				}
				rowErrs[i] = err
				continue
			}
			refID, refB := newRefID()
			if in.ID != "" {
				b, ok := refBytes(in.ID)
				if !ok {
					rowErrs[i] = &Error{Kind: ErrBadRequest, Title: "invalid id", Detail: "data.id must be a UUID", Pointer: "/data/id"}
					continue
				}
				refID, refB = in.ID, b
			}
			ch.put(schema.ColReferenceID, refB)
			ch.put(schema.ColPermission, g.defaultPerm)
			ch.put(schema.ColCreatedAt, now)
			ch.put(schema.ColUpdatedAt, now)
			ch.put(schema.ColVersion, int64(1))
			var owner int64
			if t.HasOwner() && !p.IsGuest() && !p.System {
				ch.put(schema.ColOwner, p.UserID)
				owner = p.UserID
			}
			r := sortedRow(in, refID, ch, g.defaultPerm, owner)
			key := strings.Join(r.cols, ",")
			if _, ok := groups[key]; !ok {
				order = append(order, key)
			}
			groups[key] = append(groups[key], r)
		}
		for _, key := range order {
			if err := tx.insertMany(ctx, t, groups[key]); err != nil {
				return err
			}
			for _, r := range groups[key] {
				tx.emit(Change{Table: t.TableName, Op: OpCreate, RefID: r.refID, Row: bulkAttrs(t, r, now),
					Object: auth.Object{OwnerID: r.owner, Permission: auth.Permission(r.perm)}})
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return rowErrs, nil
}

// isRowError reports errors about one row's input, as opposed to the
// table gate or storage.
func isRowError(err error) bool {
	var re *Error
	if !errors.As(err, &re) {
		return false
	}
	return re.Kind == ErrValidation || re.Kind == ErrBadRequest || re.Kind == ErrNotFound ||
		(re.Kind == ErrForbidden && re.Title != TitleTableGate)
}

// sortedRow orders a row's columns by name, so rows with the same columns
// share one INSERT.
func sortedRow(in Input, refID string, ch *changes, perm, owner int64) bulkRow {
	idx := make([]int, len(ch.cols))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return ch.cols[idx[a]] < ch.cols[idx[b]] })
	r := bulkRow{in: in, refID: refID, cols: make([]string, len(idx)), vals: make([]any, len(idx)), perm: perm, owner: owner}
	for i, j := range idx {
		r.cols[i], r.vals[i] = ch.cols[j], ch.vals[j]
	}
	return r
}

// insertMany writes rows that share their column list, as few multi-row
// INSERTs as the parameter limit allows.
func (s *svc) insertMany(ctx context.Context, t *schema.Table, rows []bulkRow) error {
	if len(rows) == 0 {
		return nil
	}
	return bulk.Inserts(s.d, t.TableName, rows[0].cols, len(rows), func(sqlText string, start, end int) error {
		args := make([]any, 0, (end-start)*len(rows[0].cols))
		for _, r := range rows[start:end] {
			args = append(args, r.vals...)
		}
		return s.exec(ctx, sqlText, args...)
	})
}

// bulkAttrs is the change-event view of a bulk-created row.
func bulkAttrs(t *schema.Table, r bulkRow, now any) map[string]any {
	out := make(map[string]any, len(r.in.Attributes)+5)
	for k, v := range r.in.Attributes {
		out[k] = v
	}
	out["__type"] = t.TableName
	out[schema.ColReferenceID] = r.refID
	out[schema.ColPermission] = r.perm
	out[schema.ColCreatedAt] = now
	out[schema.ColUpdatedAt] = now
	return out
}

// RowLister is part of the Service contract: exports use it to read a
// table page by page without counting it.
type RowLister interface {
	// ListRows is List without the total: the rows of one page the caller
	// may read. With an After cursor and a sort on id, each page costs the
	// same however deep into the table it is.
	ListRows(ctx context.Context, table string, q Query) ([]Row, error)
}

var _ RowLister = (*svc)(nil)

// ListRows implements RowLister.
func (s *svc) ListRows(ctx context.Context, tableName string, q Query) ([]Row, error) {
	sc := s.Schema()
	t, err := table(sc, tableName)
	if err != nil {
		return nil, err
	}
	if _, err := s.checkTable(ctx, t, auth.OpPeek); err != nil {
		return nil, err
	}
	v := s.views.get(s.d, t)
	w := &where{d: s.d, v: v, s: s}
	if err := w.listFilters(sc, q); err != nil {
		return nil, err
	}
	w.rowPredicate(auth.PrincipalFrom(ctx), auth.OpRead)
	order, err := w.orderBy(q.Sort)
	if err != nil {
		return nil, err
	}
	number, size := pageOf(q)
	sqlText, args := finish(s.d, v.sel+w.String()+order+s.d.LimitOffset(size, (number-1)*size), w.args)
	rows, err := s.query(ctx, s.reader(), v, sqlText, args...)
	if err != nil {
		return nil, err
	}
	return applyFields(rows, q.Fields), nil
}
