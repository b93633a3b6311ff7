package dexie

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/schema"
)

func addUser(t *testing.T, svc resource.Service, email string) string {
	t.Helper()
	row, err := svc.Create(systemCtx(t.Context()), schema.TableUser, resource.Input{Attributes: map[string]any{
		"name": email[:strings.IndexByte(email, '@')], "email": email, "password": "password-" + email}})
	if err != nil {
		t.Fatal(err)
	}
	return row.RefID
}

func TestMyRealm(t *testing.T) {
	srv, svc := dexieServer(t)
	addUser(t, svc, "ann@example.com")
	addUser(t, svc, "bob@example.com")
	code, body := send(t, srv, "ann@example.com", "POST", "/my/item", `{"title":"ann's"}`)
	var objs []map[string]any
	if code != 200 || json.Unmarshal([]byte(body), &objs) != nil || len(objs) != 1 {
		t.Fatalf("post /my: %d %s", code, body)
	}
	mine := objs[0]
	if mine["realmId"] != "ann@example.com" || mine["owner"] != "ann@example.com" {
		t.Errorf("private object: %v", mine)
	}
	id := mine["id"].(string)
	if code, body = send(t, srv, "ann@example.com", "GET", "/my/item", ""); code != 200 || !strings.Contains(body, "ann's") {
		t.Errorf("ann lists: %d %s", code, body)
	}
	if code, body = send(t, srv, "bob@example.com", "GET", "/my/item", ""); code != 200 || strings.Contains(body, "ann's") {
		t.Errorf("bob sees ann's private object: %d %s", code, body)
	}
	if code, body = send(t, srv, "bob@example.com", "GET", "/my/item/"+id, ""); code != 404 {
		t.Errorf("bob gets ann's object: %d %s", code, body)
	}
	if code, body = send(t, srv, "bob@example.com", "DELETE", "/my/item/"+id, ""); code != 404 && code != 403 {
		t.Errorf("bob deletes ann's object: %d %s", code, body)
	}
	// The application sees every realm.
	if code, body = send(t, srv, "app", "GET", "/all/item?realmId=ann@example.com", ""); code != 200 || !strings.Contains(body, "ann's") {
		t.Errorf("app lists ann's realm: %d %s", code, body)
	}
	for _, c := range []struct {
		as, body string
		status   int
		contains string
	}{
		{"ann@example.com", `{"title":"x","realmId":"bob@example.com"}`, http.StatusForbidden, "another user's private realm"},
		{"ann@example.com", `{"title":"x","realmId":"rlm-nowhere"}`, http.StatusBadRequest, "names no realm"},
		{"ann@example.com", `{"title":"x","realmId":"rlm-public"}`, http.StatusForbidden, "use /public with GLOBAL_WRITE"},
		{"ann@example.com", `{"title":"x","owner":"bob@example.com"}`, http.StatusForbidden, "another user"},
		{"ann@example.com", `{"title":"x","owner":7}`, http.StatusBadRequest, "owner must be"},
		{"app", `{"title":"x","realmId":"rlm-public","owner":"nobody@example.com"}`, http.StatusBadRequest, "names no user"},
		{"app", `{"title":"x","realmId":"ann@example.com","owner":"bob@example.com"}`, http.StatusBadRequest, "the realm's user"},
	} {
		code, body := send(t, srv, c.as, "POST", "/my/item", c.body)
		if c.as == "app" {
			code, body = send(t, srv, c.as, "POST", "/all/item", c.body)
		}
		if code != c.status || !strings.Contains(body, c.contains) {
			t.Errorf("%s %s: %d %s, want %d %q", c.as, c.body, code, body, c.status, c.contains)
		}
	}
	// The application may move an object into the public realm and give it to bob.
	code, body = send(t, srv, "app", "POST", "/all/item", `{"id":"`+id+`","title":"shared","realmId":"rlm-public","owner":"bob@example.com"}`)
	if code != 200 || !strings.Contains(body, `"owner":"bob@example.com"`) || !strings.Contains(body, `"realmId":"rlm-public"`) {
		t.Errorf("move to public: %d %s", code, body)
	}
	if code, body = send(t, srv, "", "GET", "/public/item/"+id, ""); code != 200 || !strings.Contains(body, "shared") {
		t.Errorf("guest reads the moved object: %d %s", code, body)
	}
}

func TestMemberOf(t *testing.T) {
	t.Parallel()
	p := auth.Principal{UserID: 1, Groups: []auth.Group{{Ref: "G-1"}}}
	if !memberOf(p, "g-1") || memberOf(p, "g-2") || memberOf(auth.Principal{}, "g-1") {
		t.Error("memberOf")
	}
}
