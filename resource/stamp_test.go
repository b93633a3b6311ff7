package resource_test

import (
	"errors"
	"testing"

	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/resource/resourcetest"
)

const stampSchema = `
Tables:
  - TableName: project
    Columns:
      - {Name: name, ColumnType: label}
  - TableName: chore
    Columns:
      - {Name: title, ColumnType: label}
  - TableName: tag
    Columns:
      - {Name: label, ColumnType: label}
  - TableName: memo
    Columns:
      - {Name: text, ColumnType: label}
Relations:
  - {Subject: chore, Relation: belongs_to, Object: project}
  - {Subject: chore, Relation: has_many, Object: tag}
`

// ReadStamp changes for a table exactly when a committed write may have
// changed a read of it: its own rows, rows one relation away, permission
// data; it stays put for writes to unrelated tables and for rollbacks.
func TestReadStamp(t *testing.T) {
	t.Parallel()
	res := resourcetest.New(t, stampSchema)
	st := res.(resource.Stamper)
	ctx := sys()
	create := func(table string, attrs map[string]any, rels ...resource.Ref) string {
		t.Helper()
		in := resource.Input{Attributes: attrs}
		for _, r := range rels {
			in.Relationships = map[string]resource.RelInput{r.Type + "_id": {Refs: []resource.Ref{r}}}
		}
		row, err := res.Create(ctx, table, in)
		if err != nil {
			t.Fatal(err)
		}
		return row.RefID
	}
	stamps := func() map[string]uint64 {
		m := map[string]uint64{}
		for _, n := range []string{"project", "chore", "tag", "memo"} {
			m[n] = st.ReadStamp(n)
		}
		return m
	}
	changed := func(step string, before map[string]uint64, want ...string) {
		t.Helper()
		after := stamps()
		wantSet := map[string]bool{}
		for _, w := range want {
			wantSet[w] = true
		}
		for n, b := range before {
			if moved := after[n] != b; moved != wantSet[n] {
				t.Errorf("%s: stamp of %s moved=%v, want %v", step, n, moved, wantSet[n])
			}
		}
	}

	b := stamps()
	pid := create("project", map[string]any{"name": "p"})
	changed("create project", b, "project", "chore") // chore belongs to project

	b = stamps()
	create("memo", map[string]any{"text": "m"})
	changed("create memo", b, "memo")

	b = stamps()
	tid := create("chore", map[string]any{"title": "t"}, resource.Ref{Type: "project", ID: pid})
	changed("create chore", b, "project", "chore", "tag")

	b = stamps()
	if _, err := res.Update(ctx, "project", pid, resource.Input{Attributes: map[string]any{"name": "q"}}); err != nil {
		t.Fatal(err)
	}
	changed("update project", b, "project", "chore")

	b = stamps()
	gid := create("tag", map[string]any{"label": "x"})
	changed("create tag", b, "tag", "chore")

	b = stamps()
	if err := res.AddLinks(ctx, "chore", tid, "tag_id", []resource.Ref{{Type: "tag", ID: gid}}); err != nil {
		t.Fatal(err)
	}
	changed("link a tag (join table)", b, "project", "chore", "tag", "memo")

	b = stamps()
	boom := errors.New("boom")
	_ = res.InTx(ctx, func(tx resource.Service) error {
		if _, err := tx.Create(ctx, "memo", resource.Input{Attributes: map[string]any{"text": "no"}}); err != nil {
			return err
		}
		return boom
	})
	changed("rolled back", b)

	b = stamps()
	res.Invalidate()
	changed("Invalidate", b, "project", "chore", "tag", "memo")

	if st.ReadStamp("no_such_table") == 0 {
		t.Error("unknown table has a zero stamp")
	}
}
