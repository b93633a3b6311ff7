package connector

import (
	"context"
	"fmt"
	"testing"
)

func TestHumanise(t *testing.T) {
	for in, want := range map[string]string{
		"listPets":           "List pets",
		"get /pets/{id}":     "Get pets id",
		"createPetV2":        "Create pet v2",
		"already_snake_case": "Already snake case",
		"HTTPStatus":         "Httpstatus",
		"":                   "",
		"---":                "---",
	} {
		if got := Humanise(in); got != want {
			t.Errorf("Humanise(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestProviderActions(t *testing.T) {
	tests := []struct {
		name, authType string
		op             string
		wantIn         []string // in-field names, in order
		required       map[string]bool
	}{
		{"oauth2 adds oauth_token_id", AuthOAuth2, "getItem", []string{"oauth_token_id", "id", "limit", "X-Trace"}, map[string]bool{"id": true}},
		{"credentials add credential_id", AuthCredentials, "getItem", []string{"credential_id", "id", "limit", "X-Trace"}, map[string]bool{"id": true}},
		{"body fields flattened", AuthNone, "addItem", []string{"name", "owner.age", "owner.email"}, nil},
	}
	for _, tc := range tests {
		p, err := NewProvider(context.Background(), "calls", "r", tc.authType, []byte(fmt.Sprintf(callSpec, "http://127.0.0.1:9", "{}")), nil)
		if err != nil {
			t.Fatal(err)
		}
		acts := p.Actions()
		if len(acts) != len(p.Ops) {
			t.Fatalf("%s: %d actions for %d operations", tc.name, len(acts), len(p.Ops))
		}
		for i := 1; i < len(acts); i++ {
			if acts[i-1].Name > acts[i].Name {
				t.Errorf("%s: actions not sorted: %s before %s", tc.name, acts[i-1].Name, acts[i].Name)
			}
		}
		var found bool
		for _, a := range acts {
			if a.Name != tc.op {
				continue
			}
			found = true
			if a.OnType != ActionOnType || !a.InstanceOptional || a.Label != Humanise(tc.op) {
				t.Errorf("%s: action %+v", tc.name, a)
			}
			if len(a.InFields) != len(tc.wantIn) {
				t.Fatalf("%s: in-fields %+v, want %v", tc.name, a.InFields, tc.wantIn)
			}
			for i, f := range a.InFields {
				if f.ColumnName != tc.wantIn[i] || f.Name != tc.wantIn[i] || f.ColumnType != "label" || f.IsNullable == tc.required[f.ColumnName] {
					t.Errorf("%s: in-field %d = %+v, want %s (required %v)", tc.name, i, f, tc.wantIn[i], tc.required[f.ColumnName])
				}
			}
			if len(a.OutFields) != 1 || a.OutFields[0].Type != "calls" || a.OutFields[0].Method != tc.op {
				t.Fatalf("%s: outcome %+v", tc.name, a.OutFields)
			}
			for _, in := range tc.wantIn {
				if a.OutFields[0].Attributes[in] != "~"+in {
					t.Errorf("%s: outcome does not pass %s on: %v", tc.name, in, a.OutFields[0].Attributes)
				}
			}
		}
		if !found {
			t.Errorf("%s: no action %s", tc.name, tc.op)
		}
	}
}
