package dexie

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/schema"
)

func status(err error) int {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae.Status
	}
	return 0
}

func TestAccess(t *testing.T) {
	t.Parallel()
	all := []string{ScopeAccessDB, ScopeGlobalRead, ScopeGlobalWrite}
	user := auth.Principal{UserID: 7, UserRef: "u-7", Scopes: all}
	app := auth.Principal{Scopes: all}
	readOnly := auth.Principal{UserID: 7, Scopes: []string{ScopeAccessDB, ScopeGlobalRead}}
	noDB := auth.Principal{UserID: 7, Scopes: []string{ScopeGlobalRead}}
	for _, c := range []struct {
		name   string
		p      auth.Principal
		m      mode
		write  bool
		status int
	}{
		{"guest reads public", auth.Guest(), modePublic, false, 0},
		{"guest writes public", auth.Guest(), modePublic, true, http.StatusUnauthorized},
		{"guest reads all", auth.Guest(), modeAll, false, http.StatusUnauthorized},
		{"no ACCESS_DB", noDB, modeAll, false, http.StatusForbidden},
		{"read all", readOnly, modeAll, false, 0},
		{"write all without GLOBAL_WRITE", readOnly, modeAll, true, http.StatusForbidden},
		{"write all", user, modeAll, true, 0},
		{"write public without GLOBAL_WRITE", readOnly, modePublic, true, http.StatusForbidden},
		{"write public", app, modePublic, true, 0},
		{"my without a user", app, modeMy, false, http.StatusForbidden},
		{"my", user, modeMy, true, 0},
	} {
		ctx, p, err := access(auth.WithPrincipal(context.Background(), c.p), c.m, c.write)
		if status(err) != c.status {
			t.Errorf("%s: %v, want status %d", c.name, err, c.status)
			continue
		}
		if err != nil {
			continue
		}
		if !reflect.DeepEqual(p, c.p) {
			t.Errorf("%s: token principal changed: %+v", c.name, p)
		}
		acting := auth.PrincipalFrom(ctx)
		switch c.m {
		case modePublic:
			if !c.write && !acting.IsGuest() {
				t.Errorf("%s: public reads must act as guest, got %+v", c.name, acting)
			}
		case modeMy:
			if acting.HasScope(ScopeGlobalRead) || acting.HasScope(ScopeGlobalWrite) || !acting.HasScope(ScopeAccessDB) {
				t.Errorf("%s: /my keeps global scopes: %v", c.name, acting.Scopes)
			}
			if len(c.p.Scopes) != 3 {
				t.Errorf("%s: the token's scopes were modified in place: %v", c.name, c.p.Scopes)
			}
		}
	}
}

func TestClassifyAndWriteError(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		err    error
		status int
		code   string
	}{
		{&resource.Error{Kind: resource.ErrNotFound, Title: "gone"}, 404, codeNotFound},
		{&resource.Error{Kind: resource.ErrForbidden, Title: "no"}, 403, codeForbidden},
		{&resource.Error{Kind: resource.ErrUnauthenticated, Title: "who"}, 401, codeUnauthorized},
		{&resource.Error{Kind: resource.ErrConflict, Title: "dup"}, 409, codeConflict},
		{&resource.Error{Kind: resource.ErrValidation, Title: "bad"}, 400, codeBadRequest},
		{fmt.Errorf("wrapped: %w", &resource.Error{Kind: resource.ErrBadRequest, Title: "bad"}), 400, codeBadRequest},
		{badRequest("b"), 400, codeBadRequest},
		{forbidden("f"), 403, codeForbidden},
		{notFound("n"), 404, codeNotFound},
		{errors.New("disk on fire"), 500, codeServer},
	} {
		w := httptest.NewRecorder()
		writeError(w, httptest.NewRequest("GET", "/all/x", nil), slog.New(slog.NewTextHandler(io.Discard, nil)), c.err)
		var body errorBody
		if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
			t.Fatalf("%v: %s", c.err, w.Body)
		}
		if w.Code != c.status || body.Error != c.code {
			t.Errorf("%v: %d %+v, want %d %s", c.err, w.Code, body, c.status, c.code)
		}
		if (w.Code == 401) != (w.Header().Get("WWW-Authenticate") != "") {
			t.Errorf("%v: WWW-Authenticate %q", c.err, w.Header().Get("WWW-Authenticate"))
		}
		if c.status == 500 && strings.Contains(body.Message, "fire") {
			t.Errorf("internal error text leaked: %q", body.Message)
		}
	}
	if classify(errors.New("plain")) != nil {
		t.Error("a plain error was classified")
	}
	if got := wrapIndex(2, notFound("no row")); status(got) != 404 || !strings.Contains(got.Error(), "object 2: no row") {
		t.Errorf("wrapIndex: %v", got)
	}
	plain := errors.New("plain")
	if wrapIndex(1, plain) != plain {
		t.Error("wrapIndex changed an internal error")
	}
}

