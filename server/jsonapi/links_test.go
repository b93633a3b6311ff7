package jsonapi

import (
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/apiary/apiary/resource"
)

// TestAddCursorLink: a full page sorted by id alone gets links.next with
// page[after] (page[before] for -id) at its last row, page[number] and the
// token dropped; other sorts and short pages get none.
func TestAddCursorLink(t *testing.T) {
	rows := []resource.Row{{RefID: id1}, {RefID: id2}}
	cases := []struct {
		target, want string
	}{
		{"/api/todo?sort=id&page[size]=2&page[number]=3&token=secret&filter=x", "/api/todo?filter=x&page[after]=" + id2 + "&page[size]=2&sort=id"},
		{"/api/todo?sort=-id&page[size]=2", "/api/todo?page[before]=" + id2 + "&page[size]=2&sort=-id"},
		{"/api/todo?sort=title&page[size]=2", ""},
		{"/api/todo?sort=id&page[size]=3", ""}, // a short page is the last
	}
	for _, tc := range cases {
		r := httptest.NewRequest("GET", tc.target, nil)
		pq, err := parseQuery(r.URL.Query())
		if err != nil {
			t.Fatalf("%s: %v", tc.target, err)
		}
		links := map[string]any{}
		addCursorLink(links, r, pq, rows)
		got, _ := links["next"].(string)
		if got != tc.want {
			t.Errorf("%s: next %q, want %q", tc.target, got, tc.want)
		}
		if got != "" {
			if u, err := url.Parse(got); err != nil || u.Query().Get("token") != "" {
				t.Errorf("%s: next %q carries the token or does not parse (%v)", tc.target, got, err)
			}
		}
	}
}
