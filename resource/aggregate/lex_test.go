package aggregate

import (
	"fmt"
	"strings"
	"testing"
)

func TestLexerTokens(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		src  string
		want []string
	}{
		{"sum(priority)", []string{"sum", "(", "priority", ")"}},
		{"  project.name ", []string{"project", ".", "name"}},
		{"count(*)", []string{"count", "(", "*", ")"}},
		{"round(price, -2.5e3)", []string{"round", "(", "price", ",", "-2.5e3", ")"}},
		{"round(price,2.25)", []string{"round", "(", "price", ",", "2.25", ")"}},
		{"replace(title,'it''s','x')", []string{"replace", "(", "title", ",", "'it''s'", ",", "'x'", ")"}},
		{"'open", []string{"'"}},
		{"a\tb\nc", []string{"a", "b", "c"}},
	}
	for _, s := range scenarios {
		t.Run(s.src, func(t *testing.T) {
			lx := &aggLexer{src: s.src}
			var got []string
			for tok := lx.next(); tok != ""; tok = lx.next() {
				got = append(got, tok)
			}
			if fmt.Sprint(got) != fmt.Sprint(s.want) {
				t.Fatalf("tokens = %q, want %q", got, s.want)
			}
		})
	}
}

func TestLexerPeekDoesNotConsume(t *testing.T) {
	t.Parallel()
	lx := &aggLexer{src: "a b"}
	if lx.peek() != "a" || lx.peek() != "a" || lx.next() != "a" || lx.next() != "b" || lx.next() != "" {
		t.Fatal("peek consumed a token")
	}
}

// TestAggKey: the canonical text that keys unaliased expressions in the
// response.
func TestAggKey(t *testing.T) {
	t.Parallel()
	scenarios := map[string]string{
		"count":                       "count",
		"COUNT(*)":                    "count",
		"Sum( priority )":             "sum(priority)",
		"item.title":                  "title",
		"project.name":                "project.name",
		"replace(title,'it''s','b')":  "replace(title,'it''s','b')",
		"round(price,2)":              "round(price,2)",
		"coalesce(project.name,'-')":  "coalesce(project.name,'-')",
		"date( created_at )":          "date(created_at)",
		"max(upper(title))":           "max(upper(title))",
		"round(avg(price), 1)":        "round(avg(price),1)",
		"substr(title, 1, 2)":         "substr(title,1,2)",
		"strftime('%Y',created_at)":   "strftime('%Y',created_at)",
		"abs(priority)":               "abs(priority)",
		"nullif(priority, 0)":         "nullif(priority,0)",
		"ifnull(price, 1.5)":          "ifnull(price,1.5)",
		"first(title)":                "first(title)",
		"count(project.reference_id)": "count(project.reference_id)",
	}
	for src, want := range scenarios {
		t.Run(src, func(t *testing.T) {
			e, err := parseAggExpr(src)
			if err != nil {
				t.Fatal(err)
			}
			if got := aggKey(e, "item"); got != want {
				t.Fatalf("aggKey = %q, want %q", got, want)
			}
		})
	}
}

func TestParseAggExprRefuses(t *testing.T) {
	t.Parallel()
	deep := strings.Repeat("upper(", maxAggDepth+2) + "title" + strings.Repeat(")", maxAggDepth+2)
	scenarios := map[string]string{
		"":                      "",
		"sum(":                  "",
		"sum(priority":          "",
		"sum(priority))":        `unexpected ")"`,
		"nosuch(title)":         "nosuch",
		"sum(a,b)":              "sum takes 1 argument(s)",
		"substr(title)":         "substr takes 2 to 3 arguments",
		"title title":           `unexpected "title"`,
		"project.":              "",
		"1abc":                  "",
		deep:                    "",
		"'unterminated":         "",
		"upper(title) as x y":   "",
		"drop table item; --":   "",
		"title/**/":             "",
		"sum(priority) as __id": "",
	}
	for src, detail := range scenarios {
		t.Run(src, func(t *testing.T) {
			if _, err := parseAggExpr(src); err == nil || !strings.Contains(err.Error(), detail) {
				t.Fatalf("parseAggExpr(%q) err = %v, want one mentioning %q", src, err, detail)
			}
		})
	}
}

func TestParseAggVal(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		raw  string
		join bool
		kind aggValKind
		want string
	}{
		{"'it''s'", false, valLit, "it's"},
		{"NULL", false, valLit, "<nil>"},
		{"true", false, valLit, "true"},
		{"-12", false, valLit, "-12"},
		{"1.5e2", false, valLit, "150"},
		{"99999999999999999999", false, valLit, "1e+20"},
		{"open", false, valLit, "open"},
		{"project@0190f0b2-7c3e-7000-8000-000000000000", false, valRef, "project"},
		{"project@not-a-uuid", false, valLit, "project@not-a-uuid"},
		{"project.id", true, valCol, "project.id"},
	}
	for _, s := range scenarios {
		t.Run(s.raw, func(t *testing.T) {
			v, err := parseAggVal(s.raw, s.join)
			if err != nil {
				t.Fatal(err)
			}
			var got string
			switch v.kind {
			case valRef:
				got = v.entity
			case valCol:
				got = v.col.table + "." + v.col.name
			default:
				got = fmt.Sprint(v.v)
			}
			if v.kind != s.kind || got != s.want {
				t.Fatalf("parseAggVal = kind %v %q, want kind %v %q", v.kind, got, s.kind, s.want)
			}
		})
	}
	if _, err := parseAggVal("sum(x)", true); err == nil {
		t.Error("a function on the right side of a join was accepted")
	}
}
