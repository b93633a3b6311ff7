package bulk

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/apiary/apiary/schema"
	"github.com/apiary/apiary/storage/db"
)

func dialect(t *testing.T, name string) db.Dialect {
	t.Helper()
	d, err := db.DialectFor(name)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestInsertsChunksWithinTheParameterLimit(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		dialect string
		cols    int
		rows    int
		want    []int // rows per statement
	}{
		{"sqlite", 3, 0, nil},
		{"sqlite", 2, 1, []int{1}},
		{"sqlite", 2, 16383, []int{16383}},
		{"sqlite", 2, 16384, []int{16383, 1}},
		{"postgres", 5, 30000, []int{13107, 13107, 3786}},
		{"mysql", 65535, 3, []int{1, 1, 1}},
		{"mysql", 70000, 2, []int{1, 1}}, // wider than the limit: one row each
	}
	for _, s := range scenarios {
		t.Run(fmt.Sprintf("%s/%dx%d", s.dialect, s.rows, s.cols), func(t *testing.T) {
			d := dialect(t, s.dialect)
			cols := make([]string, s.cols)
			for i := range cols {
				cols[i] = fmt.Sprintf("c%d", i)
			}
			var got []int
			next := 0
			err := Inserts(d, "item", cols, s.rows, func(sqlText string, start, end int) error {
				if start != next {
					t.Fatalf("chunk starts at %d, want %d", start, next)
				}
				next = end
				if n := strings.Count(sqlText, "?"); n != (end-start)*s.cols {
					t.Fatalf("%d placeholders for %d rows of %d columns", n, end-start, s.cols)
				}
				got = append(got, end-start)
				return nil
			})
			if err != nil || fmt.Sprint(got) != fmt.Sprint(s.want) || next != s.rows {
				t.Fatalf("chunks = %v (err %v), want %v", got, err, s.want)
			}
		})
	}
}

func TestInsertsText(t *testing.T) {
	t.Parallel()
	want := map[string]string{
		"sqlite":   `INSERT INTO "item" ("a", "b") VALUES (?, ?), (?, ?)`,
		"postgres": `INSERT INTO "item" ("a", "b") VALUES (?, ?), (?, ?)`,
		"mysql":    "INSERT INTO `item` (`a`, `b`) VALUES (?, ?), (?, ?)",
	}
	for name, w := range want {
		var got string
		if err := Inserts(dialect(t, name), "item", []string{"a", "b"}, 2, func(s string, _, _ int) error { got = s; return nil }); err != nil {
			t.Fatal(err)
		}
		if got != w {
			t.Errorf("%s: %s\nwant %s", name, got, w)
		}
	}
}

func TestInsertsStopsAtTheFirstError(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	calls := 0
	err := Inserts(dialect(t, "sqlite"), "item", []string{"a"}, 70000, func(string, int, int) error { calls++; return boom })
	if !errors.Is(err, boom) || calls != 1 {
		t.Fatalf("err = %v after %d calls", err, calls)
	}
}

func TestTextInsertStatementAndArgs(t *testing.T) {
	t.Parallel()
	shared := []any{"perm", "now", int64(1)}
	vals := []any{"a1", "id1", "a2", "id2"} // two rows: one cell and the id each
	scenarios := []struct {
		dialect string
		sql     string
		args    []any
	}{
		{"sqlite", `INSERT INTO "note" ("permission", "created_at", "updated_at", "version", "title", "reference_id") VALUES ` +
			`(?1, ?2, ?2, ?3, ?, ?), (?1, ?2, ?2, ?3, ?, ?)`, []any{"perm", "now", int64(1), "a1", "id1", "a2", "id2"}},
		{"postgres", `INSERT INTO "note" ("permission", "created_at", "updated_at", "version", "title", "reference_id") VALUES ` +
			`($1, $2, $2, $3, $4, $5), ($1, $2, $2, $3, $6, $7)`, []any{"perm", "now", int64(1), "a1", "id1", "a2", "id2"}},
		{"mysql", "INSERT INTO `note` (`permission`, `created_at`, `updated_at`, `version`, `title`, `reference_id`) VALUES " +
			"(?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?)", []any{"perm", "now", "now", int64(1), "a1", "id1", "perm", "now", "now", int64(1), "a2", "id2"}},
	}
	for _, s := range scenarios {
		t.Run(s.dialect, func(t *testing.T) {
			x := NewTextInsert(dialect(t, s.dialect), "note", []string{"title"}, false, 500)
			if x.RowWidth != 2 || x.Per != 500 {
				t.Fatalf("RowWidth %d Per %d", x.RowWidth, x.Per)
			}
			if got := x.Statement(2); got != s.sql {
				t.Errorf("statement\n got %s\nwant %s", got, s.sql)
			}
			if got := x.Args(nil, vals, shared); fmt.Sprint(got) != fmt.Sprint(s.args) {
				t.Errorf("args = %v, want %v", got, s.args)
			}
		})
	}
}

func TestTextInsertRowsPerStatement(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		dialect  string
		cols     int
		hasOwner bool
		batch    int
		want     int
	}{
		{"sqlite", 1, false, 0, 1},          // batch below 1 means 1
		{"sqlite", 1, false, 100000, 16381}, // (32766-3)/2
		{"postgres", 9, true, 100000, 6553}, // (65535-4)/10
		{"mysql", 9, true, 100000, 4369},    // 65535/(10+4+1)
		{"mysql", 9, false, 1000, 1000},
	}
	for _, s := range scenarios {
		cols := make([]string, s.cols)
		for i := range cols {
			cols[i] = fmt.Sprintf("c%d", i)
		}
		x := NewTextInsert(dialect(t, s.dialect), "note", cols, s.hasOwner, s.batch)
		if x.Per != s.want {
			t.Errorf("%s %d cols owner %v batch %d: Per = %d, want %d", s.dialect, s.cols, s.hasOwner, s.batch, x.Per, s.want)
		}
		if s.hasOwner && !strings.Contains(x.Statement(1), schema.ColOwner) {
			t.Errorf("%s: no owner column in %s", s.dialect, x.Statement(1))
		}
	}
}
