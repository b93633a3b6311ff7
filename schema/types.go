package schema

import (
	"slices"
	"strings"
)

// ValueKind is how values of a column type are held in Go and SQL.
type ValueKind int

// Value kinds. NormalizeValue returns values of these Go types.
const (
	KindString ValueKind = iota // string
	KindInt                     // int64
	KindFloat                   // float64
	KindBool                    // bool
	KindTime                    // time.Time (UTC)
	KindJSON                    // string holding JSON text
	KindBlob                    // string (file lists as JSON text)
)

// String returns the kind's name, for messages.
func (k ValueKind) String() string {
	switch k {
	case KindString:
		return "string"
	case KindInt:
		return "int"
	case KindFloat:
		return "float"
	case KindBool:
		return "bool"
	case KindTime:
		return "time"
	case KindJSON:
		return "json"
	case KindBlob:
		return "blob"
	}
	return "unknown"
}

// SecretKind says how the resource layer must transform a value before storing it.
type SecretKind int

// Secret kinds. NormalizeValue keeps the plain value; the resource layer
// hashes or encrypts it.
const (
	SecretNone      SecretKind = iota
	SecretPassword             // bcrypt, returned as ""
	SecretBcrypt               // bcrypt, returned as stored
	SecretMD5                  // md5 hex
	SecretMD5Bcrypt            // bcrypt of the md5 hex
	SecretEncrypted            // AES-CFB, base64-URL with the IV prefixed
)

// ColumnType is one entry of the column type registry. The metadata fields
// mirror Daptin's /meta?query=column_types entries.
type ColumnType struct {
	Name               string
	BlueprintType      string
	ReclineType        string
	DataTypes          []string // generic SQL spellings; first = default DataType
	GraphQLType        string   // "String", "Int", "Float", "Boolean", "DateTime", "ID"
	GraphQLDescription string
	Validations        []string // as /meta advertises (nil is sent as null)
	Conformations      []string
	Kind               ValueKind
	Secret             SecretKind
}

// ValueError reports a client value that does not fit its column.
type ValueError struct{ Column, Reason string }

// Error implements error.
func (e *ValueError) Error() string {
	return "invalid value for " + e.Column + ": " + e.Reason
}

// GraphQL scalar descriptions exactly as graphql-go (and so Daptin's /meta)
// spells them, trailing spaces included.
const (
	gqlString   = "The `String` scalar type represents textual data, represented as UTF-8 character sequences. The String type is most often used by GraphQL to represent free-form human-readable text."
	gqlInt      = "The `Int` scalar type represents non-fractional signed whole numeric values. Int can represent values between -(2^31) and 2^31 - 1. "
	gqlFloat    = "The `Float` scalar type represents signed double-precision fractional values as specified by [IEEE 754](http://en.wikipedia.org/wiki/IEEE_floating_point). "
	gqlBoolean  = "The `Boolean` scalar type represents `true` or `false`."
	gqlDateTime = "The `DateTime` scalar type represents a DateTime. The DateTime is serialized as an RFC 3339 quoted string"
	gqlID       = "The `ID` scalar type represents a unique identifier, often used to refetch an object or as key for a cache. The ID type appears in a JSON response as a String; however, it is not intended to be human-readable. When expected as an input type, any string (such as `\"4\"`) or integer (such as `4`) input value will be accepted as an ID."
)

