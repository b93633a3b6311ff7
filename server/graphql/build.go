package graphql

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/graphql-go/graphql"

	"github.com/apiary/apiary/schema"
)

// nameRE is what GraphQL allows as a type, field or argument name.
var nameRE = regexp.MustCompile(`^[_A-Za-z][_0-9A-Za-z]*$`)

// validName reports whether s can be used as a GraphQL name; names that
// start with "__" are reserved for introspection.
func validName(s string) bool { return nameRE.MatchString(s) && !strings.HasPrefix(s, "__") }

// reservedTypes are the names of the package's own types; a table with one
// of these names is left out rather than clash.
var reservedTypes = map[string]bool{
	"Query": true, "Mutation": true, "DateTime": true, "JSON": true, "PageInput": true, "QueryInput": true,
	"ActionResponse": true, "Attributes": true,
	"String": true, "Int": true, "Float": true, "Boolean": true, "ID": true,
}

// camel turns snake_case into CamelCase: user_account -> UserAccount.
func camel(s string) string {
	var b strings.Builder
	up := true
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			up = true
			continue
		}
		if up && r >= 'a' && r <= 'z' {
			r -= 'a' - 'A'
		}
		up = false
		b.WriteRune(r)
	}
	return b.String()
}

// inputName is the name Daptin gives a list argument's input type
// ("page", "query"); a table of the same name keeps its own name and the
// input type takes the fallback, so the schema stays valid.
func inputName(sc *schema.Schema, daptin, fallback string) string {
	if _, clash := sc.Table(daptin); clash {
		return fallback
	}
	return daptin
}

// newPageInput is the page argument of lists: {number, size}, 1-based,
// with Daptin's defaults (1 and 10).
func newPageInput(name string) *graphql.InputObject {
	return graphql.NewInputObject(graphql.InputObjectConfig{
		Name:        name,
		Description: "Page size and number",
		Fields: graphql.InputObjectConfigFieldMap{
			"number": {Type: graphql.Int, DefaultValue: 1, Description: "page number to fetch"},
			"size":   {Type: graphql.Int, DefaultValue: 10, Description: "number of records in one page"},
		},
	})
}

// newQueryInput is one condition of the query argument. Daptin types value
// as String; here it takes any literal (numbers, booleans, lists for "in"),
// which accepts every query written for Daptin and more.
func newQueryInput(name string, json *graphql.Scalar) *graphql.InputObject {
	return graphql.NewInputObject(graphql.InputObjectConfig{
		Name:        name,
		Description: "query results",
		Fields: graphql.InputObjectConfigFieldMap{
			"column":        {Type: graphql.String},
			"operator":      {Type: graphql.String},
			"value":         {Type: json},
			"logical_group": {Type: graphql.String},
		},
	})
}

// newActionResponse is the result type of execute<Action>On<Type>, as
// Daptin declares it: a list of {ResponseType, Attributes}.
func newActionResponse() *graphql.Object {
	attrs := graphql.Fields{}
	for _, k := range []string{"type", "message", "key", "value", "token", "title", "delay", "location"} {
		attrs[k] = &graphql.Field{Name: k, Type: graphql.String}
	}
	return graphql.NewObject(graphql.ObjectConfig{
		Name:        "ActionResponse",
		Description: "Action response",
		Fields: graphql.Fields{
			"ResponseType": {Type: graphql.String},
			"Attributes":   {Type: graphql.NewObject(graphql.ObjectConfig{Name: "Attributes", Fields: attrs})},
		},
	})
}

// builder turns one schema snapshot into a GraphQL schema.
type builder struct {
	h      *Handler
	sc     *schema.Schema
	types  map[string]*graphql.Object
	tables []*schema.Table // tables that got a type, in schema order
	page   *graphql.InputObject
	query  *graphql.InputObject
	scalar scalars // this schema's own DateTime and JSON
}

