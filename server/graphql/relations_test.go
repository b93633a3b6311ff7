package graphql

import (
	"fmt"
	"strings"
	"testing"
)

func TestRelationsAndPaging(t *testing.T) {
	on := true
	var calls []string
	srv := gqlServer(t, &on, DefaultLimits(), &calls)
	_, ans, raw := post(t, srv, "application/json", query(`mutation { addTodo(title: "parent") { reference_id } }`))
	parent, _ := ans.Data["addTodo"].(map[string]any)
	pid, _ := parent["reference_id"].(string)
	if pid == "" {
		t.Fatalf("parent: %s", raw)
	}
	for i := range 3 {
		q := fmt.Sprintf(`mutation { addTag(label: "t%d", todo_id: "%s") { reference_id todo_id { title } } }`, i, pid)
		_, ans, raw = post(t, srv, "application/json", query(q))
		tag, _ := ans.Data["addTag"].(map[string]any)
		owner, _ := tag["todo_id"].(map[string]any)
		if len(ans.Errors) > 0 || owner["title"] != "parent" {
			t.Fatalf("add tag %d: %s", i, raw)
		}
	}
	_, ans, raw = post(t, srv, "application/json", query(`{ todoById(reference_id: "`+pid+`") { title tag_id { label } } }`))
	one, _ := ans.Data["todoById"].(map[string]any)
	tags, _ := one["tag_id"].([]any)
	if len(ans.Errors) > 0 || len(tags) != 3 {
		t.Fatalf("to-many relation: %s", raw)
	}
	_, ans, raw = post(t, srv, "application/json", query(`{ todoById(reference_id: "`+pid+`") { tag_id(page: {number: 2, size: 2}) { label } } }`))
	one, _ = ans.Data["todoById"].(map[string]any)
	if tags, _ := one["tag_id"].([]any); len(tags) != 1 {
		t.Errorf("second page of two: %s", raw)
	}
	// The list with every tag's parent loads in one query per relation.
	_, ans, raw = post(t, srv, "application/json", query(`{ tag { label todo_id { title } } }`))
	list, _ := ans.Data["tag"].([]any)
	if len(list) != 3 {
		t.Fatalf("tags: %s", raw)
	}
	for _, item := range list {
		parent, _ := item.(map[string]any)["todo_id"].(map[string]any)
		if parent["title"] != "parent" {
			t.Errorf("tag without its parent: %s", raw)
		}
	}
	_, ans, raw = post(t, srv, "application/json", query(`{ tag(page: {size: 2}) { label } }`))
	if list, _ := ans.Data["tag"].([]any); len(list) != 2 {
		t.Errorf("page size 2: %s", raw)
	}
}

func TestActionsThroughGraphQL(t *testing.T) {
	on := true
	var calls []string
	srv := gqlServer(t, &on, DefaultLimits(), &calls)
	_, ans, raw := post(t, srv, "application/json",
		query(`mutation { executeShoutOnTodo(word: "hi", attributes: {extra: 2}) { ResponseType Attributes { type message } } }`))
	list, _ := ans.Data["executeShoutOnTodo"].([]any)
	if len(ans.Errors) > 0 || len(list) != 1 {
		t.Fatalf("action: %s", raw)
	}
	first, _ := list[0].(map[string]any)
	a, _ := first["Attributes"].(map[string]any)
	msg, _ := a["message"].(string)
	if first["ResponseType"] != "client.notify" || a["type"] != "success" || !strings.Contains(msg, `"word":"hi"`) || !strings.Contains(msg, `"extra":2`) {
		t.Errorf("action answer: %s", raw)
	}
	if len(calls) != 1 || calls[0] != "todo/shout" {
		t.Errorf("calls: %v", calls)
	}
	_, ans, raw = post(t, srv, "application/json", query(`mutation { executeFailOnTodo { ResponseType } }`))
	if len(ans.Errors) == 0 || ans.Errors[0].Message != "internal error" || strings.Contains(raw, "boom") {
		t.Errorf("failing action: %s", raw)
	}
	_, ans, raw = post(t, srv, "application/json", query(`mutation { executeShoutOnTodo { ResponseType } }`))
	if len(ans.Errors) == 0 || !strings.Contains(raw, "word") {
		t.Errorf("missing required in-field: %s", raw)
	}
}
