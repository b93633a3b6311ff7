package dialects

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
)

func dexieUsersSeed(t *testing.T, e *dexieEnv) {
	s := e.s
	// Create users.
	r := must(t, s.Do(t, http.MethodPost, "/users", []any{map[string]any{"userId": "david@dexie.org", "type": "eval", "evalDaysLeft": 30,
		"data": map[string]any{"email": "david@dexie.org"}}}, e.global), 200)
	if u := list(t, r)[0]; u["userId"] != "david@dexie.org" || u["type"] != "eval" || u["evalDaysLeft"] != float64(30) || u["maxAllowedEvalDaysLeft"] != float64(30) {
		t.Errorf("created %s", r.Body)
	}
	// List users: GET /users?sort=userId&limit=2
	r = must(t, s.Do(t, http.MethodGet, "/users?sort=userId&limit=2", nil, e.read), 200)
	m := r.Map(t)
	data := m["data"].([]any)
	if len(data) != 2 || data[0].(map[string]any)["userId"] != "admin@example.test" || data[1].(map[string]any)["userId"] != "alice@demo.local" || m["hasMore"] != true || m["pagingKey"] == nil {
		t.Fatalf("page 1: %s", r.Body)
	}
	for _, k := range []string{"created", "updated", "lastLogin", "type", "deactivated", "data", "userId"} {
		if _, ok := data[1].(map[string]any)[k]; !ok {
			t.Errorf("user model lacks %s: %v", k, data[1])
		}
	}
	r = must(t, s.Do(t, http.MethodGet, "/users?sort=userId&limit=2&pagingKey="+url.QueryEscape(m["pagingKey"].(string)), nil, e.read), 200)
	m = r.Map(t)
	if d := m["data"].([]any); len(d) != 2 || d[0].(map[string]any)["userId"] != "bob@demo.local" || d[1].(map[string]any)["userId"] != "david@dexie.org" || m["hasMore"] != false {
		t.Errorf("page 2: %s", r.Body)
	}
	// Filters and other sorts.
	if d := must(t, s.Do(t, http.MethodGet, "/users?type=eval", nil, e.read), 200).Map(t)["data"].([]any); len(d) != 1 {
		t.Errorf("type=eval: %v", d)
	}
	if d := must(t, s.Do(t, http.MethodGet, "/users?search=ALI", nil, e.read), 200).Map(t)["data"].([]any); len(d) != 1 {
		t.Errorf("search: %v", d)
	}
	if d := must(t, s.Do(t, http.MethodGet, "/users?sort=created&desc", nil, e.read), 200).Map(t)["data"].([]any); len(d) != 4 || d[0].(map[string]any)["userId"] != "david@dexie.org" {
		t.Errorf("sort=created&desc: %v", d)
	}
	for _, k := range []string{"validUntil", "updated", "evalDaysLeft", "lastLogin", "type", "displayName"} {
		if d := must(t, s.Do(t, http.MethodGet, "/users?sort="+k+"&desc=false&limit=1000", nil, e.read), 200).Map(t)["data"].([]any); len(d) != 4 {
			t.Errorf("sort=%s: %v", k, d)
		}
	}
	// A token for david reports his type and days left, and is a login.
	m = dexieToken(t, s, dexieClient, dexieSecret, []string{"ACCESS_DB"}, map[string]any{"email": "david@dexie.org"})
	if m["userType"] != "eval" || m["evalDaysLeft"] != float64(30) {
		t.Errorf("david's token answer: %v", m)
	}
	if u := must(t, s.Do(t, http.MethodGet, "/users/david@dexie.org", nil, e.read), 200).Map(t); u["lastLogin"] == nil {
		t.Errorf("lastLogin not recorded: %v", u)
	}
	// Get single user.
	r = must(t, s.Do(t, http.MethodGet, "/users/alice@demo.local", nil, e.read), 200)
	if u := r.Map(t); u["userId"] != "alice@demo.local" || u["type"] != "prod" || u["deactivated"] != nil {
		t.Errorf("get user: %s", r.Body)
	}
	must(t, s.Do(t, http.MethodGet, "/users/alice@demo.local", nil, e.aliceTok), 200) // herself
	must(t, s.Do(t, http.MethodGet, "/users/bob@demo.local", nil, e.aliceTok), 403)
	must(t, s.Do(t, http.MethodGet, "/users/"+e.aliceRef, nil, e.read), 200) // reference id accepted
	// Update users.
	r = must(t, s.Do(t, http.MethodPost, "/users", []any{map[string]any{"userId": "david@dexie.org", "type": "prod",
		"data": map[string]any{"email": "david@dexie.org", "displayName": "David Fahlander"}}}, e.global), 200)
	if u := list(t, r)[0]; u["type"] != "prod" || u["data"].(map[string]any)["displayName"] != "David Fahlander" {
		t.Errorf("updated %s", r.Body)
	}
	// Picky about properties; array only; scopes.
	must(t, s.Do(t, http.MethodPost, "/users", []any{map[string]any{"userId": "david@dexie.org", "admin": true}}, e.global), 400)
	must(t, s.Do(t, http.MethodPost, "/users", map[string]any{"userId": "david@dexie.org", "type": "prod"}, e.global), 400)
	must(t, s.Do(t, http.MethodPost, "/users", []any{map[string]any{"userId": "new@x.test"}}, e.global), 400)
	must(t, s.Do(t, http.MethodPost, "/users", []any{map[string]any{"userId": "david@dexie.org", "type": "boss"}}, e.global), 400)
	must(t, s.Do(t, http.MethodPost, "/users", []any{map[string]any{"userId": "david@dexie.org", "type": "demo"}}, e.read), 403)
	must(t, s.Do(t, http.MethodGet, "/users?limit=1001", nil, e.read), 400)
	must(t, s.Do(t, http.MethodGet, "/users?sort=shoeSize", nil, e.read), 400)
	must(t, s.Do(t, http.MethodGet, "/users?pagingKey=bm9wZQ", nil, e.read), 400)
	must(t, s.Do(t, http.MethodGet, "/users", nil, ""), 401)
	// A service token does not reach administrators.
	must(t, s.Do(t, http.MethodPost, "/users", []any{map[string]any{"userId": "admin@example.test", "deactivated": true}}, e.global), 403)
	must(t, s.Do(t, http.MethodDelete, "/users/admin@example.test", nil, e.global), 403)
	if u := must(t, s.Do(t, http.MethodGet, "/users/david@dexie.org", nil, e.read), 200).Map(t); u["type"] != "prod" {
		t.Errorf("refused posts changed david: %v", u)
	}
}

