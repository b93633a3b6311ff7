package integrations

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/apiary/apiary/test/testserver"
)

// adoptSchema has a user-defined action whose outcome calls an installed
// operation: {Type: <provider>, Method: <operationId>}.
const adoptSchema = petSchema + `
Actions:
  - Name: adopt
    Label: Adopt
    OnType: pet
    InstanceOptional: true
    InFields:
      - {Name: name, ColumnName: name, ColumnType: label}
    OutFields:
      - {Type: petstore, Method: createPet, Attributes: {name: "~name"}}
`

// actionRows returns the action rows called name, as the admin sees them.
func actionRows(t *testing.T, s *testserver.Server, name, admin string) []any {
	t.Helper()
	q := fmt.Sprintf(`[{"column":"action_name","operator":"is","value":%q}]`, name)
	return listOf(t, s.Do(t, http.MethodGet, "/api/action?query="+urlQuery(q), nil, admin))
}

func urlQuery(s string) string {
	return strings.NewReplacer("%", "%25", "[", "%5B", "]", "%5D", "{", "%7B", "}", "%7D", `"`, "%22", ":", "%3A", ",", "%2C", " ", "%20").Replace(s)
}

// Installing an integration turns each operation into an action on
// integration: an action row, an entry of /jsmodel/integration, a GraphQL
// mutation, and a run through POST /action/integration/<operationId> and
// through another action's outcome. Disabling the row removes all of it
// and enabling it again with a changed spec brings the new operation
// back, without a restart or another install.
func TestOperationsAreActions(t *testing.T) {
	api := newFakeAPI(t)
	s, _ := startServer(t, adoptSchema, nil)
	rec := &recorder{s: s}
	admin := s.Admin(t)
	id := installPets(t, rec, api, admin)

	rows := actionRows(t, s, "getPet", admin)
	if len(rows) != 1 {
		t.Fatalf("action rows for getPet: %d", len(rows))
	}
	as := rows[0].(map[string]any)["attributes"].(map[string]any)
	if as["label"] != "Get pet" || fmt.Sprint(as["instance_optional"]) == "0" || fmt.Sprint(as["instance_optional"]) == "false" {
		t.Errorf("getPet action row: %v", as)
	}
	r := s.Do(t, http.MethodGet, "/jsmodel/integration", nil, admin)
	for _, want := range []string{`"Name":"getPet"`, `"Name":"listPets"`, `"ColumnName":"owner.email"`, `"Name":"install_integration"`} {
		if !strings.Contains(string(r.Body), want) {
			t.Errorf("/jsmodel/integration lacks %s: %.400s", want, r.Body)
		}
	}

	r = s.Do(t, http.MethodPost, "/action/integration/getPet", map[string]any{"attributes": map[string]any{"petId": "12"}}, admin)
	if r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"id":"12"`) {
		t.Errorf("POST /action/integration/getPet: %d %s", r.Status, r.Body)
	}
	r = s.Do(t, http.MethodPost, "/action/pet/adopt", map[string]any{"attributes": map[string]any{"name": "Nemo"}}, admin)
	if r.Status != http.StatusOK || len(api.created) != 1 || api.created[0]["name"] != "Nemo" {
		t.Errorf("outcome {Type: petstore, Method: createPet}: %d %s %v", r.Status, r.Body, api.created)
	}

	if r = s.Do(t, http.MethodPost, "/_config/backend/graphql.enable", "true", admin); r.Status != http.StatusOK {
		t.Fatalf("enable graphql: %d %s", r.Status, r.Body)
	}
	waitFor(t, 5*time.Second, "the GraphQL mutation of getPet", func() bool {
		r = s.Do(t, http.MethodPost, "/graphql", map[string]any{"query": `mutation { executeGetPetOnIntegration(petId: "5") { ResponseType } }`}, admin)
		return r.Status == http.StatusOK && strings.Contains(string(r.Body), `"ResponseType":"petstore"`)
	})

	// Disable: the actions go, without a restart.
	patch := func(attrs map[string]any) {
		t.Helper()
		r := s.Do(t, http.MethodPatch, "/api/integration/"+id, map[string]any{"data": map[string]any{"type": "integration", "id": id, "attributes": attrs}}, admin)
		if r.Status != http.StatusOK {
			t.Fatalf("patch integration: %d %s", r.Status, r.Body)
		}
	}
	patch(map[string]any{"enable": false})
	waitFor(t, 10*time.Second, "the getPet action row to go", func() bool { return len(actionRows(t, s, "getPet", admin)) == 0 })
	if r = s.Do(t, http.MethodPost, "/action/integration/getPet", map[string]any{"attributes": map[string]any{"petId": "1"}}, admin); r.Status != http.StatusNotFound {
		t.Errorf("getPet after the integration was disabled: %d %s", r.Status, r.Body)
	}
	if r = s.Do(t, http.MethodGet, "/jsmodel/integration", nil, admin); strings.Contains(string(r.Body), `"Name":"getPet"`) {
		t.Errorf("/jsmodel still lists getPet after the integration was disabled")
	}

	// Enable with one more operation: served at once, no install action.
	spec := fmt.Sprintf(petSpec, api.URL) + `  /pets/{petId}/photo:
    get:
      operationId: getPhoto
      parameters: [{name: petId, in: path, required: true, schema: {type: string}}]
      responses: {"200": {description: ok}}
`
	patch(map[string]any{"enable": true, "specification": spec})
	waitFor(t, 10*time.Second, "the getPhoto action row", func() bool { return len(actionRows(t, s, "getPhoto", admin)) == 1 })
	if rows := actionRows(t, s, "getPet", admin); len(rows) != 1 {
		t.Errorf("getPet rows after reinstall: %d", len(rows))
	}
	r = s.Do(t, http.MethodGet, "/integration/petstore/operations/getPhoto", nil, admin)
	if r.Status != http.StatusOK {
		t.Errorf("the new operation is not served after the row changed: %d %s", r.Status, r.Body)
	}
	r = s.Do(t, http.MethodPost, "/action/integration/getPet", map[string]any{"attributes": map[string]any{"petId": "3"}}, admin)
	if r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"id":"3"`) {
		t.Errorf("getPet after re-enabling: %d %s", r.Status, r.Body)
	}
	// A plain user may not run the operation without execute rights on
	// the integration table.
	user := s.User(t, "Plain", "plain2@example.test", "plain-password")
	if r = s.Do(t, http.MethodPost, "/action/integration/getPet", map[string]any{"attributes": map[string]any{"petId": "3"}}, user); r.Status < 400 {
		t.Errorf("a plain user ran getPet: %d %s", r.Status, r.Body)
	}
}
