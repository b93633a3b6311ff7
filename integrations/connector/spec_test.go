package connector

import (
	"context"
	"errors"
	"strings"
	"testing"
)

const okSpec = `{"openapi":"3.0.3","info":{"title":"t","version":"1"},"servers":[{"url":"http://127.0.0.1:9"}],
"paths":{"/a/{id}":{"get":{"operationId":"getA","parameters":[{"name":"id","in":"path","required":true,"schema":{"type":"string"}}],
"responses":{"200":{"description":"ok"}}}}}}`

func TestParseSpecRefusals(t *testing.T) {
	cyclic := `openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /a: {get: {operationId: a, responses: {"200": {description: ok}}}}
components:
  schemas:
    A: {type: object, properties: {b: {$ref: "#/components/schemas/B"}}}
    B: {type: object, properties: {a: {$ref: "#/components/schemas/A"}}}
`
	external := strings.Replace(cyclic, `"#/components/schemas/B"`, `"http://127.0.0.1:1/evil.yaml#/B"`, 1)
	fileRef := strings.Replace(cyclic, `"#/components/schemas/B"`, `"other.yaml#/B"`, 1)
	big := `{"openapi":"3.0.3","x":"` + strings.Repeat("a", MaxSpecBytes) + `"}`
	deep := strings.Repeat(`{"a":`, 100) + "1" + strings.Repeat("}", 100)
	tests := []struct {
		name, spec, want string
	}{
		{"cycle", cyclic, "cycle"},
		{"external url", external, "external $ref"},
		{"external file", fileRef, "external $ref"},
		{"too large", big, "the limit is"},
		{"too deep", deep, "nested deeper"},
		{"not yaml", "{{{", "not JSON or YAML"},
		{"scalar", "42", "not an object"},
		{"no paths", `{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{}}`, "no paths"},
		{"invalid", `{"openapi":"3.0.3","paths":{"/a":{"get":{"responses":{"200":{"description":"ok"}}}}}}`, "info"},
	}
	for _, tc := range tests {
		_, err := ParseSpec(context.Background(), []byte(tc.spec))
		if err == nil || !errors.Is(err, ErrBadSpec) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
	}
	if _, err := ParseSpec(context.Background(), []byte(okSpec)); err != nil {
		t.Fatalf("valid spec refused: %v", err)
	}
}

func TestSwagger2IsConverted(t *testing.T) {
	v2 := `{"swagger":"2.0","info":{"title":"t","version":"1"},"host":"127.0.0.1:9","basePath":"/v1","schemes":["http"],
"paths":{"/x":{"post":{"operationId":"postX","parameters":[{"in":"body","name":"body","schema":{"type":"object","properties":{"n":{"type":"string"}}}}],
"responses":{"200":{"description":"ok"}}}}}}`
	p, err := NewProvider(context.Background(), "v2", "ref", AuthNone, []byte(v2), nil)
	if err != nil {
		t.Fatal(err)
	}
	op, ok := p.Operation("postX")
	if !ok || p.BaseURL != "http://127.0.0.1:9/v1" || len(op.BodyFields) != 1 || op.BodyFields[0] != "n" {
		t.Fatalf("provider = %+v, op = %+v", p, op)
	}
}

func TestDuplicateOperationID(t *testing.T) {
	spec := `{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{
"/a":{"get":{"operationId":"getA","responses":{"200":{"description":"ok"}}}},
"/b":{"get":{"operationId":"getA","responses":{"200":{"description":"ok"}}}}}}`
	if _, err := NewProvider(context.Background(), "d", "r", AuthNone, []byte(spec), nil); err == nil || !strings.Contains(err.Error(), "same operation id") {
		t.Fatalf("err = %v", err)
	}
}
