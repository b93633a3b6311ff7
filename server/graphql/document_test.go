package graphql

import (
	"strconv"
	"testing"

	"github.com/graphql-go/graphql/language/parser"

	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/resource/resourcetest"
)

func TestIsMutation(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		query, op string
		want      bool
	}{
		{`{ todo { title } }`, "", false},
		{`mutation { deleteTodo(reference_id: "x") { title } }`, "", true},
		{`query Q { todo { title } } mutation M { deleteTodo { title } }`, "Q", false},
		{`query Q { todo { title } } mutation M { deleteTodo { title } }`, "M", true},
		{`query Q { todo { title } }`, "Other", false},
		{`fragment F on todo { title } query { todo { ...F } }`, "", false},
	} {
		doc, err := parser.Parse(parser.ParseParams{Source: c.query})
		if err != nil {
			t.Fatalf("%s: %v", c.query, err)
		}
		if got := isMutation(doc, c.op); got != c.want {
			t.Errorf("isMutation(%q, %q) = %v", c.query, c.op, got)
		}
	}
}

func TestDocumentCache(t *testing.T) {
	t.Parallel()
	res := resourcetest.New(t, gqlSchema)
	h := New(Deps{Res: func() resource.Service { return res }, Enabled: func() bool { return true }})
	b, err := h.current()
	if err != nil {
		t.Fatal(err)
	}
	l := DefaultLimits()
	d1, res1 := b.document(`{ todo { title } }`, l)
	d2, _ := b.document(`{ todo { title } }`, l)
	if res1 != nil || d1 == nil || d1 != d2 {
		t.Errorf("a valid query is not parsed once: %v %p %p", res1, d1, d2)
	}
	if d, r := b.document(`{ todo { `, l); d != nil || r == nil || len(r.Errors) == 0 {
		t.Errorf("syntax error: %v %v", d, r)
	}
	if d, r := b.document(`{ nosuch }`, l); d == nil || r == nil || len(r.Errors) == 0 {
		t.Errorf("invalid field: %v %v", d, r)
	}
	if _, cached := b.docs[`{ nosuch }`]; cached {
		t.Error("an invalid document was cached")
	}
	for i := range maxDocs + 1 {
		if d, r := b.document("{ todo { title } }\n# "+strconv.Itoa(i), l); d == nil || r != nil {
			t.Fatalf("query %d: %v", i, r)
		}
	}
	if len(b.docs) > maxDocs || len(b.docs) == 0 {
		t.Errorf("%d cached documents, limit %d", len(b.docs), maxDocs)
	}
}
