package test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/apiary/apiary/test/testserver"
)

const permSchema = `
Tables:
  - TableName: doc
    Columns:
      - {Name: title, ColumnType: label}
  - TableName: note
    Columns:
      - {Name: body, ColumnType: label}
  - TableName: gated
    Columns:
      - {Name: title, ColumnType: label}
Relations:
  - {Subject: note, Relation: has_one, Object: doc}
`

// Permission bits used below (contract core.md §4.1).
const (
	guestRead, guestUpdate, guestDelete, guestRefer = 2, 8, 16, 64
	ownerRead, ownerUpdate, ownerDelete, ownerRefer = 256, 1024, 2048, 8192
	groupRead, groupUpdate, groupDelete, groupRefer = 32768, 131072, 262144, 1048576
	allowAll                                        = 2097151
)

type actor struct {
	name, token string
	owner       bool // owns the test rows
	member      bool // belongs to the group rows are shared with
	admin       bool
}

// world finds a table's world row id.
func worldID(t *testing.T, s *testserver.Server, admin, table string) string {
	t.Helper()
	r := s.Do(t, http.MethodGet, "/api/world"+q("query", `[{"column":"table_name","operator":"is","value":"`+table+`"}]`), nil, admin)
	rows := listOf(t, r)
	if len(rows) != 1 {
		t.Fatalf("world row of %s: %s", table, r.Body)
	}
	return rows[0]["id"].(string)
}

func patch(t *testing.T, s *testserver.Server, tok, typ, id string, a map[string]any) testserver.Response {
	t.Helper()
	return s.Do(t, http.MethodPatch, "/api/"+typ+"/"+id, map[string]any{"data": map[string]any{"type": typ, "id": id, "attributes": a}}, tok)
}

func mustPatch(t *testing.T, s *testserver.Server, tok, typ, id string, a map[string]any) {
	t.Helper()
	if r := patch(t, s, tok, typ, id, a); r.Status != http.StatusOK {
		t.Fatalf("patch %s %s: %d %s", typ, id, r.Status, r.Body)
	}
}

func me(t *testing.T, s *testserver.Server, tok string) string {
	t.Helper()
	return dataOf(t, s.Do(t, http.MethodGet, "/api/user_account/mine", nil, tok))["id"].(string)
}

// TestPermissionMatrix asserts every cell of actor × operation × row
// permission for rows owned by bob and shared with a group carol is in.
func TestPermissionMatrix(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.WithSchema("schema_perm.yaml", permSchema))
	admin := s.Admin(t)
	bob := s.User(t, "Bob", "bob@example.test", "bob-password")
	carol := s.User(t, "Carol", "carol@example.test", "carol-password")
	dave := s.User(t, "Dave", "dave@example.test", "dave-password")
	bobID, carolID := me(t, s, bob), me(t, s, carol)

	// Open the table gates so only row permissions decide.
	for _, table := range []string{"doc", "note"} {
		mustPatch(t, s, admin, "world", worldID(t, s, admin, table), map[string]any{"permission": allowAll})
	}
	team := create(t, s, admin, "usergroup", map[string]any{"name": "team"}, nil)
	create(t, s, admin, "user_account_user_account_id_has_usergroup_usergroup_id", map[string]any{"user_account_id": carolID, "usergroup_id": team}, nil)

	actors := []actor{{name: "guest"}, {name: "owner", token: bob, owner: true}, {name: "member", token: carol, member: true},
		{name: "other", token: dave}, {name: "admin", token: admin, admin: true}}
	configs := []struct {
		name       string
		perm, link int
	}{
		{"owner-only", ownerRead | ownerUpdate | ownerDelete | ownerRefer, 0},
		{"group-read", ownerRead, groupRead},
		{"group-all", 0, groupRead | groupUpdate | groupDelete | groupRefer},
		{"guest-read-refer", guestRead | guestRefer, 0},
		{"guest-all", guestRead | guestUpdate | guestDelete | guestRefer, 0},
		{"nothing", 0, 0},
	}
	// newRow makes a row owned by bob with the given permissions.
	newRow := func(perm, link int) string {
		id := create(t, s, admin, "doc", map[string]any{"title": "x"}, nil)
		mustPatch(t, s, admin, "doc", id, map[string]any{"user_account_id": bobID, "permission": perm})
		if link != 0 {
			lid := create(t, s, admin, "doc_doc_id_has_usergroup_usergroup_id", map[string]any{"doc_id": id, "usergroup_id": team}, nil)
			mustPatch(t, s, admin, "doc_doc_id_has_usergroup_usergroup_id", lid, map[string]any{"permission": link})
		}
		return id
	}
	allowed := func(a actor, perm, link, guestBit, ownerBit, groupBit int) bool {
		return a.admin || perm&guestBit != 0 || (a.owner && perm&ownerBit != 0) || (a.member && link&groupBit != 0)
	}
	status := func(ok bool, yes int) int {
		if ok {
			return yes
		}
		return http.StatusForbidden
	}
	for _, c := range configs {
		id := newRow(c.perm, c.link)
		for _, a := range actors {
			cell := fmt.Sprintf("%s/%s", c.name, a.name)
			// read: by id, and in the list (permission predicate in SQL)
			canRead := allowed(a, c.perm, c.link, guestRead, ownerRead, groupRead)
			if r := s.Do(t, http.MethodGet, "/api/doc/"+id, nil, a.token); r.Status != status(canRead, 200) {
				t.Errorf("%s read: %d", cell, r.Status)
			}
			listed := false
			for _, row := range listOf(t, s.Do(t, http.MethodGet, "/api/doc"+q("page[size]", "500"), nil, a.token)) {
				listed = listed || row["id"] == id
			}
			if listed != canRead {
				t.Errorf("%s listed=%v, want %v", cell, listed, canRead)
			}
			// refer: point a new note at the row
			canRefer := allowed(a, c.perm, c.link, guestRefer, ownerRefer, groupRefer)
			r := s.Do(t, http.MethodPost, "/api/note", doc("note", map[string]any{"body": "n", "doc_id": id}, nil), a.token)
			if r.Status != status(canRefer, 201) {
				t.Errorf("%s refer: %d %s", cell, r.Status, r.Body)
			}
			// update
			canUpdate := allowed(a, c.perm, c.link, guestUpdate, ownerUpdate, groupUpdate)
			if r := patch(t, s, a.token, "doc", id, map[string]any{"title": "by " + a.name}); r.Status != status(canUpdate, 200) {
				t.Errorf("%s update: %d %s", cell, r.Status, r.Body)
			}
			// delete, on a fresh row each time
			victim := newRow(c.perm, c.link)
			canDelete := allowed(a, c.perm, c.link, guestDelete, ownerDelete, groupDelete)
			if r := s.Do(t, http.MethodDelete, "/api/doc/"+victim, nil, a.token); r.Status != status(canDelete, 200) {
				t.Errorf("%s delete: %d %s", cell, r.Status, r.Body)
			}
		}
	}
}

