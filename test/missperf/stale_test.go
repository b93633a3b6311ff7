package missperf

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/server"
	"github.com/apiary/apiary/test/testserver"
)

type listDoc struct {
	Links struct {
		Total int `json:"total"`
	} `json:"links"`
	Data []struct {
		ID         string         `json:"id"`
		Attributes map[string]any `json:"attributes"`
	} `json:"data"`
}

func getList(t *testing.T, s *testserver.Server, path, tok string) listDoc {
	t.Helper()
	r := s.Do(t, http.MethodGet, path, nil, tok)
	if r.Status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, r.Status, r.Body)
	}
	var d listDoc
	if err := json.Unmarshal(r.Body, &d); err != nil {
		t.Fatal(err)
	}
	return d
}

func idsOf(d listDoc) []string {
	out := make([]string, len(d.Data))
	for i, r := range d.Data {
		out[i] = r.ID
	}
	return out
}

// seedTodos creates n todo rows owned by email through the resource layer
// (one transaction) and returns their ids.
func seedTodos(t *testing.T, s *testserver.Server, email string, n int) []string {
	t.Helper()
	res := s.Srv.Resource()
	ctx := context.Background()
	p, err := res.PrincipalByEmail(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	uctx := auth.WithPrincipal(ctx, p)
	var ids []string
	err = res.InTx(uctx, func(tx resource.Service) error {
		for i := range n {
			r, err := tx.Create(uctx, "todo", resource.Input{Attributes: map[string]any{
				"title": fmt.Sprintf("todo %03d", (i*37)%n), "due": fmt.Sprintf("2027-%02d-%02d", i%12+1, i%28+1)}})
			if err != nil {
				return err
			}
			ids = append(ids, r.RefID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// Deep pages are served from ordered id lists kept under the read stamp
// (resource/list_order.go). After every kind of committed change that can
// alter a deep page — a create that sorts before it, an update of the sort
// column, a delete, an owner change, another user's rows — the deep page
// must equal the same slice of a list computed afresh, with the read cache
// on and off.
func TestDeepPagesNeverStale(t *testing.T) {
	for _, mb := range []int{0, 32} {
		t.Run(fmt.Sprintf("read_cache_mb=%d", mb), func(t *testing.T) {
			t.Parallel()
			s := testserver.Start(t, testserver.WithSchema("schema_todo.yaml", todoSchema),
				testserver.WithConfig(func(c *server.Config) { c.HTTP.ReadCacheMB = mb }))
			admin := s.Admin(t)
			ann := s.User(t, "Ann", "ann@example.test", "ann-password")
			bob := s.User(t, "Bob", "bob@example.test", "bob-password")
			annIDs := seedTodos(t, s, "ann@example.test", 130)
			seedTodos(t, s, "bob@example.test", 40)

			const deep = "/api/todo?page%5Bsize%5D=10&page%5Bnumber%5D=11&sort=title"
			// The oracle: the whole list from offset 0 with a sort of another
			// text (never served from a kept list, which deep pages build).
			const whole = "/api/todo?page%5Bsize%5D=1000&sort=title,id"
			check := func(step, tok string, wantTotal int) {
				t.Helper()
				for range 2 { // the second request is served from the kept list
					got := getList(t, s, deep, tok)
					all := getList(t, s, whole, tok)
					want := idsOf(all)[min(100, len(all.Data)):min(110, len(all.Data))]
					if got.Links.Total != wantTotal || all.Links.Total != wantTotal || !slices.Equal(idsOf(got), want) {
						t.Fatalf("%s: deep page %v (total %d), want %v (total %d, oracle %d)", step, idsOf(got), got.Links.Total, want, wantTotal, all.Links.Total)
					}
				}
			}
			check("seeded", ann, 130)
			check("other user", bob, 40)

			create := func(title string) string {
				r := s.Do(t, http.MethodPost, "/api/todo", map[string]any{"data": map[string]any{"type": "todo", "attributes": map[string]any{"title": title}}}, ann)
				if r.Status != http.StatusCreated {
					t.Fatalf("create: %d %s", r.Status, r.Body)
				}
				return r.Map(t)["data"].(map[string]any)["id"].(string)
			}
			patch := func(id string, attrs map[string]any, tok string) {
				r := s.Do(t, http.MethodPatch, "/api/todo/"+id, map[string]any{"data": map[string]any{"type": "todo", "id": id, "attributes": attrs}}, tok)
				if r.Status != http.StatusOK {
					t.Fatalf("patch: %d %s", r.Status, r.Body)
				}
			}
			first := create("a todo that sorts first")
			check("after a create", ann, 131)
			patch(first, map[string]any{"title": "zz sorts last now"}, ann)
			check("after an update of the sort column", ann, 131)
			patch(annIDs[5], map[string]any{"title": "a moved to the front"}, ann)
			check("after another update", ann, 131)
			if r := s.Do(t, http.MethodDelete, "/api/todo/"+annIDs[7], nil, ann); r.Status != http.StatusOK && r.Status != http.StatusNoContent {
				t.Fatalf("delete: %d %s", r.Status, r.Body)
			}
			check("after a delete", ann, 130)
			adminID := s.Do(t, http.MethodGet, "/api/user_account?query="+`[{"column":"email","operator":"is","value":"admin@example.test"}]`, nil, admin)
			if adminID.Status != http.StatusOK {
				t.Fatalf("find admin: %d %s", adminID.Status, adminID.Body)
			}
			var admins listDoc
			if err := json.Unmarshal(adminID.Body, &admins); err != nil || len(admins.Data) != 1 {
				t.Fatalf("find admin: %v %s", err, adminID.Body)
			}
			r := s.Do(t, http.MethodPatch, "/api/todo/"+annIDs[9], map[string]any{"data": map[string]any{"type": "todo", "id": annIDs[9],
				"relationships": map[string]any{"user_account_id": map[string]any{"data": map[string]any{"type": "user_account", "id": admins.Data[0].ID}}}}}, admin)
			if r.Status != http.StatusOK {
				t.Fatalf("change owner: %d %s", r.Status, r.Body)
			}
			check("after an owner change", ann, 129)
			check("other user at the end", bob, 40)
		})
	}
}

// Kept lists follow bursts of creates by inserting the new rows where the
// database's ORDER BY puts them (resource/list_follow.go). Creates by the
// reader and by another user, concurrent ones, equal titles and missing
// due dates (NULLs sort differently per dialect) must leave every deep
// page equal to a list computed afresh.
func TestDeepPagesFollowCreates(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.WithSchema("schema_todo.yaml", todoSchema),
		testserver.WithConfig(func(c *server.Config) { c.HTTP.ReadCacheMB = 0 }))
	s.Admin(t)
	ann := s.User(t, "Ann", "ann@example.test", "ann-password")
	bob := s.User(t, "Bob", "bob@example.test", "bob-password")
	seedTodos(t, s, "ann@example.test", 120)
	total := 120
	sortsToCheck := []string{"title", "-title", "due", "-due", "-created_at", "done,-title"}
	check := func(step string) {
		t.Helper()
		for _, srt := range sortsToCheck {
			deep := "/api/todo?page%5Bsize%5D=10&page%5Bnumber%5D=11&sort=" + srt
			got := getList(t, s, deep, ann)
			tie := ",id" // the id breaks ties in the direction of the last key
			if strings.Contains(srt[strings.LastIndex(srt, ",")+1:], "-") {
				tie = ",-id"
			}
			all := getList(t, s, "/api/todo?page%5Bsize%5D=1000&sort="+srt+tie, ann)
			want := idsOf(all)[100:min(110, len(all.Data))]
			if got.Links.Total != total || all.Links.Total != total || !slices.Equal(idsOf(got), want) {
				t.Fatalf("%s, sort %s: deep page %v (total %d), want %v (total %d, oracle %d)", step, srt, idsOf(got), got.Links.Total, want, total, all.Links.Total)
			}
		}
	}
	create := func(tok string, attrs map[string]any) {
		r := s.Do(t, http.MethodPost, "/api/todo", map[string]any{"data": map[string]any{"type": "todo", "attributes": attrs}}, tok)
		if r.Status != http.StatusCreated {
			t.Errorf("create: %d %s", r.Status, r.Body)
		}
	}
	check("seeded")
	for round := range 6 {
		create(ann, map[string]any{"title": fmt.Sprintf("todo %03d", round*7), "due": "2027-03-03"}) // an equal title
		create(ann, map[string]any{"title": fmt.Sprintf("new %d", round), "done": round%2 == 0})     // no due date
		create(bob, map[string]any{"title": "bob's " + fmt.Sprint(round)})                           // not shown to ann
		total += 2
		check(fmt.Sprintf("round %d", round))
	}
	done := make(chan struct{})
	for i := range 8 {
		go func() {
			defer func() { done <- struct{}{} }()
			create(ann, map[string]any{"title": fmt.Sprintf("concurrent %d", i), "due": fmt.Sprintf("2027-01-%02d", i+1)})
		}()
	}
	for range 8 {
		<-done
	}
	total += 8
	check("after concurrent creates")
}