func dexieUsersDeactivateAndDelete(t *testing.T, e *dexieEnv) {
	s := e.s
	private := list(t, must(t, s.Do(t, http.MethodPost, "/my/todo_items", []any{map[string]any{"title": "private"}}, e.aliceTok), 200))[0]["id"].(string)
	shared := list(t, must(t, s.Do(t, http.MethodPost, "/all/todo_items", []any{map[string]any{"title": "shared", "realmId": e.teamRef}}, e.global), 200))[0]["id"].(string)
	must(t, s.Do(t, http.MethodPost, "/all/todo_items", []any{map[string]any{"id": shared, "realmId": "alice@demo.local"}}, e.global), 200)
	must(t, s.Do(t, http.MethodPost, "/all/todo_items", []any{map[string]any{"id": shared, "realmId": e.teamRef}}, e.global), 200)

	// Deactivate: tokens and sign-in stop working.
	must(t, s.Do(t, http.MethodPost, "/users", []any{map[string]any{"userId": "alice@demo.local", "deactivated": true}}, e.global), 200)
	must(t, s.Do(t, http.MethodGet, "/my/todo_items", nil, e.aliceTok), 401)
	must(t, s.Do(t, http.MethodGet, "/api/user_account/mine", nil, e.alice), 401)
	r := s.Do(t, http.MethodPost, "/action/user_account/signin", map[string]any{"attributes": map[string]any{"email": "alice@demo.local", "password": "alice-password"}}, "")
	if r.Status == http.StatusOK {
		t.Errorf("a deactivated user signed in: %s", r.Body)
	}
	if d := must(t, s.Do(t, http.MethodGet, "/users?active=false", nil, e.read), 200).Map(t)["data"].([]any); len(d) != 1 || d[0].(map[string]any)["deactivated"] == nil {
		t.Errorf("active=false: %v", d)
	}
	// Reactivate by clearing it.
	must(t, s.Do(t, http.MethodPost, "/users", []any{map[string]any{"userId": "alice@demo.local", "deactivated": nil}}, e.global), 200)
	must(t, s.Do(t, http.MethodGet, "/my/todo_items", nil, e.aliceTok), 200)

	// Delete: only oneself without GLOBAL_WRITE.
	must(t, s.Do(t, http.MethodDelete, "/users/bob@demo.local", nil, e.aliceTok), 403)
	must(t, s.Do(t, http.MethodDelete, "/users/alice@demo.local", nil, e.aliceTok), 204)
	must(t, s.Do(t, http.MethodGet, "/all/todo_items/"+private, nil, e.read), 404)
	obj := must(t, s.Do(t, http.MethodGet, "/all/todo_items/"+shared, nil, e.read), 200).Map(t)
	if obj["realmId"] != e.teamRef || obj["owner"] != nil {
		t.Errorf("shared object after its owner left: %v", obj)
	}
	must(t, s.Do(t, http.MethodGet, "/users/alice@demo.local", nil, e.read), 404)
	// The remaining member has full control of the shared object.
	patch := map[string]any{"data": map[string]any{"type": "todo_items", "id": shared, "attributes": map[string]any{"title": "bob's now"}}}
	must(t, s.Do(t, http.MethodPatch, "/api/todo_items/"+shared, patch, e.bob), 200)
	must(t, s.Do(t, http.MethodDelete, "/users/bob@demo.local", nil, e.global), 204)
}

