package openapi

import (
	"errors"
	"maps"
	"regexp"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

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
	doc  *openapi3.T
	tags map[string]bool
}

// Build returns the OpenAPI document describing every route the server
// offers for sc. Component references are left unresolved ($ref strings
// only); encode the document and load it with openapi3.NewLoader to get a
// resolved copy.
func Build(sc *schema.Schema) (*openapi3.T, error) {
	if sc == nil {
		return nil, errors.New("openapi: no schema")
	}
	b := &builder{sc: sc, tags: map[string]bool{}}
	comps := openapi3.NewComponents()
	comps.Schemas = openapi3.Schemas{}
	comps.Parameters = openapi3.ParametersMap{}
	comps.Responses = openapi3.ResponseBodies{}
	comps.RequestBodies = openapi3.RequestBodies{}
	comps.SecuritySchemes = openapi3.SecuritySchemes{}
	b.doc = &openapi3.T{
		OpenAPI: Version,
		Info: &openapi3.Info{
			Title:   "Apiary",
			Version: buildVersion(),
			Description: "JSON:API over every table of the live schema, actions, and the discovery, " +
				"aggregate and GraphQL endpoints. Generated from the running schema; it changes when the schema does. " +
				"OPTIONS /api/{table} and /api/{table}/{id} answer 204 with an Allow header (not listed per table).",
		},
		Servers:    openapi3.Servers{{URL: "/"}},
		Paths:      openapi3.NewPaths(),
		Components: &comps,
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
		b.doc.Tags = append(b.doc.Tags, &openapi3.Tag{Name: name})
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

func sref(name string) *openapi3.SchemaRef {
	return &openapi3.SchemaRef{Ref: "#/components/schemas/" + name}
}

func pref(name string) *openapi3.ParameterRef {
	return &openapi3.ParameterRef{Ref: "#/components/parameters/" + name}
}

func rref(name string) *openapi3.ResponseRef {
	return &openapi3.ResponseRef{Ref: "#/components/responses/" + name}
}

func inl(s *openapi3.Schema) *openapi3.SchemaRef { return &openapi3.SchemaRef{Value: s} }

func str(desc string) *openapi3.Schema {
	s := openapi3.NewStringSchema()
	s.Description = desc
	return s
}

func integer(desc string) *openapi3.Schema {
	s := openapi3.NewIntegerSchema()
	s.Description = desc
	return s
}

func object(props map[string]*openapi3.SchemaRef, required ...string) *openapi3.Schema {
	s := openapi3.NewObjectSchema()
	s.Properties = props
	s.Required = required
	return s
}

func arrayOf(items *openapi3.SchemaRef) *openapi3.Schema {
	s := openapi3.NewArraySchema()
	s.Items = items
	return s
}

func freeObject(desc string) *openapi3.Schema {
	s := openapi3.NewObjectSchema()
	s.Description = desc
	return s
}

func content(media string, s *openapi3.SchemaRef) openapi3.Content {
	return openapi3.Content{media: &openapi3.MediaType{Schema: s}}
}

// response is a response with a body of the given media type.
func response(desc, media string, s *openapi3.SchemaRef) *openapi3.ResponseRef {
	r := &openapi3.Response{Description: &desc}
	if media != "" {
		r.Content = content(media, s)
	}
	return &openapi3.ResponseRef{Value: r}
}

// body is a required request body.
func body(media string, s *openapi3.SchemaRef) *openapi3.RequestBodyRef {
	return &openapi3.RequestBodyRef{Value: &openapi3.RequestBody{Required: true, Content: content(media, s)}}
}

// ok builds responses from status/response pairs and adds the shared error
// response as the default.
func ok(pairs ...any) *openapi3.Responses {
	rs := openapi3.NewResponses()
	for i := 0; i+1 < len(pairs); i += 2 {
		rs.Set(strconv.Itoa(pairs[i].(int)), pairs[i+1].(*openapi3.ResponseRef))
	}
	if rs.Value("default") == nil {
		rs.Set("default", rref("Error"))
	}
	return rs
}

// operation makes an operation tagged tag.
func (b *builder) operation(tag, id, summary string, rs *openapi3.Responses, params ...*openapi3.ParameterRef) *openapi3.Operation {
	b.tags[tag] = true
	return &openapi3.Operation{Tags: []string{tag}, OperationID: id, Summary: summary, Parameters: params, Responses: rs}
}

// pathParam is a required path parameter.
func pathParam(name, desc string, s *openapi3.Schema) *openapi3.ParameterRef {
	return &openapi3.ParameterRef{Value: &openapi3.Parameter{Name: name, In: openapi3.ParameterInPath, Required: true, Description: desc, Schema: inl(s)}}
}

// queryParam is an optional query parameter.
func queryParam(name, desc string, s *openapi3.Schema) *openapi3.ParameterRef {
	return &openapi3.ParameterRef{Value: &openapi3.Parameter{Name: name, In: openapi3.ParameterInQuery, Description: desc, Schema: inl(s)}}
}

// path returns the path item for p, creating it.
func (b *builder) path(p string) *openapi3.PathItem {
	if it := b.doc.Paths.Value(p); it != nil {
		return it
	}
	it := &openapi3.PathItem{}
	b.doc.Paths.Set(p, it)
	return it
}
