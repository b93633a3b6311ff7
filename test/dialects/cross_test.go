package dialects

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/apiary/apiary/resource"
)

// TestCrossDialectDaybedRecord creates a record through Daybed and reads
// it through JSON:API and Dexie /all; Daybed permission changes decide
// what guests and other users see through /api.
func TestCrossDialectDaybedRecord(t *testing.T) {
	t.Parallel()
	e := newDaybedEnv(t)
	s, c := e.s, &e.creds
	must(t, hawkDo(t, s, c, http.MethodPut, "/v1/models/todo", map[string]any{"definition": todoDefinition}, nil), 200)
	id := must(t, hawkDo(t, s, c, http.MethodPost, "/v1/models/todo/records", map[string]any{"item": "cross", "status": "todo"}, nil), 201).Map(t)["id"].(string)

	// JSON:API, as the same user with a Bearer token.
	rows := jsonapiList(t, s, e.alice, "todo")
	if len(rows) != 1 || rows[0]["id"] != id || rows[0]["attributes"].(map[string]any)["item"] != "cross" {
		t.Fatalf("JSON:API rows %v", rows)
	}
	// GraphQL sees the live-created table and the record.
	ctx := context.Background()
	if err := s.Srv.ConfigStore().Set(ctx, resource.ConfigBackend, resource.KeyGraphQL, "true"); err != nil {
		t.Fatal(err)
	}
	s.Srv.ReloadConfig(ctx)
	if r := must(t, s.Do(t, http.MethodPost, "/graphql", map[string]any{"query": "{ todo { item status } }"}, e.alice), 200); !strings.Contains(string(r.Body), `"item":"cross"`) {
		t.Errorf("GraphQL: %s", r.Body)
	}
	// Bearer works on Daybed too.
	if r := must(t, s.Do(t, http.MethodGet, "/v1/models/todo/records/"+id, nil, e.alice), 200); r.Map(t)["item"] != "cross" {
		t.Errorf("Daybed with Bearer: %s", r.Body)
	}
	// Dexie /all with a global read token.
	jsonapiCreate(t, s, e.admin, "service_client", map[string]any{"name": "reader", "client_id": "reader",
		"client_secret": "reader-secret", "scopes": "ACCESS_DB GLOBAL_READ"})
	tok := dexieToken(t, s, "reader", "reader-secret", []string{"ACCESS_DB", "GLOBAL_READ"}, nil)["accessToken"].(string)
	objs := list(t, must(t, s.Do(t, http.MethodGet, "/all/todo", nil, tok), 200))
	if len(objs) != 1 || objs[0]["id"] != id || objs[0]["owner"] != "alice@daybed.test" || objs[0]["item"] != "cross" {
		t.Fatalf("Dexie /all: %v", objs)
	}
	// Its realm is the usergroup that stands for alice's credentials id.
	realm, _ := objs[0]["realmId"].(string)
	g := must(t, s.Do(t, http.MethodGet, "/api/usergroup/"+realm, nil, e.admin), 200).Map(t)["data"].(map[string]any)
	if g["attributes"].(map[string]any)["name"] != "daybed-"+e.credID[:24] {
		t.Errorf("realm of a Daybed record: %v", g)
	}

	daybedGrantsSeenByAPI(t, e, id)
}

