package dialects

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/apiary/apiary/test/testserver"
)

// dexieEnv is a server with the Dexie schema, an administrator, two users
// and a service client holding every scope.
type dexieEnv struct {
	s                 *testserver.Server
	admin, alice, bob string // JSON:API session tokens
	global, read      string // client tokens
	aliceTok, bobTok  string // end-user tokens from /token
	aliceRef, bobRef  string
	teamRef           string // usergroup bob is a member of
}

const dexieClient, dexieSecret = "dexie-app", "dexie-secret-1"

func newDexieEnv(t testing.TB) *dexieEnv {
	t.Helper()
	s := testserver.Start(t, testserver.WithSchema("schema_dexie.yaml", dexieSchema))
	e := &dexieEnv{s: s, admin: s.Admin(t)}
	for _, tb := range []string{"todo_items", "todo_lists", "notices", "compound_table"} {
		openGate(t, s, e.admin, tb)
	}
	e.alice = s.User(t, "Alice", "alice@demo.local", "alice-password")
	e.bob = s.User(t, "Bob", "bob@demo.local", "bob-password")
	e.aliceRef, e.bobRef = myID(t, s, e.alice), myID(t, s, e.bob)
	jsonapiCreate(t, s, e.admin, "service_client", map[string]any{"name": "Dexie app", "client_id": dexieClient,
		"client_secret": dexieSecret, "scopes": "ACCESS_DB IMPERSONATE GLOBAL_READ GLOBAL_WRITE"})
	jsonapiCreate(t, s, e.admin, "service_client", map[string]any{"name": "Reader", "client_id": "reader",
		"client_secret": "reader-secret", "scopes": "ACCESS_DB GLOBAL_READ"})
	e.teamRef = jsonapiCreate(t, s, e.admin, "usergroup", map[string]any{"name": "team"})
	jsonapiCreate(t, s, e.admin, "user_account_user_account_id_has_usergroup_usergroup_id", map[string]any{"user_account_id": e.bobRef, "usergroup_id": e.teamRef})
	e.global = dexieToken(t, s, dexieClient, dexieSecret, []string{"ACCESS_DB", "GLOBAL_READ", "GLOBAL_WRITE"}, nil)["accessToken"].(string)
	e.read = dexieToken(t, s, "reader", "reader-secret", []string{"ACCESS_DB", "GLOBAL_READ"}, nil)["accessToken"].(string)
	e.aliceTok = dexieToken(t, s, dexieClient, dexieSecret, []string{"ACCESS_DB"}, map[string]any{"sub": e.aliceRef, "email": "alice@demo.local", "name": "Alice"})["accessToken"].(string)
	e.bobTok = dexieToken(t, s, dexieClient, dexieSecret, []string{"ACCESS_DB"}, map[string]any{"email": "bob@demo.local"})["accessToken"].(string)
	return e
}

// list decodes a JSON array answer.
func list(t testing.TB, r testserver.Response) []map[string]any {
	t.Helper()
	arr, ok := r.JSON(t).([]any)
	if !ok {
		t.Fatalf("not an array: %d %s", r.Status, r.Body)
	}
	out := make([]map[string]any, len(arr))
	for i, v := range arr {
		out[i] = v.(map[string]any)
	}
	return out
}

func must(t testing.TB, r testserver.Response, status int) testserver.Response {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	return r
}

// TestDexie replays the Dexie Cloud seed on one server, in an order where
// each part sees the data the earlier ones left (one boot instead of eight).
func TestDexie(t *testing.T) {
	t.Parallel()
	e := newDexieEnv(t)
	for _, part := range []struct {
		name string
		fn   func(*testing.T, *dexieEnv)
	}{
		{"TokenResponse", dexieTokenResponse},
		{"ScopesAndBadInput", dexieScopesAndBadInput},
		{"SeedDataEndpoints", dexieSeedDataEndpoints},
		{"IDFilter", dexieIDFilter},
		{"MyNeverPublic", dexieMyNeverPublic},
		{"CompoundKey", dexieCompoundKey},
		{"CamelCaseNames", dexieCamelCaseNames},
		{"CrossDialectRealm", dexieCrossDialectDexieRealm},
		{"UsersSeed", dexieUsersSeed},
		{"UsersPagingUnderInserts", dexieUsersPagingUnderInserts},
		{"UsersDeactivateAndDelete", dexieUsersDeactivateAndDelete},
	} {
		if !t.Run(part.name, func(t *testing.T) { part.fn(t, e) }) {
			return
		}
	}
}

