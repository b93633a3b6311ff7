package resource

import (
	"slices"
	"strconv"
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

// The kept lists stay within their bound however many distinct queries
// ask, empty ones included, and a list read under an older stamp never
// replaces a newer one.
func TestOrderListsBound(t *testing.T) {
	t.Parallel()
	var o orderLists
	for i := range 200000 {
		o.put(strconv.Itoa(i), orderList{basis: basis{stamp: 1}})
	}
	if o.held > maxOrderIDs || len(o.lists) > maxOrderIDs/8 {
		t.Fatalf("held %d ids in %d lists", o.held, len(o.lists))
	}
	o.put("k", orderList{basis: basis{stamp: 5}, ids: newIDList([]int64{1, 2})})
	o.put("k", orderList{basis: basis{stamp: 4}, ids: newIDList([]int64{9})})
	if l, _ := o.get("k"); l.stamp != 5 || l.ids.Len() != 2 {
		t.Fatalf("kept %+v", l)
	}
	o.put("big", orderList{basis: basis{stamp: 5}, ids: newIDList(make([]int64, maxOrderList+1))})
	if _, ok := o.get("big"); ok {
		t.Fatal("a list longer than maxOrderList was kept")
	}
}
