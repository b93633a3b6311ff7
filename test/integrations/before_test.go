package integrations

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/apiary/apiary/test/testserver"
)

// Before hooks run before the write, as the exchange's user, and refuse
// it when their target fails: nothing is written and the caller gets a
// 403 naming the exchange.
func TestDataExchangeBeforeHooks(t *testing.T) {
	api := newTarget(t, func(m map[string]any, _ *http.Request) int {
		if row, _ := m["row"].(map[string]any); row["item"] == "forbidden" {
			return http.StatusUnprocessableEntity
		}
		return http.StatusOK
	})
	calls := func() int { return len(api.bodies()) }

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
	first := api.bodies()[0]
	if row, _ := first["row"].(map[string]any); first["event"] != "post" || row["item"] != "ok" {
		t.Errorf("the before hook saw %v", first)
	}

	// Refused writes: a 403 naming the exchange, and nothing changes.
	order := func(attrs map[string]any) map[string]any {
		return map[string]any{"data": map[string]any{"type": "sale_order", "id": id, "attributes": attrs}}
	}
	refused := []struct {
		method, path string
		body         any
		exchange     string
	}{
		{http.MethodPost, "/api/sale_order", map[string]any{"data": map[string]any{"type": "sale_order", "attributes": map[string]any{"item": "forbidden"}}}, "a_check"},
		{http.MethodPatch, "/api/sale_order/" + id, order(map[string]any{"item": "forbidden"}), "a_check"},
		{http.MethodDelete, "/api/sale_order/" + id, nil, "c_nope"},
	}
	for _, tc := range refused {
		r := s.Do(t, tc.method, tc.path, tc.body, admin)
		if r.Status != http.StatusForbidden || !strings.Contains(string(r.Body), "refused by data exchange "+tc.exchange) {
			t.Errorf("%s %s: %d %s", tc.method, tc.path, r.Status, r.Body)
		}
		if n := count(t, s, "sale_order", admin); n != 1 {
			t.Errorf("%s %s refused, yet %d orders", tc.method, tc.path, n)
		}
		if a := attrsOf(t, s.Do(t, http.MethodGet, "/api/sale_order/"+id, nil, admin)); a["item"] != "ok" {
			t.Errorf("%s %s refused, yet the row changed: %v", tc.method, tc.path, a)
		}
	}
	// A write the hooks accept goes through: the update passes the check.
	if r := s.Do(t, http.MethodPatch, "/api/sale_order/"+id, order(map[string]any{"item": "fine"}), admin); r.Status != http.StatusOK {
		t.Errorf("accepted update: %d %s", r.Status, r.Body)
	}
}
