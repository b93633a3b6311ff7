package realtime

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
)

// TestLiveEventsFromEveryWritePath: actions (signup), GraphQL mutations
// and imports reach /live through the resource layer, without secrets.
func liveEventsFromEveryWritePath(t *testing.T, e env) {
	s := e.s
	admin := e.admin
	a, _ := dial(t, s, admin)
	a.call("s", "subscribe", map[string]any{"topicName": "todo,user_account"})
	a.expectOK("s", "subscribe")
	a.expectOK("s", "subscribe")

	s.SignUp(t, "Carl", "carl@example.test", "carl-password")
	var sawUser bool
	for !sawUser {
		ev := a.next()
		if ev.Topic != "user_account" {
			continue
		}
		row := ev.data(t)
		if ev.Event == "create" && row["email"] == "carl@example.test" {
			sawUser = true
			if _, ok := row["password"]; ok || strings.Contains(string(ev.Data), "$2a$") {
				t.Fatalf("password in event: %s", ev.Data)
			}
		}
	}
	a.quiet()

	if r := s.Do(t, http.MethodPost, "/_config/backend/graphql.enable", "true", admin); r.Status != http.StatusOK {
		t.Fatalf("enable graphql: %d %s", r.Status, r.Body)
	}
	r := s.Do(t, http.MethodPost, "/graphql", map[string]any{"query": `mutation { addTodo(title: "From GraphQL") { reference_id } }`}, admin)
	if r.Status != http.StatusOK || !strings.Contains(string(r.Body), "reference_id") {
		t.Fatalf("graphql: %d %s", r.Status, r.Body)
	}
	if ev := a.next(); ev.Topic != "todo" || ev.Event != "create" || ev.data(t)["title"] != "From GraphQL" {
		t.Fatalf("graphql event: %s", ev.Raw)
	}

	world := worldRef(t, s, admin, "todo")
	csv := "title\nimported one\nimported two\n"
	r = s.Do(t, http.MethodPost, "/action/world/import_data", map[string]any{"attributes": map[string]any{"world_id": world,
		"dump_file": []any{map[string]any{"name": "t.csv", "type": "text/csv", "file": "data:text/csv;base64," + base64.StdEncoding.EncodeToString([]byte(csv))}}}}, admin)
	if r.Status != http.StatusOK {
		t.Fatalf("import: %d %s", r.Status, r.Body)
	}
	got := map[string]bool{}
	for len(got) < 2 {
		ev := a.next()
		if ev.Topic == "todo" && ev.Event == "create" {
			got[ev.data(t)["title"].(string)] = true
		}
	}
	if !got["imported one"] || !got["imported two"] {
		t.Fatalf("import events: %v", got)
	}
}