// build generates the GraphQL schema of sc.
func (h *Handler) build(sc *schema.Schema) (graphql.Schema, error) {
	sct := newScalars()
	b := &builder{h: h, sc: sc, types: map[string]*graphql.Object{}, scalar: sct,
		page: newPageInput(inputName(sc, "page", "PageInput")), query: newQueryInput(inputName(sc, "query", "QueryInput"), sct.json)}
	for _, t := range sc.Tables {
		if !validName(t.TableName) || reservedTypes[t.TableName] || b.types[t.TableName] != nil {
			continue
		}
		b.types[t.TableName] = b.object(t)
		b.tables = append(b.tables, t)
	}
	query := graphql.Fields{}
	mutation := graphql.Fields{}
	for _, t := range b.tables {
		b.queryFields(query, t)
		b.mutationFields(mutation, t)
	}
	b.actionFields(mutation)
	cfg := graphql.SchemaConfig{Query: graphql.NewObject(graphql.ObjectConfig{Name: "Query", Fields: query})}
	if len(mutation) > 0 {
		cfg.Mutation = graphql.NewObject(graphql.ObjectConfig{Name: "Mutation", Fields: mutation})
	}
	gs, err := graphql.NewSchema(cfg)
	if err != nil {
		return graphql.Schema{}, fmt.Errorf("graphql schema: %w", err)
	}
	return gs, nil
}

// apiColumn reports whether a column is an attribute the API shows.
func apiColumn(c *schema.Column) bool {
	return !c.ExcludeFromApi && c.ColumnName != schema.ColID && c.ColumnName != schema.ColVersion &&
		c.ColumnName != schema.ColReferenceID && validName(c.ColumnName)
}

// gqlTypeName is the GraphQL scalar name of a column.
func gqlTypeName(c *schema.Column) string {
	ct, ok := schema.LookupType(c.ColumnType)
	if !ok {
		return "String"
	}
	return ct.GraphQLType
}

// object builds the row type of t. Fields are a thunk so relations may
// point at types built later (and at t itself).
func (b *builder) object(t *schema.Table) *graphql.Object {
	return graphql.NewObject(graphql.ObjectConfig{
		Name:        t.TableName,
		Description: t.TableDescription,
		Fields: graphql.FieldsThunk(func() graphql.Fields {
			f := graphql.Fields{
				schema.ColReferenceID: {Type: graphql.NewNonNull(graphql.ID), Resolve: resolveRefID},
				"id":                  {Type: graphql.NewNonNull(graphql.ID), Description: "The ID of an object", Resolve: resolveRefID},
			}
			for i := range t.Links {
				l := &t.Links[i]
				target, ok := b.types[l.Target]
				if !ok || !validName(l.Name) {
					continue
				}
				f[l.Name] = b.h.relationField(l, target, b.page)
			}
			for i := range t.Columns {
				c := &t.Columns[i]
				if _, taken := f[c.ColumnName]; taken || !apiColumn(c) {
					continue
				}
				f[c.ColumnName] = &graphql.Field{Type: b.scalar.output(gqlTypeName(c)), Description: c.ColumnDescription,
					Resolve: resolveAttr(c.ColumnName)}
			}
			return f
		}),
	})
}

// listArgs are the arguments of a table's list field: Daptin's filter,
// query and page, plus sort.
func (b *builder) listArgs() graphql.FieldConfigArgument {
	return graphql.FieldConfigArgument{
		"filter": {Type: graphql.String, Description: "Keyword searched in the table's indexed name-like columns."},
		"query":  {Type: graphql.NewList(b.query), Description: "Conditions [{column, operator, value}]."},
		"page":   {Type: b.page},
		"sort":   {Type: graphql.String, Description: "Comma-separated columns, - for descending: -due,title."},
	}
}

// queryFields adds <table> and <table>ById.
func (b *builder) queryFields(f graphql.Fields, t *schema.Table) {
	typ := b.types[t.TableName]
	addField(f, t.TableName, &graphql.Field{Type: graphql.NewList(typ), Args: b.listArgs(),
		Description: "Rows of " + t.TableName + " the caller may read.", Resolve: b.h.resolveList(t)})
	addField(f, t.TableName+"ById", &graphql.Field{Type: typ, Description: "One row of " + t.TableName + " by reference_id.",
		Args:    graphql.FieldConfigArgument{schema.ColReferenceID: {Type: graphql.NewNonNull(graphql.String)}},
		Resolve: b.h.resolveGet(t)})
}

