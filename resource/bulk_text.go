package resource

import (
	"context"
	"strings"
	"time"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/schema"
)

// TextImporter is part of the Service contract: importers of tabular
// files (CSV, XLSX) use it to write rows of text
// cells without building an Input, a map, per row. A row written this way
// is what CreateMany writes for an Input whose attributes are the named
// cells (an empty cell is null) and whose ID is the id cell.
type TextImporter interface {
	// PlanText prepares an import into table: cell i of each row goes to
	// column cols[i] ("" leaves it out) and cell idCol, when >= 0, is the
	// row's client-chosen id. batch is the most rows a CreateText call
	// will carry. ok is false when the table or its columns need what only
	// Create does (user accounts, default groups, links, foreign keys,
	// validation tags, columns the caller cannot write, a column named
	// twice): then use CreateMany. The plan is bound to the schema snapshot
	// of the call; Close it when the import ends.
	PlanText(ctx context.Context, table string, cols []string, idCol, batch int) (p *TextPlan, ok bool, err error)
	// CreateText writes rows converted by p.Add in one transaction
	// (joining the current one), with CreateMany's table check, defaults,
	// owner and change events. An error means nothing of the call was
	// written: a unique violation, a storage error, or a table the caller
	// may not create in (checked even when rows is empty).
	CreateText(ctx context.Context, p *TextPlan, rows *TextRows) error
}

var _ TextImporter = (*svc)(nil)

// TextPlan converts text rows for one table; see TextImporter. Add may run
// on another goroutine than CreateText.
type TextPlan struct {
	s          *svc
	t          *schema.Table
	cols       []textCol  // converted cells, in INSERT column order
	attrs      []textAttr // every named cell, for change events
	idCol      int
	requireErr error // a NOT NULL column no cell fills: every row fails
	hasOwner   bool
	owner      int64
	ins        textInsert
}

type textCol struct {
	cell   int
	name   string
	norm   schema.Normalizer
	sk     storageKind
	secret schema.SecretKind
}

type textAttr struct {
	name string
	cell int
}

// TextRows is a batch of converted rows. Reuse it across batches with
// Reset; it holds no reference into the cells it was built from except
// the strings themselves.
type TextRows struct {
	vals  []any            // per row: the converted cells, then the id
	refs  []string         // public ids
	attrs []map[string]any // change-event attributes
	args  []any            // statement arguments, rebuilt per statement
	boxed []any            // the cells of the row being added
}

// Len is the number of rows.
func (r *TextRows) Len() int { return len(r.refs) }

// Reset empties the batch, keeping its memory.
func (r *TextRows) Reset() {
	clear(r.vals)
	clear(r.attrs)
	clear(r.args)
	clear(r.boxed)
	r.vals, r.refs, r.attrs, r.args, r.boxed = r.vals[:0], r.refs[:0], r.attrs[:0], r.args[:0], r.boxed[:0]
}

// PlanText implements TextImporter.
func (s *svc) PlanText(ctx context.Context, tableName string, cols []string, idCol, batch int) (*TextPlan, bool, error) {
	t, err := table(s.Schema(), tableName)
	if err != nil {
		return nil, false, err
	}
	if _, hasGroups := t.GroupLink(); t.TableName == schema.TableUser || (hasGroups && len(t.DefaultGroups) > 0) {
		return nil, false, nil
	}
	v := s.views.get(s.d, t)
	pr := auth.PrincipalFrom(ctx)
	p := &TextPlan{s: s, t: t, idCol: idCol}
	set := map[string]bool{}
	for i, name := range cols {
		if name == "" || i == idCol {
			continue
		}
		for _, a := range p.attrs {
			if a.name == name {
				return nil, false, nil
			}
		}
		p.attrs = append(p.attrs, textAttr{name: name, cell: i})
		for _, val := range t.Validations {
			if val.ColumnName == name {
				return nil, false, nil
			}
		}
		if managedAttrs[name] || name == schema.ColPermission || (name == schema.ColOwner && t.HasOwner()) {
			continue // ignored on create, as prepare does
		}
		if l, ok := t.Link(name); ok && (l.ToMany || l.Reverse) {
			return nil, false, nil
		}
		cv, ok := v.col(name)
		if !ok || cv.fk >= 0 || (!cv.api && !(pr.System && name != schema.ColID && name != schema.ColVersion)) {
			return nil, false, nil
		}
		p.cols = append(p.cols, textCol{cell: i, name: name, norm: schema.NewNormalizer(cv.col), sk: cv.sk, secret: cv.secret})
		set[name] = true
	}
	p.requireErr = requireColumns(t, &changes{set: set})
	p.hasOwner = t.HasOwner() && !pr.IsGuest() && !pr.System
	if p.hasOwner {
		p.owner = pr.UserID
	}
	p.ins = newTextInsert(ctx, s, t, p.cols, p.hasOwner, batch)
	return p, true, nil
}

