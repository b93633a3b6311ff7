package openapi

import (
	"strconv"
	"strings"

	"github.com/apiary/apiary/schema"
)

// standardProps maps the standard attributes to their shared schemas.
var standardProps = map[string]string{
	"__type":                "TypeName",
	schema.ColReferenceID:   "ReferenceId",
	schema.ColPermission:    "Permission",
	schema.ColCreatedAt:     "Timestamp",
	schema.ColUpdatedAt:     "Timestamp",
	schema.ColOwner:         "Owner",
	"relation_reference_id": "ReferenceId",
	"relation_created_at":   "Timestamp",
	"relation_updated_at":   "Timestamp",
}

// table adds the schemas and the JSON:API paths of one table.
func (b *builder) table(t *schema.Table) {
	name := t.TableName
	cn := compName(name)
	sc := b.doc.Components.Schemas
	sc[cn+".attributes"] = b.attributes(t)
	typ := stringSchema().withEnum(name)
	sc[cn+".resource"] = object(map[string]*Schema{
		"type": typ, "id": sref("Uuid"), "attributes": sref(cn + ".attributes"), "relationships": sref("Relationships"),
	}, "type")
	sc[cn+".document"] = object(map[string]*Schema{"data": sref(cn + ".resource"), "included": sref("Included")}, "data")
	sc[cn+".list"] = object(map[string]*Schema{
		"links": sref("PageLinks"), "data": arrayOf(sref(cn + ".resource")), "included": sref("Included"),
	}, "data")
	c := b.doc.Components
	c.Responses[cn+".list"] = response("A page of "+name+" rows.", mediaJSONAPI, sref(cn+".list"))
	c.Responses[cn+".document"] = response("A "+name+" row.", mediaJSONAPI, sref(cn+".document"))
	c.RequestBodies[cn] = body(mediaJSONAPI, sref(cn+".document"))
	doc := rref(cn + ".document")
	reqBody := &RequestBody{Ref: "#/components/requestBodies/" + cn}
	desc := t.TableDescription

	base := "/api/" + name
	coll := b.path(base)
	listParams := []*Parameter{pref("PageNumber"), pref("PageSize"), pref("PageAfter"), pref("PageBefore"),
		pref("Sort"), pref("Query"), pref("Filter"), pref("IncludedRelations"), pref("Fields")}
	for _, l := range t.Links {
		if reservedQuery[l.Name] {
			continue
		}
		pn := compName("rel." + l.Name)
		if _, ok := c.Parameters[pn]; !ok {
			c.Parameters[pn] = queryParam(l.Name, "Only rows related to these ids (comma list) through relation "+l.Name+".", str(""))
		}
		listParams = append(listParams, pref(pn))
	}
	coll.Get = b.operation(name, name+".list", "List rows", ok(200, rref(cn+".list")), listParams...)
	coll.Get.Description = desc
	coll.Post = b.operation(name, name+".create", "Create a row (201 + Location; 200 with Validate-Only)",
		ok(201, doc), pref("ValidateOnly"))
	coll.Post.RequestBody = reqBody

	item := b.path(base + "/{id}")
	item.Parameters = []*Parameter{pref("Id")}
	item.Get = b.operation(name, name+".get", "Get a row", ok(200, doc),
		pref("IncludedRelations"), pref("Fields"))
	item.Patch = b.operation(name, name+".update", "Update the sent attributes",
		ok(200, doc), pref("ValidateOnly"))
	item.Patch.RequestBody = reqBody
	item.Delete = b.operation(name, name+".delete", "Delete a row", ok(200, rref("Deleted")))

	if len(t.Links) == 0 {
		return
	}
	relNames := make([]any, 0, len(t.Links))
	for _, l := range t.Links {
		relNames = append(relNames, l.Name)
	}
	c.Parameters[cn+".relation"] = pathParam("relation", "A relation name of "+name+" (not a table name).",
		stringSchema().withEnum(relNames...))
	relParam := pref(cn + ".relation")
	related := b.path(base + "/{id}/{relation}")
	related.Parameters = []*Parameter{pref("Id"), relParam}
	related.Get = b.operation(name, name+".related", "Related rows", ok(200, rref("Related")),
		pref("PageNumber"), pref("PageSize"), pref("Sort"), pref("Query"), pref("Filter"), pref("IncludedRelations"), pref("Fields"))

	links := b.path(base + "/{id}/relationships/{relation}")
	links.Parameters = []*Parameter{pref("Id"), relParam}
	links.Get = b.operation(name, name+".linkage", "Linkage of a relation", ok(200, rref("Linkage")))
	links.Patch = b.operation(name, name+".addLinks", "Add links (null clears to-one)", ok(204, rref("NoContent")))
	links.Patch.RequestBody = &RequestBody{Ref: "#/components/requestBodies/Linkage"}
	links.Post = b.operation(name, name+".postLinks", "Add links", ok(204, rref("NoContent")))
	links.Post.RequestBody = &RequestBody{Ref: "#/components/requestBodies/Linkage"}
	links.Delete = b.operation(name, name+".removeLinks", "Remove links", ok(204, rref("NoContent")))
	links.Delete.RequestBody = &RequestBody{Ref: "#/components/requestBodies/Linkage"}
}

