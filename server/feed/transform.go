package feed

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// apply runs one stream transformation over the records (contract
// sidecars.md §10.1): select, rename, duplicate, drop and filter.
func (t transformation) apply(in []record) ([]record, error) {
	a := t.Attributes
	switch strings.ToLower(strings.TrimSpace(t.Operation)) {
	case "select":
		keep := columnNames(a["Columns"])
		for _, r := range in {
			for k := range r.attrs {
				if !slices.Contains(keep, k) {
					delete(r.attrs, k)
				}
			}
		}
	case "drop":
		for _, r := range in {
			for _, k := range columnNames(a["Columns"]) {
				delete(r.attrs, k)
			}
		}
	case "rename":
		from, to := str(a["OldName"]), str(a["NewName"])
		for _, r := range in {
			if v, ok := r.attrs[from]; ok && to != "" {
				delete(r.attrs, from)
				r.attrs[to] = v
			}
		}
	case "duplicate":
		from, to := str(a["ColumnName"]), str(a["NewColumnName"])
		for _, r := range in {
			if v, ok := r.attrs[from]; ok && to != "" {
				r.attrs[to] = v
			}
		}
	case "filter":
		col, cmp := str(a["ColumnName"]), strings.TrimSpace(str(a["Comparator"]))
		if _, ok := comparators[cmp]; !ok {
			return nil, fmt.Errorf("filter: unknown comparator %q", cmp)
		}
		out := in[:0]
		for _, r := range in {
			if matches(r.attrs[col], cmp, a["Value"]) {
				out = append(out, r)
			}
		}
		return out, nil
	default:
		return nil, fmt.Errorf("unknown transformation %q", t.Operation)
	}
	return in, nil
}

// comparators are the filter comparators Daptin's streams know.
var comparators = map[string]bool{"==": true, "!=": true, ">": true, ">=": true, "<": true, "<=": true, "in": true}

// matches compares a row value with a filter value: as numbers when both
// are numbers, else as text.
func matches(v any, cmp string, want any) bool {
	if cmp == "in" {
		return slices.Contains(columnNames(want), str(v))
	}
	var c int
	x, xok := number(v)
	y, yok := number(want)
	if xok && yok {
		switch {
		case x < y:
			c = -1
		case x > y:
			c = 1
		}
	} else {
		c = strings.Compare(str(v), str(want))
	}
	switch cmp {
	case "==":
		return c == 0
	case "!=":
		return c != 0
	case ">":
		return c > 0
	case ">=":
		return c >= 0
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	}
	return false
}

// number reads a numeric value (or numeric text).
func number(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case int:
		return float64(x), true
	case float64:
		return x, true
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		return f, err == nil
	}
	return 0, false
}

// columnNames reads a column list: names, ColumnInfo objects
// ({"ColumnName": ...} or {"Name": ...}) or comma-separated text.
func columnNames(v any) []string {
	var out []string
	switch x := v.(type) {
	case string:
		for _, p := range strings.Split(x, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	case []string:
		out = append(out, x...)
	case []any:
		for _, e := range x {
			if m, ok := e.(map[string]any); ok {
				if n := str(m["ColumnName"]); n != "" {
					out = append(out, n)
				} else if n := str(m["Name"]); n != "" {
					out = append(out, n)
				}
				continue
			}
			out = append(out, str(e))
		}
	}
	return out
}
