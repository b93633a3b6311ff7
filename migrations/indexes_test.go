package migrations

import (
	"strings"
	"testing"

	"github.com/apiary/apiary/schema"
	"github.com/apiary/apiary/storage/db"
)

// TestCompositeIndexDDL: a table's non-unique composite indexes are
// planned as plain (not UNIQUE) indexes, inline on MySQL's CREATE TABLE
// and as CREATE INDEX elsewhere; one equal to a one-column index is not
// planned twice; on an existing table only the missing ones are created.
func TestCompositeIndexDDL(t *testing.T) {
	t.Parallel()
	tb := &schema.Table{TableName: "msg", Columns: []schema.Column{
		{ColumnName: "box", ColumnType: "label", DataType: "varchar(36)", IsIndexed: true},
		{ColumnName: "uid", ColumnType: "value", DataType: "int(11)"},
		{ColumnName: "note", ColumnType: "content", DataType: "text"},
	}, CompositeKeys: [][]string{{"box", "note"}}, Indexes: [][]string{{"box", "uid"}, {"box"}, {"uid", "note"}}}
	want := []index{
		{name: "i_msg_box", table: "msg", columns: []string{"box"}},
		{name: "u_msg_box_note", table: "msg", columns: []string{"box", "note"}, unique: true},
		{name: "i_msg_box_uid", table: "msg", columns: []string{"box", "uid"}},
		{name: "i_msg_uid_note", table: "msg", columns: []string{"uid", "note"}},
	}
	got := wantedIndexes(tb)
	if len(got) != len(want) {
		t.Fatalf("wantedIndexes = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i].name != want[i].name || got[i].unique != want[i].unique || strings.Join(got[i].columns, ",") != strings.Join(want[i].columns, ",") {
			t.Errorf("index %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	scenarios := []struct {
		dialect string
		create  []string // statements planned for a new table
		repair  string   // the statement planned when only i_msg_box_uid is missing
	}{
		{"sqlite", []string{`CREATE INDEX "i_msg_box_uid" ON "msg" ("box", "uid")`, `CREATE INDEX "i_msg_uid_note" ON "msg" ("uid", "note")`},
			`CREATE INDEX "i_msg_box_uid" ON "msg" ("box", "uid")`},
		{"postgres", []string{`CREATE INDEX "i_msg_box_uid" ON "msg" ("box", "uid")`, `CREATE INDEX "i_msg_uid_note" ON "msg" ("uid", "note")`},
			`CREATE INDEX "i_msg_box_uid" ON "msg" ("box", "uid")`},
		{"mysql", []string{"INDEX `i_msg_box_uid` (`box`, `uid`)", "INDEX `i_msg_uid_note` (`uid`, `note`(191))"},
			"CREATE INDEX `i_msg_box_uid` ON `msg` (`box`, `uid`)"},
	}
	for _, s := range scenarios {
		t.Run(s.dialect, func(t *testing.T) {
			d, err := db.DialectFor(s.dialect)
			if err != nil {
				t.Fatal(err)
			}
			var rep Report
			plan, err := planTable(d, tb, nil, &rep)
			if err != nil {
				t.Fatal(err)
			}
			all := strings.Join(plan, "\n")
			for _, w := range s.create {
				if !strings.Contains(all, w) {
					t.Errorf("plan for a new table lacks %q:\n%s", w, all)
				}
			}
			if strings.Contains(all, "UNIQUE INDEX \"i_") || strings.Contains(all, "UNIQUE KEY `i_") {
				t.Errorf("a composite index planned as unique:\n%s", all)
			}
			if len(rep.CreatedIndexes) != 4 {
				t.Errorf("created indexes %v, want 4", rep.CreatedIndexes)
			}
			live := &db.TableInfo{Columns: []db.ColumnInfo{{Name: "box"}, {Name: "uid"}, {Name: "note"}},
				Indexes: []string{"i_msg_box", "U_MSG_BOX_NOTE", "i_msg_uid_note"}}
			rep = Report{}
			plan, err = planTable(d, tb, live, &rep)
			if err != nil || len(plan) != 1 || plan[0] != s.repair {
				t.Errorf("plan for the existing table = %q, %v; want [%q]", plan, err, s.repair)
			}
		})
	}
}
