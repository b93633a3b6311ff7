package clients

import (
	"net/http"
	"strings"
	"testing"

	"github.com/apiary/apiary/test/testserver"
)

// accessSchema is the permission model of Daptin's own access-group
// scenarios: table gates opened to the users group by AccessGroups, rows
// shared by DefaultGroups, owner-only rows, and actions whose rows are
// opened (or not) to a group.
const accessSchema = `
Tables:
  - TableName: public_page
    Permission: 3
    DefaultPermission: 2
    Columns: [{Name: title, DataType: varchar(100), ColumnType: label}]
  - TableName: private_note
    Permission: 16384
    DefaultPermission: 1
    AccessGroups: [{Name: users, Permission: 114688}]
    DefaultGroups: [{Name: users, Permission: 49152}]
    Columns: [{Name: title, DataType: varchar(100), ColumnType: label}]
  - TableName: owner_note
    Permission: 16384
    DefaultPermission: 256
    AccessGroups: [{Name: users, Permission: 114688}]
    Columns: [{Name: title, DataType: varchar(100), ColumnType: label}]
  - TableName: mixed_article
    Permission: 3
    DefaultPermission: 2
    Columns: [{Name: title, DataType: varchar(100), ColumnType: label}]
  - TableName: workspace_item
    Permission: 16384
    DefaultPermission: 1
    AccessGroups: [{Name: users, Permission: 245760}]
    Columns: [{Name: title, DataType: varchar(100), ColumnType: label}]
  - TableName: action_doc
    Permission: 524288
    AccessGroups: [{Name: users, Permission: 524288}]
    Columns: [{Name: title, DataType: varchar(100), ColumnType: label}]
Actions:
  - Name: allowed_action
    Label: Allowed action
    OnType: action_doc
    InstanceOptional: true
    Permission: 0
    AccessGroups: [{Name: users, Permission: 524288}]
    OutFields:
      - {Method: ACTIONRESPONSE, Type: client.notify, Attributes: {type: success, title: Access, message: allowed}}
  - Name: denied_action
    Label: Denied action
    OnType: action_doc
    InstanceOptional: true
    Permission: 0
    OutFields:
      - {Method: ACTIONRESPONSE, Type: client.notify, Attributes: {type: success, title: Access, message: denied}}
`

// api is a small JSON:API driver for the scenarios.
type api struct {
	t *testing.T
	s *testserver.Server
}

func (a api) status(method, path, tok string, body any, want int) testserver.Response {
	a.t.Helper()
	r := a.s.Do(a.t, method, path, body, tok)
	if r.Status != want {
		a.t.Fatalf("%s %s: %d, want %d: %s", method, path, r.Status, want, r.Body)
	}
	return r
}

func record(typ, id string, attrs map[string]any) map[string]any {
	data := map[string]any{"type": typ, "attributes": attrs}
	if id != "" {
		data["id"] = id
	}
	return map[string]any{"data": data}
}

func (a api) create(tok, typ string, attrs map[string]any) string {
	a.t.Helper()
	r := a.status(http.MethodPost, "/api/"+typ, tok, record(typ, "", attrs), http.StatusCreated)
	data, _ := r.Map(a.t)["data"].(map[string]any)
	id, _ := data["id"].(string)
	if id == "" {
		a.t.Fatalf("create %s: no id: %s", typ, r.Body)
	}
	return id
}

func (a api) patch(tok, typ, id string, attrs map[string]any, want int) {
	a.t.Helper()
	a.status(http.MethodPatch, "/api/"+typ+"/"+id, tok, record(typ, id, attrs), want)
}

// titles lists a table and returns the titles the caller sees.
func (a api) titles(tok, typ string) []string {
	a.t.Helper()
	var out []string
	for _, row := range list(a.t, a.s.Do(a.t, http.MethodGet, "/api/"+typ+"?page[size]=100&sort=title", nil, tok)) {
		s, _ := attr(row, "title").(string)
		out = append(out, s)
	}
	return out
}

