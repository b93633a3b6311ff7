package test

import (
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/apiary/apiary/test/testserver"
)

// aggSchema is the todo schema with an optional project (has_one).
const aggSchema = `
Tables:
  - TableName: project
    Columns:
      - {Name: name, ColumnType: label, IsIndexed: true}
  - TableName: todo
    Columns:
      - {Name: title, ColumnType: label, DataType: varchar(200), IsIndexed: true}
      - {Name: priority, ColumnType: measurement, DataType: int(11), DefaultValue: "1"}
      - {Name: done, ColumnType: truefalse, DefaultValue: "false"}
      - {Name: due, ColumnType: date, IsNullable: true}
      - {Name: status, ColumnType: enum, DefaultValue: "'open'", Options: [{Value: open, Label: Open}, {Value: closed, Label: Closed}]}
      - {Name: score, ColumnType: float, IsNullable: true}
Relations:
  - {Subject: todo, Relation: has_one, Object: project, ObjectName: project_id, SubjectName: project_todo}
`

func startAgg(t *testing.T) *testserver.Server {
	t.Helper()
	return testserver.Start(t, testserver.WithSchema("schema_agg.yaml", aggSchema))
}

// aggFixture is a locked-down todo instance with two projects and five
// todos written by the administrator.
type aggFixture struct {
	s          *testserver.Server
	admin      string
	alpha, bet string // project ids
}

func newAggFixture(t *testing.T) *aggFixture {
	t.Helper()
	s := startAgg(t)
	f := &aggFixture{s: s, admin: s.Admin(t)}
	f.alpha = create(t, s, f.admin, "project", map[string]any{"name": "Alpha"}, nil)
	f.bet = create(t, s, f.admin, "project", map[string]any{"name": "Beta"}, nil)
	for _, td := range []map[string]any{
		{"title": "Fix bike", "priority": 1, "done": false, "due": "2026-12-01", "score": 1.6, "status": "open", "project_id": f.alpha},
		{"title": "Pay rent", "priority": 2, "done": true, "due": "2026-12-10", "score": 2.5, "status": "closed", "project_id": f.alpha},
		{"title": "Write report", "priority": 3, "done": true, "status": "open", "project_id": f.bet},
		{"title": "Walk dog", "priority": 4, "done": false, "due": "2026-11-05", "score": 4.0, "status": "open", "project_id": f.bet},
		{"title": "Call mom", "priority": 5, "done": false, "status": "closed"},
	} {
		create(t, s, f.admin, "todo", td, nil)
	}
	return f
}

// aggRows decodes a 200 aggregate answer into its attribute maps, checking
// the envelope of every row.
func aggRows(t *testing.T, r testserver.Response, entity string) []map[string]any {
	t.Helper()
	if r.Status != http.StatusOK {
		t.Fatalf("aggregate: %d %s", r.Status, r.Body)
	}
	raw, ok := r.Map(t)["data"].([]any)
	if !ok {
		t.Fatalf("no data list: %s", r.Body)
	}
	uuidRE := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	out := make([]map[string]any, len(raw))
	for i, x := range raw {
		m := x.(map[string]any)
		a := attrs(m)
		if m["type"] != "aggregate_"+entity || a["__type"] != "aggregate_"+entity || !uuidRE.MatchString(fmt.Sprint(m["id"])) {
			t.Fatalf("bad row envelope: %v", m)
		}
		delete(a, "__type")
		out[i] = a
	}
	return out
}

func (f *aggFixture) get(t *testing.T, tok string, params ...string) []map[string]any {
	t.Helper()
	return aggRows(t, f.s.Do(t, http.MethodGet, "/aggregate/todo"+q(params...), nil, tok), "todo")
}

// aggEqual compares decoded rows with the expected ones as printed text.
func aggEqual(t *testing.T, name string, got []map[string]any, want string) {
	t.Helper()
	if s := fmt.Sprint(got); s != want {
		t.Errorf("%s:\n got %s\nwant %s", name, s, want)
	}
}

