package aggregate

import (
	"fmt"
	"sort"
	"strings"
	"testing"
)

func TestSplitTop(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		in   string
		want string
		err  bool
	}{
		{"a,b", "[a b]", false},
		{"count,sum(priority)", "[count sum(priority)]", false},
		{"replace(title,'a,b','c'),x", "[replace(title,'a,b','c') x]", false},
		{"in(a,1,2),eq(b,'it''s, ok')", "[in(a,1,2) eq(b,'it''s, ok')]", false},
		{"coalesce(a,upper(b)),c", "[coalesce(a,upper(b)) c]", false},
		{"sum(a", "", true},
		{"a)", "", true},
		{"'open", "", true},
	}
	for _, s := range scenarios {
		t.Run(s.in, func(t *testing.T) {
			got, err := splitTop(s.in, ',')
			if (err != nil) != s.err {
				t.Fatalf("err = %v, want error %v", err, s.err)
			}
			if !s.err && fmt.Sprint(got) != s.want {
				t.Errorf("got %v, want %s", got, s.want)
			}
		})
	}
}

func TestParseAggregateColumns(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		in   string
		want string // key=alias pairs
	}{
		{"count", "count"},
		{"COUNT", "count"},
		{"count(*)", "count"},
		{"sum(priority)", "sum(priority)"},
		{"Sum( priority ) as total", "sum(priority)=total"},
		{"count,sum(priority) AS total,max(due)", "count sum(priority)=total max(due)"},
		{"todo.title", "title"},
		{"project.name", "project.name"},
		{"replace(title,'a,b','c')", "replace(title,'a,b','c')"},
		{"upper(trim(title)) as t", "upper(trim(title))=t"},
		{"substr(title,1,3)", "substr(title,1,3)"},
		{"round(score,-1)", "round(score,-1)"},
		{"coalesce(score,1.5)", "coalesce(score,1.5)"},
		{"strftime('%Y-%m',created_at)", "strftime('%Y-%m',created_at)"},
		{"nullif(title,'it''s')", "nullif(title,'it''s')"},
		{" , count ,, ", "count"},
	}
	for _, s := range scenarios {
		t.Run(s.in, func(t *testing.T) {
			p, err := parseAggregate(Query{Columns: []string{s.in}})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, it := range p.columns {
				k := aggKey(it.e, "todo")
				if it.alias != "" {
					k += "=" + it.alias
				}
				got = append(got, k)
			}
			if strings.Join(got, " ") != s.want {
				t.Errorf("got %q, want %q", strings.Join(got, " "), s.want)
			}
		})
	}
}

// TestParseAggregateFunctions parses every function at its arities.
func TestParseAggregateFunctions(t *testing.T) {
	t.Parallel()
	names := make([]string, 0, len(aggFuncs))
	for n := range aggFuncs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		spec := aggFuncs[n]
		t.Run(n, func(t *testing.T) {
			for k := 0; k <= spec.max+1; k++ {
				args := make([]string, k)
				for i := range args {
					args[i] = "c" + fmt.Sprint(i)
				}
				_, err := parseAggregate(Query{Columns: []string{n + "(" + strings.Join(args, ",") + ")"}})
				if ok := k >= spec.min && k <= spec.max; ok != (err == nil) {
					t.Errorf("%s with %d args: err = %v", n, k, err)
				}
			}
		})
	}
}

func TestParseAggregateRejects(t *testing.T) {
	t.Parallel()
	deep := strings.Repeat("upper(", maxAggDepth+2) + "title" + strings.Repeat(")", maxAggDepth+2)
	for _, q := range []Query{
		{Columns: []string{"sum(done);drop table todo"}},
		{Columns: []string{"sum(done) --"}},
		{Columns: []string{"sum(done)/*x*/"}},
		{Columns: []string{"title; select 1"}},
		{Columns: []string{"\"title\""}},
		{Columns: []string{"`title`"}},
		{Columns: []string{"title x"}},
		{Columns: []string{"count as"}},
		{Columns: []string{"count as 1x"}},
		{Columns: []string{"count as __type"}},
		{Columns: []string{"count as a b"}},
		{Columns: []string{"sum("}},
		{Columns: []string{"'abc"}},
		{Columns: []string{"nosuch(x)"}},
		{Columns: []string{"sum(*)"}},
		{Columns: []string{"sum()"}},
		{Columns: []string{"a.b.c"}},
		{Columns: []string{deep}},
		{Columns: []string{strings.Repeat("a,", maxAggItems+1)}},
		{Groups: []string{"title)"}},
		{Filters: []string{"eq(a)"}},
		{Filters: []string{"like(a,b)"}},
		{Filters: []string{"eq(a,1,2)"}},
		{Filters: []string{"eq a 1"}},
		{Filters: []string{"eq(a,1)x"}},
		{Filters: []string{"eq(a;drop,1)"}},
		{Having: []string{"gt(count)"}},
		{Joins: []string{"project"}},
		{Joins: []string{"pro ject@eq(a,b)"}},
		{Joins: []string{"project@in(a,b)"}},
		{Joins: []string{"project@eq(a,upper(b))"}},
		{Orders: []string{"-"}},
		{Orders: []string{"title desc"}},
	} {
		if _, err := parseAggregate(q); err == nil {
			t.Errorf("%+v: no error", q)
		} else if !strings.Contains(err.Error(), "Invalid aggregation query") {
			t.Errorf("%+v: error %v is not an aggregation error", q, err)
		}
	}
}

