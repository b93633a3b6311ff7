package resource

import (
	"database/sql"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/apiary/apiary/schema"
	"github.com/apiary/apiary/storage/db"
)

func TestMapDBError(t *testing.T) {
	t.Parallel()
	s := &svc{core: &core{}}
	own := &Error{Kind: ErrForbidden, Title: "mine"}
	plain := errors.New("disk full")
	scenarios := []struct {
		in    error
		kind  error
		title string
	}{
		{fmt.Errorf("insert: %w", db.ErrConflict), ErrConflict, "conflict"},
		{db.ErrNotNull, ErrValidation, "missing value"},
		{db.ErrForeignKey, ErrConflict, "conflict"},
		{sql.ErrNoRows, ErrNotFound, "not found"},
		{db.ErrNotFound, ErrNotFound, "not found"},
	}
	for _, c := range scenarios {
		err := s.mapDBError(c.in)
		var re *Error
		if !errors.As(err, &re) || !errors.Is(err, c.kind) || re.Title != c.title {
			t.Errorf("mapDBError(%v) = %#v, want %v titled %q", c.in, err, c.kind, c.title)
		}
	}
	if got := s.mapDBError(own); got != own {
		t.Errorf("a layer error was rewrapped: %v", got)
	}
	if got := s.mapDBError(plain); got != plain {
		t.Errorf("an unknown error was changed: %v", got)
	}
}

func TestTableLookup(t *testing.T) {
	t.Parallel()
	file, err := schema.Parse("svc.yaml", []byte(fuzzSchema))
	if err != nil {
		t.Fatal(err)
	}
	sc, err := schema.Compile(schema.Source{Path: "svc.yaml", File: file})
	if err != nil {
		t.Fatal(err)
	}
	if tb, err := table(sc, "todo"); err != nil || tb.TableName != "todo" {
		t.Fatalf("table(todo) = %v, %v", tb, err)
	}
	if _, err := table(sc, "nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("table(nope) err = %v, want not found", err)
	}
	todo, _ := table(sc, "todo")
	for _, name := range []string{"project_id", "project"} {
		if l, ok := resolveLink(todo, name); !ok || l.Target != "project" {
			t.Errorf("resolveLink(%q) = %+v, %v; want the link to project", name, l, ok)
		}
	}
	if _, ok := resolveLink(todo, "user"); ok {
		t.Error("resolveLink found an unknown relation")
	}
	if ids := rowIDs([]Row{{ID: 3}, {ID: 1}}); fmt.Sprint(ids) != "[3 1]" {
		t.Errorf("rowIDs = %v", ids)
	}
}

func TestIDSorted(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		sort     []SortKey
		desc, ok bool
	}{
		{nil, false, false},
		{[]SortKey{{Column: "id"}}, false, true},
		{[]SortKey{{Column: "id", Desc: true}}, true, true},
		{[]SortKey{{Column: "title"}}, false, false},
		{[]SortKey{{Column: "id"}, {Column: "title"}}, false, false},
	}
	for _, s := range scenarios {
		desc, ok := idSorted(Query{Sort: s.sort})
		if desc != s.desc || ok != s.ok {
			t.Errorf("idSorted(%v) = %v, %v; want %v, %v", s.sort, desc, ok, s.desc, s.ok)
		}
	}
}

// TestEmit: a change waits in the transaction's pending list with the
// layer's clock, and one to the world rows marks the gates touched.
func TestEmit(t *testing.T) {
	t.Parallel()
	at := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	var pending []Change
	s := &svc{core: &core{now: func() time.Time { return at }}, pending: &pending}
	s.emit(Change{Table: "todo", Op: OpCreate})
	if len(pending) != 1 || !pending[0].At.Equal(at) || s.gatesTouched {
		t.Fatalf("after a todo change: pending %v, gates touched %v", pending, s.gatesTouched)
	}
	s.emit(Change{Table: schema.TableWorld, Op: OpUpdate})
	if len(pending) != 2 || !s.gatesTouched {
		t.Fatalf("a world change did not mark the gates: %v", s.gatesTouched)
	}
	outside := &svc{core: &core{now: time.Now}}
	outside.emit(Change{Table: "todo"}) // no transaction: nothing to keep, no panic
}
