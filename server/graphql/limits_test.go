package graphql

import (
	"strings"
	"testing"

	"github.com/graphql-go/graphql/language/parser"
)

func TestLimits(t *testing.T) {
	t.Parallel()
	l := Limits{MaxNesting: 8, MaxDepth: 3, MaxArgumentDepth: 2, MaxAliases: 2, MaxFields: 6}.withDefaults()
	tests := []struct {
		name, query, want string // want "" = accepted
	}{
		{"plain", "{ a { b c } }", ""},
		{"brackets too deep", "{ a(x: [[[[[[[[1]]]]]]]]) }", "nests deeper than 8"},
		{"brackets in a string are text", `{ a(x: "{{{{{{{{{{{{") }`, ""},
		{"brackets in a block string are text", `{ a(x: """{{{{{{{{{{{{ \""" {{{{""") }`, ""},
		{"brackets in a comment are text", "{ a # {{{{{{{{{{{{\n }", ""},
		{"selections too deep", "{ a { b { c { d } } } }", "deeper than 3 levels"},
		{"argument too deep", "{ a(x: {y: {z: 1}}) }", "argument nests deeper than 2"},
		{"argument list too deep", "{ a(x: [[1]]) }", "argument nests deeper than 2"},
		{"aliases", "{ x: a y: a z: a }", "more than 2 aliases"},
		{"fields", "{ a b c d e f g }", "more than 6 fields"},
		{"fragments expand", "{ ...F ...F ...F } fragment F on Q { a b c }", "more than 6 fields"},
		{"fragment cycle left to validation", "{ ...F } fragment F on Q { ...F }", ""},
		{"fragment depth counts", "{ a { ...F } } fragment F on Q { b { c { d } } }", "deeper than 3 levels"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := l.checkText(tc.query)
			if err == nil {
				doc, perr := parser.Parse(parser.ParseParams{Source: tc.query})
				if perr != nil {
					t.Fatalf("parse: %v", perr)
				}
				err = l.checkDocument(doc)
			}
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("got %v, want %q", err, tc.want)
			}
		})
	}
}

func TestVariableDepth(t *testing.T) {
	t.Parallel()
	l := Limits{MaxArgumentDepth: 3}.withDefaults()
	ok := map[string]any{"v": map[string]any{"a": []any{1}}}
	deep := map[string]any{"v": map[string]any{"a": []any{[]any{1}}}}
	if err := l.checkVariables(ok); err != nil {
		t.Errorf("3 levels refused: %v", err)
	}
	if err := l.checkVariables(deep); err == nil {
		t.Error("4 levels accepted")
	}
}

func TestCappedAnswer(t *testing.T) {
	t.Parallel()
	var small, big strings.Builder
	if _, err := (capped{w: &small, limit: 10}).Write([]byte(`{"a":1}`)); err != nil || small.String() != `{"a":1}` {
		t.Errorf("small answer: %q %v", small.String(), err)
	}
	if _, err := (capped{w: &big, limit: 10}).Write([]byte(`{"data":"far too long"}`)); err != nil || !strings.Contains(big.String(), "larger than 10 bytes") {
		t.Errorf("big answer: %q %v", big.String(), err)
	}
}
