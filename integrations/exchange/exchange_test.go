package exchange

import (
	"testing"

	"github.com/apiary/apiary/resource"
)

func TestLoad(t *testing.T) {
	tests := []struct {
		name    string
		attrs   map[string]any
		loaded  bool
		source  string
		methods []string
	}{
		{"self source", map[string]any{"source_type": "self", "target_type": "rest", "as_user_id": "u",
			"attributes": `{"name":"order","hook":"after","methods":["POST","patch"]}`}, true, "order", []string{"post", "patch"}},
		{"self target", map[string]any{"source_type": "x", "target_type": "self", "as_user_id": "u",
			"attributes": map[string]any{"hook": "after", "methods": []any{"delete"}}, "target_attributes": `{"name":"item"}`}, true, "item", []string{"delete"}},
		{"no user", map[string]any{"source_type": "self", "target_type": "rest",
			"attributes": `{"name":"order","hook":"after","methods":["post"]}`}, false, "", nil},
		{"before hook", map[string]any{"source_type": "self", "target_type": "action", "as_user_id": "u",
			"attributes": `{"name":"order","hook":"before","methods":["post"]}`}, true, "order", []string{"post"}},
		{"unknown hook", map[string]any{"source_type": "self", "target_type": "action", "as_user_id": "u",
			"attributes": `{"name":"order","hook":"during","methods":["post"]}`}, false, "", nil},
		{"no source name", map[string]any{"source_type": "self", "target_type": "action", "as_user_id": "u",
			"attributes": `{"hook":"after","methods":["post"]}`}, false, "", nil},
		{"bad json", map[string]any{"source_type": "self", "as_user_id": "u", "attributes": `{`}, false, "", nil},
	}
	for _, tc := range tests {
		r := New(Options{})
		r.load(resource.Row{RefID: "x", Attrs: tc.attrs})
		x, ok := r.byRef["x"]
		if ok != tc.loaded {
			t.Errorf("%s: loaded = %v", tc.name, ok)
			continue
		}
		if ok && (x.source != tc.source || len(x.methods) != len(tc.methods) || x.methods[0] != tc.methods[0]) {
			t.Errorf("%s: %+v", tc.name, x)
		}
	}
}
