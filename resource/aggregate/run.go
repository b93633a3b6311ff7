package aggregate

// Running an aggregate query and shaping its rows: foreign keys and
// first/last values are resolved with one extra query per table, never one
// per row.

import (
	"context"
	"strings"
	"time"

	"github.com/apiary/apiary/resource/internal/sqlval"
	"github.com/apiary/apiary/schema"
)

// aggLookupChunk bounds the ids bound in one IN list.
const aggLookupChunk = 500

func (b *aggBuilder) run(ctx context.Context) ([]map[string]any, error) {
	name := b.base.t.TableName
	sqlText, args := b.sql()
	rows, err := b.h.Query(ctx, b.d.Rebind(sqlText), args...)
	if err != nil {
		return nil, aggError(name, b.d.MapError(err))
	}
	n := len(b.projs)
	var vals [][]any
	for rows.Next() {
		raw := make([]any, n)
		ptrs := make([]any, n)
		for i := range raw {
			ptrs[i] = &raw[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			rows.Close()
			return nil, aggError(name, err)
		}
		for i, p := range b.projs {
			k := p.c.kind
			if p.c.pick != nil {
				k = outInt
			}
			raw[i] = aggValue(k, raw[i])
		}
		vals = append(vals, raw)
	}
	if err := rows.Close(); err != nil {
		return nil, aggError(name, err)
	}
	if err := rows.Err(); err != nil {
		return nil, aggError(name, err)
	}
	if err := b.resolvePicks(ctx, vals); err != nil {
		return nil, aggError(name, err)
	}
	if err := b.resolveFKs(ctx, vals); err != nil {
		return nil, aggError(name, err)
	}
	typ := "aggregate_" + name
	out := make([]map[string]any, 0, len(vals))
	for _, raw := range vals {
		attrs := map[string]any{"__type": typ}
		for i, p := range b.projs {
			if !p.hidden {
				attrs[p.key] = raw[i]
			}
		}
		out = append(out, attrs)
	}
	return out, nil
}

// aggValue is the API form of one result value.
func aggValue(k outKind, v any) any {
	if v == nil {
		return nil
	}
	switch k {
	case outInt, outFK:
		return sqlval.FromDB(sqlval.Int, v)
	case outFloat:
		return sqlval.FromDB(sqlval.Float, v)
	case outBool:
		if x, ok := sqlval.FromDB(sqlval.Bool, v).(bool); ok {
			return sqlval.BoolInt(x)
		}
		return sqlval.FromDB(sqlval.Int, v)
	case outTime:
		return sqlval.FromDB(sqlval.Time, v)
	case outDate:
		if t, ok := v.(time.Time); ok {
			return t.Format(time.DateOnly)
		}
	case outRef:
		return sqlval.RefString(v)
	}
	switch x := v.(type) {
	case []byte:
		return string(x)
	case time.Time:
		return x.UTC()
	case bool:
		return sqlval.BoolInt(x)
	}
	return v
}

// resolvePicks replaces the row ids of first/last columns by the value of
// their expression in that row.
func (b *aggBuilder) resolvePicks(ctx context.Context, vals [][]any) error {
	for i, p := range b.projs {
		if p.c.pick == nil {
			continue
		}
		pick := p.c.pick
		ids := map[int64]bool{}
		for _, raw := range vals {
			if id, ok := raw[i].(int64); ok {
				ids[id] = true
			}
		}
		got := map[int64]any{}
		sel := "SELECT " + baseAlias + "." + b.d.Quote(schema.ColID) + ", " + pick.sql + b.base.from + " WHERE " + baseAlias + "." + b.d.Quote(schema.ColID) + " IN "
		err := b.lookup(ctx, sel, pick.args, ids, func(id int64, v any) { got[id] = aggValue(pick.kind, v) })
		if err != nil {
			return err
		}
		for _, raw := range vals {
			if id, ok := raw[i].(int64); ok {
				raw[i] = got[id]
			} else {
				raw[i] = nil
			}
		}
		b.projs[i].c.kind, b.projs[i].c.fk = pick.kind, pick.fk
	}
	return nil
}

// resolveFKs replaces internal ids of foreign-key columns by the UUIDs of
// the rows they point at.
func (b *aggBuilder) resolveFKs(ctx context.Context, vals [][]any) error {
	byTable := map[string]map[int64]bool{}
	for i, p := range b.projs {
		if p.c.kind != outFK {
			continue
		}
		if byTable[p.c.fk] == nil {
			byTable[p.c.fk] = map[int64]bool{}
		}
		for _, raw := range vals {
			if id, ok := raw[i].(int64); ok {
				byTable[p.c.fk][id] = true
			}
		}
	}
	refs := map[string]map[int64]string{}
	for target, ids := range byTable {
		m := map[int64]string{}
		refs[target] = m
		sel := "SELECT " + b.d.Quote(schema.ColID) + ", " + b.d.Quote(schema.ColReferenceID) + " FROM " + b.d.Quote(target) + " WHERE " + b.d.Quote(schema.ColID) + " IN "
		if err := b.lookup(ctx, sel, nil, ids, func(id int64, v any) { m[id] = sqlval.RefString(v) }); err != nil {
			return err
		}
	}
	for i, p := range b.projs {
		if p.c.kind != outFK {
			continue
		}
		for _, raw := range vals {
			if id, ok := raw[i].(int64); ok {
				if ref, ok := refs[p.c.fk][id]; ok {
					raw[i] = ref
					continue
				}
			}
			raw[i] = nil
		}
	}
	return nil
}

// lookup runs sel + "(ids)" in chunks; each result row is (id, value).
func (b *aggBuilder) lookup(ctx context.Context, sel string, pre []any, ids map[int64]bool, fn func(int64, any)) error {
	all := make([]any, 0, len(ids))
	for id := range ids {
		all = append(all, id)
	}
	for len(all) > 0 {
		chunk := all[:min(len(all), aggLookupChunk)]
		all = all[len(chunk):]
		args := append(append([]any{}, pre...), chunk...)
		rows, err := b.h.Query(ctx, b.d.Rebind(sel+"("+strings.TrimSuffix(strings.Repeat("?, ", len(chunk)), ", ")+")"), args...)
		if err != nil {
			return b.d.MapError(err)
		}
		for rows.Next() {
			var id, v any
			if err := rows.Scan(&id, &v); err != nil {
				rows.Close()
				return err
			}
			if n, ok := sqlval.FromDB(sqlval.Int, id).(int64); ok {
				fn(n, v)
			}
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}
