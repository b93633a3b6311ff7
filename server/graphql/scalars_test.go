package graphql

import (
	"testing"
	"time"

	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/language/ast"
)

func TestDateTimeAcceptsPlainDatesAndRFC3339(t *testing.T) {
	t.Parallel()
	dateTime := newDateTime()
	scenarios := []struct {
		in   string
		want string // "" = rejected
	}{
		{"2026-12-24", "2026-12-24T00:00:00Z"},
		{"2026-12-24T10:30:00Z", "2026-12-24T10:30:00Z"},
		{"2026-12-24T10:30:00+02:00", "2026-12-24T08:30:00Z"},
		{"2026-12-24 10:30:00", "2026-12-24T10:30:00Z"},
		{"24/12/2026", ""},
	}
	for _, s := range scenarios {
		t.Run(s.in, func(t *testing.T) {
			got := dateTime.ParseLiteral(&ast.StringValue{Value: s.in})
			if s.want == "" {
				if got != nil {
					t.Fatalf("accepted %q as %v", s.in, got)
				}
				return
			}
			tm, ok := got.(time.Time)
			if !ok || dateTime.Serialize(tm) != s.want || dateTime.ParseValue(s.in) != tm {
				t.Fatalf("%q -> %v", s.in, got)
			}
		})
	}
	if dateTime.Serialize(nil) != nil {
		t.Error("null must stay null")
	}
}

func TestCamel(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"todo": "Todo", "user_account": "UserAccount", "become_an_administrator": "BecomeAnAdministrator", "x.y-z": "XYZ"} {
		if got := camel(in); got != want {
			t.Errorf("camel(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestJSONLiteral(t *testing.T) {
	t.Parallel()
	v := literal(&ast.ListValue{Values: []ast.Value{&ast.ObjectValue{Fields: []*ast.ObjectField{
		{Name: &ast.Name{Value: "column"}, Value: &ast.StringValue{Value: "done"}},
		{Name: &ast.Name{Value: "value"}, Value: &ast.IntValue{Value: "1"}},
	}}}})
	list, ok := v.([]any)
	if !ok || len(list) != 1 || list[0].(map[string]any)["column"] != "done" || list[0].(map[string]any)["value"] != float64(1) {
		t.Fatalf("literal = %#v", v)
	}
}

func TestScalarsArePerSchema(t *testing.T) {
	t.Parallel()
	a, b := newScalars(), newScalars()
	if a.dateTime == b.dateTime || a.json == b.json {
		t.Fatal("two schemas share a scalar type object")
	}
	cases := []struct {
		name string
		want any
	}{
		{"DateTime", a.dateTime}, {"Int", graphql.Int}, {"Float", graphql.Float},
		{"Boolean", graphql.Boolean}, {"ID", graphql.ID}, {"String", graphql.String}, {"Other", graphql.String},
	}
	for _, c := range cases {
		if got := a.output(c.name); got != c.want {
			t.Errorf("output(%s) = %v, want %v", c.name, got, c.want)
		}
		if got := a.input(c.name); got != c.want {
			t.Errorf("input(%s) = %v, want %v", c.name, got, c.want)
		}
	}
}