// daybedGrantsSeenByAPI changes Daybed permissions and checks what guests,
// bob and carol may then do through /api and Daybed.
func daybedGrantsSeenByAPI(t *testing.T, e *daybedEnv, id string) {
	s, c := e.s, &e.creds
	// Guests and bob see nothing through /api until Daybed grants it.
	bob := s.User(t, "Bob", "bob@daybed.test", "bob-password")
	if r := s.Do(t, http.MethodGet, "/api/todo", nil, ""); r.Status == 200 && len(r.Map(t)["data"].([]any)) != 0 {
		t.Errorf("guest sees records before the grant: %s", r.Body)
	}
	if r := s.Do(t, http.MethodGet, "/api/todo", nil, bob); r.Status == 200 && len(r.Map(t)["data"].([]any)) != 0 {
		t.Errorf("bob sees records before the grant: %s", r.Body)
	}
	must(t, hawkDo(t, s, c, http.MethodPatch, "/v1/models/todo/permissions", map[string]any{"Everyone": []string{"+read_all_records"}}, nil), 200)
	if r := must(t, s.Do(t, http.MethodGet, "/api/todo", nil, ""), 200); len(r.Map(t)["data"].([]any)) != 1 {
		t.Errorf("guest after Everyone +read_all_records: %s", r.Body)
	}
	if r := must(t, s.Do(t, http.MethodGet, "/v1/models/todo/records", nil, ""), 200); len(r.Map(t)["records"].([]any)) != 1 {
		t.Errorf("Daybed guest read: %s", r.Body)
	}
	// Bob may not update it through /api...
	patch := map[string]any{"data": map[string]any{"type": "todo", "id": id, "attributes": map[string]any{"item": "bob was here"}}}
	if r := s.Do(t, http.MethodPatch, "/api/todo/"+id, patch, bob); r.Status != http.StatusForbidden && r.Status != http.StatusNotFound {
		t.Errorf("bob updates before Authenticated update_all_records: %d %s", r.Status, r.Body)
	}
	// ...until Authenticated gets update_all_records.
	must(t, hawkDo(t, s, c, http.MethodPatch, "/v1/models/todo/permissions", map[string]any{"Authenticated": []string{"+read_all_records", "+update_all_records"}}, nil), 200)
	must(t, s.Do(t, http.MethodPatch, "/api/todo/"+id, patch, bob), 200)
	// Removing Everyone's read hides it from guests again.
	must(t, hawkDo(t, s, c, http.MethodPatch, "/v1/models/todo/permissions", map[string]any{"Everyone": []string{"-read_all_records"}}, nil), 200)
	if r := s.Do(t, http.MethodGet, "/api/todo", nil, ""); r.Status == 200 && len(r.Map(t)["data"].([]any)) != 0 {
		t.Errorf("guest after -read_all_records: %s", r.Body)
	}
	// A credentials id of another identity: carol reads all records, nothing else.
	s.SignUp(t, "Carol", "carol@daybed.test", "carol-password")
	carol := credsFromToken(t, must(t, basicPost(t, s, "/v1/tokens", "carol@daybed.test", "carol-password"), 201).Map(t)["token"].(string))
	carolTok := s.SignIn(t, "carol@daybed.test", "carol-password")
	if r := jsonapiList(t, s, carolTok, "todo"); len(r) != 1 {
		t.Errorf("carol (an Authenticated user) sees %d records", len(r))
	}
	must(t, hawkDo(t, s, c, http.MethodPatch, "/v1/models/todo/permissions", map[string]any{"Authenticated": []string{"-read_all_records", "-update_all_records"},
		carol.id: []string{"+read_all_records", "+read_definition"}}, nil), 200)
	if r := jsonapiList(t, s, carolTok, "todo"); len(r) != 1 {
		t.Errorf("carol (granted by credentials id) sees %d records", len(r))
	}
	if r := s.Do(t, http.MethodGet, "/api/todo", nil, bob); r.Status == 200 && len(r.Map(t)["data"].([]any)) != 0 {
		t.Errorf("bob sees records after Authenticated lost read_all_records: %s", r.Body)
	}
	must(t, hawkDo(t, s, &carol, http.MethodGet, "/v1/models/todo/records/"+id, nil, nil), 200)
	must(t, hawkDo(t, s, &carol, http.MethodPost, "/v1/models/todo/records", map[string]any{"item": "carol's", "status": "todo"}, nil), 403)
	if r := must(t, hawkDo(t, s, c, http.MethodGet, "/v1/models/todo/records/"+id, nil, nil), 200); r.Map(t)["item"] != "bob was here" {
		t.Errorf("bob's update through /api not seen by Daybed: %s", r.Body)
	}
}

// dexieCrossDialectDexieRealm shares a row through a Dexie realm and sees
// it as group access in JSON:API.
func dexieCrossDialectDexieRealm(t *testing.T, e *dexieEnv) {
	s := e.s
	obj := list(t, must(t, s.Do(t, http.MethodPost, "/all/todo_items", []any{map[string]any{"title": "team work", "realmId": e.teamRef}}, e.global), 200))[0]
	id := obj["id"].(string)
	// Bob (a member) reads it through JSON:API; the row is linked to the team group.
	r := must(t, s.Do(t, http.MethodGet, "/api/todo_items/"+id+"/usergroup_id", nil, e.admin), 200)
	groups := r.Map(t)["data"].([]any)
	if len(groups) != 1 || groups[0].(map[string]any)["attributes"].(map[string]any)["relation_reference_id"] != e.teamRef {
		t.Errorf("group links: %s", r.Body)
	}
	must(t, s.Do(t, http.MethodGet, "/api/todo_items/"+id, nil, e.bob), 200)
	// The owner is placed too: bob owns it now; /my cannot give objects away;
	// a private realm's objects belong to its user.
	obj = list(t, must(t, s.Do(t, http.MethodPost, "/all/todo_items", []any{map[string]any{"id": id, "realmId": e.teamRef, "owner": "bob@demo.local"}}, e.global), 200))[0]
	if obj["owner"] != "bob@demo.local" || obj["realmId"] != e.teamRef {
		t.Errorf("owner placement: %v", obj)
	}
	must(t, s.Do(t, http.MethodPost, "/my/todo_items", []any{map[string]any{"title": "gift", "owner": "bob@demo.local"}}, e.aliceTok), 403)
	must(t, s.Do(t, http.MethodPost, "/all/todo_items", []any{map[string]any{"title": "x", "realmId": "alice@demo.local", "owner": "bob@demo.local"}}, e.global), 400)
	if r := s.Do(t, http.MethodGet, "/api/todo_items/"+id, nil, e.alice); r.Status != 403 && r.Status != 404 {
		t.Errorf("alice (not a member) reads the shared row: %d", r.Status)
	}
	// Moving it to alice's private realm removes the group access.
	must(t, s.Do(t, http.MethodPost, "/all/todo_items", []any{map[string]any{"id": id, "title": "team work", "realmId": "alice@demo.local"}}, e.global), 200)
	if r := s.Do(t, http.MethodGet, "/api/todo_items/"+id, nil, e.bob); r.Status != 403 && r.Status != 404 {
		t.Errorf("bob still reads the row after it left the realm: %d", r.Status)
	}
	must(t, s.Do(t, http.MethodGet, "/api/todo_items/"+id, nil, e.alice), 200)
}
