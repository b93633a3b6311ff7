package connector

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func TestAuthKinds(t *testing.T) {
	tests := []struct {
		authType, schemes string
		want              []string
	}{
		{AuthNone, "{}", []string{"none"}},
		{"", `K: {type: apiKey, in: header, name: X-Key}`, []string{AuthAPIKey}},
		{AuthOAuth2, `B: {type: http, scheme: basic}`, []string{AuthBasic, AuthOAuth2}},
		{"", `H: {type: http, scheme: bearer}`, []string{AuthBearer}},
		{"", `O: {type: oauth2, flows: {clientCredentials: {tokenUrl: "http://x/t", scopes: {}}}}`, []string{AuthOAuth2}},
		{"OAuth2", "{}", []string{AuthOAuth2}},
	}
	for _, tc := range tests {
		p, err := NewProvider(context.Background(), "k", "r", tc.authType, []byte(fmt.Sprintf(callSpec, "http://127.0.0.1:9", tc.schemes)), nil)
		if err != nil {
			t.Fatalf("%s %s: %v", tc.authType, tc.schemes, err)
		}
		if got := p.AuthKinds(); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("AuthKinds(%q, %s) = %v, want %v", tc.authType, tc.schemes, got, tc.want)
		}
	}
}

func TestParametersSatisfiedByAuth(t *testing.T) {
	spec := `{"openapi":"3.0.3","info":{"title":"t","version":"1"},"servers":[{"url":"http://h/{tenant}","variables":{"tenant":{"default":"main"}}}],
"components":{"securitySchemes":{"K":{"type":"apiKey","in":"query","name":"key"}}},
"paths":{"/a":{"get":{"operationId":"a","parameters":[
 {"name":"key","in":"query","schema":{"type":"string"}},
 {"name":"org","in":"header","schema":{"type":"string"}},
 {"name":"q","in":"query","required":true,"schema":{"type":"string"}}],
"responses":{"200":{"description":"ok"}}}}}}`
	p, err := NewProvider(context.Background(), "s", "r", AuthNone, []byte(spec), map[string]any{"org": "acme"})
	if err != nil {
		t.Fatal(err)
	}
	op, _ := p.Operation("a")
	if !reflect.DeepEqual(op.InFields, []string{"q"}) || len(op.Params) != 1 || !op.Params[0].Required {
		t.Errorf("in-fields %v, params %+v: key (scheme) and org (auth spec) must not be inputs", op.InFields, op.Params)
	}
	if op.String() != "GET /a" || p.BaseURL != "http://h/{tenant}" {
		t.Errorf("op %s, base %s", op, p.BaseURL)
	}
	// The server URL's {tenant} comes from an input of the same name.
	req, err := p.request(context.Background(), op, map[string]any{"q": "x", "tenant": "t1"}, Credentials{})
	if err != nil || req.URL.String() != "http://h/t1/a?q=x" {
		t.Errorf("request: %v %v", err, req)
	}
	if _, err := p.request(context.Background(), op, map[string]any{"q": "x"}, Credentials{}); err == nil || !strings.Contains(err.Error(), "path parameter") {
		t.Errorf("missing server variable: %v", err)
	}
}

func TestOperationWithoutID(t *testing.T) {
	spec := `{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{"/things/{id}":{"delete":{
"parameters":[{"name":"id","in":"path","required":true,"schema":{"type":"string"}}],"responses":{"204":{"description":"gone"}}}}}}`
	p, err := NewProvider(context.Background(), "n", "r", AuthNone, []byte(spec), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := p.Operation("delete /things/{id}"); !ok {
		t.Errorf("operations: %+v", p.Ops)
	}
	if _, err := NewProvider(context.Background(), "", "r", AuthNone, []byte(spec), nil); err == nil {
		t.Error("a provider without a name was accepted")
	}
}

func TestSpecYAML(t *testing.T) {
	p, err := NewProvider(context.Background(), "y", "r", AuthNone, []byte(okSpec), nil)
	if err != nil {
		t.Fatal(err)
	}
	y, err := p.SpecYAML()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"openapi: 3.0.3", "operationId: getA", "/a/{id}:"} {
		if !strings.Contains(string(y), want) {
			t.Errorf("YAML lacks %q:\n%s", want, y)
		}
	}
	if strings.Contains(string(y), `{"`) {
		t.Errorf("YAML kept JSON flow style:\n%s", y)
	}
}