func dexieTokenResponse(t *testing.T, e *dexieEnv) {
	before := time.Now()
	// "Get a token with global database access"
	m := dexieToken(t, e.s, dexieClient, dexieSecret, []string{"ACCESS_DB", "GLOBAL_READ", "GLOBAL_WRITE"}, nil)
	claims := m["claims"].(map[string]any)
	if m["type"] != "tokens" || m["userType"] != "client" || claims["sub"] != dexieClient || claims["license"] != "ok" || m["accessToken"] == "" {
		t.Errorf("client token answer %v", m)
	}
	exp := time.UnixMilli(int64(m["accessTokenExpiration"].(float64)))
	if exp.Before(before.Add(59*time.Minute)) || exp.After(time.Now().Add(61*time.Minute)) {
		t.Errorf("accessTokenExpiration %v is not one hour ahead", exp)
	}
	for k := range m {
		switch k {
		case "type", "claims", "accessToken", "accessTokenExpiration", "userType", "refreshToken", "refreshTokenExpiration", "evalDaysLeft", "userValidUntil", "alerts":
		default:
			t.Errorf("property %q is not in TokenFinalResponse", k)
		}
	}
	// "Get a token on behalf of an end-user"
	m = dexieToken(t, e.s, dexieClient, dexieSecret, []string{"ACCESS_DB"}, map[string]any{"sub": e.aliceRef, "email": "alice@demo.local", "name": "Alice"})
	claims = m["claims"].(map[string]any)
	if m["userType"] != "prod" || claims["sub"] != "alice@demo.local" || claims["email"] != "alice@demo.local" {
		t.Errorf("user token answer %v", m)
	}
	// Basic client authentication.
	req, _ := http.NewRequest(http.MethodPost, e.s.URL+"/token", stringsReader(`{"grant_type":"client_credentials","scopes":["ACCESS_DB"]}`))
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth(dexieClient, dexieSecret)
	resp, err := e.s.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json; charset=utf-8" {
		t.Errorf("basic auth token: %d %v", resp.StatusCode, resp.Header)
	}
	// A scope the client does not hold.
	r := e.s.Do(t, http.MethodPost, "/token", map[string]any{"grant_type": "client_credentials", "client_id": "reader",
		"client_secret": "reader-secret", "scopes": []string{"GLOBAL_WRITE"}}, "")
	if r.Status != http.StatusBadRequest || r.Map(t)["error"] != "invalid_scope" {
		t.Errorf("ungranted scope: %d %s", r.Status, r.Body)
	}
}