func TestAggregateFunctionsAndGroups(t *testing.T) {
	t.Parallel()
	f := newAggFixture(t)
	a := f.admin
	aggEqual(t, "group by done", f.get(t, a, "group", "done", "column", "done,count", "order", "done"),
		"[map[count:3 done:0] map[count:2 done:1]]")
	aggEqual(t, "no column means count", f.get(t, a), "[map[count:5]]")
	aggEqual(t, "aggregates", f.get(t, a, "column", "count,sum(priority),avg(priority),min(priority),max(priority),count(due),sum(done)"),
		"[map[avg(priority):3 count:5 count(due):3 max(priority):5 min(priority):1 sum(done):2 sum(priority):15]]")
	aggEqual(t, "aliases and times", f.get(t, a, "column", "min(due) as first_due, max(due) as last_due, sum(score) AS total"),
		"[map[first_due:2026-11-05T00:00:00Z last_due:2026-12-10T00:00:00Z total:8.1]]")
	aggEqual(t, "first and last", f.get(t, a, "group", "done", "column", "done,first(title),last(title) as latest", "order", "-done"),
		"[map[done:1 first(title):Pay rent latest:Write report] map[done:0 first(title):Fix bike latest:Call mom]]")
	aggEqual(t, "two groups", f.get(t, a, "group", "done", "group", "status", "column", "count", "order", "done,status"),
		"[map[count:1 done:0 status:closed] map[count:2 done:0 status:open] map[count:1 done:1 status:closed] map[count:1 done:1 status:open]]")
	aggEqual(t, "grouped FK is the project's UUID", f.get(t, a, "group", "project_id", "column", "project_id,count", "having", "gt(count,1)", "order", "project_id"),
		fmt.Sprintf("[map[count:2 project_id:%s] map[count:2 project_id:%s]]", f.alpha, f.bet))
	aggEqual(t, "having on a sum, order by alias", f.get(t, a, "group", "status", "column", "status,sum(priority) as total", "having", "gte(sum(priority),6)", "order", "-total"),
		"[map[status:open total:8] map[status:closed total:7]]")
	aggEqual(t, "order by an unprojected aggregate", f.get(t, a, "group", "status", "column", "status", "order", "-count,status"),
		"[map[status:open] map[status:closed]]")
	aggEqual(t, "join", f.get(t, a, "join", "project@eq(project.reference_id,todo.project_id)", "group", "project.name",
		"column", "project.name,sum(priority) as total,count", "filter", "not(project.name,null)", "order", "project.name"),
		"[map[count:2 project.name:Alpha total:3] map[count:2 project.name:Beta total:7]]")
	aggEqual(t, "join on internal id with a literal", f.get(t, a, "join", "project@eq(project.id,todo.project_id)&eq(project.name,'Beta')",
		"column", "count(project.name) as n"), "[map[n:2]]")
}

func TestAggregateScalarFunctions(t *testing.T) {
	t.Parallel()
	f := newAggFixture(t)
	one := func(cols string) map[string]any {
		rows := f.get(t, f.admin, "column", cols, "filter", "eq(title,'Fix bike')")
		if len(rows) != 1 {
			t.Fatalf("%s: %v", cols, rows)
		}
		return rows[0]
	}
	aggEqual(t, "text", []map[string]any{one("upper(title),lower(title),length(title),substr(title,1,3),trim(title),ltrim(title),rtrim(title),replace(title,'bike','car'),hex(title)")},
		"[map[hex(title):4669782062696B65 length(title):8 lower(title):fix bike ltrim(title):Fix bike replace(title,'bike','car'):Fix car rtrim(title):Fix bike substr(title,1,3):Fix trim(title):Fix bike upper(title):FIX BIKE]]")
	aggEqual(t, "numbers", []map[string]any{one("abs(priority),round(score),round(score,1) as r1,coalesce(score,0) as c,ifnull(score,0) as i,nullif(priority,1) as n")},
		"[map[abs(priority):1 c:1.6 i:1.6 n:<nil> r1:1.6 round(score):2]]")
	jd := float64(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC).Unix())/86400 + 2440587.5
	aggEqual(t, "dates", []map[string]any{one("date(due),year(due),month(due),day(due),datetime(due),strftime('%Y/%m',due) as ym,julianday(due) as jd")},
		fmt.Sprintf("[map[date(due):2026-12-01 datetime(due):2026-12-01T00:00:00Z day(due):1 jd:%v month(due):12 year(due):2026 ym:2026/12]]", jd))
	if tm := fmt.Sprint(one("time(created_at) as tm")["tm"]); !regexp.MustCompile(`^\d\d:\d\d:\d\d$`).MatchString(tm) {
		t.Errorf("time(created_at) = %q", tm)
	}
	aggEqual(t, "null right side", f.get(t, f.admin, "column", "coalesce(score,-1) as s", "filter", "is(score,null)", "filter", "eq(title,'Call mom')"),
		"[map[s:-1]]")
	aggEqual(t, "group by a function", f.get(t, f.admin, "group", "month(due)", "column", "count", "filter", "not(due,null)", "order", "month(due)"),
		"[map[count:1 month(due):11] map[count:2 month(due):12]]")
}

