package resource

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func TestOrderListsKeepTheNewestStamp(t *testing.T) {
	t.Parallel()
	var o orderLists
	o.put("q", orderList{basis: basis{stamp: 5}, ids: newIDList([]int64{1, 2})})
	o.put("q", orderList{basis: basis{stamp: 4}, ids: newIDList([]int64{9})}) // an older read lands late
	if l, ok := o.get("q"); !ok || l.stamp != 5 || !reflect.DeepEqual(l.ids.Slice(0, l.ids.Len()), []int64{1, 2}) {
		t.Fatalf("kept %+v, want the stamp-5 list", l)
	}
	o.put("q", orderList{basis: basis{stamp: 6}, ids: newIDList([]int64{3})})
	if l, _ := o.get("q"); l.stamp != 6 {
		t.Fatalf("newer list not kept: %+v", l)
	}
	if o.held != weight("q", newIDList([]int64{3})) {
		t.Fatalf("held = %d after replacing, want %d", o.held, weight("q", newIDList([]int64{3})))
	}
	o.reset()
	if _, ok := o.get("q"); ok || o.held != 0 {
		t.Fatal("reset kept a list")
	}
}

func TestOrderListsBounds(t *testing.T) {
	t.Parallel()
	var o orderLists
	o.put("huge", orderList{ids: newIDList(make([]int64, maxOrderList+1))})
	if _, ok := o.get("huge"); ok || o.held != 0 {
		t.Fatal("a list over maxOrderList was kept")
	}
	big := newIDList(make([]int64, maxOrderList))
	for i := range 4 {
		o.put(fmt.Sprint("k", i), orderList{ids: big})
	}
	if o.held > maxOrderIDs {
		t.Fatalf("held %d ids, over the bound %d", o.held, maxOrderIDs)
	}
	if _, ok := o.get("k3"); !ok {
		t.Fatal("the latest list was dropped to make room")
	}
	if weight("abcdefgh", idList{}) != 9 || weight("", newIDList([]int64{1, 2})) != 10 {
		t.Fatal("weight counts ids, key bytes / 8 and a fixed 8")
	}
}

func TestOrderListsSingleFlight(t *testing.T) {
	t.Parallel()
	var o orderLists
	f, leader := o.join("q", 1)
	if !leader {
		t.Fatal("the first reader is not the leader")
	}
	g, leader2 := o.join("q", 1)
	if leader2 || g != f {
		t.Fatal("a second reader under the same stamp started its own read")
	}
	h, leader3 := o.join("q", 2)
	if !leader3 || h == f {
		t.Fatal("a reader under a newer stamp waited for an older read")
	}
	boom := errors.New("boom")
	o.land("q", f, idList{}, false, boom) // the stamp-2 flight stays registered
	<-f.done
	if f.err != boom {
		t.Fatalf("waiters see err %v", f.err)
	}
	if i, leader := o.join("q", 2); leader || i != h {
		t.Fatal("landing an old flight removed the newer one")
	}
	o.land("q", h, newIDList([]int64{7}), true, nil)
	<-h.done
	if !h.ok || !reflect.DeepEqual(h.ids.Slice(0, h.ids.Len()), []int64{7}) {
		t.Fatalf("flight result %+v", h)
	}
	if _, leader := o.join("q", 2); !leader {
		t.Fatal("a landed flight is still joined")
	}
}

func TestListPlanStatements(t *testing.T) {
	t.Parallel()
	w := whereFor(t, "postgres")
	w.add(`t."priority" > ?`, int64(1))
	p := newListPlan(w.d, w.v, w, ` ORDER BY t."id" ASC`, true)
	if p.idSQL != `SELECT t."id" FROM "todo" t WHERE t."priority" > ? ORDER BY t."id" ASC` || fmt.Sprint(p.idArgs) != "[1]" {
		t.Errorf("idSQL = %s %v", p.idSQL, p.idArgs)
	}
	if p.countSQL != `SELECT COUNT(*) FROM "todo" t WHERE t."priority" > ?` {
		t.Errorf("countSQL = %s", p.countSQL)
	}
	sqlText, args := p.rowsSQL(w.d, []int64{4, 5})
	if !strings.HasSuffix(sqlText, ` WHERE t."priority" > ? AND t."id" IN (?, ?)`) || fmt.Sprint(args) != "[1 4 5]" {
		t.Errorf("rowsSQL = %s %v", sqlText, args)
	}
	bare := whereFor(t, "postgres")
	q := newListPlan(bare.d, bare.v, bare, "", false)
	if s, _ := q.rowsSQL(bare.d, []int64{1}); !strings.HasSuffix(s, ` WHERE t."id" IN (?)`) {
		t.Errorf("rowsSQL without a filter = %s", s)
	}
}