func dexieSeedDataEndpoints(t *testing.T, e *dexieEnv) {
	s := e.s

	// POST /my: realmId defaults to the user's private realm.
	mine := list(t, must(t, s.Do(t, http.MethodPost, "/my/todo_items", []any{map[string]any{"title": "alice's", "todo_list_id": "xxx"}}, e.aliceTok), 200))
	if len(mine) != 1 || mine[0]["done"] != false || mine[0]["realmId"] != "alice@demo.local" || mine[0]["owner"] != "alice@demo.local" || mine[0]["title"] != "alice's" {
		t.Fatalf("posted %v", mine)
	}
	aliceItem := mine[0]["id"].(string)
	// GET /my/<table>: only what the subject may read.
	if got := list(t, must(t, s.Do(t, http.MethodGet, "/my/todo_items", nil, e.aliceTok), 200)); len(got) != 1 {
		t.Errorf("alice /my: %v", got)
	}
	if got := list(t, must(t, s.Do(t, http.MethodGet, "/my/todo_items", nil, e.bobTok), 200)); len(got) != 0 {
		t.Errorf("bob sees alice's private item: %v", got)
	}
	must(t, s.Do(t, http.MethodGet, "/my/todo_items/"+aliceItem, nil, e.bobTok), 404)
	must(t, s.Do(t, http.MethodDelete, "/my/todo_items/"+aliceItem, nil, e.bobTok), 404)

	// POST /all: realmId required; a single object is one upsert.
	must(t, s.Do(t, http.MethodPost, "/all/todo_items", map[string]any{"title": "no realm"}, e.global), 400)
	pub := list(t, must(t, s.Do(t, http.MethodPost, "/all/todo_items", map[string]any{"title": "public", "realmId": "rlm-public"}, e.global), 200))[0]
	shared := list(t, must(t, s.Do(t, http.MethodPost, "/all/todo_items", []any{map[string]any{"title": "shared", "realmId": e.teamRef, "todo_list_id": "xxx"}}, e.global), 200))[0]
	if pub["realmId"] != "rlm-public" || shared["realmId"] != e.teamRef {
		t.Fatalf("realms: %v %v", pub, shared)
	}

	// GET /all/<table>, ?realmId=, ?prop=value, /all/<table>/<key>.
	if got := list(t, must(t, s.Do(t, http.MethodGet, "/all/todo_items", nil, e.read), 200)); len(got) != 3 {
		t.Errorf("/all: %v", got)
	}
	if got := list(t, must(t, s.Do(t, http.MethodGet, "/all/todo_items?realmId="+url.QueryEscape("alice@demo.local"), nil, e.read), 200)); len(got) != 1 || got[0]["id"] != aliceItem {
		t.Errorf("/all?realmId: %v", got)
	}
	if got := list(t, must(t, s.Do(t, http.MethodGet, "/all/todo_items?realmId="+e.teamRef, nil, e.read), 200)); len(got) != 1 || got[0]["id"] != shared["id"] {
		t.Errorf("/all?realmId=<usergroup>: %v", got)
	}
	if got := list(t, must(t, s.Do(t, http.MethodGet, "/all/todo_items?todo_list_id=xxx", nil, e.read), 200)); len(got) != 2 {
		t.Errorf("/all?todo_list_id=xxx: %v", got)
	}
	if got := must(t, s.Do(t, http.MethodGet, "/all/todo_items/"+aliceItem, nil, e.read), 200).Map(t); got["title"] != "alice's" || got["realmId"] != "alice@demo.local" {
		t.Errorf("/all/<key>: %v", got)
	}

	// Bob is in the team realm: /my shows the shared item, JSON:API too.
	if got := list(t, must(t, s.Do(t, http.MethodGet, "/my/todo_items", nil, e.bobTok), 200)); len(got) != 2 {
		t.Errorf("bob /my: %v", got)
	}
	if rows := jsonapiList(t, s, e.bob, "todo_items"); len(rows) != 2 {
		t.Errorf("bob JSON:API sees %d rows, want the shared and the public one", len(rows))
	}
	if rows := jsonapiList(t, s, e.alice, "todo_items"); len(rows) != 2 {
		t.Errorf("alice JSON:API sees %d rows, want her own and the public one", len(rows))
	}

	// GET /public needs no token and shows only rlm-public.
	if got := list(t, must(t, s.Do(t, http.MethodGet, "/public/todo_items", nil, ""), 200)); len(got) != 1 || got[0]["id"] != pub["id"] {
		t.Errorf("/public: %v", got)
	}
	must(t, s.Do(t, http.MethodGet, "/public/todo_items/"+aliceItem, nil, ""), 404)
	// POST /public: realmId defaults to rlm-public; needs GLOBAL_WRITE.
	must(t, s.Do(t, http.MethodPost, "/public/todo_items", []any{map[string]any{"title": "x"}}, e.aliceTok), 403)
	pub2 := list(t, must(t, s.Do(t, http.MethodPost, "/public/todo_items", []any{map[string]any{"title": "public 2"}}, e.global), 200))[0]
	if pub2["realmId"] != "rlm-public" {
		t.Errorf("public post: %v", pub2)
	}

	// Upsert: posting an existing key replaces the object, not duplicates it;
	// a property left out is cleared.
	must(t, s.Do(t, http.MethodPost, "/all/todo_items", []any{map[string]any{"id": pub2["id"], "title": "public 2", "todo_list_id": "yyy", "realmId": "rlm-public"}}, e.global), 200)
	must(t, s.Do(t, http.MethodPost, "/all/todo_items", []any{map[string]any{"id": pub2["id"], "title": "public 2 renamed", "realmId": "rlm-public"}}, e.global), 200)
	if got := must(t, s.Do(t, http.MethodGet, "/public/todo_items/"+pub2["id"].(string), nil, ""), 200).Map(t); got["title"] != "public 2 renamed" || got["todo_list_id"] != nil {
		t.Errorf("upsert: %v", got)
	}

	// DELETE /public deletes only public objects; /all any; /my own.
	must(t, s.Do(t, http.MethodDelete, "/public/todo_items/"+aliceItem, nil, e.global), 404)
	must(t, s.Do(t, http.MethodDelete, "/public/todo_items/"+pub2["id"].(string), nil, e.global), 204)
	must(t, s.Do(t, http.MethodDelete, "/all/todo_items/"+shared["id"].(string), nil, e.global), 204)
	must(t, s.Do(t, http.MethodDelete, "/my/todo_items/"+aliceItem, nil, e.aliceTok), 204)
	if got := list(t, must(t, s.Do(t, http.MethodGet, "/all/todo_items", nil, e.read), 200)); len(got) != 1 {
		t.Errorf("after deletes: %v", got)
	}
}

