package openapi

import (
	"errors"
	"maps"
	"regexp"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"

	"github.com/apiary/apiary/schema"
)

// Version is the OpenAPI version the document declares.
const Version = "3.0.3"

// Media types used in the document.
const (
	mediaJSONAPI = "application/vnd.api+json"
	mediaJSON    = "application/json"
	mediaText    = "text/plain"
	mediaForm    = "application/x-www-form-urlencoded"
)

// builder accumulates one document.
type builder struct {
	sc   *schema.Schema
	doc  *Document
	tags map[string]bool
}

// Build returns the OpenAPI document describing every route the server
// offers for sc. Component references are left unresolved ($ref strings
// only).
func Build(sc *schema.Schema) (*Document, error) {
	if sc == nil {
		return nil, errors.New("openapi: no schema")
	}
	b := &builder{sc: sc, tags: map[string]bool{}}
	b.doc = &Document{
		OpenAPI: Version,
		Info: &Info{
			Title:   "Apiary",
			Version: buildVersion(),
			Description: "JSON:API over every table of the live schema, actions, and the discovery, " +
				"aggregate and GraphQL endpoints. Generated from the running schema; it changes when the schema does. " +
				"OPTIONS /api/{table} and /api/{table}/{id} answer 204 with an Allow header (not listed per table).",
		},
		Servers: []*Server{{URL: "/"}},
		Paths:   map[string]*PathItem{},
		Components: &Components{
			Schemas:         map[string]*Schema{},
			Parameters:      map[string]*Parameter{},
			Responses:       map[string]*Response{},
			RequestBodies:   map[string]*RequestBody{},
			SecuritySchemes: map[string]*SecurityScheme{},
		},
	}
	b.shared()
	tables := slices.Clone(sc.Tables)
	slices.SortFunc(tables, func(a, c *schema.Table) int { return strings.Compare(a.TableName, c.TableName) })
	for _, t := range tables {
		b.table(t)
	}
	b.actions()
	b.fixed()
	for _, name := range slices.Sorted(maps.Keys(b.tags)) {
		b.doc.Tags = append(b.doc.Tags, &Tag{Name: name})
	}
	return b.doc, nil
}

// buildVersion is the main module's version, "(devel)" for local builds.
func buildVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}

// badName matches characters a component name may not hold.
var badName = regexp.MustCompile(`[^a-zA-Z0-9._-]`)

// compName makes s a valid component name.
func compName(s string) string { return badName.ReplaceAllString(s, "_") }

// Reference helpers.

func sref(name string) *Schema { return &Schema{Ref: "#/components/schemas/" + name} }

func pref(name string) *Parameter { return &Parameter{Ref: "#/components/parameters/" + name} }

func rref(name string) *Response { return &Response{Ref: "#/components/responses/" + name} }

func str(desc string) *Schema {
	s := stringSchema()
	s.Description = desc
	return s
}

func integer(desc string) *Schema {
	s := integerSchema()
	s.Description = desc
	return s
}

func object(props map[string]*Schema, required ...string) *Schema {
	return &Schema{Type: typeObject, Properties: props, Required: required}
}

func arrayOf(items *Schema) *Schema { return &Schema{Type: typeArray, Items: items} }

func freeObject(desc string) *Schema { return &Schema{Type: typeObject, Description: desc} }

func content(media string, s *Schema) map[string]*MediaType {
	return map[string]*MediaType{media: {Schema: s}}
}

// response is a response with a body of the given media type.
func response(desc, media string, s *Schema) *Response {
	r := &Response{Description: desc}
	if media != "" {
		r.Content = content(media, s)
	}
	return r
}

// body is a required request body.
func body(media string, s *Schema) *RequestBody {
	return &RequestBody{Required: true, Content: content(media, s)}
}

// ok builds responses from status/response pairs and adds the shared error
// response as the default.
func ok(pairs ...any) map[string]*Response {
	rs := map[string]*Response{}
	for i := 0; i+1 < len(pairs); i += 2 {
		rs[strconv.Itoa(pairs[i].(int))] = pairs[i+1].(*Response)
	}
	if rs["default"] == nil {
		rs["default"] = rref("Error")
	}
	return rs
}

// operation makes an operation tagged tag.
func (b *builder) operation(tag, id, summary string, rs map[string]*Response, params ...*Parameter) *Operation {
	b.tags[tag] = true
	return &Operation{Tags: []string{tag}, OperationID: id, Summary: summary, Parameters: params, Responses: rs}
}

// pathParam is a required path parameter.
func pathParam(name, desc string, s *Schema) *Parameter {
	return &Parameter{Name: name, In: "path", Required: true, Description: desc, Schema: s}
}

// queryParam is an optional query parameter.
func queryParam(name, desc string, s *Schema) *Parameter {
	return &Parameter{Name: name, In: "query", Description: desc, Schema: s}
}

// path returns the path item for p, creating it.
func (b *builder) path(p string) *PathItem {
	if it := b.doc.Paths[p]; it != nil {
		return it
	}
	it := &PathItem{}
	b.doc.Paths[p] = it
	return it
}
