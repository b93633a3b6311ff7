package resource

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/schema"
	"github.com/apiary/apiary/storage/db"
)

// textInsert is the multi-row INSERT of a TextPlan. The values every row
// of a call shares (permission, timestamps, version, owner) come first in
// each row. Where the dialect can use a parameter twice they are bound
// once per statement, as parameters 1 to shared, and each row's own
// values (its cells, then its id) follow: PostgreSQL as $N, SQLite as
// plain "?", which SQLite numbers on from the highest number seen (numbered
// ?NNN for every value would make the driver's per-parameter name lookup
// quadratic). MySQL repeats the shared values in every row.
type textInsert struct {
	rowWidth int       // values a row carries: the cells and the id
	shared   int       // shared values: permission, now, version[, owner]
	numbered bool      // shared values are bound once
	per      int       // rows per statement
	head     string    // INSERT INTO t (...) VALUES
	mark     string    // "?" or "$": the numbered placeholder prefix
	stmt     *sql.Stmt // the statement of per rows, nil inside a transaction
}

func newTextInsert(ctx context.Context, s *svc, t *schema.Table, cols []textCol, hasOwner bool, batch int) textInsert {
	d := s.d
	names := []string{d.Quote(schema.ColPermission), d.Quote(schema.ColCreatedAt), d.Quote(schema.ColUpdatedAt), d.Quote(schema.ColVersion)}
	if hasOwner {
		names = append(names, d.Quote(schema.ColOwner))
	}
	for _, c := range cols {
		names = append(names, d.Quote(c.name))
	}
	names = append(names, d.Quote(schema.ColReferenceID))
	x := textInsert{rowWidth: len(cols) + 1, shared: 3 + oneIf(hasOwner),
		head: "INSERT INTO " + d.Quote(t.TableName) + " (" + strings.Join(names, ", ") + ") VALUES "}
	limit := d.MaxBindParams()
	x.mark, x.numbered = d.NumberedPlaceholder()
	if x.numbered {
		x.per = (limit - x.shared) / x.rowWidth
	} else {
		x.per = limit / (x.rowWidth + x.shared + 1)
	}
	x.per = max(1, min(max(batch, 1), x.per))
	if s.tx == nil {
		// One statement serves every full chunk of every batch. Inside a
		// transaction the pool's only SQLite connection is taken, so
		// statements are then built per call instead.
		if st, err := s.db.W.PrepareContext(ctx, x.statement(d, x.per)); err == nil {
			x.stmt = st
		}
	}
	return x
}

func oneIf(b bool) int { return int(boolInt(b)) }

// statement is the INSERT of n rows, in d's placeholders.
func (x *textInsert) statement(d db.Dialect, n int) string {
	var b strings.Builder
	b.WriteString(x.head)
	if !x.numbered {
		tuple := "(" + placeholders(x.shared+1+x.rowWidth) + ")"
		for i := range n {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(tuple)
		}
		return d.Rebind(b.String())
	}
	m := x.mark
	lead := "(" + m + "1, " + m + "2, " + m + "2, " + m + "3"
	if x.shared == 4 {
		lead += ", " + m + "4"
	}
	next := x.shared + 1
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(lead)
		for range x.rowWidth {
			b.WriteString(", ")
			b.WriteString(m)
			if m == "$" {
				b.WriteString(strconv.Itoa(next))
			}
			next++
		}
		b.WriteByte(')')
	}
	return b.String()
}

// args lays out the arguments of the statement of rows vals (rowWidth
// values each) in dst.
func (x *textInsert) args(dst, vals, shared []any) []any {
	dst = dst[:0]
	if x.numbered {
		dst = append(dst, shared...)
		return append(dst, vals...)
	}
	for r := 0; r < len(vals); r += x.rowWidth {
		dst = append(dst, shared[0], shared[1])
		dst = append(dst, shared[1:]...)
		dst = append(dst, vals[r:r+x.rowWidth]...)
	}
	return dst
}

// CreateText implements TextImporter.
func (s *svc) CreateText(ctx context.Context, p *TextPlan, rows *TextRows) error {
	return s.write(ctx, func(tx *svc) error {
		t, err := table(tx.Schema(), p.t.TableName)
		if err != nil {
			return err
		}
		g, err := tx.checkTable(ctx, t, auth.OpCreate)
		if err != nil {
			return err
		}
		n := rows.Len()
		if n == 0 {
			return nil
		}
		var perm, now any = g.defaultPerm, tx.now()
		shared := []any{perm, now, int64(1)}
		if p.hasOwner {
			shared = append(shared, p.owner)
		}
		if err := tx.insertText(ctx, &p.ins, rows, shared); err != nil {
			return err
		}
		obj := auth.Object{OwnerID: p.owner, Permission: auth.Permission(g.defaultPerm)}
		for i, ref := range rows.refs {
			a := rows.attrs[i]
			a[schema.ColPermission], a[schema.ColCreatedAt], a[schema.ColUpdatedAt] = perm, now, now
			tx.emit(Change{Table: t.TableName, Op: OpCreate, RefID: ref, Row: a, Object: obj})
		}
		return nil
	})
}

// insertText writes the rows in as few INSERTs as the parameter limit
// allows, through the prepared statement when it fits.
func (s *svc) insertText(ctx context.Context, x *textInsert, rows *TextRows, shared []any) error {
	n := rows.Len()
	for start := 0; start < n; start += x.per {
		k := min(x.per, n-start)
		rows.args = x.args(rows.args, rows.vals[start*x.rowWidth:(start+k)*x.rowWidth], shared)
		if k == x.per && x.stmt != nil {
			if _, err := s.tx.StmtContext(ctx, x.stmt).ExecContext(ctx, rows.args...); err != nil {
				return s.mapDBError(s.d.MapError(err))
			}
			continue
		}
		if _, err := s.tx.ExecContext(ctx, x.statement(s.d, k), rows.args...); err != nil {
			return s.mapDBError(s.d.MapError(err))
		}
	}
	return nil
}
