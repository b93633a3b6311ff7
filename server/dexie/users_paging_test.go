package dexie

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
)

type userPage struct {
	Data      []map[string]any `json:"data"`
	HasMore   bool             `json:"hasMore"`
	PagingKey string           `json:"pagingKey"`
}

func TestUsersPagingAndSort(t *testing.T) {
	srv, svc := dexieServer(t)
	for _, e := range []string{"cat@example.com", "amy@example.com", "bob@example.com", "dan@example.com"} {
		addUser(t, svc, e)
	}
	var seen []string
	key := ""
	for range 10 {
		q := url.Values{"limit": {"3"}, "sort": {"userId"}}
		if key != "" {
			q.Set("pagingKey", key)
		}
		code, body := send(t, srv, "app", "GET", "/users?"+q.Encode(), "")
		var p userPage
		if code != 200 || json.Unmarshal([]byte(body), &p) != nil {
			t.Fatalf("page: %d %s", code, body)
		}
		for _, u := range p.Data {
			seen = append(seen, u["userId"].(string))
		}
		if !p.HasMore {
			if p.PagingKey != "" {
				t.Errorf("last page has a paging key: %s", body)
			}
			break
		}
		key = p.PagingKey
	}
	// Every user once, in e-mail order, whatever other rows the seed made.
	var ours []string
	for _, s := range seen {
		if strings.HasSuffix(s, "@example.com") {
			ours = append(ours, s)
		}
	}
	if strings.Join(ours, " ") != "amy@example.com bob@example.com cat@example.com dan@example.com" {
		t.Errorf("paged users: %v", seen)
	}
	code, body := send(t, srv, "app", "GET", "/users?sort=userId&desc=true&search=example.com", "")
	var p userPage
	_ = json.Unmarshal([]byte(body), &p)
	if code != 200 || len(p.Data) != 4 || p.Data[0]["userId"] != "dan@example.com" || p.HasMore {
		t.Errorf("descending: %d %s", code, body)
	}
}

func TestDeleteAndDeactivateUsers(t *testing.T) {
	srv, svc := dexieServer(t)
	addUser(t, svc, "amy@example.com")
	code, body := send(t, srv, "app", "POST", "/my/item", `{"title":"x"}`)
	if code != 403 {
		t.Fatalf("app token on /my: %d %s", code, body)
	}
	if code, body = send(t, srv, "amy@example.com", "POST", "/my/item", `{"title":"amy's"}`); code != 200 {
		t.Fatalf("amy's object: %d %s", code, body)
	}
	code, body = send(t, srv, "app", "POST", "/users", `[{"userId":"amy@example.com","deactivated":true}]`)
	if code != 200 {
		t.Fatalf("deactivate: %d %s", code, body)
	}
	if code, body = send(t, srv, "app", "GET", "/users?active=false", ""); code != 200 || !strings.Contains(body, "amy@example.com") {
		t.Errorf("inactive list: %d %s", code, body)
	}
	if code, body = send(t, srv, "app", "DELETE", "/users/amy@example.com", ""); code != 204 {
		t.Fatalf("delete: %d %s", code, body)
	}
	if code, body = send(t, srv, "app", "GET", "/all/item", ""); code != 200 || strings.Contains(body, "amy's") {
		t.Errorf("amy's private object outlived her: %d %s", code, body)
	}
	if code, _ = send(t, srv, "app", "DELETE", "/users/amy@example.com", ""); code != 404 {
		t.Errorf("second delete: %d", code)
	}
}
