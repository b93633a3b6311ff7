package resource_test

import (
	"context"
	"errors"
	"testing"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/resource/resourcetest"
)

const cascadeSchema = `
Tables:
  - TableName: shelf
    Columns:
      - {Name: label, ColumnType: label}
  - TableName: book
    Columns:
      - {Name: title, ColumnType: label}
  - TableName: note
    Columns:
      - {Name: text, ColumnType: label}
Relations:
  - {Subject: book, Relation: has_one, Object: shelf, OnDelete: cascade}
  - {Subject: note, Relation: has_one, Object: shelf}
`

// TestDeleteCascades: rows of a relation with OnDelete cascade go with the
// row they point at, each with its own change event; a plain nullable
// reference is cleared; a child the caller may not delete refuses the
// whole delete and nothing is lost.
func TestDeleteCascades(t *testing.T) {
	t.Parallel()
	res := resourcetest.New(t, cascadeSchema)
	user := func(name string) (context.Context, string) {
		u, err := res.Create(sys(), "user_account", resource.Input{Attributes: map[string]any{"name": name, "email": name + "@example.test", "password": name + "-password"}})
		if err != nil {
			t.Fatal(err)
		}
		return auth.WithPrincipal(context.Background(), auth.Principal{UserID: u.ID, UserRef: u.RefID, Email: name + "@example.test"}), u.RefID
	}
	ann, _ := user("ann")
	_, bobRef := user("bob")
	create := func(ctx context.Context, table string, attrs map[string]any, shelf, owner string) string {
		t.Helper()
		in := resource.Input{Attributes: attrs, Owner: owner}
		if owner != "" { // others may see the row, not change it
			perm := int64(auth.UserCRUD | auth.GuestPeek | auth.GuestRead)
			in.Permission = &perm
		}
		if shelf != "" {
			in.Relationships = map[string]resource.RelInput{"shelf_id": {Refs: []resource.Ref{{Type: "shelf", ID: shelf}}}}
		}
		r, err := res.Create(ctx, table, in)
		if err != nil {
			t.Fatalf("create %s: %v", table, err)
		}
		return r.RefID
	}
	shelf := create(ann, "shelf", map[string]any{"label": "a"}, "", "")
	books := []string{create(ann, "book", map[string]any{"title": "1"}, shelf, ""), create(ann, "book", map[string]any{"title": "2"}, shelf, "")}
	note := create(ann, "note", map[string]any{"text": "n"}, shelf, "")
	other := create(ann, "book", map[string]any{"title": "elsewhere"}, "", "")

	// A book on the shelf that Bob owns: Ann may not delete it, so she may
	// not delete the shelf either.
	bobs := create(sys(), "book", map[string]any{"title": "bob's"}, shelf, bobRef)
	var re *resource.Error
	if err := res.Delete(ann, "shelf", shelf); !errors.As(err, &re) || re.Kind != resource.ErrForbidden {
		t.Fatalf("delete with another user's child: %v, want forbidden", err)
	}
	for _, ref := range append(books, bobs, shelf) {
		table := "book"
		if ref == shelf {
			table = "shelf"
		}
		if _, err := res.Get(sys(), table, ref, resource.Query{}); err != nil {
			t.Fatalf("%s %s lost by a refused delete: %v", table, ref, err)
		}
	}
	if err := res.Delete(sys(), "book", bobs); err != nil {
		t.Fatal(err)
	}

	rec := &recorder{}
	cancel := res.Subscribe(rec.add)
	defer cancel()
	if err := res.Delete(ann, "shelf", shelf); err != nil {
		t.Fatal(err)
	}
	for _, ref := range books {
		if _, err := res.Get(sys(), "book", ref, resource.Query{}); !errors.Is(err, resource.ErrNotFound) {
			t.Errorf("book %s after its shelf was deleted: %v", ref, err)
		}
	}
	if _, err := res.Get(sys(), "book", other, resource.Query{}); err != nil {
		t.Errorf("a book on no shelf went too: %v", err)
	}
	n, err := res.Get(sys(), "note", note, resource.Query{})
	if err != nil || n.Attrs["shelf_id"] != nil {
		t.Errorf("note after its shelf was deleted: %v %v (want kept, shelf_id cleared)", n.Attrs, err)
	}
	deleted := map[string]bool{}
	for _, c := range rec.got {
		if c.Op == resource.OpDelete {
			deleted[c.Table+"/"+c.RefID] = c.Before != nil
		}
	}
	if len(deleted) != 3 || !deleted["shelf/"+shelf] || !deleted["book/"+books[0]] || !deleted["book/"+books[1]] {
		t.Errorf("delete events %v, want the shelf and its two books, each with its row", deleted)
	}
}

// TestDeleteCascadesDownATree: a table whose rows point at a parent row of
// the same table loses the whole subtree, and a row pointing at itself
// does not loop.
func TestDeleteCascadesDownATree(t *testing.T) {
	t.Parallel()
	res := resourcetest.New(t, `
Tables:
  - TableName: node
    Columns:
      - {Name: label, ColumnType: label}
Relations:
  - {Subject: node, Relation: has_one, Object: node, SubjectName: children, ObjectName: parent_id, OnDelete: cascade}
`)
	mk := func(label, parent string) string {
		t.Helper()
		in := resource.Input{Attributes: map[string]any{"label": label}}
		if parent != "" {
			in.Relationships = map[string]resource.RelInput{"parent_id": {Refs: []resource.Ref{{Type: "node", ID: parent}}}}
		}
		r, err := res.Create(sys(), "node", in)
		if err != nil {
			t.Fatal(err)
		}
		return r.RefID
	}
	root := mk("root", "")
	child := mk("child", root)
	grand := mk("grandchild", child)
	keep := mk("other root", "")
	if err := res.AddLinks(sys(), "node", root, "parent_id", []resource.Ref{{Type: "node", ID: root}}); err != nil {
		t.Fatal(err)
	}
	if err := res.Delete(sys(), "node", root); err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{root, child, grand} {
		if _, err := res.Get(sys(), "node", ref, resource.Query{}); !errors.Is(err, resource.ErrNotFound) {
			t.Errorf("node %s after the root was deleted: %v", ref, err)
		}
	}
	if _, err := res.Get(sys(), "node", keep, resource.Query{}); err != nil {
		t.Errorf("another root went too: %v", err)
	}
}