func TestAggregateFilters(t *testing.T) {
	t.Parallel()
	f := newAggFixture(t)
	for _, s := range []struct {
		filter string
		want   int
	}{
		{"eq(done,1)", 2}, {"eq(done,true)", 2}, {"not(done,1)", 3}, {"lt(priority,3)", 2}, {"lte(priority,3)", 3},
		{"gt(priority,3)", 2}, {"gte(priority,3)", 3}, {"in(priority,1,2,5)", 3}, {"notin(priority,1,2)", 3},
		{"is(due,null)", 2}, {"is(done,true)", 2}, {"is(done,false)", 3}, {"eq(score,null)", 2}, {"not(due,null)", 3},
		{"eq(project_id," + f.alpha + ")", 2}, {"eq(project_id,project@" + f.bet + ")", 2},
		{"in(project_id," + f.alpha + "," + f.bet + ")", 4}, {"eq(status,'closed')", 2}, {"eq(status,closed)", 2},
		{"gte(due,2026-12-01)", 2}, {"eq(title,'Fix bike')", 1}, {"gt(score,2.4)", 2}, {"eq(upper(status),'OPEN')", 3},
		{"gte(priority,2),lte(priority,4)", 3},
	} {
		rows := f.get(t, f.admin, "column", "count", "filter", s.filter)
		if len(rows) != 1 || rows[0]["count"] != float64(s.want) {
			t.Errorf("filter %s: %v, want count %d", s.filter, rows, s.want)
		}
	}
}

func TestAggregateTimeSample(t *testing.T) {
	t.Parallel()
	f := newAggFixture(t)
	rows := f.get(t, f.admin, "timesample", "day", "column", "count")
	today := time.Now().UTC().Format("2006-01-02")
	yesterday := time.Now().UTC().Add(-time.Hour).Format("2006-01-02") // a run across midnight
	if len(rows) != 1 || rows[0]["count"] != float64(5) ||
		(rows[0]["timesample"] != today+"T00:00:00Z" && rows[0]["timesample"] != yesterday+"T00:00:00Z") {
		t.Errorf("timesample=day: %v", rows)
	}
	aggEqual(t, "month", f.get(t, f.admin, "timesample", "month", "timecolumn", "due", "filter", "not(due,null)", "column", "count", "order", "timesample"),
		"[map[count:1 timesample:2026-11-01T00:00:00Z] map[count:2 timesample:2026-12-01T00:00:00Z]]")
	aggEqual(t, "week starts on Monday", f.get(t, f.admin, "timesample", "week", "timecolumn", "due", "filter", "not(due,null)", "order", "timesample"),
		"[map[count:1 timesample:2026-11-02T00:00:00Z] map[count:1 timesample:2026-11-30T00:00:00Z] map[count:1 timesample:2026-12-07T00:00:00Z]]")
	aggEqual(t, "year with status", f.get(t, f.admin, "timesample", "year", "timecolumn", "due", "group", "status", "column", "count",
		"filter", "not(due,null)", "order", "status"),
		"[map[count:1 status:closed timesample:2026-01-01T00:00:00Z] map[count:2 status:open timesample:2026-01-01T00:00:00Z]]")
	aggEqual(t, "from and to", f.get(t, f.admin, "timecolumn", "due", "timefrom", "2026-12-01", "timeto", "2026-12-10", "column", "count"),
		"[map[count:1]]")
	rows = f.get(t, f.admin, "timesample", "hour", "column", "count")
	if len(rows) == 0 || !strings.HasSuffix(fmt.Sprint(rows[0]["timesample"]), ":00:00Z") {
		t.Errorf("timesample=hour: %v", rows)
	}
}

func TestAggregatePostBodies(t *testing.T) {
	t.Parallel()
	f := newAggFixture(t)
	want := "[map[count:3 done:0] map[count:2 done:1]]"
	r := f.s.Do(t, http.MethodPost, "/aggregate/todo", map[string]any{
		"group": []string{"done"}, "column": []string{"done", "count"}, "order": "done", "query": []any{map[string]any{"x": 1}}, "root_entity": "todo"}, f.admin)
	aggEqual(t, "POST JSON", aggRows(t, r, "todo"), want)
	req, err := http.NewRequest(http.MethodPost, f.s.URL+"/aggregate/todo", strings.NewReader("group=done&column=done,count&order=done"))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer "+f.admin)
	resp, err := f.s.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	aggEqual(t, "POST form", aggRows(t, testserver.Response{Status: resp.StatusCode, Body: body}, "todo"), want)
	r = f.s.Do(t, http.MethodPost, "/aggregate/todo", "{not json", f.admin)
	if r.Status != http.StatusBadRequest {
		t.Errorf("bad JSON body: %d %s", r.Status, r.Body)
	}
}

