package server

import (
	"context"
	"testing"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/integrations/connector"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/schema"
)

// TestOperationActionRows checks that the action rows of installed
// operations follow the set: created once, updated when the definition
// changes, deleted when the operation goes, and the schema's actions
// lose the operations of a removed provider.
func TestOperationActionRows(t *testing.T) {
	s := unitServer(t, nil)
	ctx := context.Background()
	sys := auth.WithPrincipal(ctx, auth.System())
	rows := func(name string) []resource.Row {
		t.Helper()
		pg, err := s.res.List(sys, schema.TableAction, resource.Query{PageSize: resource.MaxPageSize,
			Conditions: []resource.Condition{{Column: "action_name", Operator: "is", Value: name}}})
		if err != nil {
			t.Fatal(err)
		}
		return pg.Rows
	}
	op := func(name, label string) schema.Action {
		return schema.Action{Name: name, Label: label, OnType: connector.ActionOnType, InstanceOptional: true}
	}
	if err := s.syncOperationRows(ctx, []schema.Action{op("list_pets", "List pets"), op("get_pet", "Get pet")}, nil); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"list_pets", "get_pet"} {
		if r := rows(name); len(r) != 1 || r[0].Attrs["action_schema"] == "" {
			t.Fatalf("%s rows: %v", name, r)
		}
	}
	// The same set again writes nothing new; a changed label updates the row.
	if err := s.syncOperationRows(ctx, []schema.Action{op("list_pets", "List all pets"), op("get_pet", "Get pet")}, nil); err != nil {
		t.Fatal(err)
	}
	if r := rows("list_pets"); len(r) != 1 || r[0].Attrs["label"] != "List all pets" {
		t.Errorf("list_pets after a change: %v", r)
	}
	if r := rows("get_pet"); len(r) != 1 {
		t.Errorf("get_pet was duplicated: %d rows", len(r))
	}
	if err := s.syncOperationRows(ctx, nil, []string{"get_pet"}); err != nil {
		t.Fatal(err)
	}
	if r := rows("get_pet"); len(r) != 0 {
		t.Errorf("a removed operation kept its row: %v", r)
	}
	if r := rows("list_pets"); len(r) != 1 {
		t.Errorf("removing get_pet touched list_pets: %v", r)
	}

	// withOperations drops the previous operations (no provider is
	// installed) and keeps every other action.
	base := s.schema.Load()
	withOld := *base
	withOld.Actions = append(append([]schema.Action{}, base.Actions...), op("old_op", "Old"))
	next, added := s.withOperations(&withOld, map[string]bool{"old_op": true})
	if len(added) != 0 || len(next.Actions) != len(base.Actions) {
		t.Fatalf("withOperations: %d actions (base %d), added %v", len(next.Actions), len(base.Actions), added)
	}
	for _, a := range next.Actions {
		if a.Name == "old_op" {
			t.Error("a removed operation is still an action")
		}
	}
	kept, _ := s.withOperations(&withOld, nil)
	if len(kept.Actions) != len(withOld.Actions) {
		t.Error("an integration action of the schema files was dropped")
	}
	if names := actionNames([]schema.Action{op("a", ""), op("b", "")}); len(names) != 2 || !names["a"] || !names["b"] {
		t.Errorf("actionNames = %v", names)
	}
}