func dexieCompoundKey(t *testing.T, e *dexieEnv) {
	s := e.s
	got := list(t, must(t, s.Do(t, http.MethodPost, "/all/compound_table", []any{map[string]any{"name": "Bob", "num": 42, "note": "n1", "realmId": "rlm-public"}}, e.global), 200))
	if len(got) != 1 || got[0]["id"] != nil || got[0]["name"] != "Bob" {
		t.Fatalf("posted %v", got)
	}
	// Upsert by compound key.
	must(t, s.Do(t, http.MethodPost, "/all/compound_table", []any{map[string]any{"name": "Bob", "num": 42, "note": "n2", "realmId": "rlm-public"}}, e.global), 200)
	// "Delete a compound key (array key ["Bob",42])"
	key := "/all/compound_table/%5B%22Bob%22%2C42%5D"
	if m := must(t, s.Do(t, http.MethodGet, key, nil, e.read), 200).Map(t); m["note"] != "n2" {
		t.Errorf("get by compound key: %v", m)
	}
	must(t, s.Do(t, http.MethodGet, "/all/compound_table/"+url.PathEscape(`["Bob"]`), nil, e.read), 400)
	must(t, s.Do(t, http.MethodDelete, key, nil, e.global), 204)
	must(t, s.Do(t, http.MethodGet, key, nil, e.read), 404)
}