// TestTableGates asserts table-level peek and create for each audience.
func TestTableGates(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.WithSchema("schema_perm.yaml", permSchema))
	admin := s.Admin(t)
	bob := s.User(t, "Bob", "bob@example.test", "bob-password")
	carol := s.User(t, "Carol", "carol@example.test", "carol-password")
	bobID, carolID := me(t, s, bob), me(t, s, carol)
	dave := s.User(t, "Dave", "dave@example.test", "dave-password")
	wid := worldID(t, s, admin, "gated")
	team := create(t, s, admin, "usergroup", map[string]any{"name": "team"}, nil)
	create(t, s, admin, "user_account_user_account_id_has_usergroup_usergroup_id", map[string]any{"user_account_id": carolID, "usergroup_id": team}, nil)
	link := create(t, s, admin, "world_world_id_has_usergroup_usergroup_id", map[string]any{"world_id": wid, "usergroup_id": team}, nil)
	mustPatch(t, s, admin, "world", wid, map[string]any{"user_account_id": bobID})

	actors := []actor{{name: "guest"}, {name: "owner", token: bob, owner: true}, {name: "member", token: carol, member: true},
		{name: "other", token: dave}, {name: "admin", token: admin, admin: true}}
	const gPeek, gCreate, oPeek, oCreate, grPeek, grCreate = 1, 4, 128, 512, 16384, 65536
	for _, c := range []struct {
		name       string
		perm, link int
	}{
		{"locked default", 561441, 0},
		{"guest peek+create", gPeek | gCreate, 0},
		{"owner peek+create", oPeek | oCreate, 0},
		{"group peek+create", 0, grPeek | grCreate},
		{"none", 0, 0},
		{"all", allowAll, 0},
	} {
		mustPatch(t, s, admin, "world", wid, map[string]any{"permission": c.perm})
		mustPatch(t, s, admin, "world_world_id_has_usergroup_usergroup_id", link, map[string]any{"permission": c.link})
		for _, a := range actors {
			canPeek := a.admin || c.perm&gPeek != 0 || (a.owner && c.perm&oPeek != 0) || (a.member && c.link&grPeek != 0)
			canCreate := a.admin || c.perm&gCreate != 0 || (a.owner && c.perm&oCreate != 0) || (a.member && c.link&grCreate != 0)
			want := http.StatusForbidden
			if canPeek {
				want = http.StatusOK
			}
			r := s.Do(t, http.MethodGet, "/api/gated", nil, a.token)
			if r.Status != want {
				t.Errorf("%s/%s peek: %d %s", c.name, a.name, r.Status, r.Body)
			}
			if r.Status == http.StatusForbidden {
				if got := errorTitle(t, r); got[:len("TableAccessPermissionChecker")] != "TableAccessPermissionChecker" {
					t.Errorf("%s/%s 403 title %q", c.name, a.name, got)
				}
			}
			want = http.StatusForbidden
			if canCreate {
				want = http.StatusCreated
			}
			if r := s.Do(t, http.MethodPost, "/api/gated", doc("gated", map[string]any{"title": "t"}, nil), a.token); r.Status != want {
				t.Errorf("%s/%s create: %d %s", c.name, a.name, r.Status, r.Body)
			}
		}
	}
}
