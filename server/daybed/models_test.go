package daybed

import (
	"strings"
	"testing"
)

const richModel = `{"definition":{"title":"places","description":"typed fields","fields":[
	{"name":"name","type":"string"},
	{"name":"visited","type":"date","required":false},
	{"name":"seen_at","type":"datetime","required":false},
	{"name":"tags","type":"choices","choices":["a","b","c"],"required":false},
	{"name":"kind","type":"enum","choices":["park","museum"],"required":false},
	{"name":"where","type":"point","required":false},
	{"name":"rating","type":"range","min":0,"max":10,"required":false},
	{"name":"extra","type":"json","required":false},
	{"name":"site","type":"url","required":false},
	{"name":"heading","type":"annotation","label":"Layout only"}]},
	"records":[{"name":"seed","kind":"park"}]}`

func TestTypedFieldsRoundTrip(t *testing.T) {
	srv := liveDaybed(t)
	c := newIdentityClient(t, srv)
	if code, _, body := c.do(t, "PUT", "/v1/models/places", richModel); code != 200 {
		t.Fatalf("put model: %d %s", code, body)
	}
	rec := `{"name":"louvre","visited":"2024-05-01","seen_at":"2024-05-01T10:00:00Z","tags":["a","c"],"kind":"museum",
		"where":[2.33,48.86],"rating":9,"extra":{"k":[1,2]},"site":"https://louvre.test/"}`
	code, ans, body := c.do(t, "POST", "/v1/models/places/records", rec)
	id, _ := ans["id"].(string)
	if code != 201 || id == "" {
		t.Fatalf("post: %d %s", code, body)
	}
	code, ans, body = c.do(t, "GET", "/v1/models/places/records/"+id, "")
	if code != 200 {
		t.Fatalf("get: %d %s", code, body)
	}
	for k, want := range map[string]string{
		"visited": "2024-05-01", "kind": "museum", "site": "https://louvre.test/", "seen_at": "2024-05-01T10:00:00Z",
	} {
		if ans[k] != want {
			t.Errorf("%s = %v, want %s (%s)", k, ans[k], want, body)
		}
	}
	for _, frag := range []string{`"tags":["a","c"]`, `"where":[2.33,48.86]`, `"rating":9`, `"extra":{"k":[1,2]}`} {
		if !strings.Contains(body, frag) {
			t.Errorf("record lacks %s: %s", frag, body)
		}
	}
	if strings.Contains(body, "heading") {
		t.Errorf("an annotation has a value: %s", body)
	}
	// The seed record of the model body was stored too.
	if code, ans, body = c.do(t, "GET", "/v1/models/places/records", ""); code != 200 || len(ans["records"].([]any)) != 2 || !strings.Contains(body, "seed") {
		t.Errorf("records: %d %s", code, body)
	}
	for _, bad := range []string{
		`{"name":"x","visited":"01/05/2024"}`, `{"name":"x","tags":["z"]}`, `{"name":"x","kind":"zoo"}`,
		`{"name":"x","where":[1]}`, `{"name":"x","rating":11}`, `{"name":"x","site":"not a url"}`,
	} {
		if code, _, body := c.do(t, "POST", "/v1/models/places/records", bad); code != 400 {
			t.Errorf("%s: %d %s", bad, code, body)
		}
	}
}

func TestModelRedefinitionAndOwnership(t *testing.T) {
	srv := liveDaybed(t)
	owner := newIdentityClient(t, srv)
	other := newIdentityClient(t, srv)
	code, ans, body := owner.do(t, "POST", "/v1/models", todoModel)
	name, _ := ans["id"].(string)
	if code != 200 || !strings.HasPrefix(name, "m") || len(name) != 13 {
		t.Fatalf("post model: %d %s", code, body)
	}
	if code, _, body = owner.do(t, "POST", "/v1/models/"+name+"/records", `{"item":"kept"}`); code != 201 {
		t.Fatalf("record: %d %s", code, body)
	}
	// Redefining with an extra field keeps the records and the permissions.
	redef := strings.Replace(todoModel, `{"name":"item","type":"string"},`, `{"name":"item","type":"string"},{"name":"note","type":"text","required":false},`, 1)
	if code, _, body = owner.do(t, "PUT", "/v1/models/"+name, redef); code != 200 {
		t.Fatalf("redefine: %d %s", code, body)
	}
	if code, _, body = owner.do(t, "POST", "/v1/models/"+name+"/records", `{"item":"new","note":"long text"}`); code != 201 {
		t.Errorf("record with the new field: %d %s", code, body)
	}
	if code, _, body = owner.do(t, "GET", "/v1/models/"+name+"/records", ""); !strings.Contains(body, "kept") || !strings.Contains(body, "long text") {
		t.Errorf("records after redefinition: %d %s", code, body)
	}
	// Another identity may neither redefine nor delete the model, nor list it.
	if code, _, _ = other.do(t, "PUT", "/v1/models/"+name, redef); code != 403 {
		t.Errorf("redefine by another identity: %d", code)
	}
	if code, _, _ = other.do(t, "DELETE", "/v1/models/"+name, ""); code != 403 {
		t.Errorf("delete by another identity: %d", code)
	}
	if code, _, body = other.do(t, "GET", "/v1/models", ""); code != 200 || strings.Contains(body, name) {
		t.Errorf("model list of another identity: %d %s", code, body)
	}
	if code, _, body = owner.do(t, "GET", "/v1/models", ""); !strings.Contains(body, name) {
		t.Errorf("owner's model list: %d %s", code, body)
	}
}