// columnTypes is the registry, sorted by Name (LookupType binary-searches
// it). Metadata matches Daptin's /meta?query=column_types output.
var columnTypes = []ColumnType{
	{Name: "alias", BlueprintType: "string", ReclineType: "string", DataTypes: []string{"varchar(100)", "varchar(20)", "varchar(10)"}, GraphQLType: "String", GraphQLDescription: gqlString, Kind: KindString},
	{Name: "bcrypt", BlueprintType: "string", ReclineType: "string", DataTypes: []string{"varchar(200)"}, GraphQLType: "String", GraphQLDescription: gqlString, Validations: []string{"required"}, Kind: KindString, Secret: SecretBcrypt},
	{Name: "color", BlueprintType: "string", ReclineType: "string", DataTypes: []string{"varchar(50)"}, GraphQLType: "String", GraphQLDescription: gqlString, Validations: []string{"iscolor"}, Kind: KindString},
	{Name: "content", BlueprintType: "string", ReclineType: "string", DataTypes: []string{"text"}, GraphQLType: "String", GraphQLDescription: gqlString, Kind: KindString},
	{Name: "date", BlueprintType: "string", ReclineType: "date", DataTypes: []string{"timestamp"}, GraphQLType: "DateTime", GraphQLDescription: gqlDateTime, Kind: KindTime},
	{Name: "datetime", BlueprintType: "string", ReclineType: "date-time", DataTypes: []string{"timestamp"}, GraphQLType: "DateTime", GraphQLDescription: gqlDateTime, Kind: KindTime},
	{Name: "day", BlueprintType: "string", ReclineType: "string", DataTypes: []string{"varchar(10)"}, GraphQLType: "String", GraphQLDescription: gqlString, Kind: KindString},
	{Name: "email", BlueprintType: "string", ReclineType: "string", DataTypes: []string{"varchar(100)"}, GraphQLType: "String", GraphQLDescription: gqlString, Validations: []string{"email"}, Conformations: []string{"email"}, Kind: KindString},
	{Name: "encrypted", BlueprintType: "string", ReclineType: "string", DataTypes: []string{"varchar(100)", "varchar(500)", "varchar(500)", "text"}, GraphQLType: "String", GraphQLDescription: gqlString, Kind: KindString, Secret: SecretEncrypted},
	{Name: "enum", BlueprintType: "string", ReclineType: "string", DataTypes: []string{"varchar(50)", "varchar(20)", "varchar(10)"}, GraphQLType: "String", GraphQLDescription: gqlString, Kind: KindString},
	{Name: "file", BlueprintType: "string", ReclineType: "binary", DataTypes: []string{"blob"}, GraphQLType: "String", GraphQLDescription: gqlString, Validations: []string{"base64"}, Kind: KindBlob},
	{Name: "float", BlueprintType: "number", ReclineType: "number", DataTypes: []string{"float(7,4)"}, GraphQLType: "Float", GraphQLDescription: gqlFloat, Kind: KindFloat},
	{Name: "gzip", BlueprintType: "string", ReclineType: "binary", DataTypes: []string{"blob"}, GraphQLType: "String", GraphQLDescription: gqlString, Validations: []string{"base64"}, Kind: KindBlob},
	{Name: "hidden", BlueprintType: "string", ReclineType: "string", DataTypes: []string{"varchar(100)"}, GraphQLType: "String", GraphQLDescription: gqlString, Kind: KindString},
	{Name: "hour", BlueprintType: "number", ReclineType: "string", DataTypes: []string{"int(4)"}, GraphQLType: "Int", GraphQLDescription: gqlInt, Kind: KindInt},
	{Name: "html", BlueprintType: "string", ReclineType: "string", DataTypes: []string{"text"}, GraphQLType: "String", GraphQLDescription: gqlString, Kind: KindString},
	{Name: "id", BlueprintType: "string", ReclineType: "string", DataTypes: []string{"varchar(20)", "varchar(10)"}, GraphQLType: "ID", GraphQLDescription: gqlID, Validations: []string{}, Kind: KindString},
	{Name: "image", BlueprintType: "string", ReclineType: "binary", DataTypes: []string{"blob"}, GraphQLType: "String", GraphQLDescription: gqlString, Validations: []string{"base64"}, Kind: KindBlob},
	{Name: "json", BlueprintType: "string", ReclineType: "string", DataTypes: []string{"JSON"}, GraphQLType: "String", GraphQLDescription: gqlString, Validations: []string{"text"}, Kind: KindJSON},
	{Name: "label", BlueprintType: "string", ReclineType: "string", DataTypes: []string{"varchar(100)"}, GraphQLType: "String", GraphQLDescription: gqlString, Kind: KindString},
	{Name: "location", BlueprintType: "string", ReclineType: "geo_point", DataTypes: []string{"varchar(50)"}, GraphQLType: "String", GraphQLDescription: gqlString, Kind: KindString},
	{Name: "location.altitude", BlueprintType: "number", ReclineType: "number", DataTypes: []string{"float(7,4)"}, GraphQLType: "Float", GraphQLDescription: gqlFloat, Kind: KindFloat},
	{Name: "location.latitude", BlueprintType: "number", ReclineType: "number", DataTypes: []string{"float(7,4)"}, GraphQLType: "Float", GraphQLDescription: gqlFloat, Validations: []string{"latitude"}, Kind: KindFloat},
	{Name: "location.longitude", BlueprintType: "number", ReclineType: "number", DataTypes: []string{"float(7,4)"}, GraphQLType: "Float", GraphQLDescription: gqlFloat, Validations: []string{"longitude"}, Kind: KindFloat},
	{Name: "markdown", BlueprintType: "string", ReclineType: "string", DataTypes: []string{"text"}, GraphQLType: "String", GraphQLDescription: gqlString, Kind: KindString},
	{Name: "md5", BlueprintType: "string", ReclineType: "string", DataTypes: []string{"varchar(200)"}, GraphQLType: "String", GraphQLDescription: gqlString, Validations: []string{"required"}, Kind: KindString, Secret: SecretMD5},
	{Name: "md5-bcrypt", BlueprintType: "string", ReclineType: "string", DataTypes: []string{"varchar(200)"}, GraphQLType: "String", GraphQLDescription: gqlString, Validations: []string{"required"}, Kind: KindString, Secret: SecretMD5Bcrypt},
	{Name: "measurement", BlueprintType: "number", ReclineType: "number", DataTypes: []string{"int(10)"}, GraphQLType: "Int", GraphQLDescription: gqlInt, Kind: KindInt},
	{Name: "minute", BlueprintType: "number", ReclineType: "", DataTypes: []string{"int(4)"}, GraphQLType: "Int", GraphQLDescription: gqlInt, Validations: []string{"min=0,max=59"}, Kind: KindInt},
	{Name: "month", BlueprintType: "number", ReclineType: "string", DataTypes: []string{"int(4)"}, GraphQLType: "Int", GraphQLDescription: gqlInt, Validations: []string{"min=1,max=12"}, Kind: KindInt},
	{Name: "name", BlueprintType: "string", ReclineType: "string", DataTypes: []string{"varchar(100)"}, GraphQLType: "String", GraphQLDescription: gqlString, Validations: []string{"required"}, Conformations: []string{"name"}, Kind: KindString},
	{Name: "namespace", BlueprintType: "string", ReclineType: "string", DataTypes: []string{"varchar(200)"}, GraphQLType: "String", GraphQLDescription: gqlString, Kind: KindString},
	{Name: "password", BlueprintType: "string", ReclineType: "string", DataTypes: []string{"varchar(200)"}, GraphQLType: "String", GraphQLDescription: gqlString, Validations: []string{"required"}, Kind: KindString, Secret: SecretPassword},
	{Name: "rating", BlueprintType: "number", ReclineType: "number", DataTypes: []string{"int(4)"}, GraphQLType: "Int", GraphQLDescription: gqlInt, Validations: []string{"min=0,max=10"}, Kind: KindInt},
	{Name: "time", BlueprintType: "string", ReclineType: "time", DataTypes: []string{"timestamp"}, GraphQLType: "String", GraphQLDescription: gqlString, Kind: KindString},
	{Name: "timestamp", BlueprintType: "string", ReclineType: "date-time", DataTypes: []string{"timestamp"}, GraphQLType: "DateTime", GraphQLDescription: gqlDateTime, Kind: KindTime},
	{Name: "truefalse", BlueprintType: "boolean", ReclineType: "boolean", DataTypes: []string{"boolean"}, GraphQLType: "Boolean", GraphQLDescription: gqlBoolean, Kind: KindBool},
	{Name: "url", BlueprintType: "string", ReclineType: "string", DataTypes: []string{"varchar(500)"}, GraphQLType: "String", GraphQLDescription: gqlString, Validations: []string{"url"}, Kind: KindString},
	{Name: "value", BlueprintType: "string", ReclineType: "string", DataTypes: []string{"varchar(100)"}, GraphQLType: "String", GraphQLDescription: gqlString, Kind: KindString},
	{Name: "video", BlueprintType: "string", ReclineType: "binary", DataTypes: []string{"blob"}, GraphQLType: "String", GraphQLDescription: gqlString, Validations: []string{"base64"}, Kind: KindBlob},
	{Name: "year", BlueprintType: "number", ReclineType: "string", DataTypes: []string{"int(4)"}, GraphQLType: "Int", GraphQLDescription: gqlInt, Validations: []string{"min=100,max=2100"}, Kind: KindInt},
}

