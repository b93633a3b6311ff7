package daybed

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/schema"
)

func TestValidateFieldAndColumns(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		f    field
		name string // "" when valid
	}{
		{field{Name: "title", Type: "string"}, ""},
		{field{Name: "Title", Type: "string"}, "fields.0.name"},
		{field{Name: "id", Type: "string"}, "fields.0.name"},
		{field{Name: "x y", Type: "string"}, "fields.0.name"},
		{field{Name: "title", Type: "colour"}, "fields.0.type"},
		{field{Name: "kind", Type: "enum"}, "fields.0.choices"},
		{field{Name: "kind", Type: "choices", Choices: []any{"a"}}, ""},
		{field{Name: "code", Type: "regex"}, "fields.0.regex"},
		{field{Name: "code", Type: "regex", Regex: "("}, "fields.0.regex"},
		{field{Name: "code", Type: "regex", Regex: "^a+$"}, ""},
	} {
		errs := validateField(0, c.f)
		if c.name == "" && len(errs) != 0 || c.name != "" && (len(errs) != 1 || errs[0].Name != c.name) {
			t.Errorf("%+v: %+v, want %q", c.f, errs, c.name)
		}
	}
	col, ok := field{Name: "due", Type: "date", Label: "Due by"}.column()
	if !ok || col.ColumnName != "due" || col.ColumnType != "date" || !col.IsNullable || col.ColumnDescription != "Due by" {
		t.Errorf("column: %+v %v", col, ok)
	}
	if _, ok := (field{Name: "note", Type: "annotation"}).column(); ok {
		t.Error("an annotation got a column")
	}
	names := map[string]bool{}
	for _, f := range fieldsResponse() {
		names[f["name"].(string)] = true
		if f["default_hint"] == "" {
			t.Errorf("field type %v has no hint", f["name"])
		}
	}
	for _, want := range []string{"int", "string", "enum", "regex", "point", "annotation"} {
		if !names[want] {
			t.Errorf("/v1/fields lacks %s", want)
		}
	}
	if (field{}).required() != true || (field{Required: ptr(false)}).required() {
		t.Error("required defaults to true")
	}
}

func TestSharingWithAuthenticatedAndOwnRecords(t *testing.T) {
	srv := liveDaybed(t)
	owner := newIdentityClient(t, srv)
	other := newIdentityClient(t, srv)
	if code, _, body := owner.do(t, "PUT", "/v1/models/todo", todoModel); code != 200 {
		t.Fatalf("put model: %d %s", code, body)
	}
	code, _, body := owner.do(t, "PATCH", "/v1/models/todo/permissions", `{"Authenticated":["create_record","read_own_records","update_own_records","read_definition"]}`)
	if code != 200 {
		t.Fatalf("grant: %d %s", code, body)
	}
	if code, _, body = owner.do(t, "POST", "/v1/models/todo/records", `{"item":"owner's"}`); code != 201 {
		t.Fatalf("owner record: %d %s", code, body)
	}
	code, ans, body := other.do(t, "POST", "/v1/models/todo/records", `{"item":"other's"}`)
	otherID, _ := ans["id"].(string)
	if code != 201 || otherID == "" {
		t.Fatalf("other record: %d %s", code, body)
	}
	// The other identity sees its own record only.
	code, _, body = other.do(t, "GET", "/v1/models/todo/records", "")
	if code != 200 || !strings.Contains(body, "other's") || strings.Contains(body, "owner's") {
		t.Errorf("other's list: %d %s", code, body)
	}
	if code, _, body = other.do(t, "PATCH", "/v1/models/todo/records/"+otherID, `{"item":"edited"}`); code != 200 || !strings.Contains(body, "edited") {
		t.Errorf("other edits its own record: %d %s", code, body)
	}
	// The owner still holds every permission and sees both.
	if code, _, body = owner.do(t, "GET", "/v1/models/todo/records", ""); code != 200 || !strings.Contains(body, "edited") || !strings.Contains(body, "owner's") {
		t.Errorf("owner's list: %d %s", code, body)
	}
	// Removing a permission: the other identity can no longer create.
	if code, _, body = owner.do(t, "PATCH", "/v1/models/todo/permissions", `{"Authenticated":["-create_record"]}`); code != 200 || strings.Contains(body, `"create_record","read_definition"`) {
		t.Errorf("revoke: %d %s", code, body)
	}
	if code, _, _ = other.do(t, "POST", "/v1/models/todo/records", `{"item":"late"}`); code != http.StatusForbidden {
		t.Errorf("create after revoke: %d", code)
	}
	// PUT replaces; unknown principals and permissions are refused.
	for body, want := range map[string]int{
		`{"Everyone":["read_definition"],"` + owner.creds.ID + `":["ALL"]}`: 200,
		`{"nobody-at-all":["read_definition"]}`:                             400,
		`{"Everyone":["fly"]}`:                                              400,
	} {
		if code, _, got := owner.do(t, "PUT", "/v1/models/todo/permissions", body); code != want {
			t.Errorf("PUT permissions %s: %d %s", body, code, got)
		}
	}
	if code, ans, body = owner.do(t, "GET", "/v1/models/todo/permissions", ""); code != 200 || ans["system.Authenticated"] != nil {
		t.Errorf("after PUT: %d %s", code, body)
	}
}

func TestTokensWithBasicAuth(t *testing.T) {
	srv, res := liveDaybedRes(t)
	sys := auth.WithPrincipal(context.Background(), auth.System())
	if _, err := res.Create(sys, schema.TableUser, resource.Input{Attributes: map[string]any{"name": "Ann", "email": "ann@example.com", "password": "password-ann"}}); err != nil {
		t.Fatal(err)
	}
	basic := func(user, pw string) (int, tokenAnswer) {
		t.Helper()
		req, _ := http.NewRequest("POST", srv.URL+"/v1/tokens", nil)
		req.SetBasicAuth(user, pw)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var a tokenAnswer
		_ = json.NewDecoder(resp.Body).Decode(&a)
		return resp.StatusCode, a
	}
	code, first := basic("ann@example.com", "password-ann")
	if code != http.StatusCreated || first.Credentials.ID == "" {
		t.Fatalf("first token: %d %+v", code, first)
	}
	code, again := basic("ann@example.com", "password-ann")
	if code != http.StatusOK || again != first {
		t.Errorf("second token: %d %+v, want the same as %+v", code, again, first)
	}
	if code, _ := basic("ann@example.com", "wrong"); code != http.StatusUnauthorized {
		t.Errorf("wrong password: %d", code)
	}
	if code, _ := basic("nobody@example.com", "x"); code != http.StatusUnauthorized {
		t.Errorf("unknown user: %d", code)
	}
	// The credentials sign Hawk requests as Ann, and /v1/tokens then
	// answers her own token.
	ann := hawkClient{srv: srv, creds: &first.Credentials}
	if code, _, body := ann.do(t, "PUT", "/v1/models/notes", todoModel); code != 200 {
		t.Errorf("model as Ann: %d %s", code, body)
	}
	code, _, body := ann.do(t, "POST", "/v1/tokens", "")
	if code != 200 || !strings.Contains(body, first.Token) {
		t.Errorf("own token over Hawk: %d %s", code, body)
	}
}