// reservedQuery are list query parameters a relation filter may not shadow.
var reservedQuery = map[string]bool{"sort": true, "query": true, "filter": true, "fields": true, "included_relations": true, "group": true, "token": true}

// attributes is the schema of a table's attributes object.
func (b *builder) attributes(t *schema.Table) *Schema {
	props := map[string]*Schema{"__type": sref("TypeName")}
	for i := range t.Columns {
		c := &t.Columns[i]
		if c.ColumnName == schema.ColID || c.ColumnName == schema.ColVersion || c.ExcludeFromApi {
			continue
		}
		if ref, ok := standardProps[c.ColumnName]; ok {
			props[c.ColumnName] = sref(ref)
			continue
		}
		props[c.ColumnName] = columnSchema(c)
	}
	s := object(props)
	s.Description = t.TableDescription
	return s
}

// columnSchema is the schema of one column's value (attributes and action
// in-fields alike).
func columnSchema(c *schema.Column) *Schema {
	if c.IsForeignKey && c.ForeignKeyData.DataSource == "self" {
		s := uuidSchema()
		s.Nullable = c.IsNullable
		s.Description = "Id of a " + c.ForeignKeyData.Namespace + " row."
		return s
	}
	ct, found := schema.LookupType(c.ColumnType)
	if !found {
		ct, _ = schema.LookupType("label")
	}
	var s *Schema
	switch kindOf(c, ct) {
	case schema.KindInt:
		s = int64Schema()
		if ct.Kind == schema.KindTime {
			s.Description = "Unix seconds."
		}
	case schema.KindFloat:
		s = numberSchema()
	case schema.KindBool:
		if !c.IsNullable {
			return sref("Bool01")
		}
		s = &Schema{AnyOf: []*Schema{boolSchema(), integerSchema().withEnum(0, 1)},
			Description: "Returned as 0 or 1; true and false are accepted on write."}
	case schema.KindTime:
		s = dateTimeSchema()
	case schema.KindJSON:
		s = &Schema{Description: "JSON; objects and arrays are accepted on write and kept as JSON text."}
	case schema.KindBlob:
		return sref("Files")
	default:
		s = stringSchema()
		switch {
		case ct.Secret == schema.SecretPassword || ct.Secret == schema.SecretBcrypt || ct.Secret == schema.SecretMD5Bcrypt:
			s.WriteOnly = true
			s.Description = "Write-only: stored as a hash, returned as an empty string."
		case ct.Secret == schema.SecretEncrypted:
			s.Description = "Stored encrypted; returned as ciphertext."
		case ct.Secret != schema.SecretNone:
			s.Description = "Stored hashed."
		case ct.Name == "email":
			s.Format = "email"
		case ct.Name == "url":
			s.Format = "uri"
		}
	}
	for _, o := range c.Options {
		if v, ok := enumValue(s, o.Value); ok {
			s.Enum = append(s.Enum, v)
		}
	}
	if c.ColumnDescription != "" {
		s.Description = c.ColumnDescription
	}
	s.Nullable = c.IsNullable
	return s
}

// kindOf is how a column's values travel: the type's kind, except that an
// integer DataType makes plain string, float and time columns integers
// (times as unix seconds), and a float or boolean DataType makes plain
// string columns numbers or booleans (the resource layer's rule).
func kindOf(c *schema.Column, ct schema.ColumnType) schema.ValueKind {
	base, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(c.DataType)), "(")
	base = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(base), " unsigned"))
	switch {
	case intTypes[base] && (ct.Kind == schema.KindString || ct.Kind == schema.KindFloat || ct.Kind == schema.KindTime) && ct.Secret == schema.SecretNone:
		return schema.KindInt
	case ct.Kind != schema.KindString || ct.Secret != schema.SecretNone:
		return ct.Kind
	case floatTypes[base]:
		return schema.KindFloat
	case base == "bool" || base == "boolean":
		return schema.KindBool
	}
	return ct.Kind
}

var (
	intTypes   = map[string]bool{"int": true, "integer": true, "bigint": true, "smallint": true, "tinyint": true, "mediumint": true}
	floatTypes = map[string]bool{"float": true, "double": true, "double precision": true, "real": true, "decimal": true, "numeric": true}
)

// enumValue converts an option value to the schema's type; ok is false
// when it cannot.
func enumValue(s *Schema, v any) (any, bool) {
	switch {
	case s.Type == typeString:
		switch x := v.(type) {
		case string:
			return x, true
		case bool:
			return strconv.FormatBool(x), true
		case float64:
			return strconv.FormatFloat(x, 'f', -1, 64), true
		case int:
			return strconv.Itoa(x), true
		case int64:
			return strconv.FormatInt(x, 10), true
		}
	case s.Type == typeInteger, s.Type == typeNumber:
		switch x := v.(type) {
		case float64, int, int64:
			return x, true
		case string:
			if f, err := strconv.ParseFloat(x, 64); err == nil {
				return f, true
			}
		}
	}
	return nil, false
}