// LookupType finds a column type by its exact name, or, when the full name
// is not itself a type, by the part before the first dot: "file.png",
// "file.*", "file.json|yaml", "image.jpg" and "rating.10" resolve to file,
// image and rating; "location.latitude" is a type of its own. The returned
// value is a copy the caller may modify.
func LookupType(name string) (ColumnType, bool) {
	if ct, ok := findType(name); ok {
		return ct, true
	}
	if base, _, ok := strings.Cut(name, "."); ok {
		return findType(base)
	}
	return ColumnType{}, false
}

func findType(name string) (ColumnType, bool) {
	i, ok := slices.BinarySearchFunc(columnTypes, name, func(ct ColumnType, n string) int {
		return strings.Compare(ct.Name, n)
	})
	if !ok {
		return ColumnType{}, false
	}
	return cloneType(columnTypes[i]), true
}

// Types returns every registered column type, sorted by Name. The slices
// are copies the caller may modify.
func Types() []ColumnType {
	out := make([]ColumnType, len(columnTypes))
	for i, ct := range columnTypes {
		out[i] = cloneType(ct)
	}
	return out
}

func cloneType(ct ColumnType) ColumnType {
	ct.DataTypes = slices.Clone(ct.DataTypes)
	ct.Validations = slices.Clone(ct.Validations)
	ct.Conformations = slices.Clone(ct.Conformations)
	return ct
}
