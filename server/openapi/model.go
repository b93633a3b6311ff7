package openapi

// The document model: the part of OpenAPI 3.0 this package writes, as
// plain structs. A general OpenAPI library would do, but linking one costs
// every start-up its package initialisation (kin-openapi pulls in a JSON
// Schema compiler that compiles its meta-schemas at init); the tests still
// load and validate the output with kin-openapi.
//
// Fields below Document are declared in the order of their JSON names and
// every optional field is omitted when empty, so that JSON and YAML list an
// object's keys sorted, as they list map keys. An object with Ref set is a reference and
// has no other field set.

// Document is an OpenAPI 3.0 document. Its keys come in the order tools,
// people and Daptin put them (openapi, info, servers, paths, components,
// security, tags), not sorted like the keys of every other object.
type Document struct {
	OpenAPI    string                `json:"openapi" yaml:"openapi"`
	Info       *Info                 `json:"info" yaml:"info"`
	Servers    []*Server             `json:"servers,omitempty" yaml:"servers,omitempty"`
	Paths      map[string]*PathItem  `json:"paths" yaml:"paths"`
	Components *Components           `json:"components,omitempty" yaml:"components,omitempty"`
	Security   []map[string][]string `json:"security,omitempty" yaml:"security,omitempty"`
	Tags       []*Tag                `json:"tags,omitempty" yaml:"tags,omitempty"`
}

// Info is the document's title, description and version.
type Info struct {
	Description string `json:"description,omitempty" yaml:"description,omitempty"`
	Title       string `json:"title" yaml:"title"`
	Version     string `json:"version" yaml:"version"`
}

// Server is a base URL of the API.
type Server struct {
	URL string `json:"url" yaml:"url"`
}

// Tag names a group of operations.
type Tag struct {
	Name string `json:"name" yaml:"name"`
}

// Components holds the objects paths refer to with $ref.
type Components struct {
	Parameters      map[string]*Parameter      `json:"parameters,omitempty" yaml:"parameters,omitempty"`
	RequestBodies   map[string]*RequestBody    `json:"requestBodies,omitempty" yaml:"requestBodies,omitempty"`
	Responses       map[string]*Response       `json:"responses,omitempty" yaml:"responses,omitempty"`
	Schemas         map[string]*Schema         `json:"schemas,omitempty" yaml:"schemas,omitempty"`
	SecuritySchemes map[string]*SecurityScheme `json:"securitySchemes,omitempty" yaml:"securitySchemes,omitempty"`
}

// PathItem is the operations of one path.
type PathItem struct {
	Delete     *Operation   `json:"delete,omitempty" yaml:"delete,omitempty"`
	Get        *Operation   `json:"get,omitempty" yaml:"get,omitempty"`
	Parameters []*Parameter `json:"parameters,omitempty" yaml:"parameters,omitempty"`
	Patch      *Operation   `json:"patch,omitempty" yaml:"patch,omitempty"`
	Post       *Operation   `json:"post,omitempty" yaml:"post,omitempty"`
	Put        *Operation   `json:"put,omitempty" yaml:"put,omitempty"`
}

// setOperation sets the operation of an upper-case HTTP method.
func (p *PathItem) setOperation(method string, op *Operation) {
	switch method {
	case "DELETE":
		p.Delete = op
	case "GET":
		p.Get = op
	case "PATCH":
		p.Patch = op
	case "POST":
		p.Post = op
	case "PUT":
		p.Put = op
	}
}

// Operation is one method of one path.
type Operation struct {
	Description string               `json:"description,omitempty" yaml:"description,omitempty"`
	OperationID string               `json:"operationId,omitempty" yaml:"operationId,omitempty"`
	Parameters  []*Parameter         `json:"parameters,omitempty" yaml:"parameters,omitempty"`
	RequestBody *RequestBody         `json:"requestBody,omitempty" yaml:"requestBody,omitempty"`
	Responses   map[string]*Response `json:"responses" yaml:"responses"`
	Summary     string               `json:"summary,omitempty" yaml:"summary,omitempty"`
	Tags        []string             `json:"tags,omitempty" yaml:"tags,omitempty"`
}