func TestAggregateErrors(t *testing.T) {
	t.Parallel()
	f := newAggFixture(t)
	if r := f.s.Do(t, http.MethodGet, "/aggregate/todo?column=count", nil, ""); r.Status != http.StatusForbidden || !strings.Contains(string(r.Body), `"errors"`) {
		t.Errorf("guest: %d %s", r.Status, r.Body)
	}
	if r := f.s.Do(t, http.MethodGet, "/aggregate/nosuchtable?column=count", nil, f.admin); r.Status != http.StatusNotFound {
		t.Errorf("unknown table: %d %s", r.Status, r.Body)
	}
	for _, bad := range [][]string{
		{"column", "count,sum(done);drop table todo"}, {"column", "sum(done)) or 1=1 --"}, {"group", "colour"},
		{"column", "nosuch(title)"}, {"column", "sum(title)"}, {"column", "title,count"}, {"column", "sum(sum(priority))"},
		{"column", "count as 'x'"}, {"column", "password"}, {"filter", "eq(colour,1)"}, {"filter", "like(title,x)"},
		{"filter", "gt(count,1)"}, {"filter", "eq(priority,abc)"}, {"filter", "eq(project_id,nosuch@" + f.alpha + ")"},
		{"having", "gt(title,1)"}, {"join", "nosuch@eq(a,b)"}, {"join", "project@eq(project.name,todo.nosuch)"},
		{"column", "user_account.email"}, {"timesample", "decade"}, {"timecolumn", "title", "timesample", "day"},
		{"order", "nosuch"}, {"column", "date(title)"}, {"column", "upper('x')"}, {"column", "count(*) as __type"},
		{"group", "count"}, {"column", "strftime('%Q',due)"},
	} {
		r := f.s.Do(t, http.MethodGet, "/aggregate/todo"+q(bad...), nil, f.admin)
		if r.Status != http.StatusBadRequest || !strings.Contains(errorTitle(t, r), "Invalid aggregation query") {
			t.Errorf("%v: %d %s", bad, r.Status, r.Body)
		}
	}
	aggEqual(t, "table still there", f.get(t, f.admin, "column", "count"), "[map[count:5]]")
}

// TestAggregateRowPermissions: a plain user aggregates only the rows they
// may read (Daptin counts every row).
func TestAggregateRowPermissions(t *testing.T) {
	t.Parallel()
	s := startAgg(t)
	admin := s.Admin(t)
	mustPatch(t, s, admin, "world", worldID(t, s, admin, "todo"), map[string]any{"permission": 561441 | 4})
	bob := s.User(t, "Bob", "bob@example.test", "bob-password")
	carol := s.User(t, "Carol", "carol@example.test", "carol-password")
	create(t, s, admin, "todo", map[string]any{"title": "admin's", "priority": 9}, nil)
	for i := range 2 {
		create(t, s, bob, "todo", map[string]any{"title": fmt.Sprint("bob ", i), "priority": 1, "done": i == 0}, nil)
	}
	for i := range 3 {
		create(t, s, carol, "todo", map[string]any{"title": fmt.Sprint("carol ", i), "priority": 2}, nil)
	}
	get := func(tok string, params ...string) []map[string]any {
		return aggRows(t, s.Do(t, http.MethodGet, "/aggregate/todo"+q(params...), nil, tok), "todo")
	}
	aggEqual(t, "bob", get(bob, "column", "count,sum(priority)"), "[map[count:2 sum(priority):2]]")
	aggEqual(t, "carol", get(carol, "column", "count,sum(priority)"), "[map[count:3 sum(priority):6]]")
	aggEqual(t, "admin", get(admin, "column", "count,sum(priority)"), "[map[count:6 sum(priority):17]]")
	aggEqual(t, "bob grouped", get(bob, "group", "done", "column", "count", "order", "done"), "[map[count:1 done:0] map[count:1 done:1]]")
	if n := len(listOf(t, s.Do(t, http.MethodGet, "/api/todo", nil, bob))); n != 2 {
		t.Errorf("bob lists %d todos", n)
	}
	// Locking the table gate again refuses the aggregate as a whole.
	mustPatch(t, s, admin, "world", worldID(t, s, admin, "todo"), map[string]any{"permission": 561441 &^ 32})
	if r := s.Do(t, http.MethodGet, "/aggregate/todo", nil, bob); r.Status != http.StatusForbidden {
		t.Errorf("bob without execute: %d %s", r.Status, r.Body)
	}
}
