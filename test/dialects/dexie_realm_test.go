package dialects

import (
	"net/http"
	"strings"
	"testing"
)

// dexieIDFilter: "GET /all/<table>?<propName>=<propValue>" with the
// primary key property id filters on the object's id, on /all and /my,
// alone or with another property; an id no object has matches nothing.
func dexieIDFilter(t *testing.T, e *dexieEnv) {
	s := e.s
	mine := list(t, must(t, s.Do(t, http.MethodPost, "/my/todo_items", []any{map[string]any{"title": "a1", "todo_list_id": "L"}, map[string]any{"title": "a2", "todo_list_id": "L"}}, e.aliceTok), 200))
	id := mine[0]["id"].(string)
	if got := list(t, must(t, s.Do(t, http.MethodGet, "/all/todo_items?id="+id, nil, e.read), 200)); len(got) != 1 || got[0]["id"] != id || got[0]["title"] != "a1" {
		t.Errorf("/all?id=: %v", got)
	}
	if got := list(t, must(t, s.Do(t, http.MethodGet, "/all/todo_items?id="+strings.ToUpper(id)+"&todo_list_id=L", nil, e.read), 200)); len(got) != 1 || got[0]["id"] != id {
		t.Errorf("/all?id=<upper case>&todo_list_id=: %v", got)
	}
	if got := list(t, must(t, s.Do(t, http.MethodGet, "/all/todo_items?id="+id+"&todo_list_id=M", nil, e.read), 200)); len(got) != 0 {
		t.Errorf("/all?id=&todo_list_id=<other>: %v", got)
	}
	if got := list(t, must(t, s.Do(t, http.MethodGet, "/my/todo_items?id="+id, nil, e.aliceTok), 200)); len(got) != 1 || got[0]["id"] != id {
		t.Errorf("alice /my?id=: %v", got)
	}
	if got := list(t, must(t, s.Do(t, http.MethodGet, "/my/todo_items?id="+id, nil, e.bobTok), 200)); len(got) != 0 {
		t.Errorf("bob /my?id= of alice's private object: %v", got)
	}
	for _, other := range []string{"0190e3b4-5c1e-7d2a-9a51-3f7b2c7d9e10", "tdi0Oma0cOxZhnmTbCQTMxP3Xetcal"} {
		if got := list(t, must(t, s.Do(t, http.MethodGet, "/all/todo_items?id="+other, nil, e.read), 200)); len(got) != 0 {
			t.Errorf("/all?id=%s: %v", other, got)
		}
	}
	// A compound-key table has no id property; the hidden column is no filter.
	must(t, s.Do(t, http.MethodGet, "/all/compound_table?id="+id, nil, e.read), 400)
	must(t, s.Do(t, http.MethodGet, "/all/todo_items?reference_id="+id, nil, e.read), 400)
	for _, o := range mine {
		must(t, s.Do(t, http.MethodDelete, "/my/todo_items/"+o["id"].(string), nil, e.aliceTok), 204)
	}
}

// dexieMyNeverPublic: /my writes with the user's own rights, and the
// public realm takes GLOBAL_WRITE (the seed's /public), so realmId
// rlm-public on /my is a 403 even on a table whose rows are public by
// default, and nothing is written. Without realmId the object goes to the
// user's private realm, not the table's public default.
func dexieMyNeverPublic(t *testing.T, e *dexieEnv) {
	s := e.s
	for table, prop := range map[string]string{"notices": "text", "todo_items": "title"} {
		r := s.Do(t, http.MethodPost, "/my/"+table, []any{map[string]any{prop: "x", "realmId": "rlm-public"}}, e.aliceTok)
		if r.Status != http.StatusForbidden || !strings.Contains(string(r.Body), "rlm-public") {
			t.Errorf("/my/%s with realmId rlm-public: %d %s", table, r.Status, r.Body)
		}
	}
	if got := list(t, must(t, s.Do(t, http.MethodGet, "/public/notices", nil, ""), 200)); len(got) != 0 {
		t.Errorf("a refused /my post left public notices: %v", got)
	}
	mine := list(t, must(t, s.Do(t, http.MethodPost, "/my/notices", []any{map[string]any{"text": "private"}}, e.aliceTok), 200))
	if len(mine) != 1 || mine[0]["realmId"] != "alice@demo.local" {
		t.Fatalf("/my/notices without realmId: %v", mine)
	}
	id := mine[0]["id"].(string)
	// Re-posting the private object into the public realm is refused too.
	must(t, s.Do(t, http.MethodPost, "/my/notices", []any{map[string]any{"id": id, "text": "now public", "realmId": "rlm-public"}}, e.aliceTok), 403)
	if got := list(t, must(t, s.Do(t, http.MethodGet, "/public/notices", nil, ""), 200)); len(got) != 0 {
		t.Errorf("guests read alice's private notice: %v", got)
	}
	// The application may publish (GLOBAL_WRITE): /public and /all.
	pub := list(t, must(t, s.Do(t, http.MethodPost, "/public/notices", []any{map[string]any{"text": "hello"}}, e.global), 200))[0]
	if pub["realmId"] != "rlm-public" {
		t.Errorf("/public/notices: %v", pub)
	}
	must(t, s.Do(t, http.MethodDelete, "/all/notices/"+pub["id"].(string), nil, e.global), 204)
	must(t, s.Do(t, http.MethodDelete, "/my/notices/"+id, nil, e.aliceTok), 204)
}
