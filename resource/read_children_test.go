package resource_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
)

const childSchema = `
Tables:
  - TableName: box
    Columns:
      - {Name: name, ColumnType: label}
  - TableName: msg
    Columns:
      - {Name: n, ColumnType: measurement, DataType: bigint, IsNullable: true}
      - {Name: label, ColumnType: label}
      - {Name: seen, ColumnType: datetime, DataType: datetime, IsNullable: true}
Relations:
  - {Subject: msg, Relation: belongs_to, Object: box}
`

func TestReadChildren(t *testing.T) {
	t.Parallel()
	res, _ := yamlService(t, childSchema)
	user := func(name string) context.Context {
		u, err := res.Create(sys(), "user_account", resource.Input{Attributes: map[string]any{"name": name, "email": name + "@example.test", "password": name + "-password"}})
		if err != nil {
			t.Fatal(err)
		}
		return auth.WithPrincipal(context.Background(), auth.Principal{UserID: u.ID, UserRef: u.RefID, Email: name + "@example.test"})
	}
	ann, dan := user("ann"), user("dan")
	boxA, err := res.Create(ann, "box", resource.Input{Attributes: map[string]any{"name": "a"}})
	if err != nil {
		t.Fatal(err)
	}
	boxB, err := res.Create(ann, "box", resource.Input{Attributes: map[string]any{"name": "b"}})
	if err != nil {
		t.Fatal(err)
	}
	seen := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	refs := map[string]string{}
	// Written out of order: the read comes in n order.
	for _, m := range []struct {
		ctx   context.Context
		box   string
		n     int
		label string
	}{{ann, boxA.RefID, 3, "a3"}, {ann, boxA.RefID, 1, "a1"}, {dan, boxA.RefID, 2, "a2-dan"}, {ann, boxA.RefID, 4, "a4"}, {ann, boxB.RefID, 1, "b1"}} {
		r, err := res.Create(m.ctx, "msg", resource.Input{Attributes: map[string]any{"n": m.n, "label": m.label, "seen": seen, "box_id": m.box}})
		if err != nil {
			t.Fatal(err)
		}
		// Owner only, as a mail row.
		if _, err := res.Update(sys(), "msg", r.RefID, resource.Input{Attributes: map[string]any{"permission": int64(auth.UserCRUD | auth.UserExecute)}}); err != nil {
			t.Fatal(err)
		}
		refs[m.label] = r.RefID
	}
	cols := []string{"reference_id", "n", "label", "seen", "box_id", "nosuch"}
	row := func(label string, n int64) []any {
		return []any{refs[label], n, label, seen, boxA.RefID, nil}
	}
	for _, tc := range []struct {
		name string
		ctx  context.Context
		q    resource.ChildQuery
		want [][]any
		err  error
	}{
		{"system, whole box", sys(), resource.ChildQuery{FK: "box_id", Parent: boxA.RefID, Order: "n"},
			[][]any{row("a1", 1), row("a2-dan", 2), row("a3", 3), row("a4", 4)}, nil},
		{"owner sees own rows", ann, resource.ChildQuery{FK: "box_id", Parent: boxA.RefID, Order: "n"},
			[][]any{row("a1", 1), row("a3", 3), row("a4", 4)}, nil},
		{"guest", context.Background(), resource.ChildQuery{FK: "box_id", Parent: boxA.RefID, Order: "n"}, nil, nil},
		{"other user", dan, resource.ChildQuery{FK: "box_id", Parent: boxA.RefID, Order: "n"},
			[][]any{row("a2-dan", 2)}, nil},
		{"bounded", sys(), resource.ChildQuery{FK: "box_id", Parent: boxA.RefID, Order: "n", Bounded: true, Lo: 2, Hi: 3},
			[][]any{row("a2-dan", 2), row("a3", 3)}, nil},
		{"empty range", sys(), resource.ChildQuery{FK: "box_id", Parent: boxA.RefID, Order: "n", Bounded: true, Lo: 9, Hi: 10}, nil, nil},
		{"unknown parent", sys(), resource.ChildQuery{FK: "box_id", Parent: "00000000-0000-0000-0000-000000000000", Order: "n"}, nil, nil},
		{"not a foreign key", sys(), resource.ChildQuery{FK: "label", Parent: boxA.RefID, Order: "n"}, nil, resource.ErrBadRequest},
		{"unknown order", sys(), resource.ChildQuery{FK: "box_id", Parent: boxA.RefID, Order: "nosuch"}, nil, resource.ErrBadRequest},
		{"bad parent id", sys(), resource.ChildQuery{FK: "box_id", Parent: "x", Order: "n"}, nil, resource.ErrBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.q.Cols = cols
			var got [][]any
			err := res.ReadChildren(tc.ctx, "msg", tc.q, func(v []any) error {
				got = append(got, append([]any(nil), v...))
				return nil
			})
			if !errors.Is(err, tc.err) || (tc.err == nil && err != nil) {
				t.Fatalf("error %v, want %v", err, tc.err)
			}
			for _, r := range got {
				if tm, ok := r[3].(time.Time); ok {
					r[3] = tm.UTC()
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) && !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %v\nwant %v", got, tc.want)
			}
		})
	}
	stop := errors.New("stop")
	n := 0
	err = res.ReadChildren(sys(), "msg", resource.ChildQuery{FK: "box_id", Parent: boxA.RefID, Order: "n", Cols: cols}, func([]any) error {
		if n++; n == 2 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 2 {
		t.Errorf("an error of fn: %v after %d rows", err, n)
	}
}