// dexieUsersPagingUnderInserts pages through /users while users are
// added: every user that existed before is seen exactly once.
func dexieUsersPagingUnderInserts(t *testing.T, e *dexieEnv) {
	s := e.s
	var batch []any
	for i := range 30 {
		batch = append(batch, map[string]any{"userId": fmt.Sprintf("u%02d@paging.test", i), "type": "prod"})
	}
	must(t, s.Do(t, http.MethodPost, "/users", batch, e.global), 200)
	before := map[string]bool{}
	for _, u := range must(t, s.Do(t, http.MethodGet, "/users", nil, e.read), 200).Map(t)["data"].([]any) {
		before[u.(map[string]any)["userId"].(string)] = true
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			// Users sorting before, between and after the pages (a plain
			// client: t.Fatal is for the test goroutine only).
			body := fmt.Sprintf(`[{"userId":"a%03d@paging.test","type":"prod"},{"userId":"u%02d-%03d@paging.test","type":"prod"}]`, i, i%30, i)
			req, _ := http.NewRequest(http.MethodPost, s.URL+"/users", strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+e.global)
			req.Header.Set("Content-Type", "application/json")
			if resp, err := s.Client.Do(req); err == nil {
				resp.Body.Close()
			}
		}
	}()
	seen := map[string]int{}
	key := ""
	for pages := 0; ; pages++ {
		path := "/users?sort=userId&limit=3"
		if key != "" {
			path += "&pagingKey=" + url.QueryEscape(key)
		}
		m := must(t, s.Do(t, http.MethodGet, path, nil, e.read), 200).Map(t)
		for _, u := range m["data"].([]any) {
			seen[u.(map[string]any)["userId"].(string)]++
		}
		if m["hasMore"] != true {
			break
		}
		key = m["pagingKey"].(string)
		if pages > 500 {
			t.Fatal("paging does not end")
		}
	}
	close(stop)
	wg.Wait()
	for id, n := range seen {
		if n != 1 {
			t.Errorf("%s seen %d times", id, n)
		}
	}
	for id := range before {
		if seen[id] != 1 {
			t.Errorf("%s (there before paging began) seen %d times", id, seen[id])
		}
	}
}
