package resource_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/resource/resourcetest"
)

const noteSchema = `
Tables:
  - TableName: note
    Columns:
      - {Name: title, ColumnType: label}
      - {Name: stars, ColumnType: rating, DefaultValue: "0"}
`

func sys() context.Context { return auth.WithPrincipal(context.Background(), auth.System()) }

type recorder struct {
	mu  sync.Mutex
	got []resource.Change
}

func (r *recorder) add(c resource.Change) { r.mu.Lock(); r.got = append(r.got, c); r.mu.Unlock() }
func (r *recorder) len() int              { r.mu.Lock(); defer r.mu.Unlock(); return len(r.got) }

func TestChangesAfterCommitOnly(t *testing.T) {
	t.Parallel()
	res := resourcetest.New(t, noteSchema)
	rec := &recorder{}
	cancel := res.Subscribe(rec.add)
	defer cancel()
	ctx := sys()

	var inside int
	err := res.InTx(ctx, func(tx resource.Service) error {
		if _, err := tx.Create(ctx, "note", resource.Input{Attributes: map[string]any{"title": "a"}}); err != nil {
			return err
		}
		inside = rec.len() // nothing published before commit
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if inside != 0 || rec.len() != 1 || rec.got[0].Op != resource.OpCreate || rec.got[0].Table != "note" || rec.got[0].Row["title"] != "a" {
		t.Fatalf("inside=%d changes=%+v", inside, rec.got)
	}

	boom := errors.New("boom")
	err = res.InTx(ctx, func(tx resource.Service) error {
		if _, err := tx.Create(ctx, "note", resource.Input{Attributes: map[string]any{"title": "rolled back"}}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx error %v", err)
	}
	if rec.len() != 1 {
		t.Errorf("a rolled-back write published %d changes", rec.len()-1)
	}
	page, err := res.List(ctx, "note", resource.Query{})
	if err != nil || page.Total != 1 {
		t.Fatalf("after rollback: total %d, %v", page.Total, err)
	}
	id := page.Rows[0].RefID
	if _, err := res.Update(ctx, "note", id, resource.Input{Attributes: map[string]any{"stars": 4}}); err != nil {
		t.Fatal(err)
	}
	if err := res.Delete(ctx, "note", id); err != nil {
		t.Fatal(err)
	}
	if rec.len() != 3 || rec.got[1].Op != resource.OpUpdate || rec.got[2].Op != resource.OpDelete || rec.got[2].RefID != id {
		t.Errorf("changes %+v", rec.got)
	}
	cancel()
	if _, err := res.Create(ctx, "note", resource.Input{Attributes: map[string]any{"title": "c"}}); err != nil {
		t.Fatal(err)
	}
	if rec.len() != 3 {
		t.Error("a cancelled subscription still receives changes")
	}
}

func TestValidateOnly(t *testing.T) {
	t.Parallel()
	res := resourcetest.New(t, noteSchema)
	ctx := sys()
	row, err := res.Create(ctx, "note", resource.Input{Attributes: map[string]any{"title": "ghost"}, ValidateOnly: true})
	if err != nil || row.Attrs["title"] != "ghost" || row.RefID == "" {
		t.Fatalf("validate-only create: %+v %v", row, err)
	}
	page, _ := res.List(ctx, "note", resource.Query{})
	if page.Total != 0 {
		t.Errorf("validate-only stored %d rows", page.Total)
	}
}

func TestErrorKinds(t *testing.T) {
	t.Parallel()
	res := resourcetest.New(t, noteSchema)
	ctx := sys()
	guest := context.Background()
	scenarios := []struct {
		name string
		run  func() error
		kind error
	}{
		{"unknown table", func() error { _, err := res.List(ctx, "nope", resource.Query{}); return err }, resource.ErrNotFound},
		{"bad id", func() error { _, err := res.Get(ctx, "note", "x", resource.Query{}); return err }, resource.ErrBadRequest},
		{"unknown id", func() error {
			_, err := res.Get(ctx, "note", "01a2077d-0000-7000-8000-000000000000", resource.Query{})
			return err
		}, resource.ErrNotFound},
		{"unknown sort", func() error {
			_, err := res.List(ctx, "note", resource.Query{Sort: []resource.SortKey{{Column: "title; drop table note"}}})
			return err
		}, resource.ErrBadRequest},
		{"unknown condition column", func() error {
			_, err := res.List(ctx, "note", resource.Query{Conditions: []resource.Condition{{Column: "x", Operator: "is", Value: 1}}})
			return err
		}, resource.ErrBadRequest},
		{"unknown operator", func() error {
			_, err := res.List(ctx, "note", resource.Query{Conditions: []resource.Condition{{Column: "title", Operator: "; drop", Value: 1}}})
			return err
		}, resource.ErrBadRequest},
		{"wrong type", func() error {
			_, err := res.Create(ctx, "note", resource.Input{Attributes: map[string]any{"title": "x", "stars": "many"}})
			return err
		}, resource.ErrValidation},
		{"unknown attribute", func() error {
			_, err := res.Create(ctx, "note", resource.Input{Attributes: map[string]any{"title": "x", "nope": 1}})
			return err
		}, resource.ErrValidation},
		{"bad password", func() error { _, err := res.Authenticate(guest, "nobody@example.test", "x"); return err }, resource.ErrUnauthenticated},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			if err := s.run(); !errors.Is(err, s.kind) {
				t.Errorf("got %v, want %v", err, s.kind)
			}
		})
	}
}

// TestRelinkEventCarriesBothRows: a row's own foreign key changed through
// AddLinks or RemoveLinks is announced with the row before and after, as an
// attribute update is.
func TestRelinkEventCarriesBothRows(t *testing.T) {
	t.Parallel()
	res := resourcetest.New(t, cascadeSchema) // book has_one shelf
	ctx := sys()
	var shelves [2]string
	for i := range shelves {
		r, err := res.Create(ctx, "shelf", resource.Input{Attributes: map[string]any{"label": "s"}})
		if err != nil {
			t.Fatal(err)
		}
		shelves[i] = r.RefID
	}
	b, err := res.Create(ctx, "book", resource.Input{Attributes: map[string]any{"title": "b"},
		Relationships: map[string]resource.RelInput{"shelf_id": {Refs: []resource.Ref{{Type: "shelf", ID: shelves[0]}}}}})
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	cancel := res.Subscribe(rec.add)
	defer cancel()
	if err := res.AddLinks(ctx, "book", b.RefID, "shelf_id", []resource.Ref{{Type: "shelf", ID: shelves[1]}}); err != nil {
		t.Fatal(err)
	}
	if err := res.RemoveLinks(ctx, "book", b.RefID, "shelf_id", nil); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ before, after any }{{shelves[0], shelves[1]}, {shelves[1], nil}}
	if rec.len() != len(tests) {
		t.Fatalf("changes %+v", rec.got)
	}
	for i, tc := range tests {
		c := rec.got[i]
		if c.Op != resource.OpUpdate || c.RefID != b.RefID || c.Before == nil || c.Row == nil ||
			c.Before["shelf_id"] != tc.before || c.Row["shelf_id"] != tc.after || c.Row["title"] != "b" {
			t.Errorf("change %d: before %v row %v, want shelf_id %v then %v", i, c.Before, c.Row, tc.before, tc.after)
		}
	}
}