func (a api) wantTitles(tok, typ string, want ...string) {
	a.t.Helper()
	got := a.titles(tok, typ)
	if len(got) != len(want) {
		a.t.Fatalf("%s: sees %q, want %q", typ, got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			a.t.Fatalf("%s: sees %q, want %q", typ, got, want)
		}
	}
}

// userID finds a user's id as an administrator sees the accounts.
func (a api) userID(admin, email string) string {
	a.t.Helper()
	for _, row := range list(a.t, a.s.Do(a.t, http.MethodGet, "/api/user_account?page[size]=100", nil, admin)) {
		if attr(row, "email") == email {
			return row["id"].(string)
		}
	}
	a.t.Fatalf("no user %s", email)
	return ""
}

// TestAccessGroupScenarios drives Daptin's access-group scenarios over
// HTTP as a user's script would: the schema is read at start-up.
func TestAccessGroupScenarios(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.WithSchema("schema_access.yaml", accessSchema))
	runAccessScenarios(t, s, s.Admin(t))
}

// TestAccessGroupsOnUpload: the same scenarios when the schema arrives by
// upload_system_schema after lock-down, then survives two reloads without
// duplicate links.
func TestAccessGroupsOnUpload(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	admin := s.Admin(t)
	a := api{t, s}
	a.status(http.MethodPost, "/action/world/upload_system_schema", admin, map[string]any{"attributes": map[string]any{
		"schema_file": []any{map[string]any{"name": "schema_access.yaml", "file": "data:application/x-yaml;base64," + b64(accessSchema)}}}}, http.StatusOK)
	links := func() int {
		return len(list(t, s.Do(t, http.MethodGet, "/api/world_world_id_has_usergroup_usergroup_id?page[size]=100", nil, admin)))
	}
	before := links()
	for i := 0; i < 2; i++ {
		a.status(http.MethodPost, "/action/world/restart_daptin", admin, map[string]any{"attributes": map[string]any{}}, http.StatusOK)
	}
	if after := links(); after != before || before < 4 {
		t.Errorf("world group links: %d after upload, %d after two reloads (want 4 and no duplicates)", before, after)
	}
	runAccessScenarios(t, s, admin)
}

