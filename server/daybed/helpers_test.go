package daybed

import (
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
)

func TestGateAndRecordOps(t *testing.T) {
	t.Parallel()
	const peek, read, create, update, del = 1 << opPeek, 1 << opRead, 1 << opCreate, 1 << opUpdate, 1 << opDelete
	for _, c := range []struct {
		perms []string
		gate  auth.Permission
		all   auth.Permission
		own   auth.Permission
	}{
		{nil, 0, 0, 0},
		{[]string{"read_definition"}, peek | read, 0, 0},
		{[]string{"read_permissions"}, peek, 0, 0},
		{[]string{"create_record"}, peek | create, 0, 0},
		{[]string{"read_all_records"}, peek | read, peek | read, 0},
		{[]string{"read_own_records", "update_own_records"}, peek | read | update, 0, peek | read | update},
		{[]string{"delete_model"}, peek | del, 0, 0},
		{[]string{"update_all_records", "delete_all_records"}, peek | update | del, update | del, 0},
		{permissionNames(), peek | read | create | update | del, peek | read | update | del, peek | read | update | del},
	} {
		if got := gateOps(c.perms); got != c.gate {
			t.Errorf("gateOps(%v) = %b, want %b", c.perms, got, c.gate)
		}
		if got := recordOps(c.perms, "all"); got != c.all {
			t.Errorf("recordOps(%v, all) = %b, want %b", c.perms, got, c.all)
		}
		if got := recordOps(c.perms, "own"); got != c.own {
			t.Errorf("recordOps(%v, own) = %b, want %b", c.perms, got, c.own)
		}
	}
	if !has([]string{"a", "b"}, "x", "b") || has([]string{"a"}, "x") || has(nil) {
		t.Error("has")
	}
	if got := sortedKeys(map[string]bool{"b": true, "a": true, "c": false}); !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Errorf("sortedKeys = %v", got)
	}
	if got := sortedKeys(nil); got == nil || len(got) != 0 {
		t.Errorf("sortedKeys(nil) = %#v, want an empty list (JSON [])", got)
	}
}

var todoDef = definition{Title: "t", Description: "d", Fields: []field{
	{Name: "item", Type: "string"},
	{Name: "done", Type: "boolean", Required: ptr(false)},
	{Name: "tags", Type: "choices", Choices: []any{"a", "b"}, Required: ptr(false)},
	{Name: "due", Type: "date", Required: ptr(false)},
	{Name: "note", Type: "annotation", Label: "x"},
}}

func ptr[T any](v T) *T { return &v }

func TestCheckRecord(t *testing.T) {
	t.Parallel()
	got, err := checkRecord(todoDef, map[string]any{"id": "ignored", "item": "milk", "tags": []any{"a"}, "done": true}, false)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"item": "milk", "done": true, "tags": `["a"]`, "due": nil}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("full record: %#v", got)
	}
	got, err = checkRecord(todoDef, map[string]any{"done": false, "due": nil}, true)
	if err != nil || !reflect.DeepEqual(got, map[string]any{"done": false, "due": nil}) {
		t.Errorf("partial record: %#v %v", got, err)
	}
	_, err = checkRecord(todoDef, map[string]any{"done": "yes", "zzz": 1, "aaa": 2}, false)
	var ae *apiError
	if !errors.As(err, &ae) || ae.Status != http.StatusBadRequest {
		t.Fatalf("bad record: %v", err)
	}
	var names []string
	for _, e := range ae.Body.(errorsBody).Errors {
		names = append(names, e.Name)
	}
	if !reflect.DeepEqual(names, []string{"item", "done", "aaa", "zzz"}) {
		t.Errorf("error names %v, want required, type, then unknown fields sorted", names)
	}
}

