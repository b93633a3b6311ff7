package connector

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// Auth kinds a provider may be configured with.
const (
	AuthOAuth2      = "oauth2"
	AuthCredentials = "custom_credentials"
	AuthAPIKey      = "api_key"
	AuthBasic       = "basic"
	AuthBearer      = "bearer"
	AuthNone        = "none"
)

// Provider is one installed integration: its operations and where to call
// them. Its authentication values are unexported and never serialised.
type Provider struct {
	Name     string       `json:"name"`
	RefID    string       `json:"id"`
	AuthType string       `json:"authentication_type"`
	BaseURL  string       `json:"base_url"`
	Title    string       `json:"title"`
	Ops      []*Operation `json:"operations"`
	doc      *openapi3.T
	byID     map[string]*Operation
	auth     map[string]any // decrypted authentication_specification
}

// Operation is one callable path and method.
type Operation struct {
	ID         string   `json:"operationId"`
	Method     string   `json:"method"`
	Path       string   `json:"path"`
	Summary    string   `json:"summary,omitempty"`
	Params     []Param  `json:"parameters"`
	BodyFields []string `json:"body_fields,omitempty"`
	InFields   []string `json:"in_fields"`
}

// Param is one operation parameter.
type Param struct {
	Name     string `json:"name"`
	In       string `json:"in"`
	Required bool   `json:"required"`
}

// NewProvider parses spec and builds a provider; auth holds the decrypted
// authentication specification (may be nil).
func NewProvider(ctx context.Context, name, refID, authType string, spec []byte, auth map[string]any) (*Provider, error) {
	if name == "" {
		return nil, badSpec("the integration has no name")
	}
	doc, err := ParseSpec(ctx, spec)
	if err != nil {
		return nil, err
	}
	p := &Provider{Name: name, RefID: refID, AuthType: strings.ToLower(authType), doc: doc, byID: map[string]*Operation{}, auth: auth}
	if doc.Info != nil {
		p.Title = doc.Info.Title
	}
	if len(doc.Servers) > 0 {
		p.BaseURL = strings.TrimRight(doc.Servers[0].URL, "/")
	}
	for _, path := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Value(path)
		for method, op := range item.Operations() {
			o := p.operation(path, method, item, op)
			if _, dup := p.byID[o.ID]; dup {
				return nil, badSpec("operationId %q is used twice", o.ID)
			}
			p.byID[o.ID] = o
			p.Ops = append(p.Ops, o)
		}
	}
	sort.Slice(p.Ops, func(a, b int) bool { return p.Ops[a].ID < p.Ops[b].ID })
	return p, nil
}

func (p *Provider) operation(path, method string, item *openapi3.PathItem, op *openapi3.Operation) *Operation {
	o := &Operation{ID: op.OperationID, Method: strings.ToUpper(method), Path: path, Summary: op.Summary}
	if o.ID == "" {
		o.ID = strings.ToLower(method) + " " + path
	}
	seen := map[string]bool{}
	for _, list := range []openapi3.Parameters{op.Parameters, item.Parameters} {
		for _, ref := range list {
			if ref == nil || ref.Value == nil || seen[ref.Value.In+"/"+ref.Value.Name] {
				continue
			}
			seen[ref.Value.In+"/"+ref.Value.Name] = true
			if p.satisfiedByAuth(ref.Value.Name) {
				continue
			}
			o.Params = append(o.Params, Param{Name: ref.Value.Name, In: ref.Value.In, Required: ref.Value.Required})
		}
	}
	if op.RequestBody != nil && op.RequestBody.Value != nil {
		if mt := op.RequestBody.Value.Content.Get("application/json"); mt != nil && mt.Schema != nil {
			flatten(mt.Schema.Value, "", 0, &o.BodyFields)
			sort.Strings(o.BodyFields)
		}
	}
	if p.AuthType == AuthOAuth2 {
		o.InFields = append(o.InFields, "oauth_token_id")
	} else if p.AuthType == AuthCredentials {
		o.InFields = append(o.InFields, "credential_id")
	}
	for _, prm := range o.Params {
		o.InFields = append(o.InFields, prm.Name)
	}
	o.InFields = append(o.InFields, o.BodyFields...)
	return o
}

// satisfiedByAuth reports whether a parameter is filled by the auth
// specification or an API-key scheme.
func (p *Provider) satisfiedByAuth(name string) bool {
	if _, ok := p.auth[name]; ok {
		return true
	}
	if p.doc.Components == nil {
		return false
	}
	for _, s := range p.doc.Components.SecuritySchemes {
		if s.Value != nil && s.Value.Type == "apiKey" && s.Value.Name == name {
			return true
		}
	}
	return false
}

// flatten lists the leaf properties of a JSON schema with "." separators.
func flatten(s *openapi3.Schema, prefix string, depth int, out *[]string) {
	if s == nil || depth > 8 {
		return
	}
	if len(s.Properties) == 0 {
		if prefix != "" {
			*out = append(*out, prefix)
		}
		return
	}
	for name, ref := range s.Properties {
		key := name
		if prefix != "" {
			key = prefix + "." + name
		}
		if ref == nil || ref.Value == nil {
			*out = append(*out, key)
			continue
		}
		flatten(ref.Value, key, depth+1, out)
	}
}

// Operation returns one operation by id.
func (p *Provider) Operation(id string) (*Operation, bool) {
	o, ok := p.byID[id]
	return o, ok
}

// SpecYAML returns the provider's document as YAML (v3).
func (p *Provider) SpecYAML() ([]byte, error) {
	js, err := p.doc.MarshalJSON()
	if err != nil {
		return nil, err
	}
	return jsonToYAML(js)
}

// AuthKinds lists how the provider can be authorised, from its
// configuration and security schemes.
func (p *Provider) AuthKinds() []string {
	kinds := map[string]bool{}
	if p.AuthType != "" {
		kinds[p.AuthType] = true
	}
	if p.doc.Components != nil {
		for _, s := range p.doc.Components.SecuritySchemes {
			if s.Value == nil {
				continue
			}
			switch {
			case s.Value.Type == "oauth2":
				kinds[AuthOAuth2] = true
			case s.Value.Type == "apiKey":
				kinds[AuthAPIKey] = true
			case s.Value.Type == "http" && strings.EqualFold(s.Value.Scheme, "basic"):
				kinds[AuthBasic] = true
			case s.Value.Type == "http":
				kinds[AuthBearer] = true
			}
		}
	}
	out := make([]string, 0, len(kinds))
	for k := range kinds {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// methodHasBody reports whether a method sends a request body.
func methodHasBody(m string) bool {
	return m == http.MethodPost || m == http.MethodPut || m == http.MethodPatch || m == http.MethodDelete
}

func (o *Operation) String() string { return fmt.Sprintf("%s %s", o.Method, o.Path) }
