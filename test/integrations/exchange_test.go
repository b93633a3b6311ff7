package integrations

import (
	"net/http"
	"testing"
	"time"

	"github.com/apiary/apiary/test/testserver"
)

const orderSchema = `
Tables:
  - TableName: sale_order
    Columns:
      - {Name: item, ColumnType: label}
`

// Each new order is posted to a REST endpoint and logged by an action,
// both as the exchange's user; updates are not sent (methods: post).
func TestDataExchangeRESTAndActionTargets(t *testing.T) {
	api := newTarget(t, func(_ map[string]any, r *http.Request) int {
		if r.Header.Get("X-Hook") != "h1" {
			return http.StatusUnauthorized
		}
		return http.StatusOK
	})
	posted := func() int { return len(api.bodies()) }

	s := testserver.Start(t, testserver.WithSchema("schema_tick.yaml", tickSchema),
		testserver.WithSchema("schema_order.yaml", orderSchema))
	admin := s.Admin(t)
	userRef := listOf(t, s.Do(t, http.MethodGet, "/api/user_account", nil, admin))[0].(map[string]any)["id"].(string)
	create(t, s, "data_exchange", map[string]any{"name": "orders_to_api", "source_type": "self", "target_type": "rest",
		"source_attributes": "{}", "options": "{}",
		"attributes":        `{"name":"sale_order","hook":"after","methods":["post"]}`,
		"target_attributes": `{"url":"` + api.URL + `/orders","headers":{"X-Hook":"h1"}}`, "as_user_id": userRef}, admin)
	create(t, s, "data_exchange", map[string]any{"name": "orders_to_log", "source_type": "self", "target_type": "action",
		"source_attributes": "{}", "options": "{}",
		"attributes":        `{"name":"sale_order","hook":"after","methods":["post"]}`,
		"target_attributes": `{"type":"log_entry","action":"tick","attributes":{"message":"order placed"}}`, "as_user_id": userRef}, admin)
	create(t, s, "data_exchange", map[string]any{"name": "no_user", "source_type": "self", "target_type": "rest",
		"source_attributes": "{}", "options": "{}",
		"attributes":        `{"name":"sale_order","hook":"after","methods":["post"]}`,
		"target_attributes": `{"url":"` + api.URL + `/ignored"}`}, admin)
	time.Sleep(200 * time.Millisecond) // the exchanges load from the change feed

	var ids []string
	for _, item := range []string{"a", "b", "c"} {
		id, _ := create(t, s, "sale_order", map[string]any{"item": item}, admin)
		ids = append(ids, id)
	}
	waitFor(t, 5*time.Second, "three posted orders", func() bool { return posted() >= 3 })
	waitFor(t, 5*time.Second, "three logged orders", func() bool { return count(t, s, "log_entry", admin) >= 3 })
	s.Do(t, http.MethodPatch, "/api/sale_order/"+ids[0], map[string]any{"data": map[string]any{"type": "sale_order", "id": ids[0],
		"attributes": map[string]any{"item": "z"}}}, admin)
	time.Sleep(500 * time.Millisecond)
	got := api.bodies()
	if len(got) != 3 {
		t.Fatalf("posted %d times (the exchange without a user or the update was sent?): %v", len(got), got)
	}
	for _, m := range got {
		row, _ := m["row"].(map[string]any)
		if m["event"] != "post" || m["table"] != "sale_order" || row["item"] == nil {
			t.Errorf("posted body %v", m)
		}
	}
}