func TestPagingKeys(t *testing.T) {
	t.Parallel()
	for _, v := range []any{"2024-01-01", 3.0, nil} {
		got, id, err := decodePagingKey(encodePagingKey(v, "a@b.c"))
		if err != nil || got != v || id != "a@b.c" {
			t.Errorf("round trip %v: %v %q %v", v, got, id, err)
		}
	}
	for _, bad := range []string{"!!", "W10=" /* [] */, "WzEsMl0=" /* [1,2] */, "e30=" /* {} */} {
		if _, _, err := decodePagingKey(bad); status(err) != 400 {
			t.Errorf("decodePagingKey(%q): %v", bad, err)
		}
	}
}

func TestParseLimitBoolUnknown(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]int{"": maxUsers, "1": 1, "1000": 1000, "0": -1, "1001": -1, "x": -1, "-5": -1} {
		n, err := parseLimit(s)
		if (want < 0) != (err != nil) || (want >= 0 && n != want) {
			t.Errorf("parseLimit(%q) = %d, %v", s, n, err)
		}
	}
	for s, want := range map[string]int{"": 1, "true": 1, "TRUE": 1, "1": 1, "false": 0, "0": 0, "yes": -1} {
		b, err := parseBool("x", s)
		if (want < 0) != (err != nil) || (want >= 0 && b != (want == 1)) {
			t.Errorf("parseBool(%q) = %v, %v", s, b, err)
		}
	}
	if k := hasUnknown(map[string]any{"a": 1, "z": 1, "m": 1}, "a"); k != "m" {
		t.Errorf("hasUnknown picks %q, want the first sorted unknown m", k)
	}
	if k := hasUnknown(map[string]any{"a": 1}, "a", "b"); k != "" {
		t.Errorf("hasUnknown = %q", k)
	}
}

func TestUserJSON(t *testing.T) {
	t.Parallel()
	when := time.Date(2024, 3, 4, 5, 6, 7, 8_000_000, time.FixedZone("x", 3600))
	row := resource.Row{Attrs: map[string]any{
		"email": "a@b.c", schema.ColCreatedAt: when, schema.ColUpdatedAt: "2024-03-04T05:06:07Z",
		colLastLogin: "", colUserType: "eval", colUserData: `{"k":[1]}`, colValidUntil: "not a date", colEvalDaysLeft: int64(3),
	}}
	got := userJSON(row)
	want := map[string]any{"userId": "a@b.c", "created": "2024-03-04T04:06:07.008Z", "updated": "2024-03-04T05:06:07.000Z",
		"lastLogin": nil, "type": "eval", "deactivated": nil, "data": map[string]any{"k": []any{1.0}}, "validUntil": "not a date",
		"evalDaysLeft": int64(3), "maxAllowedEvalDaysLeft": evalDays}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("userJSON:\n got %#v\nwant %#v", got, want)
	}
	plain := userJSON(resource.Row{Attrs: map[string]any{"email": "p@q.r", colUserData: "not json"}})
	if plain["type"] != "prod" || plain["data"] != nil || plain["maxAllowedEvalDaysLeft"] != nil || plain["validUntil"] != nil {
		t.Errorf("defaults: %#v", plain)
	}
	if m, _ := jsonValue(map[string]any{"a": 1}).(map[string]any); m["a"] != 1 {
		t.Error("jsonValue must pass non-strings through")
	}
}