func runAccessScenarios(t *testing.T, s *testserver.Server, admin string) {
	a := api{t, s}
	user := s.User(t, "User", "user@example.test", "user-password")
	other := s.User(t, "Other", "other@example.test", "other-password")
	editor := s.User(t, "Editor", "editor@example.test", "editor-password")
	member := s.User(t, "Member", "member@example.test", "member-password")

	// Public page: guests read, nobody but admins writes.
	a.create(admin, "public_page", map[string]any{"title": "public"})
	a.wantTitles("", "public_page", "public")
	a.status(http.MethodPost, "/api/public_page", "", record("public_page", "", map[string]any{"title": "guest write"}), http.StatusForbidden)

	// Private note: the table is open to the users group only; its rows
	// are shared with users by DefaultGroups.
	a.create(admin, "private_note", map[string]any{"title": "private"})
	a.status(http.MethodGet, "/api/private_note", "", nil, http.StatusForbidden)
	a.wantTitles(user, "private_note", "private")
	a.create(user, "private_note", map[string]any{"title": "user private"})
	a.wantTitles(other, "private_note", "private", "user private")

	// Owner note: rows only their owner reads.
	a.create(user, "owner_note", map[string]any{"title": "owned by user"})
	a.wantTitles(user, "owner_note", "owned by user")
	a.wantTitles(other, "owner_note")
	a.status(http.MethodGet, "/api/owner_note", "", nil, http.StatusForbidden)

	// Mixed rows: one made private by its permission.
	a.create(admin, "mixed_article", map[string]any{"title": "public article"})
	hidden := a.create(admin, "mixed_article", map[string]any{"title": "private article"})
	a.patch(admin, "mixed_article", hidden, map[string]any{"permission": 0}, http.StatusOK)
	a.wantTitles("", "mixed_article", "public article")
	a.wantTitles(admin, "mixed_article", "private article", "public article")

	// Workspace: rows shared with two groups, one of which may edit.
	editors := a.create(admin, "usergroup", map[string]any{"name": "editors"})
	members := a.create(admin, "usergroup", map[string]any{"name": "members"})
	const membership = "user_account_user_account_id_has_usergroup_usergroup_id"
	a.create(admin, membership, map[string]any{"user_account_id": a.userID(admin, "editor@example.test"), "usergroup_id": editors})
	a.create(admin, membership, map[string]any{"user_account_id": a.userID(admin, "member@example.test"), "usergroup_id": members})
	item := a.create(admin, "workspace_item", map[string]any{"title": "shared"})
	a.patch(admin, "workspace_item", item, map[string]any{"permission": 1}, http.StatusOK)
	const share = "workspace_item_workspace_item_id_has_usergroup_usergroup_id"
	edLink := a.create(admin, share, map[string]any{"workspace_item_id": item, "usergroup_id": editors})
	a.patch(admin, share, edLink, map[string]any{"permission": 180224}, http.StatusOK)
	memLink := a.create(admin, share, map[string]any{"workspace_item_id": item, "usergroup_id": members})
	a.patch(admin, share, memLink, map[string]any{"permission": 49152}, http.StatusOK)
	a.wantTitles(editor, "workspace_item", "shared")
	a.wantTitles(member, "workspace_item", "shared")
	a.wantTitles(other, "workspace_item")
	a.patch(editor, "workspace_item", item, map[string]any{"title": "edited"}, http.StatusOK)
	a.patch(member, "workspace_item", item, map[string]any{"title": "member edit"}, http.StatusForbidden)
	a.wantTitles(member, "workspace_item", "edited")

	// Actions: the table gate and the action row both open to users.
	r := a.status(http.MethodPost, "/action/action_doc/allowed_action", user, map[string]any{"attributes": map[string]any{}}, http.StatusOK)
	if string(r.Body) == "" || !contains(r.Body, `"message":"allowed"`) {
		t.Errorf("allowed_action answer: %s", r.Body)
	}
	a.status(http.MethodPost, "/action/action_doc/denied_action", user, map[string]any{"attributes": map[string]any{}}, http.StatusForbidden)
	a.status(http.MethodPost, "/action/action_doc/allowed_action", "", map[string]any{"attributes": map[string]any{}}, http.StatusForbidden)
	// Administrators bypass action permissions.
	a.status(http.MethodPost, "/action/action_doc/denied_action", admin, map[string]any{"attributes": map[string]any{}}, http.StatusOK)
}

// TestAccessGroupsUnknownGroup: a schema naming a usergroup that does not
// exist is refused with the group's name, and the server keeps running on
// the schema it had.
func TestAccessGroupsUnknownGroup(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	admin := s.Admin(t)
	bad := "Tables:\n  - TableName: secret\n    AccessGroups: [editors]\n    Columns: [{Name: title, ColumnType: label}]\n"
	r := s.Do(t, http.MethodPost, "/action/world/upload_system_schema", map[string]any{"attributes": map[string]any{
		"schema_file": []any{map[string]any{"name": "schema_secret.yaml", "file": "data:application/x-yaml;base64," + b64(bad)}}}}, admin)
	const want = `[{"ResponseType":"client.notify","Attributes":{"message":"unknown usergroup in AccessGroups: AccessGroups of world secret name \"editors\"; no usergroup has that name","title":"failed","type":"error"}}]`
	if r.Status != http.StatusBadRequest || strings.TrimSpace(string(r.Body)) != want {
		t.Errorf("upload naming an unknown group: %d %s", r.Status, r.Body)
	}
	if r := s.Do(t, http.MethodGet, "/api/world?page[size]=1", nil, admin); r.Status != http.StatusOK {
		t.Errorf("server after a refused schema: %d", r.Status)
	}
	a := api{t, s}
	a.status(http.MethodPost, "/action/world/restart_daptin", admin, map[string]any{"attributes": map[string]any{}}, http.StatusOK)
}