// writeArgs are the column arguments of add and update: every API
// attribute except the managed ones. Foreign keys take reference ids. As in
// Daptin, add requires (non-null) the columns that are not nullable and
// encrypted columns; unlike Daptin, not those with a default value.
func (b *builder) writeArgs(t *schema.Table, creating bool) graphql.FieldConfigArgument {
	args := graphql.FieldConfigArgument{}
	for i := range t.Columns {
		c := &t.Columns[i]
		switch c.ColumnName {
		case schema.ColCreatedAt, schema.ColUpdatedAt:
			continue
		case schema.ColPermission, schema.ColOwner:
			if creating {
				continue
			}
		}
		if !apiColumn(c) {
			continue
		}
		typ := b.scalar.input(gqlTypeName(c))
		if c.IsForeignKey && c.ForeignKeyData.DataSource == "self" {
			typ = graphql.String
		}
		if creating && !c.IsForeignKey && (!c.IsNullable && c.DefaultValue == "" || c.ColumnType == "encrypted") {
			typ = graphql.NewNonNull(typ)
		}
		args[c.ColumnName] = &graphql.ArgumentConfig{Type: typ, Description: c.ColumnDescription}
	}
	return args
}

// mutationFields adds add<Table>, update<Table> and delete<Table>.
func (b *builder) mutationFields(f graphql.Fields, t *schema.Table) {
	typ := b.types[t.TableName]
	name := camel(t.TableName)
	addField(f, "add"+name, &graphql.Field{Type: typ, Args: b.writeArgs(t, true), Resolve: b.h.resolveAdd(t)})
	upd := b.writeArgs(t, false)
	upd[schema.ColReferenceID] = &graphql.ArgumentConfig{Type: graphql.NewNonNull(graphql.String)}
	addField(f, "update"+name, &graphql.Field{Type: typ, Args: upd, Resolve: b.h.resolveUpdate(t)})
	// Daptin types delete's reference_id as a nullable String; a missing
	// one is a 400 from the resolver.
	addField(f, "delete"+name, &graphql.Field{Type: typ, Resolve: b.h.resolveDelete(t),
		Args: graphql.FieldConfigArgument{schema.ColReferenceID: {Type: graphql.String, Description: "Resource id"}}})
}

// actionFields adds execute<Action>On<Type> for every action on a table
// that has a type. In-fields become arguments (non-null unless nullable, as
// in Daptin); attributes takes any more. The answer is [ActionResponse].
func (b *builder) actionFields(f graphql.Fields) {
	var resp graphql.Output
	for i := range b.sc.Actions {
		a := &b.sc.Actions[i]
		if _, ok := b.types[a.OnType]; !ok {
			continue
		}
		args := graphql.FieldConfigArgument{}
		for j := range a.InFields {
			c := &a.InFields[j]
			name := c.ColumnName
			if name == "" {
				name = c.Name
			}
			if !validName(name) || name == "attributes" {
				continue
			}
			var typ graphql.Input = b.scalar.input(gqlTypeName(c))
			if !c.IsNullable {
				typ = graphql.NewNonNull(typ)
			}
			args[name] = &graphql.ArgumentConfig{Type: typ, Description: c.ColumnDescription}
		}
		if subject := a.OnType + "_id"; args[subject] == nil && validName(subject) {
			args[subject] = &graphql.ArgumentConfig{Type: graphql.String, Description: "reference_id of the subject row"}
		}
		args["attributes"] = &graphql.ArgumentConfig{Type: b.scalar.json, Description: "More attributes, as a JSON object."}
		if resp == nil {
			resp = graphql.NewList(newActionResponse())
		}
		addField(f, "execute"+camel(a.Name)+"On"+camel(a.OnType), &graphql.Field{Type: resp, Args: args,
			Description: a.Label, Resolve: b.h.resolveAction(a.OnType, a.Name)})
	}
}

// addField adds a root field unless the name is invalid or already taken.
func addField(f graphql.Fields, name string, field *graphql.Field) {
	if !validName(name) {
		return
	}
	if _, taken := f[name]; taken {
		return
	}
	f[name] = field
}