func TestParseUserQuery(t *testing.T) {
	t.Parallel()
	uq, err := parseUserQuery(map[string][]string{})
	if err != nil || uq.sortCol != "email" || uq.limit != maxUsers || uq.active != nil || uq.after {
		t.Errorf("defaults: %+v %v", uq, err)
	}
	uq, err = parseUserQuery(map[string][]string{"search": {"ANN"}, "active": {"false"}, "type": {"demo"}, "sort": {"lastLogin"},
		"desc": {""}, "limit": {"5"}, "pagingKey": {encodePagingKey("x", "u@v.w")}})
	if err != nil || uq.search != "ann" || uq.active == nil || *uq.active || uq.typ != "demo" || uq.sortCol != colLastLogin ||
		!uq.desc || uq.limit != 5 || !uq.after || uq.afterVal != "x" || uq.afterUserID != "u@v.w" {
		t.Errorf("full: %+v %v", uq, err)
	}
	for _, q := range []map[string][]string{
		{"page": {"1"}}, {"active": {"maybe"}}, {"type": {"trial"}}, {"sort": {"email"}}, {"desc": {"2"}}, {"limit": {"0"}}, {"pagingKey": {"??"}},
	} {
		if _, err := parseUserQuery(q); status(err) != 400 {
			t.Errorf("%v: %v", q, err)
		}
	}
}

func TestUserQueryKeep(t *testing.T) {
	t.Parallel()
	yes, no := true, false
	active := resource.Row{Attrs: map[string]any{"email": "ann@x.io", "name": "Ann", colUserType: "eval", colUserData: `{"team":"Blue"}`}}
	gone := resource.Row{Attrs: map[string]any{"email": "bob@x.io", "name": "Bob", colDeactivated: "2024-01-01T00:00:00Z"}}
	for _, c := range []struct {
		uq         userQuery
		ann, bob   bool
		descriptor string
	}{
		{userQuery{}, true, true, "no filter"},
		{userQuery{active: &yes}, true, false, "active"},
		{userQuery{active: &no}, false, true, "inactive"},
		{userQuery{typ: "prod"}, false, true, "type prod is the default"},
		{userQuery{typ: "eval"}, true, false, "type eval"},
		{userQuery{search: "blue"}, true, false, "search in data"},
		{userQuery{search: "bob"}, false, true, "search in email"},
	} {
		if c.uq.keep(active) != c.ann || c.uq.keep(gone) != c.bob {
			t.Errorf("%s: ann %v bob %v", c.descriptor, c.uq.keep(active), c.uq.keep(gone))
		}
	}
}

