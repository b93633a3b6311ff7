package jsonapi

import (
	"net/url"
	"testing"

	"github.com/apiary/apiary/resource"
)

// FuzzParseQuery feeds raw URL query strings (sort, page, include, fields,
// query=, filter and relation filters) through the JSON:API query parser:
// no panic, and an accepted query has a page size within bounds.
func FuzzParseQuery(f *testing.F) {
	for _, seed := range []string{
		``, `sort=title`, `sort=-title,%2Bpriority`, `sort=,`, `sort=-`, `sort=+`,
		`page%5Bnumber%5D=2&page%5Bsize%5D=10`, `page[number]=0&page[size]=0`, `page[size]=-1`,
		`page[size]=99999999999999999999`, `page[number]=2147483649`, `page[size]=`,
		`page[after]=8c3a4b0e-6d1f-4f38-9a51-1f2d3c4b5a69`, `page[before]=nope`,
		`include=project_id,tag_id&included_relations=project_id`, `include=`, `include=,,`,
		`fields=title,done&fields[todo]=title`, `filter=milk`, `filter[]=milk`,
		`query=%5B%7B%22column%22%3A%22title%22%2C%22operator%22%3A%22is%22%2C%22value%22%3A%22x%22%7D%5D`,
		`query=[{"column":"priority","operator":"in","value":[1,2]}]`, `query=not-json`,
		`project_id=8c3a4b0e-6d1f-4f38-9a51-1f2d3c4b5a69`, `project_id=`, `group=x&token=abc&page[offset]=3`,
		`sort=title&sort=-done&include=a&include=b`, `%zz=1`, `a=%`, `sort=%27%20OR%201%3D1`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil && len(v) == 0 {
			return
		}
		q, err := parseQuery(v)
		if err != nil {
			return
		}
		if q.size() < 1 || q.size() > resource.MaxPageSize || q.number() < 1 {
			t.Fatalf("page %d size %d from %q", q.number(), q.size(), raw)
		}
		for _, k := range q.Sort {
			if k.Column == "" {
				t.Fatalf("empty sort column from %q", raw)
			}
		}
	})
}

// FuzzParseResource feeds request bodies through the JSON:API body decoder
// (create and update documents, and relationship linkage): no panic, and an
// accepted update keeps the URL's id.
func FuzzParseResource(f *testing.F) {
	const id = "8c3a4b0e-6d1f-4f38-9a51-1f2d3c4b5a69"
	for _, seed := range []string{
		``, ` `, `null`, `[]`, `{}`, `{"data":null}`, `{"data":[]}`, `{"data":{}}`,
		`{"data":{"type":"todo","attributes":{"title":"buy milk","priority":2,"done":false}}}`,
		`{"data":{"type":"todo","id":"` + id + `","attributes":{"title":"x"}}}`,
		`{"data":{"type":"todo","attributes":{"n":12345678901234567890,"f":1e400,"g":-0.0,"h":1E-400}}}`,
		`{"data":{"type":"todo","attributes":{"a":{"b":[1,2,{"c":null}]}}}}`,
		`{"data":{"type":"other","attributes":{}}}`, `{"data":{"type":7}}`, `{"data":{"id":7}}`,
		`{"data":{"type":"todo","relationships":{"project_id":{"data":{"type":"project","id":"` + id + `"}}}}}`,
		`{"data":{"type":"todo","relationships":{"tag_id":{"data":[{"type":"tag","id":"` + id + `"},{"type":"tag","id":"x"}]}}}}`,
		`{"data":{"type":"todo","relationships":{"project_id":{"data":null}}}}`,
		`{"data":{"type":"todo","relationships":{"a/b~c":{}}}}`, `{"data":{"type":"todo","relationships":[]}}`,
		`{"data":{"type":"todo"}} trailing`, `{"data":{"type":"todo"}}{}`, `{"data":`, "\xff\xfe",
		`{"data":[{"type":"tag","id":"` + id + `"}]}`, `{"data":{"type":"tag","id":"` + id + `"}}`,
	} {
		f.Add([]byte(seed), "")
		f.Add([]byte(seed), id)
	}
	f.Fuzz(func(t *testing.T, body []byte, urlID string) {
		in, err := parseResource(body, "todo", urlID)
		if err == nil && urlID == "" && in.ID != "" && !isUUID(in.ID) {
			t.Fatalf("accepted id %q is not a UUID", in.ID)
		}
		if err == nil && in.Attributes == nil {
			t.Fatal("accepted body with nil attributes")
		}
		refs, null, err := parseLinkage(body)
		if err == nil && null && len(refs) > 0 {
			t.Fatalf("null linkage with %d refs", len(refs))
		}
		for _, r := range refs {
			if !isUUID(r.ID) {
				t.Fatalf("accepted ref id %q", r.ID)
			}
		}
	})
}