func dexieScopesAndBadInput(t *testing.T, e *dexieEnv) {
	s := e.s
	cases := []struct {
		name, method, path string
		body               any
		tok                string
		status             int
	}{
		{"no token on /all", "GET", "/all/todo_items", nil, "", 401},
		{"no token on /my", "GET", "/my/todo_items", nil, "", 401},
		{"user token on /all", "GET", "/all/todo_items", nil, e.aliceTok, 403},
		{"read token writes /all", "POST", "/all/todo_items", []any{map[string]any{"title": "x", "realmId": "rlm-public"}}, e.read, 403},
		{"read token deletes /public", "DELETE", "/public/todo_items/0190e3b4-0000-7000-8000-000000000000", nil, e.read, 403},
		{"client token on /my", "GET", "/my/todo_items", nil, e.global, 403},
		{"session token without ACCESS_DB", "GET", "/my/todo_items", nil, e.alice, 403},
		{"unknown table", "GET", "/all/nope", nil, e.read, 404},
		{"system table", "GET", "/all/user_account", nil, e.read, 404},
		{"body is a number", "POST", "/all/todo_items", "42", e.global, 400},
		{"array of non-objects", "POST", "/all/todo_items", `[1]`, e.global, 400},
		{"bad JSON", "POST", "/all/todo_items", `{`, e.global, 400},
		{"key does not parse", "GET", "/all/todo_items/not-a-key", nil, e.read, 400},
		{"unknown property", "POST", "/all/todo_items", []any{map[string]any{"nope": 1, "realmId": "rlm-public"}}, e.global, 400},
		{"unknown realm", "POST", "/all/todo_items", []any{map[string]any{"title": "x", "realmId": "nobody@nowhere"}}, e.global, 400},
		{"filter on unknown property", "GET", "/all/todo_items?nope=1", nil, e.read, 400},
		{"my into other's realm", "POST", "/my/todo_items", []any{map[string]any{"title": "x", "realmId": "bob@demo.local"}}, e.aliceTok, 403},
		{"my into a realm not a member of", "POST", "/my/todo_items", []any{map[string]any{"title": "x", "realmId": e.teamRef}}, e.aliceTok, 403},
		{"my into public", "POST", "/my/todo_items", []any{map[string]any{"title": "x", "realmId": "rlm-public"}}, e.aliceTok, 403},
	}
	for _, c := range cases {
		r := s.Do(t, c.method, c.path, c.body, c.tok)
		if r.Status != c.status {
			t.Errorf("%s: %d, want %d: %s", c.name, r.Status, c.status, r.Body)
			continue
		}
		if m := r.Map(t); m["error"] == nil || m["message"] == nil {
			t.Errorf("%s: not a Dexie error body: %s", c.name, r.Body)
		}
	}
	// Nothing was written by the refused requests (a partial batch included).
	must(t, s.Do(t, http.MethodPost, "/all/todo_items", []any{map[string]any{"title": "ok", "realmId": "rlm-public"}, map[string]any{"title": "bad"}}, e.global), 400)
	if got := list(t, must(t, s.Do(t, http.MethodGet, "/all/todo_items", nil, e.read), 200)); len(got) != 0 {
		t.Errorf("refused requests wrote %v", got)
	}
}

// dexieCamelCaseNames uses a table and a property declared in camelCase
// (stored as todo_lists.list_title) by the names the app declared.
func dexieCamelCaseNames(t *testing.T, e *dexieEnv) {
	s := e.s
	obj := list(t, must(t, s.Do(t, http.MethodPost, "/all/todoLists", []any{map[string]any{"listTitle": "groceries", "realmId": "rlm-public"}}, e.global), 200))[0]
	if obj["listTitle"] != "groceries" {
		t.Errorf("posted %v", obj)
	}
	if got := list(t, must(t, s.Do(t, http.MethodGet, "/all/todoLists?listTitle=groceries", nil, e.read), 200)); len(got) != 1 {
		t.Errorf("filter by declared name: %v", got)
	}
	if got := list(t, must(t, s.Do(t, http.MethodGet, "/public/todoLists", nil, ""), 200)); len(got) != 1 || got[0]["listTitle"] != "groceries" {
		t.Errorf("/public/todoLists: %v", got)
	}
	if rows := jsonapiList(t, s, e.admin, "todo_lists"); len(rows) != 1 || rows[0]["attributes"].(map[string]any)["list_title"] != "groceries" {
		t.Errorf("JSON:API rows %v", rows)
	}
	must(t, s.Do(t, http.MethodDelete, "/all/todoLists/"+obj["id"].(string), nil, e.global), 204)
}