// Parameter is a path, query or header parameter, or a reference to one.
type Parameter struct {
	Ref         string  `json:"$ref,omitempty" yaml:"$ref,omitempty"`
	Description string  `json:"description,omitempty" yaml:"description,omitempty"`
	In          string  `json:"in,omitempty" yaml:"in,omitempty"`
	Name        string  `json:"name,omitempty" yaml:"name,omitempty"`
	Required    bool    `json:"required,omitempty" yaml:"required,omitempty"`
	Schema      *Schema `json:"schema,omitempty" yaml:"schema,omitempty"`
}

// RequestBody is a request body, or a reference to one.
type RequestBody struct {
	Ref      string                `json:"$ref,omitempty" yaml:"$ref,omitempty"`
	Content  map[string]*MediaType `json:"content,omitempty" yaml:"content,omitempty"`
	Required bool                  `json:"required,omitempty" yaml:"required,omitempty"`
}

// Response is a response, or a reference to one.
type Response struct {
	Ref         string                `json:"$ref,omitempty" yaml:"$ref,omitempty"`
	Content     map[string]*MediaType `json:"content,omitempty" yaml:"content,omitempty"`
	Description string                `json:"description,omitempty" yaml:"description,omitempty"`
}

// MediaType is the schema of one media type of a body.
type MediaType struct {
	Schema *Schema `json:"schema,omitempty" yaml:"schema,omitempty"`
}

// SecurityScheme is one way to send credentials.
type SecurityScheme struct {
	BearerFormat string `json:"bearerFormat,omitempty" yaml:"bearerFormat,omitempty"`
	In           string `json:"in,omitempty" yaml:"in,omitempty"`
	Name         string `json:"name,omitempty" yaml:"name,omitempty"`
	Scheme       string `json:"scheme,omitempty" yaml:"scheme,omitempty"`
	Type         string `json:"type,omitempty" yaml:"type,omitempty"`
}

// Schema is a schema object of OpenAPI 3.0, or a reference to one.
type Schema struct {
	Ref                  string             `json:"$ref,omitempty" yaml:"$ref,omitempty"`
	AdditionalProperties *Schema            `json:"additionalProperties,omitempty" yaml:"additionalProperties,omitempty"`
	AnyOf                []*Schema          `json:"anyOf,omitempty" yaml:"anyOf,omitempty"`
	Description          string             `json:"description,omitempty" yaml:"description,omitempty"`
	Enum                 []any              `json:"enum,omitempty" yaml:"enum,omitempty"`
	Format               string             `json:"format,omitempty" yaml:"format,omitempty"`
	Items                *Schema            `json:"items,omitempty" yaml:"items,omitempty"`
	Minimum              *float64           `json:"minimum,omitempty" yaml:"minimum,omitempty"`
	Nullable             bool               `json:"nullable,omitempty" yaml:"nullable,omitempty"`
	Properties           map[string]*Schema `json:"properties,omitempty" yaml:"properties,omitempty"`
	ReadOnly             bool               `json:"readOnly,omitempty" yaml:"readOnly,omitempty"`
	Required             []string           `json:"required,omitempty" yaml:"required,omitempty"`
	Type                 string             `json:"type,omitempty" yaml:"type,omitempty"`
	WriteOnly            bool               `json:"writeOnly,omitempty" yaml:"writeOnly,omitempty"`
}

// Schema types and formats used by the document.
const (
	typeString  = "string"
	typeInteger = "integer"
	typeNumber  = "number"
	typeBoolean = "boolean"
	typeObject  = "object"
	typeArray   = "array"
)

func typed(typ, format string) *Schema { return &Schema{Type: typ, Format: format} }

func stringSchema() *Schema   { return typed(typeString, "") }
func uuidSchema() *Schema     { return typed(typeString, "uuid") }
func dateTimeSchema() *Schema { return typed(typeString, "date-time") }
func integerSchema() *Schema  { return typed(typeInteger, "") }
func int64Schema() *Schema    { return typed(typeInteger, "int64") }
func numberSchema() *Schema   { return typed(typeNumber, "") }
func boolSchema() *Schema     { return typed(typeBoolean, "") }

// withNullable marks s nullable and returns it.
func (s *Schema) withNullable() *Schema { s.Nullable = true; return s }

// withEnum sets the allowed values of s and returns it.
func (s *Schema) withEnum(values ...any) *Schema { s.Enum = values; return s }

// withMin sets the minimum of s and returns it.
func (s *Schema) withMin(n float64) *Schema { s.Minimum = &n; return s }
