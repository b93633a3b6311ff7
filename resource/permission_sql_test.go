package resource

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/schema"
	"github.com/apiary/apiary/storage/db"
)

// predicateFor is the read predicate rowPredicate writes for p on table
// (of fuzzSchema plus the system tables) in SQLite.
func predicateFor(t *testing.T, table string, p auth.Principal, op auth.Op) (string, []any) {
	t.Helper()
	file, err := schema.Parse("perm.yaml", []byte(fuzzSchema))
	if err != nil {
		t.Fatal(err)
	}
	sc, err := schema.Compile(schema.Source{Path: "perm.yaml", File: file})
	if err != nil {
		t.Fatal(err)
	}
	tb, ok := sc.Table(table)
	if !ok {
		t.Fatalf("no table %s", table)
	}
	d, err := db.DialectFor("sqlite")
	if err != nil {
		t.Fatal(err)
	}
	w := &where{d: d, v: buildView(d, tb)}
	w.rowPredicate(p, op)
	if len(w.sql) == 0 {
		return "", nil
	}
	if len(w.sql) != 1 {
		t.Fatalf("rowPredicate added %d predicates", len(w.sql))
	}
	return w.sql[0], w.args
}

func TestRowPredicate(t *testing.T) {
	t.Parallel()
	guest := auth.Principal{}
	user := auth.Principal{UserID: 7}
	member := auth.Principal{UserID: 7, Groups: []auth.Group{{ID: 3}, {ID: 5}}}
	rg, ro, rgr := int64(auth.OpRead.GuestBit()), int64(auth.OpRead.OwnerBit()), int64(auth.OpRead.GroupBit())
	perm := `t."permission"`
	scenarios := []struct {
		name  string
		table string
		p     auth.Principal
		op    auth.Op
		sql   string
		args  []any
	}{
		{"administrator reads all", "todo", auth.Principal{UserID: 1, Admin: true}, auth.OpRead, "", nil},
		{"system reads all", "todo", auth.Principal{System: true}, auth.OpDelete, "", nil},
		{"global read token", "todo", auth.Principal{UserID: 9, Scopes: []string{ScopeGlobalRead}}, auth.OpRead, "", nil},
		{"guest: guest bit only", "todo", guest, auth.OpRead, "((" + perm + " & ?) <> 0)", []any{rg}},
		{"user: guest bit or own rows", "todo", user, auth.OpRead,
			"((" + perm + ` & ?) <> 0 OR (t."user_account_id" = ? AND (` + perm + " & ?) <> 0))", []any{rg, int64(7), ro}},
		{"usergroup: the caller's groups", "usergroup", member, auth.OpRead,
			"((" + perm + ` & ?) <> 0 OR (t."id" IN (?, ?) AND (` + perm + " & ?) <> 0))", []any{rg, int64(3), int64(5), rgr}},
		{"membership: own rows and own groups", "user_account_user_account_id_has_usergroup_usergroup_id", member, auth.OpRead,
			"((" + perm + ` & ?) <> 0 OR (t."user_account_id" = ? AND (` + perm + ` & ?) <> 0) OR (t."usergroup_id" IN (?, ?) AND (` + perm + " & ?) <> 0))",
			[]any{rg, int64(7), ro, int64(3), int64(5), rgr}},
		{"membership: a guest sees guest rows", "user_account_user_account_id_has_usergroup_usergroup_id", guest, auth.OpRead,
			"((" + perm + " & ?) <> 0)", []any{rg}},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			sqlText, args := predicateFor(t, s.table, s.p, s.op)
			if sqlText != s.sql || !reflect.DeepEqual(args, s.args) {
				t.Fatalf("got  %s %v\nwant %s %v", sqlText, args, s.sql, s.args)
			}
		})
	}
}

func TestPrivileged(t *testing.T) {
	t.Parallel()
	user := &schema.Table{TableName: "todo"}
	system := &schema.Table{TableName: "usergroup", System: true}
	read := auth.Principal{UserID: 2, Scopes: []string{ScopeGlobalRead}}
	write := auth.Principal{UserID: 2, Scopes: []string{ScopeGlobalWrite}}
	scenarios := []struct {
		p    auth.Principal
		op   auth.Op
		t    *schema.Table
		want bool
	}{
		{auth.Principal{UserID: 1, Admin: true}, auth.OpDelete, system, true},
		{auth.Principal{System: true}, auth.OpCreate, system, true},
		{auth.Principal{UserID: 2}, auth.OpRead, user, false},
		{read, auth.OpPeek, user, true},
		{read, auth.OpRead, system, true},
		{read, auth.OpUpdate, user, false},
		{write, auth.OpCreate, user, true},
		{write, auth.OpDelete, user, true},
		{write, auth.OpRefer, user, true},
		{write, auth.OpUpdate, system, false},
		{write, auth.OpRead, user, false},
		{write, auth.OpExecute, user, false},
	}
	for _, s := range scenarios {
		t.Run(fmt.Sprintf("%v/%v/%s", s.p.Scopes, s.op, s.t.TableName), func(t *testing.T) {
			if got := privileged(s.p, s.op, s.t); got != s.want {
				t.Fatalf("privileged = %v, want %v", got, s.want)
			}
		})
	}
}