func TestRecordOutAndValues(t *testing.T) {
	t.Parallel()
	when := time.Date(2024, 2, 3, 4, 5, 6, 0, time.FixedZone("x", -3600))
	row := resource.Row{RefID: "r-1", Attrs: map[string]any{"item": "milk", "done": int64(1), "tags": `["b"]`, "due": when, "note": "hidden"}}
	got := recordOut(todoDef, row)
	want := map[string]any{"id": "r-1", "item": "milk", "done": true, "tags": []any{"b"}, "due": "2024-02-03"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("recordOut = %#v", got)
	}
	if got := recordOut(todoDef, resource.Row{RefID: "r-2", Attrs: map[string]any{"item": "x"}}); len(got) != 2 {
		t.Errorf("nil fields must be left out: %#v", got)
	}
	dt, _ := lookupType("datetime")
	js, _ := lookupType("json")
	if got := daybedValue(dt, when); got != "2024-02-03T05:05:06Z" {
		t.Errorf("datetime = %v", got)
	}
	if got := daybedValue(js, "not json"); got != "not json" {
		t.Errorf("broken json = %v", got)
	}
}

func TestValidateOnlyAndLocation(t *testing.T) {
	t.Parallel()
	for hdr, want := range map[string]bool{"": true, "true": true, "1": true, "FALSE": false, " 0 ": false} {
		r := httptest.NewRequest("POST", "/", nil)
		r.Header["Validate-Only"] = []string{hdr}
		if validateOnly(r) != want {
			t.Errorf("Validate-Only %q: %v", hdr, !want)
		}
	}
	if validateOnly(httptest.NewRequest("POST", "/", nil)) {
		t.Error("no header means store")
	}
	r := httptest.NewRequest("POST", "http://api.test:8000/v1/models/todo/records", nil)
	if got := location(r, "todo", "r-1"); got != "http://api.test:8000/v1/models/todo/records/r-1" {
		t.Errorf("location = %q", got)
	}
}

func TestDaybedErrorShapes(t *testing.T) {
	t.Parallel()
	h := &handler{Deps: Deps{Log: slog.New(slog.NewTextHandler(io.Discard, nil))}}
	for _, c := range []struct {
		err    error
		status int
		field  string
	}{
		{&resource.Error{Kind: resource.ErrNotFound, Title: "gone"}, 404, `"location":"path"`},
		{&resource.Error{Kind: resource.ErrForbidden}, 403, `"403 Forbidden"`},
		{&resource.Error{Kind: resource.ErrUnauthenticated, Title: "who"}, 401, `"401 Unauthorized"`},
		{&resource.Error{Kind: resource.ErrConflict, Title: "dup", Pointer: "/data/attributes/item"}, 409, `"name":"item"`},
		{fmt.Errorf("x: %w", &resource.Error{Kind: resource.ErrValidation, Title: "bad", Pointer: "/data/attributes/done"}), 400, `"name":"done"`},
		{notFound("id", "no"), 404, `"name":"id"`},
		{unauthorized("log in"), 401, `"log in"`},
		{errors.New("secret failure"), 500, "internal error"},
	} {
		w := httptest.NewRecorder()
		h.writeError(w, httptest.NewRequest("GET", "/v1/models", nil), c.err)
		if w.Code != c.status || !strings.Contains(w.Body.String(), c.field) {
			t.Errorf("%v: %d %s, want %d %s", c.err, w.Code, w.Body, c.status, c.field)
		}
		if (w.Code == 401) != (w.Header().Get("WWW-Authenticate") == "Hawk") {
			t.Errorf("%v: WWW-Authenticate %q", c.err, w.Header().Get("WWW-Authenticate"))
		}
		if strings.Contains(w.Body.String(), "secret failure") {
			t.Error("internal error text leaked")
		}
		if !json.Valid(w.Body.Bytes()) {
			t.Errorf("not JSON: %s", w.Body)
		}
	}
	guest := &req{}
	if ae := denied(guest).(*apiError); ae.Status != 401 {
		t.Errorf("denied guest = %d", ae.Status)
	}
	user := &req{p: auth.Principal{UserID: 3, UserRef: "u"}, credID: "c-1"}
	if ae := denied(user).(*apiError); ae.Status != 403 || ae.Body.(map[string]string)["credentials_id"] != "c-1" {
		t.Errorf("denied user = %+v", ae)
	}
}

