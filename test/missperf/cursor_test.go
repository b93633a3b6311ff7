package missperf

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"github.com/apiary/apiary/test/testserver"
)

type cursorDoc struct {
	Links map[string]any `json:"links"`
	Data  []struct {
		ID string `json:"id"`
	} `json:"data"`
}

// Following links.next (a page[after] / page[before] cursor) from the
// first page of a list sorted by id visits every row the caller may read
// exactly once, in order, picks up a row created while paging, and each
// page's links.total counts the rows from the cursor on; page numbers keep
// their links.
func TestCursorPaging(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.WithSchema("schema_todo.yaml", todoSchema))
	s.Admin(t)
	ann := s.User(t, "Ann", "ann@example.test", "ann-password")
	s.User(t, "Bob", "bob@example.test", "bob-password")
	seedTodos(t, s, "ann@example.test", 125)
	seedTodos(t, s, "bob@example.test", 30)

	get := func(path string) cursorDoc {
		t.Helper()
		r := s.Do(t, http.MethodGet, path, nil, ann)
		if r.Status != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, r.Status, r.Body)
		}
		var d cursorDoc
		if err := json.Unmarshal(r.Body, &d); err != nil {
			t.Fatal(err)
		}
		return d
	}
	for _, srt := range []string{"id", "-id"} {
		all := get("/api/todo?page%5Bsize%5D=1000&sort=" + srt)
		var want []string
		for _, r := range all.Data {
			want = append(want, r.ID)
		}
		next := "/api/todo?page%5Bsize%5D=10&sort=" + srt
		var got []string
		created := ""
		for pages := 0; next != ""; pages++ {
			if pages > 20 {
				t.Fatalf("sort %s: links.next never ends", srt)
			}
			d := get(next)
			if wantTotal := float64(len(want) - len(got)); d.Links["total"] != wantTotal && created == "" {
				t.Fatalf("sort %s, page %d: total %v, want %v", srt, pages, d.Links["total"], wantTotal)
			}
			if pages == 0 && d.Links["next_page_url"] == nil {
				t.Fatalf("sort %s: page links are gone: %v", srt, d.Links)
			}
			for _, r := range d.Data {
				got = append(got, r.ID)
			}
			next, _ = d.Links["next"].(string)
			if pages == 2 && srt == "id" {
				r := s.Do(t, http.MethodPost, "/api/todo", map[string]any{"data": map[string]any{"type": "todo", "attributes": map[string]any{"title": "created while paging"}}}, ann)
				if r.Status != http.StatusCreated {
					t.Fatalf("create: %d %s", r.Status, r.Body)
				}
				created = r.Map(t)["data"].(map[string]any)["id"].(string)
				want = append(want, created)
			}
		}
		if !slices.Equal(got, want) {
			t.Fatalf("sort %s: cursor pages gave %d rows, want %d (same order): %v", srt, len(got), len(want), got)
		}
	}
	// Other sorts keep no cursor link, and page[after] keeps Daptin's meaning
	// there: rows with a greater internal id, in the requested order.
	d := get("/api/todo?page%5Bsize%5D=10&sort=title")
	if _, ok := d.Links["next"]; ok {
		t.Fatalf("a title sort got a cursor link: %v", d.Links)
	}
	ids := get("/api/todo?page%5Bsize%5D=1000&sort=id")
	after := ids.Data[99].ID
	byTitle := get("/api/todo?page%5Bsize%5D=1000&sort=title&page%5Bafter%5D=" + after)
	if len(byTitle.Data) != len(ids.Data)-100 {
		t.Fatalf("page[after] with sort=title: %d rows, want %d", len(byTitle.Data), len(ids.Data)-100)
	}
	if r := s.Do(t, http.MethodGet, "/api/todo?sort=id&page%5Bafter%5D=not-a-uuid", nil, ann); r.Status != http.StatusBadRequest {
		t.Fatalf("bad cursor: %d %s", r.Status, r.Body)
	}
}