func TestParseAggregateValues(t *testing.T) {
	t.Parallel()
	const id = "01a2077e-5de0-7ece-bf2d-c2b8367284aa"
	scenarios := []struct {
		in, want string
	}{
		{"1", "int64 1"}, {"-7", "int64 -7"}, {"1.5", "float64 1.5"}, {"2e3", "float64 2000"},
		{"true", "bool true"}, {"FALSE", "bool false"}, {"null", "<nil> <nil>"},
		{"'a,b'", "string a,b"}, {"'it''s'", "string it's"}, {"abc", "string abc"},
		{"2026-12-01", "string 2026-12-01"}, {"a@b.test", "string a@b.test"},
		{"1.2.3", "string 1.2.3"}, {"nan", "string nan"}, {"inf", "string inf"},
		{"project@" + id, "ref project " + id},
		{"project@nope", "string project@nope"},
	}
	for _, s := range scenarios {
		t.Run(s.in, func(t *testing.T) {
			v, err := parseAggVal(s.in, false)
			if err != nil {
				t.Fatal(err)
			}
			got := fmt.Sprintf("%T %v", v.v, v.v)
			if v.kind == valRef {
				got = "ref " + v.entity + " " + fmt.Sprintf("%x-%x-%x-%x-%x", v.ref[0:4], v.ref[4:6], v.ref[6:8], v.ref[8:10], v.ref[10:])
			}
			if got != s.want {
				t.Errorf("got %q, want %q", got, s.want)
			}
		})
	}
}

func TestParseAggregateConditionsJoinsOrders(t *testing.T) {
	t.Parallel()
	p, err := parseAggregate(Query{
		Filters: []string{"in(status,open,'a,b',3),eq(upper(title),'X')", "is(due,null)"},
		Having:  []string{"gt(sum(priority),10)"},
		Joins:   []string{"project@eq(project.reference_id,todo.project_id)&not(project.name,'x')"},
		Orders:  []string{"-count,title", "+sum(priority)"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.filters) != 3 || len(p.filters[0].right) != 3 || p.filters[0].right[1].v != "a,b" || p.filters[1].left.kind != exCall {
		t.Errorf("filters: %+v", p.filters)
	}
	if len(p.having) != 1 || aggKey(p.having[0].left, "todo") != "sum(priority)" || p.having[0].right[0].v != int64(10) {
		t.Errorf("having: %+v", p.having)
	}
	j := p.joins[0]
	if j.table != "project" || len(j.conds) != 2 || j.conds[0].right[0].kind != valCol || j.conds[1].right[0].v != "x" {
		t.Errorf("join: %+v", j)
	}
	o := p.orders
	if len(o) != 3 || !o[0].desc || o[0].name != "count" || o[1].desc || o[1].name != "title" || o[2].name != "" || aggKey(o[2].e, "todo") != "sum(priority)" {
		t.Errorf("orders: %+v", o)
	}
}

// FuzzParseAggregate checks that no input panics the parser and that
// whatever parses holds only plain identifiers and known functions, so
// nothing from the request can reach SQL text except through the schema.
func FuzzParseAggregate(f *testing.F) {
	for _, s := range []string{
		"count", "sum(priority) as total", "replace(title,'a,b','c')", "eq(done,1)", "in(a,1,'x',y)",
		"project@eq(project.id,todo.project_id)&eq(project.name,'x')", "-count", "sum(done);drop table todo",
		"upper(trim(lower(x)))", "is(a,null)", "strftime('%Y',created_at)", "'", "((", "a.b", "x@01a2077e-5de0-7ece-bf2d-c2b8367284aa",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, q := range []Query{
			{Columns: []string{s}}, {Groups: []string{s}}, {Filters: []string{s}}, {Having: []string{s}},
			{Joins: []string{s}}, {Orders: []string{s}},
		} {
			p, err := parseAggregate(q)
			if err != nil {
				continue
			}
			check := func(e *aggExpr) { fuzzCheckExpr(t, e, 0) }
			for _, it := range append(p.columns, p.groups...) {
				check(it.e)
				if it.alias != "" && !identRE.MatchString(it.alias) {
					t.Fatalf("alias %q", it.alias)
				}
			}
			for _, c := range append(p.filters, p.having...) {
				fuzzCheckCond(t, c)
			}
			for _, j := range p.joins {
				if !identRE.MatchString(j.table) {
					t.Fatalf("join table %q", j.table)
				}
				for _, c := range j.conds {
					fuzzCheckCond(t, c)
				}
			}
			for _, o := range p.orders {
				check(o.e)
			}
		}
	})
}

func fuzzCheckCond(t *testing.T, c aggCond) {
	fuzzCheckExpr(t, c.left, 0)
	for _, v := range c.right {
		switch v.kind {
		case valCol:
			fuzzCheckExpr(t, v.col, 0)
		case valRef:
			if !identRE.MatchString(v.entity) || len(v.ref) != 16 {
				t.Fatalf("ref %q %x", v.entity, v.ref)
			}
		}
	}
}

func fuzzCheckExpr(t *testing.T, e *aggExpr, depth int) {
	if depth > maxAggDepth+1 {
		t.Fatalf("depth %d", depth)
	}
	switch e.kind {
	case exCol:
		if !identRE.MatchString(e.name) || (e.table != "" && !identRE.MatchString(e.table)) {
			t.Fatalf("column %q.%q", e.table, e.name)
		}
	case exCall:
		spec, ok := aggFuncs[e.name]
		if !ok || len(e.args) < spec.min || len(e.args) > spec.max {
			t.Fatalf("call %q with %d args", e.name, len(e.args))
		}
		for _, a := range e.args {
			fuzzCheckExpr(t, a, depth+1)
		}
	}
}