func TestModelNamesAndDefinitions(t *testing.T) {
	t.Parallel()
	for name, ok := range map[string]bool{"todo": true, "todo_list": true, "m1a2": true, "Todo": false, "todo-list": false,
		"todo_audit": false, "a_has_b": false, "": false, "1abc": false} {
		if validModelName(name) != ok {
			t.Errorf("validModelName(%q) = %v", name, !ok)
		}
	}
	for _, c := range []struct {
		raw  string
		want []string
	}{
		{``, []string{"definition"}},
		{`null`, []string{"definition"}},
		{`[1]`, []string{"definition"}},
		{`{}`, []string{"definition.title", "definition.description", "definition.fields"}},
		{`{"title":"t","description":"d","fields":[{"name":"a","type":"int"},{"name":"a","type":"int"}]}`, []string{"definition.fields.1.name"}},
	} {
		_, err := parseDefinition(json.RawMessage(c.raw))
		var ae *apiError
		if !errors.As(err, &ae) {
			t.Errorf("%s: %v", c.raw, err)
			continue
		}
		var names []string
		for _, e := range ae.Body.(errorsBody).Errors {
			names = append(names, e.Name)
		}
		if !reflect.DeepEqual(names, c.want) {
			t.Errorf("%s: errors on %v, want %v", c.raw, names, c.want)
		}
	}
	def, err := parseDefinition(json.RawMessage(`{"title":"t","description":"d","fields":[{"name":"a","type":"int"}]}`))
	if err != nil || def.Title != "t" || len(def.Fields) != 1 {
		t.Errorf("good definition: %+v %v", def, err)
	}
}

func TestAPIErrorTextAndJSON(t *testing.T) {
	t.Parallel()
	err := badRequest("body", "item", "Required")
	if got := err.Error(); got != `{"status":"error","errors":[{"location":"body","name":"item","description":"Required"}]}` {
		t.Errorf("Error() = %s", got)
	}
	w := httptest.NewRecorder()
	writeJSON(w, http.StatusCreated, map[string]string{"id": "x"})
	if w.Code != 201 || w.Header().Get("Content-Type") != "application/json; charset=UTF-8" || w.Body.String() != `{"id":"x"}` {
		t.Errorf("writeJSON: %d %v %s", w.Code, w.Header(), w.Body)
	}
	w = httptest.NewRecorder()
	writeJSON(w, http.StatusOK, func() {})
	if w.Code != 500 || !json.Valid(w.Body.Bytes()) {
		t.Errorf("unencodable answer: %d %s", w.Code, w.Body)
	}
	h := &handler{Deps: Deps{Secret: []byte("s")}}
	a, b := h.userToken("u-1"), h.userToken("u-2")
	if len(a) != 64 || a == b || a != h.userToken("u-1") {
		t.Errorf("user tokens: %s %s", a, b)
	}
	if id := h.credentialsID(auth.Principal{UserRef: "u-1"}); len(id) != 64 || id == h.credentialsID(auth.Principal{UserRef: "u-2"}) {
		t.Errorf("credentials id: %s", id)
	}
}

func TestLocationOverTLS(t *testing.T) {
	t.Parallel()
	r := httptest.NewRequest("POST", "https://api.test/v1/models/todo/records", nil)
	if r.TLS == nil {
		t.Fatal("httptest gave no TLS state for an https URL")
	}
	if got := location(r, "todo", "r-9"); got != "https://api.test/v1/models/todo/records/r-9" {
		t.Errorf("location = %q", got)
	}
	plain := httptest.NewRequest("POST", "http://api.test:8080/v1/models/todo/records", nil)
	if got := location(plain, "todo", "r-9"); got != "http://api.test:8080/v1/models/todo/records/r-9" {
		t.Errorf("plain location = %q", got)
	}
}
