package resource

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/schema"
	"github.com/apiary/apiary/storage/db"
)

// view is the precomputed read shape of one table in one schema snapshot:
// the SELECT that returns every column plus, for each foreign key, the
// public id of the row it points at (one LEFT JOIN each, no N+1).
type view struct {
	t      *schema.Table
	cols   []colView
	fks    []fkView
	sel    string // SELECT ... FROM t LEFT JOIN ...
	from   string // FROM "t" t (for counts)
	byRef  string // sel WHERE reference_id = ? (a get, built once per view)
	byID   string // sel WHERE id = ?
	byName map[string]int
	// byRefRaw is byRef with the time columns read as the text stored
	// (the dialect's RawTimeColumn), parsed by rawTime far cheaper than
	// the driver's own parsing; "" where the dialect has no raw reads or
	// the table no time column. times are the indexes of those columns.
	byRefRaw string
	times    []int
	rawTime  func(string) (time.Time, bool)
	// scans keeps *scanBuf destinations for reuse, so that a get does not
	// allocate them afresh for its one row.
	scans sync.Pool
}

// scanBuf is one row's scan destinations: raw holds the values, ptrs
// points at each of them for Rows.Scan.
type scanBuf struct {
	raw  []any
	ptrs []any
}

// scanBuf returns destinations for one row of v; give them back with
// putScanBuf once the row's values have been copied out.
func (v *view) scanBuf() *scanBuf {
	if b, ok := v.scans.Get().(*scanBuf); ok {
		return b
	}
	n := len(v.cols) + len(v.fks)
	b := &scanBuf{raw: make([]any, n), ptrs: make([]any, n)}
	for i := range b.raw {
		b.ptrs[i] = &b.raw[i]
	}
	return b
}

// putScanBuf clears b (it must not keep values alive) and keeps it.
func (v *view) putScanBuf(b *scanBuf) {
	clear(b.raw)
	v.scans.Put(b)
}

type colView struct {
	col    *schema.Column
	sk     storageKind
	secret schema.SecretKind
	api    bool // shown in attributes
	fk     int  // index into fks, -1 if not a foreign key
}

type fkView struct {
	column string
	target string
	alias  string
}

// views caches views per table pointer; a schema reload makes new tables,
// so stale entries are simply never asked for again.
type views struct{ m sync.Map }

func (vs *views) get(d db.Dialect, t *schema.Table) *view {
	if v, ok := vs.m.Load(t); ok {
		return v.(*view)
	}
	v := buildView(d, t)
	vs.m.Store(t, v)
	return v
}

func buildView(d db.Dialect, t *schema.Table) *view {
	v := &view{t: t, byName: map[string]int{}}
	var sel []string
	var joins []string
	for i := range t.Columns {
		col := &t.Columns[i]
		ct, _ := schema.LookupType(col.ColumnType)
		cv := colView{col: col, sk: storageKindOf(col.DataType), secret: ct.Secret, fk: -1,
			api: !col.ExcludeFromApi && col.ColumnName != schema.ColID && col.ColumnName != schema.ColVersion}
		if col.IsForeignKey && col.ForeignKeyData.DataSource == "self" {
			cv.fk = len(v.fks)
			alias := "f" + itoa(len(v.fks))
			v.fks = append(v.fks, fkView{column: col.ColumnName, target: col.ForeignKeyData.Namespace, alias: alias})
			joins = append(joins, " LEFT JOIN "+d.Quote(col.ForeignKeyData.Namespace)+" "+alias+" ON "+alias+"."+d.Quote(schema.ColID)+" = "+baseAlias+"."+d.Quote(col.ColumnName))
		}
		v.byName[col.ColumnName] = len(v.cols)
		if cv.sk == skTime && cv.fk < 0 {
			v.times = append(v.times, len(v.cols))
		}
		v.cols = append(v.cols, cv)
		sel = append(sel, baseAlias+"."+d.Quote(col.ColumnName))
	}

	for _, fk := range v.fks {
		sel = append(sel, fk.alias+"."+d.Quote(schema.ColReferenceID))
	}
	rawSel := slices.Clone(sel)
	for _, i := range v.times {
		expr, ok := d.RawTimeColumn(rawSel[i])
		if !ok {
			v.times = nil
			break
		}
		rawSel[i] = expr
	}
	v.from = " FROM " + d.Quote(t.TableName) + " " + baseAlias
	v.sel = "SELECT " + strings.Join(sel, ", ") + v.from + strings.Join(joins, "")
	v.byRef = v.sel + " WHERE " + baseAlias + "." + d.Quote(schema.ColReferenceID) + " = ?"
	v.byID = v.sel + " WHERE " + baseAlias + "." + d.Quote(schema.ColID) + " = ?"
	if len(v.times) > 0 {
		for i, expr := range rawSel {
			rawSel[i] = d.PositionalColumn(expr)
		}
		v.byRefRaw = "SELECT " + strings.Join(rawSel, ", ") + v.from + strings.Join(joins, "") +
			" WHERE " + baseAlias + "." + d.Quote(schema.ColReferenceID) + " = ?"
		v.rawTime = d.ParseRawTime
	}
	return v
}

