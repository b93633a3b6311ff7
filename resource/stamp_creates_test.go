package resource

import (
	"slices"
	"testing"
)

func TestCreateLog(t *testing.T) {
	t.Parallel()
	var l createLog
	l.record("todo", 1, true, []string{"a"})
	l.record("todo", 2, true, []string{"b", "c"})
	l.record("todo", 3, false, nil)
	l.record("todo", 4, true, []string{"d"})
	l.record("other", 1, true, []string{"x"})
	for _, c := range []struct {
		name     string
		from, to uint64
		want     []string
		ok       bool
	}{
		{"nothing since", 2, 2, nil, true},
		{"two commits of creates", 0, 2, []string{"a", "b", "c"}, true},
		{"an update in between", 1, 4, nil, false},
		{"after the update", 3, 4, []string{"d"}, true},
		{"not yet recorded", 4, 5, nil, false},
		{"backwards", 4, 3, nil, false},
		{"older than the ring", 0, createLogSize + 1, nil, false},
	} {
		got, ok := l.creates("todo", c.from, c.to)
		if ok != c.ok || !slices.Equal(got, c.want) {
			t.Errorf("%s: %v %v, want %v %v", c.name, got, ok, c.want, c.ok)
		}
	}
	for v := uint64(5); v <= createLogSize+5; v++ {
		l.record("todo", v, true, []string{"n"})
	}
	if _, ok := l.creates("todo", 3, 5); ok {
		t.Error("an overwritten slot was taken for the commit it replaced")
	}
	if _, ok := l.creates("none", 0, 1); ok {
		t.Error("a table with no log answered")
	}
}

func TestTableCreates(t *testing.T) {
	t.Parallel()
	got := tableCreates([]Change{
		{Table: "todo", Op: OpCreate, RefID: "a"},
		{Table: "todo", Op: OpCreate, RefID: "b"},
		{Table: "note", Op: OpCreate, RefID: "c"},
		{Table: "note", Op: OpUpdate, RefID: "c"},
		{Table: "note", Op: OpCreate, RefID: "d"},
		{Table: "tag", Op: OpCreate},
	})
	if e := got["todo"]; !e.pure || !slices.Equal(e.refs, []string{"a", "b"}) {
		t.Errorf("todo: %+v", e)
	}
	if e := got["note"]; e.pure || e.refs != nil {
		t.Errorf("note: %+v", e)
	}
	if e := got["tag"]; e.pure {
		t.Errorf("tag (a create without a row id): %+v", e)
	}
}
