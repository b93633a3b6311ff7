package actions

import (
	"math/rand/v2"
	"net/http"
	"testing"

	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/schema"
)

func TestFakeRowsAndCandidates(t *testing.T) {
	t.Parallel()
	_, svc, ctx := dataExecutor(t)
	part, err := dataTable(svc.Schema(), "part")
	if err != nil {
		t.Fatal(err)
	}
	gadget, _ := dataTable(svc.Schema(), "gadget")
	for i := range gadget.Columns {
		c := &gadget.Columns[i]
		want := c.ColumnName == schema.ColID || c.ColumnName == schema.ColReferenceID || c.ColumnName == schema.ColPermission ||
			c.ColumnName == schema.ColVersion || c.ColumnName == schema.ColCreatedAt || c.ColumnName == schema.ColUpdatedAt ||
			c.ColumnName == schema.ColOwner && gadget.HasOwner()
		if got := isStandardColumn(gadget, c); got != want {
			t.Errorf("isStandardColumn(%s) = %v", c.ColumnName, got)
		}
	}
	if _, err := fkCandidates(ctx, svc, part); statusOf(err) != http.StatusBadRequest {
		t.Errorf("candidates without gadgets: %v", err)
	}
	g, err := svc.Create(ctx, "gadget", resource.Input{Attributes: map[string]any{"title": "g"}})
	if err != nil {
		t.Fatal(err)
	}
	refs, err := fkCandidates(ctx, svc, part)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	row := fakeRow(part, refs, rng)
	for k := range row {
		if c, ok := part.Column(k); !ok || isStandardColumn(part, c) {
			t.Errorf("fake row sets %s", k)
		}
	}
	found := false
	for _, v := range row {
		if v == g.RefID {
			found = true
		}
	}
	if !found || row["label"] == nil {
		t.Errorf("fake part: %v (gadget %s)", row, g.RefID)
	}
	if fakeRow(gadget, nil, rand.New(rand.NewPCG(1, 2)))["title"] != fakeRow(gadget, nil, rand.New(rand.NewPCG(1, 2)))["title"] {
		t.Error("fake rows are not a function of the random source")
	}
	// deleteVisible empties the table for a caller who may delete.
	if err := deleteVisible(ctx, svc, "gadget"); err != nil {
		t.Fatal(err)
	}
	if n := count(t, svc, ctx, "gadget"); n != 0 {
		t.Errorf("%d gadgets left", n)
	}
}
