package resource

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestStreamPlan(t *testing.T) {
	t.Parallel()
	w := whereFor(t, "mysql")
	s := &svc{core: &core{d: w.d}}
	cols, sel, joins := s.streamPlan(w.v, []string{"__type", "title", "nope", "id", "project_id", "reference_id", "due"}, false, true)
	kinds := make([]streamKind, len(cols))
	for i, c := range cols {
		kinds[i] = c.kind
	}
	want := []streamKind{streamType, streamValue, streamNil, streamNil, streamFKRef, streamRefID, streamRawTime}
	if !reflect.DeepEqual(kinds, want) {
		t.Fatalf("kinds = %v, want %v", kinds, want)
	}
	if sel[0] != "t.`id`" || len(sel) != 5 {
		t.Fatalf("select list %v: want the id first, then one entry per shown column", sel)
	}
	if !strings.Contains(joins, " LEFT JOIN `project` ") || !strings.Contains(sel[2], ".`reference_id`") {
		t.Fatalf("foreign key not joined to its target's reference id: %q %v", joins, sel)
	}
	// Without raw times (other databases, or a retry), dates are plain values.
	cols, _, _ = s.streamPlan(w.v, []string{"due"}, false, false)
	if cols[0].kind != streamValue {
		t.Fatalf("due without raw times = %v", cols[0].kind)
	}
}

func TestStreamColValue(t *testing.T) {
	t.Parallel()
	w := whereFor(t, "sqlite")
	s := &svc{core: &core{d: w.d}}
	cols, _, _ := s.streamPlan(w.v, []string{"__type", "title", "done", "project_id", "reference_id", "due"}, false, true)
	ref := []byte("0123456789abcdef")
	at := time.Date(2024, 3, 9, 0, 0, 0, 0, time.UTC)
	raw := []any{int64(1), "Buy milk", int64(1), ref, ref, "2024-03-09 00:00:00+00:00"}
	var got []any
	for _, c := range cols {
		v, ok := c.value("todo", raw)
		if !ok {
			t.Fatalf("column %+v refused its value", c)
		}
		got = append(got, v)
	}
	id := refString(ref)
	want := []any{"todo", "Buy milk", int64(1), id, id, at}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("values = %#v\nwant %#v", got, want)
	}
	// A stored time in a form the fast reader does not know asks for a retry.
	raw[5] = "09/03/2024"
	if _, ok := cols[5].value("todo", raw); ok {
		t.Fatal("an unknown stored time form was accepted")
	}
}

func TestCanonical(t *testing.T) {
	t.Parallel()
	at := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	scenarios := []struct {
		sk   storageKind
		in   any
		want any
	}{
		{skString, "x", "x"},
		{skInt, int64(3), int64(3)},
		{skFloat, 1.5, 1.5},
		{skTime, at, at},
		{skTime, at.In(time.FixedZone("x", 3600)), at},
		{skInt, []byte("7"), int64(7)},
		{skBool, int64(1), true},
		{skString, []byte("b"), "b"},
	}
	for _, s := range scenarios {
		if got := canonical(s.sk, s.in); !reflect.DeepEqual(got, s.want) {
			t.Errorf("canonical(%v, %#v) = %#v, want %#v", s.sk, s.in, got, s.want)
		}
	}
}
