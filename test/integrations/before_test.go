package integrations

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apiary/apiary/test/testserver"
)

// Before hooks run before the write, as the exchange's user, and refuse
// it when their target fails: nothing is written and the caller gets a
// 403 naming the exchange.
func TestDataExchangeBeforeHooks(t *testing.T) {
	var mu sync.Mutex
	var got []map[string]any
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m map[string]any
		_ = json.NewDecoder(r.Body).Decode(&m)
		mu.Lock()
		got = append(got, m)
		mu.Unlock()
		if row, _ := m["row"].(map[string]any); row["item"] == "forbidden" {
			http.Error(w, "no", http.StatusUnprocessableEntity)
		}
	}))
	defer api.Close()
	calls := func() int { mu.Lock(); defer mu.Unlock(); return len(got) }

	s := testserver.Start(t, testserver.WithSchema("schema_tick.yaml", tickSchema),
		testserver.WithSchema("schema_order.yaml", orderSchema))
	admin := s.Admin(t)
	userRef := listOf(t, s.Do(t, http.MethodGet, "/api/user_account", nil, admin))[0].(map[string]any)["id"].(string)
	exchange := func(name, hook, methods, targetType, target string) {
		create(t, s, "data_exchange", map[string]any{"name": name, "source_type": "self", "target_type": targetType,
			"source_attributes": "{}", "options": "{}",
			"attributes":        `{"name":"sale_order","hook":"` + hook + `","methods":` + methods + `}`,
			"target_attributes": target, "as_user_id": userRef}, admin)
	}
	exchange("a_check", "before", `["post","patch"]`, "rest", `{"url":"`+api.URL+`/check"}`)
	exchange("b_log", "before", `["post"]`, "action", `{"type":"log_entry","action":"tick","attributes":{"message":"about to order"}}`)
	exchange("c_nope", "before", `["delete"]`, "action", `{"type":"log_entry","action":"no_such_action","attributes":{}}`)
	time.Sleep(300 * time.Millisecond) // the exchanges load from the change feed

	id, _ := create(t, s, "sale_order", map[string]any{"item": "ok"}, admin)
	// Before hooks are synchronous: their effects are there when the write answers.
	if calls() != 1 || count(t, s, "log_entry", admin) != 1 {
		t.Fatalf("after one order: %d checks, %d log entries", calls(), count(t, s, "log_entry", admin))
	}
	mu.Lock()
	first := got[0]
	mu.Unlock()
	if row, _ := first["row"].(map[string]any); first["event"] != "post" || row["item"] != "ok" {
		t.Errorf("the before hook saw %v", first)
	}

	r := s.Do(t, http.MethodPost, "/api/sale_order", map[string]any{"data": map[string]any{"type": "sale_order", "attributes": map[string]any{"item": "forbidden"}}}, admin)
	if r.Status != http.StatusForbidden || !strings.Contains(string(r.Body), "refused by data exchange a_check") {
		t.Errorf("refused create: %d %s", r.Status, r.Body)
	}
	if n := count(t, s, "sale_order", admin); n != 1 {
		t.Errorf("a refused create wrote a row: %d orders", n)
	}
	r = s.Do(t, http.MethodPatch, "/api/sale_order/"+id, map[string]any{"data": map[string]any{"type": "sale_order", "id": id, "attributes": map[string]any{"item": "forbidden"}}}, admin)
	if r.Status != http.StatusForbidden {
		t.Errorf("refused update: %d %s", r.Status, r.Body)
	}
	if a := attrsOf(t, s.Do(t, http.MethodGet, "/api/sale_order/"+id, nil, admin)); a["item"] != "ok" {
		t.Errorf("a refused update changed the row: %v", a)
	}
	r = s.Do(t, http.MethodDelete, "/api/sale_order/"+id, nil, admin)
	if r.Status != http.StatusForbidden || !strings.Contains(string(r.Body), "c_nope") {
		t.Errorf("delete refused by a failing action: %d %s", r.Status, r.Body)
	}
	if n := count(t, s, "sale_order", admin); n != 1 {
		t.Errorf("a refused delete removed the row: %d orders", n)
	}
	// A write the hooks accept goes through: the update passes the check.
	r = s.Do(t, http.MethodPatch, "/api/sale_order/"+id, map[string]any{"data": map[string]any{"type": "sale_order", "id": id, "attributes": map[string]any{"item": "fine"}}}, admin)
	if r.Status != http.StatusOK {
		t.Errorf("accepted update: %d %s", r.Status, r.Body)
	}
}