// Close releases the plan's prepared statement.
func (p *TextPlan) Close() {
	if p != nil && p.ins.stmt != nil {
		_ = p.ins.stmt.Close()
	}
}

// Add converts one row's cells (as many as cols had) and appends it to
// rows. A row error (a *Error about a value or the id) leaves rows as it
// was; any other error is a failure of the import, not of the row.
func (p *TextPlan) Add(rows *TextRows, cells []string) error {
	// Each cell becomes an interface value once, shared by the converted
	// row (text columns keep the cell as it is) and the change event.
	boxed := rows.boxed[:0]
	for _, c := range cells {
		if c == "" {
			boxed = append(boxed, nil)
		} else {
			boxed = append(boxed, c)
		}
	}
	rows.boxed = boxed
	start := len(rows.vals)
	for i := range p.cols {
		c := &p.cols[i]
		v, err := p.convert(c, boxedAt(boxed, c.cell))
		if err != nil {
			clear(rows.vals[start:])
			rows.vals = rows.vals[:start]
			return err
		}
		rows.vals = append(rows.vals, v)
	}
	err := p.requireErr
	refID, refB := "", []byte(nil)
	if err == nil {
		refID, refB, err = p.rowID(cells)
	}
	if err != nil {
		clear(rows.vals[start:])
		rows.vals = rows.vals[:start]
		return err
	}
	rows.vals = append(rows.vals, refB)
	attrs := make(map[string]any, len(p.attrs)+5)
	for _, a := range p.attrs {
		attrs[a.name] = boxedAt(boxed, a.cell)
	}
	attrs["__type"] = p.t.TableName
	attrs[schema.ColReferenceID] = refID
	rows.refs = append(rows.refs, refID)
	rows.attrs = append(rows.attrs, attrs)
	return nil
}

// boxedAt is cell i of a boxed row (nil for an empty cell); a short row
// reads as empty cells.
func boxedAt(boxed []any, i int) any {
	if i < len(boxed) {
		return boxed[i]
	}
	return nil
}

// rowID is the row's public id: the id cell when given, else a new one.
func (p *TextPlan) rowID(cells []string) (string, []byte, error) {
	if p.idCol >= 0 {
		if id := strings.TrimSpace(cellAt(cells, p.idCol)); id != "" {
			b, ok := refBytes(id)
			if !ok {
				return "", nil, &Error{Kind: ErrBadRequest, Title: "invalid id", Detail: "data.id must be a UUID", Pointer: "/data/id"}
			}
			return id, b, nil
		}
	}
	id, b := newRefID()
	return id, b, nil
}

// cellAt is cell i of a row; a short row reads as empty cells.
func cellAt(cells []string, i int) string {
	if i < len(cells) {
		return cells[i]
	}
	return ""
}

// convert is prepareColumn for a cell (nil or a non-empty string) of a
// plain column.
func (p *TextPlan) convert(c *textCol, cell any) (any, error) {
	if cell == nil {
		return nil, nil
	}
	norm, err := c.norm.Value(cell)
	if err != nil {
		return nil, invalidAttr(c.name, "%v", err)
	}
	if norm == nil {
		return nil, nil
	}
	if c.secret != schema.SecretNone {
		if norm, err = p.s.protect(c.secret, norm); err != nil {
			return nil, err
		}
	}
	// Normalised values usually have the storage type already.
	switch x := norm.(type) {
	case string:
		if c.sk == skString {
			return norm, nil
		}
	case int64:
		if c.sk == skInt {
			return norm, nil
		}
	case float64:
		if c.sk == skFloat {
			return norm, nil
		}
	case bool:
		if c.sk == skBool {
			return norm, nil
		}
	case time.Time:
		if c.sk == skTime && x.Location() == time.UTC {
			return norm, nil
		}
	}
	out, err := toDB(c.sk, norm)
	if err != nil {
		return nil, invalidAttr(c.name, "%v", err)
	}
	return out, nil
}
