package dialects

import (
	"net/http"
	"reflect"
	"testing"
)

// daybedFieldTypes stores a record with a field of every type and reads
// back what was sent.
func daybedFieldTypes(t *testing.T, e *daybedEnv) {
	s, c := e.s, &e.creds
	def := map[string]any{"title": "everything", "description": "one field of each type", "fields": []any{
		map[string]any{"name": "n", "type": "int"},
		map[string]any{"name": "s", "type": "string"},
		map[string]any{"name": "txt", "type": "text"},
		map[string]any{"name": "dec", "type": "decimal"},
		map[string]any{"name": "b", "type": "boolean"},
		map[string]any{"name": "mail", "type": "email"},
		map[string]any{"name": "link", "type": "url"},
		map[string]any{"name": "e", "type": "enum", "choices": []any{"x", "y"}},
		map[string]any{"name": "ch", "type": "choices", "choices": []any{"x", "y", "z"}},
		map[string]any{"name": "r", "type": "range", "min": 0, "max": 10},
		map[string]any{"name": "re", "type": "regex", "regex": "^[a-z]+$"},
		map[string]any{"name": "d", "type": "date"},
		map[string]any{"name": "dt", "type": "datetime"},
		map[string]any{"name": "js", "type": "json"},
		map[string]any{"name": "pt", "type": "point"},
		map[string]any{"name": "poly", "type": "polygon"},
		map[string]any{"name": "note", "type": "annotation"},
		map[string]any{"name": "opt", "type": "string", "required": false},
	}}
	must(t, hawkDo(t, s, c, http.MethodPut, "/v1/models/everything", map[string]any{"definition": def}, nil), 200)
	rec := map[string]any{"n": 7, "s": "str", "txt": "long text", "dec": 2.5, "b": true, "mail": "a@b.test", "link": "https://x.test/p",
		"e": "y", "ch": []any{"x", "z"}, "r": 10, "re": "abc", "d": "2014-07-24", "dt": "2014-07-24T16:25:49Z",
		"js": map[string]any{"k": []any{1.0, "v"}}, "pt": []any{1.5, 2.0}, "poly": []any{[]any{[]any{0.0, 0.0}, []any{1.0, 0.0}, []any{0.0, 0.0}}}}
	id := must(t, hawkDo(t, s, c, http.MethodPost, "/v1/models/everything/records", rec, nil), 201).Map(t)["id"].(string)
	got := must(t, hawkDo(t, s, c, http.MethodGet, "/v1/models/everything/records/"+id, nil, nil), 200).Map(t)
	want := roundTrip(t, rec).(map[string]any)
	want["id"] = id
	if !reflect.DeepEqual(got, want) {
		t.Errorf("record read back\n got %v\nwant %v", got, want)
	}
	// Out of range, bad pattern, bad date: Daybed errors naming each field.
	bad := map[string]any{"n": 7, "s": "str", "txt": "t", "dec": 1, "b": false, "mail": "a@b.test", "link": "https://x.test",
		"e": "x", "ch": []any{}, "r": 11, "re": "ABC", "d": "yesterday", "dt": "2014-07-24T16:25:49Z", "js": 1, "pt": []any{1.0, 2.0}, "poly": []any{}}
	r := must(t, hawkDo(t, s, c, http.MethodPost, "/v1/models/everything/records", bad, nil), 400)
	names := map[string]bool{}
	for _, e := range r.Map(t)["errors"].([]any) {
		names[e.(map[string]any)["name"].(string)] = true
	}
	for _, n := range []string{"r", "re", "d", "poly"} {
		if !names[n] {
			t.Errorf("no error for %s: %s", n, r.Body)
		}
	}
}
