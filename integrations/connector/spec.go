package connector

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"
	"gopkg.in/yaml.v3"
)

// Limits on a specification.
const (
	MaxSpecBytes = 2 << 20 // a larger document is refused before parsing
	maxDepth     = 64      // nesting of objects and arrays
	maxNodes     = 200000  // values in the whole document
)

// ErrBadSpec marks every refusal of a specification.
var ErrBadSpec = errors.New("invalid specification")

func badSpec(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrBadSpec, fmt.Sprintf(format, a...))
}

// ParseSpec reads a JSON or YAML OpenAPI v2 or v3 document and returns it
// as v3. Nothing is fetched: a $ref must point inside the document.
func ParseSpec(ctx context.Context, data []byte) (*openapi3.T, error) {
	if len(data) > MaxSpecBytes {
		return nil, badSpec("the document is %d bytes; the limit is %d", len(data), MaxSpecBytes)
	}
	var raw any
	if err := yaml.Unmarshal(data, &raw); err != nil {
		return nil, badSpec("not JSON or YAML: %v", err)
	}
	doc, ok := normalise(raw).(map[string]any)
	if !ok {
		return nil, badSpec("the document is not an object")
	}
	nodes := 0
	if err := checkRefs(doc, 0, &nodes); err != nil {
		return nil, err
	}
	if err := checkCycles(doc); err != nil {
		return nil, err
	}
	js, err := json.Marshal(doc)
	if err != nil {
		return nil, badSpec("%v", err)
	}
	var t *openapi3.T
	if _, v2 := doc["swagger"]; v2 {
		var d2 openapi2.T
		if err := json.Unmarshal(js, &d2); err != nil {
			return nil, badSpec("openapi v2: %v", err)
		}
		if t, err = openapi2conv.ToV3(&d2); err != nil {
			return nil, badSpec("openapi v2: %v", err)
		}
	} else {
		loader := openapi3.NewLoader()
		loader.IsExternalRefsAllowed = false
		loader.Context = ctx
		if t, err = loader.LoadFromData(js); err != nil {
			return nil, badSpec("%v", err)
		}
	}
	if t.Paths == nil || t.Paths.Len() == 0 {
		return nil, badSpec("the document has no paths")
	}
	if err := t.Validate(ctx, openapi3.DisableExamplesValidation()); err != nil {
		return nil, badSpec("%v", err)
	}
	return t, nil
}

// normalise turns YAML maps into JSON-compatible ones.
func normalise(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = normalise(e)
		}
		return x
	case map[any]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[fmt.Sprint(k)] = normalise(e)
		}
		return m
	case []any:
		for i, e := range x {
			x[i] = normalise(e)
		}
		return x
	}
	return v
}

// checkRefs refuses external references and documents too deep or large.
func checkRefs(v any, depth int, nodes *int) error {
	*nodes++
	if *nodes > maxNodes {
		return badSpec("more than %d values", maxNodes)
	}
	if depth > maxDepth {
		return badSpec("nested deeper than %d levels", maxDepth)
	}
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if k == "$ref" {
				s, _ := e.(string)
				if !strings.HasPrefix(s, "#/") {
					return badSpec("external $ref %q is not allowed; only references inside the document (#/...)", s)
				}
			}
			if err := checkRefs(e, depth+1, nodes); err != nil {
				return err
			}
		}
	case []any:
		for _, e := range x {
			if err := checkRefs(e, depth+1, nodes); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkCycles refuses component schemas that reference themselves,
// directly or through others.
func checkCycles(doc map[string]any) error {
	defs := map[string]any{}
	if c, ok := doc["components"].(map[string]any); ok {
		if s, ok := c["schemas"].(map[string]any); ok {
			for k, v := range s {
				defs["#/components/schemas/"+k] = v
			}
		}
	}
	if d, ok := doc["definitions"].(map[string]any); ok {
		for k, v := range d {
			defs["#/definitions/"+k] = v
		}
	}
	edges := map[string][]string{}
	for name, v := range defs {
		collectRefs(v, func(ref string) { edges[name] = append(edges[name], ref) })
	}
	const (
		unseen = iota
		active
		done
	)
	state := map[string]int{}
	var visit func(n string) error
	visit = func(n string) error {
		switch state[n] {
		case active:
			return badSpec("schema %s references itself (a cycle)", strings.TrimPrefix(strings.TrimPrefix(n, "#/components/schemas/"), "#/definitions/"))
		case done:
			return nil
		}
		state[n] = active
		for _, m := range edges[n] {
			if err := visit(m); err != nil {
				return err
			}
		}
		state[n] = done
		return nil
	}
	for n := range defs {
		if err := visit(n); err != nil {
			return err
		}
	}
	return nil
}

func collectRefs(v any, fn func(string)) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if s, ok := e.(string); ok && k == "$ref" {
				fn(s)
			}
			collectRefs(e, fn)
		}
	case []any:
		for _, e := range x {
			collectRefs(e, fn)
		}
	}
}

// jsonToYAML re-encodes a JSON document as YAML.
func jsonToYAML(js []byte) ([]byte, error) {
	var v yaml.Node
	if err := yaml.Unmarshal(js, &v); err != nil {
		return nil, err
	}
	blockStyle(&v)
	return yaml.Marshal(&v)
}

// blockStyle drops the flow and quoting styles JSON input gives every
// node (the encoder still quotes strings that would read as other types).
func blockStyle(n *yaml.Node) {
	n.Style = 0
	for _, c := range n.Content {
		blockStyle(c)
	}
}
