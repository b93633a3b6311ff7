package aggregate

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/server/httperr"
	"github.com/apiary/apiary/server/respcache"
)

// fakeRes records the aggregate query and answers fixed rows; stamps are
// per table.
type fakeRes struct {
	resource.Service
	got    resource.AggregateQuery
	table  string
	rows   []resource.Row
	err    error
	stamps map[string]uint64
}

func (f *fakeRes) Aggregate(_ context.Context, table string, q resource.AggregateQuery) ([]resource.Row, error) {
	f.table, f.got = table, q
	return f.rows, f.err
}

func (f *fakeRes) ReadStamp(table string) uint64 { return f.stamps[table] }

func TestQuery(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   string
		want resource.AggregateQuery
	}{
		{"", resource.AggregateQuery{}},
		{"column=count&column=sum(x)&group=a&filter=eq(a,1)&having=gt(count,2)&join=b@eq(b.id,a.b)&order=-count",
			resource.AggregateQuery{Columns: []string{"count", "sum(x)"}, Groups: []string{"a"}, Filters: []string{"eq(a,1)"},
				Having: []string{"gt(count,2)"}, Joins: []string{"b@eq(b.id,a.b)"}, Orders: []string{"-count"}}},
		{"timesample=day&timesample=month&timefrom=2024-01-01&timeto=2025-01-01&timecolumn=born",
			resource.AggregateQuery{TimeSample: "month", TimeFrom: "2024-01-01", TimeTo: "2025-01-01", TimeColumn: "born"}},
	}
	for _, c := range cases {
		v, _ := url.ParseQuery(c.in)
		if got := Query(v); !reflect.DeepEqual(got, c.want) {
			t.Errorf("Query(%q) = %+v, want %+v", c.in, got, c.want)
		}
	}
}

func TestJSONStrings(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   any
		want []string
		bad  bool
	}{
		{nil, nil, false},
		{"a", []string{"a"}, false},
		{2.5, []string{"2.5"}, false},
		{true, []string{"true"}, false},
		{[]any{"a", 1.0, false}, []string{"a", "1", "false"}, false},
		{[]any{[]any{"a"}}, nil, true},
		{map[string]any{"a": 1.0}, nil, true},
		{[]any{map[string]any{}}, nil, true},
	}
	for _, c := range cases {
		got, err := jsonStrings(c.in)
		if (err != nil) != c.bad || !reflect.DeepEqual(got, c.want) {
			t.Errorf("jsonStrings(%#v) = %v, %v; want %v, error %v", c.in, got, err, c.want, c.bad)
		}
	}
}

func TestReadParams(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, method, url, ctype, body string
		want                           url.Values
		status                         int // 0 = no error
	}{
		{"get", "GET", "/x?column=count&group=a", "", "", url.Values{"column": {"count"}, "group": {"a"}}, 0},
		{"empty post", "POST", "/x?group=a", "application/json", "  ", url.Values{"group": {"a"}}, 0},
		{"json body adds to the URL", "POST", "/x?group=a", "application/json",
			`{"group":["b"],"column":"count","timesample":"day","query":"ignored","root_entity":"t"}`,
			url.Values{"group": {"a", "b"}, "column": {"count"}, "timesample": {"day"}}, 0},
		{"form body", "POST", "/x", "application/x-www-form-urlencoded", "column=count&filter=eq(a,1)",
			url.Values{"column": {"count"}, "filter": {"eq(a,1)"}}, 0},
		{"bad json", "POST", "/x", "application/json", `[1,2]`, nil, http.StatusBadRequest},
		{"bad value", "POST", "/x", "application/json", `{"column":{"a":1}}`, nil, http.StatusBadRequest},
		{"bad form", "POST", "/x", "application/x-www-form-urlencoded", "a=%zz", nil, http.StatusBadRequest},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest(c.method, c.url, strings.NewReader(c.body))
			if c.ctype != "" {
				r.Header.Set("Content-Type", c.ctype)
			}
			got, err := readParams(httptest.NewRecorder(), r)
			if c.status != 0 {
				var he *httperr.Error
				if !errors.As(err, &he) || he.Status != c.status {
					t.Fatalf("err %v, want status %d", err, c.status)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %v, %v; want %v", got, err, c.want)
			}
		})
	}
}

func TestStamp(t *testing.T) {
	t.Parallel()
	res := &fakeRes{stamps: map[string]uint64{"todo": 5, "tag": 7, "user": 100}}
	cases := []struct {
		url, group string
		sum        uint64
	}{
		{"/aggregate/todo", "aggregate:todo+", 5},
		{"/aggregate/todo?join=tag@eq(tag.id,todo.tag)", "aggregate:todo+tag", 12},
		{"/aggregate/todo?join=user@eq(a,b)&join=%20tag%20@eq(c,d)", "aggregate:todo+tag+user", 112},
	}
	for _, c := range cases {
		r := httptest.NewRequest("GET", c.url, nil)
		rc := chi.NewRouteContext()
		rc.URLParams.Add("entity", "todo")
		r = r.WithContext(context.WithValue(r.Context(), chi.RouteCtxKey, rc))
		group, sum, ok := stamp(r, res)
		if !ok || group != c.group || sum != c.sum {
			t.Errorf("%s: %q %d %v; want %q %d", c.url, group, sum, ok, c.group, c.sum)
		}
	}
}

func TestMountServesAnswers(t *testing.T) {
	t.Parallel()
	res := &fakeRes{rows: []resource.Row{{Table: "aggregate_todo", RefID: "1", Attrs: map[string]any{"count": 3.0}}},
		stamps: map[string]uint64{}}
	r := chi.NewRouter()
	Mount(r, func() resource.Service { return res }, slog.New(slog.DiscardHandler), respcache.New(-1))
	cases := []struct {
		method, url, body string
		status            int
		want              string
	}{
		{"GET", "/aggregate/todo?column=count", "", 200, `{"data":[{"type":"aggregate_todo","id":"1","attributes":{"count":3}}]}`},
		{"POST", "/aggregate/todo", `{"column":["count"]}`, 200, `{"data":[{"type":"aggregate_todo","id":"1","attributes":{"count":3}}]}`},
		{"POST", "/aggregate/todo", `nope`, 400, ""},
	}
	for _, c := range cases {
		req := httptest.NewRequest(c.method, c.url, strings.NewReader(c.body))
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		r.ServeHTTP(w, req)
		body, _ := io.ReadAll(w.Body)
		if w.Code != c.status || (c.want != "" && string(body) != c.want) {
			t.Errorf("%s %s: %d %s; want %d %s", c.method, c.url, w.Code, body, c.status, c.want)
		}
		if c.status == 200 && (res.table != "todo" || !reflect.DeepEqual(res.got.Columns, []string{"count"})) {
			t.Errorf("%s %s: asked %s %+v", c.method, c.url, res.table, res.got)
		}
	}
	res.err = &resource.Error{Kind: resource.ErrBadRequest, Title: "Invalid aggregation query", Detail: "no"}
	w := httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest("GET", "/aggregate/todo?column=x", nil))
	if w.Code != http.StatusBadRequest {
		t.Errorf("resource error: status %d", w.Code)
	}
}