func TestSortAndCompareValues(t *testing.T) {
	t.Parallel()
	when := time.Date(2024, 1, 2, 3, 4, 5, 6, time.UTC)
	for _, c := range []struct{ in, want any }{
		{when, "2024-01-02T03:04:05.000000006Z"}, {int64(3), 3.0}, {4, 4.0}, {2.5, 2.5}, {"s", "s"}, {true, nil}, {nil, nil},
	} {
		if got := sortValue(c.in); got != c.want {
			t.Errorf("sortValue(%#v) = %#v, want %#v", c.in, got, c.want)
		}
	}
	for _, c := range []struct {
		a, b any
		want int
	}{
		{nil, nil, 0}, {nil, 1.0, -1}, {1.0, nil, 1}, {1.0, 2.0, -1}, {10.0, 2.0, 1}, {2.0, 2.0, 0},
		{"10", "2", -1}, {"b", "a", 1}, {1.0, "a", -1},
	} {
		if got := compareValues(c.a, c.b); got != c.want {
			t.Errorf("compareValues(%#v, %#v) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

func TestUserChange(t *testing.T) {
	t.Parallel()
	ch, err := userChange(map[string]any{"userId": "a@b.c", "type": "eval", "validUntil": "2024-05-01T10:00:00+02:00",
		"evalDaysLeft": 5.0, "deactivated": false, "data": map[string]any{"x": 1.0}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{colUserType: "eval", colValidUntil: "2024-05-01T08:00:00Z", colEvalDaysLeft: 5.0, colDeactivated: nil, colUserData: `{"x":1}`}
	if !reflect.DeepEqual(ch, want) {
		t.Errorf("change: %#v", ch)
	}
	ch, _ = userChange(map[string]any{"userId": "a@b.c", "deactivated": true, "data": nil, "validUntil": nil})
	if s, _ := ch[colDeactivated].(string); s == "" || ch[colUserData] != nil || ch[colValidUntil] != nil {
		t.Errorf("deactivate: %#v", ch)
	}
	ch, _ = userChange(map[string]any{"userId": "a@b.c", "deactivated": "2024-01-01T00:00:00Z"})
	if ch[colDeactivated] != "2024-01-01T00:00:00Z" {
		t.Errorf("deactivated date: %#v", ch)
	}
	for _, bad := range []map[string]any{
		{}, {"userId": ""}, {"userId": "a", "nope": 1}, {"userId": "a", "type": "trial"}, {"userId": "a", "validUntil": "tomorrow"},
		{"userId": "a", "evalDaysLeft": -1.0}, {"userId": "a", "evalDaysLeft": 1.5}, {"userId": "a", "evalDaysLeft": "3"},
		{"userId": "a", "deactivated": "soon"}, {"userId": "a", "data": "text"},
	} {
		if _, err := userChange(bad); status(err) != 400 {
			t.Errorf("%v: %v", bad, err)
		}
	}
}

func TestPropertiesAndValues(t *testing.T) {
	t.Parallel()
	tb := &schema.Table{TableName: "todo", Columns: []schema.Column{
		{Name: "todoListId", ColumnName: "todo_list_id", ColumnType: "label"},
		{ColumnName: "done", ColumnType: "truefalse"},
		{ColumnName: "title", ColumnType: "label"},
	}, CompositeKeys: [][]string{{"todo_list_id", "title"}}}
	for prop, col := range map[string]string{"todoListId": "todo_list_id", "todo_list_id": "todo_list_id", "done": "done", "nope": ""} {
		got, ok := columnOf(tb, prop)
		if got != col || ok != (col != "") {
			t.Errorf("columnOf(%q) = %q %v", prop, got, ok)
		}
	}
	if got := propName(tb, "todo_list_id"); got != "todoListId" {
		t.Errorf("propName = %q", got)
	}
	if got := propName(tb, "unknown"); got != "unknown" {
		t.Errorf("propName of unknown = %q", got)
	}
	if got := keyColumns(tb); !reflect.DeepEqual(got, []string{"todoListId", "title"}) {
		t.Errorf("keyColumns = %v", got)
	}
	if k, ok, err := objectKey(tb, map[string]any{"todoListId": "L", "title": "T"}); !ok || err != nil || !reflect.DeepEqual(k.values, []any{"L", "T"}) {
		t.Errorf("objectKey compound: %+v %v %v", k, ok, err)
	}
	if _, _, err := objectKey(tb, map[string]any{"todoListId": "L"}); status(err) != 400 {
		t.Errorf("objectKey without title: %v", err)
	}
	plain := &schema.Table{TableName: "items"}
	if _, ok, err := objectKey(plain, map[string]any{"title": "x"}); ok || err != nil {
		t.Errorf("objectKey without id: %v %v", ok, err)
	}
	if _, ok, err := objectKey(plain, map[string]any{"id": "not-a-uuid"}); ok || status(err) != 400 {
		t.Errorf("objectKey bad id: %v %v", ok, err)
	}
	if plainValue(tb, "done", int64(1)) != true || plainValue(tb, "done", nil) != nil || plainValue(tb, "title", "1") != "1" {
		t.Error("plainValue")
	}
	if nilIfEmpty("") != nil || nilIfEmpty("x") != "x" {
		t.Error("nilIfEmpty")
	}
	for v, want := range map[any]int64{int64(5): 5, 6: 6, 7.0: 7, "8": 0} {
		if got := permOf(resource.Row{Attrs: map[string]any{schema.ColPermission: v}}); got != want {
			t.Errorf("permOf(%#v) = %d", v, got)
		}
	}
	conds, none, err := filters(tb, map[string][]string{"todoListId": {"L"}, "realmId": {"r"}, "done": {"1"}})
	if err != nil || none || len(conds) != 2 || conds[0].Column != "done" || conds[1].Column != "todo_list_id" || conds[1].Value != "L" {
		t.Errorf("filters: %+v %v %v", conds, none, err)
	}
	for _, q := range []map[string][]string{{"nope": {"1"}}, {"permission": {"1"}}, {"id": {"0190e3b4-5c1e-7d2a-9a51-3f7b2c7d9e10"}}} {
		if _, _, err := filters(tb, q); status(err) != 400 {
			t.Errorf("filters %v on a compound-key table: %v", q, err)
		}
	}
}

// TestIDFilter: ?id= filters on the reference id (the object's id), not
// on the hidden column's own name; an id that is no UUID matches nothing.
func TestIDFilter(t *testing.T) {
	t.Parallel()
	plain := &schema.Table{TableName: "item", Columns: []schema.Column{{ColumnName: "title", ColumnType: "label"}}}
	for _, c := range []struct {
		q      map[string][]string
		conds  []resource.Condition
		none   bool
		status int
	}{
		{q: map[string][]string{"id": {"0190E3B4-5C1E-7D2A-9A51-3F7B2C7D9E10"}},
			conds: []resource.Condition{{Column: schema.ColReferenceID, Operator: "is", Value: "0190e3b4-5c1e-7d2a-9a51-3f7b2c7d9e10"}}},
		{q: map[string][]string{"id": {"0190e3b4-5c1e-7d2a-9a51-3f7b2c7d9e10"}, "title": {"x"}},
			conds: []resource.Condition{{Column: schema.ColReferenceID, Operator: "is", Value: "0190e3b4-5c1e-7d2a-9a51-3f7b2c7d9e10"}, {Column: "title", Operator: "is", Value: "x"}}},
		{q: map[string][]string{"id": {"tdi0Oma0cOxZhnmTbCQTMxP3Xetcal"}}, none: true},
		{q: map[string][]string{"reference_id": {"0190e3b4-5c1e-7d2a-9a51-3f7b2c7d9e10"}}, status: 400},
	} {
		conds, none, err := filters(plain, c.q)
		if status(err) != c.status || none != c.none || (c.status == 0 && !reflect.DeepEqual(conds, c.conds)) {
			t.Errorf("filters(%v) = %+v %v %v", c.q, conds, none, err)
		}
	}
}

func TestDecodeObjects(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		body string
		n    int
		code int
	}{
		{`{"a":1}`, 1, 0}, {`[{"a":1},{"b":2}]`, 2, 0}, {`[]`, 0, 0}, {`[1]`, 0, 400}, {`"x"`, 0, 400}, {`{`, 0, 400},
		{`{"a":"` + strings.Repeat("x", 100) + `"}`, 0, 413},
	} {
		r := httptest.NewRequest("POST", "/all/t", strings.NewReader(c.body))
		got, err := decodeObjects(httptest.NewRecorder(), r, 64)
		if status(err) != c.code || (err == nil && len(got) != c.n) {
			t.Errorf("%.20s: %d objects, %v", c.body, len(got), err)
		}
	}
}
