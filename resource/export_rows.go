package resource

import (
	"context"
	"errors"
	"math"
	"strings"
	"time"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/schema"
)

// RowStreamer is part of the Service contract: exports use it to read a
// whole table without building a Row (a map) per row.
type RowStreamer interface {
	// StreamRows calls fn with every row of table the caller may read (the
	// checks of ListRows), in id order, as the values Row.Attrs would hold
	// for cols: nil where Attrs would have no such key, "__type" the table
	// name. It reads pageSize rows per query, keyset-paged on the internal
	// id, so each page costs the same however deep into the table it is
	// and memory holds one row. vals is reused between calls. The first
	// error of fn ends the stream and is returned.
	StreamRows(ctx context.Context, table string, cols []string, pageSize int, fn func(vals []any) error) error
}

var _ RowStreamer = (*svc)(nil)

// streamCol says where one output value of StreamRows comes from.
type streamCol struct {
	kind streamKind
	cv   *colView
	src  int // index into the scanned values
	// parse reads a raw time (streamRawTime): the dialect's ParseRawTime.
	parse func(string) (time.Time, bool)
}

type streamKind int

const (
	streamNil     streamKind = iota // not an attribute: nil
	streamType                      // __type: the table name
	streamValue                     // a column, as makeRow shows it
	streamRefID                     // reference_id, as its UUID text
	streamFKRef                     // a foreign key, as the target's UUID
	streamRawTime                   // a SQLite time column read as stored text
)

// StreamRows implements RowStreamer.
func (s *svc) StreamRows(ctx context.Context, tableName string, cols []string, pageSize int, fn func(vals []any) error) error {
	t, err := table(s.Schema(), tableName)
	if err != nil {
		return err
	}
	if _, err := s.checkTable(ctx, t, auth.OpPeek); err != nil {
		return err
	}
	if pageSize < 1 || pageSize > MaxPageSize {
		pageSize = MaxPageSize
	}
	st := &rowStream{s: s, v: s.views.get(s.d, t), cols: cols, size: pageSize, p: auth.PrincipalFrom(ctx),
		vals: make([]any, len(cols)), after: math.MinInt64}
	// Where the dialect can (SQLite), read times as the text the driver
	// stored and parse that here, far cheaper than the driver's own
	// parsing; the first value in another form switches the stream to the
	// driver's way.
	_, raw := s.d.RawTimeColumn("")
	for {
		done, err := st.run(ctx, raw, fn)
		if !errors.Is(err, errOtherTimes) {
			return err
		}
		if done {
			return nil
		}
		raw = false
	}
}

// errOtherTimes stops a raw-times stream at a time it cannot read.
var errOtherTimes = errors.New("stored time in another form")

// streamPlan picks the scanned columns: the id first, then each column
// cols needs (and the joined target id of foreign keys).
func (s *svc) streamPlan(v *view, cols []string, hidden, rawTimes bool) (out []streamCol, sel []string, joins string) {
	d := s.d
	sel = []string{baseAlias + "." + d.Quote(schema.ColID)}
	var jb strings.Builder
	for _, name := range cols {
		if name == "__type" {
			out = append(out, streamCol{kind: streamType})
			continue
		}
		cv, ok := v.col(name)
		if !ok || name == schema.ColID || name == schema.ColVersion || (!cv.api && !hidden) {
			out = append(out, streamCol{kind: streamNil})
			continue
		}
		c := streamCol{kind: streamValue, cv: cv, src: len(sel)}
		switch {
		case cv.fk >= 0:
			fk := v.fks[cv.fk]
			c.kind = streamFKRef
			jb.WriteString(" LEFT JOIN " + d.Quote(fk.target) + " " + fk.alias + " ON " + fk.alias + "." + d.Quote(schema.ColID) + " = " + baseAlias + "." + d.Quote(name))
			sel = append(sel, fk.alias+"."+d.Quote(schema.ColReferenceID))
		case name == schema.ColReferenceID:
			c.kind = streamRefID
			sel = append(sel, baseAlias+"."+d.Quote(name))
		case rawTimes && cv.sk == skTime:
			expr, _ := d.RawTimeColumn(baseAlias + "." + d.Quote(name))
			c.kind, c.parse = streamRawTime, d.ParseRawTime
			sel = append(sel, expr)
		default:
			sel = append(sel, baseAlias+"."+d.Quote(name))
		}
		out = append(out, c)
	}
	return out, sel, jb.String()
}

// value is the attribute makeRow and apiValue would give; ok is false for
// a raw time in a form the dialect's ParseRawTime does not read.
func (c streamCol) value(table string, raw []any) (any, bool) {
	switch c.kind {
	case streamType:
		return table, true
	case streamRefID:
		return refString(raw[c.src]), true
	case streamFKRef:
		if ref := refString(raw[c.src]); ref != "" {
			return apiValue(*c.cv, ref), true
		}
		return apiValue(*c.cv, nil), true
	case streamValue:
		return apiValue(*c.cv, canonical(c.cv.sk, raw[c.src])), true
	case streamRawTime:
		switch x := raw[c.src].(type) {
		case nil, float64, []byte: // what the driver returns whatever the declared type
			return apiValue(*c.cv, fromDB(skTime, x)), true
		case string:
			if t, ok := c.parse(x); ok {
				return apiValue(*c.cv, t), true
			}
		}
		return nil, false
	}
	return nil, true
}

// canonical is fromDB(sk, v), but hands v back as it is (no new boxing)
// when the driver already returned the canonical type.
func canonical(sk storageKind, v any) any {
	switch x := v.(type) {
	case string:
		if sk == skString {
			return v
		}
	case int64:
		if sk == skInt {
			return v
		}
	case float64:
		if sk == skFloat {
			return v
		}
	case time.Time:
		if sk == skTime && x.Location() == time.UTC {
			return v
		}
	}
	return fromDB(sk, v)
}