func itoa(n int) string {
	const digits = "0123456789"
	if n < 10 {
		return digits[n : n+1]
	}
	return itoa(n/10) + digits[n%10:n%10+1]
}

// col returns the view of a column by name.
func (v *view) col(name string) (*colView, bool) {
	i, ok := v.byName[name]
	if !ok {
		return nil, false
	}
	return &v.cols[i], true
}

// query runs a SELECT built from v.sel and turns each result into a Row.
func (s *svc) query(ctx context.Context, q sqlx.QueryerContext, v *view, sqlText string, args ...any) ([]Row, error) {
	rows, err := q.QueryContext(ctx, s.d.Rebind(sqlText), args...)
	if err != nil {
		return nil, s.d.MapError(err)
	}
	defer rows.Close()
	return s.scan(rows, v, auth.PrincipalFrom(ctx).System)
}

func (s *svc) scan(rows *sql.Rows, v *view, hidden bool) ([]Row, error) {
	return s.scanTimes(rows, v, hidden, false)
}

// scanTimes is scan; with rawTimes the time columns hold what a
// RawTimeColumn read returns, and a value rawTime cannot read ends the
// scan with errOtherTimes (the caller reads again the driver's way).
func (s *svc) scanTimes(rows *sql.Rows, v *view, hidden, rawTimes bool) ([]Row, error) {
	b := v.scanBuf()
	defer v.putScanBuf(b)
	raw := b.raw
	var out []Row
	for rows.Next() {
		if err := rows.Scan(b.ptrs...); err != nil {
			return nil, err
		}
		if rawTimes {
			if err := v.readTimes(raw); err != nil {
				return nil, err
			}
		}
		out = append(out, s.makeRow(v, raw, hidden))
	}
	return out, rows.Err()
}

// readTimes turns the raw time columns of one scanned row into what the
// driver would have returned for them (see streamCol.value).
func (v *view) readTimes(raw []any) error {
	for _, i := range v.times {
		switch x := raw[i].(type) {
		case nil, float64, []byte: // the driver returns these whatever the declared type
		case string:
			t, ok := v.rawTime(x)
			if !ok {
				return errOtherTimes
			}
			raw[i] = t
		default:
			return errOtherTimes
		}
	}
	return nil
}

// makeRow builds the API view of one raw result.
func (s *svc) makeRow(v *view, raw []any, hidden bool) Row {
	t := v.t
	r := Row{Table: t.TableName, Attrs: make(map[string]any, len(v.cols)+1)}
	r.Attrs["__type"] = t.TableName
	for i, cv := range v.cols {
		name := cv.col.ColumnName
		var val any
		if name == schema.ColReferenceID {
			// refString reads the stored bytes as they are and keeps a
			// string of its own: no canonical copy of the bytes first.
			r.RefID = refString(raw[i])
			val = r.RefID
		} else {
			val = canonical(cv.sk, raw[i])
		}
		switch name {
		case schema.ColID:
			r.ID, _ = val.(int64)
			continue
		case schema.ColVersion:
			r.version, _ = val.(int64)
			continue
		case schema.ColPermission:
			r.perm, _ = val.(int64)
		}
		if cv.fk >= 0 {
			id, _ := val.(int64)
			if name == schema.ColOwner {
				r.owner = id
			}
			if r.fks == nil {
				r.fks = map[string]int64{}
			}
			r.fks[name] = id
			if ref := refString(raw[len(v.cols)+cv.fk]); ref != "" {
				val = ref
			} else {
				val = nil
			}
		}
		if !cv.api && !hidden {
			continue
		}
		r.Attrs[name] = apiValue(cv, val)
	}
	return r
}

// apiValue is how a stored value appears in attributes: booleans as 0/1
// (Daptin's observed wire type, on every route and database), hashes
// blank, bytes as text. Every bcrypt-hashed column (password, bcrypt,
// md5-bcrypt) is write-only: its hash never leaves the server.
func apiValue(cv colView, val any) any {
	if isBcryptKind(cv.secret) {
		return ""
	}
	switch x := val.(type) {
	case bool:
		return boolInt(x)
	case []byte:
		return string(x)
	}
	return val
}
