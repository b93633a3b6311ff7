package openapi

import (
	"slices"

	"github.com/getkin/kin-openapi/openapi3"
)

// shared adds the components every path refers to: JSON:API envelopes,
// query parameters, common responses and the security schemes.
func (b *builder) shared() {
	c := b.doc.Components
	sc := c.Schemas

	uuid := openapi3.NewUUIDSchema()
	sc["Uuid"] = inl(uuid)
	sc["TypeName"] = inl(readOnly(str("The type name (__type).")))
	sc["ReferenceId"] = inl(readOnly(openapi3.NewUUIDSchema()))
	perm := openapi3.NewInt64Schema()
	perm.Description = "Permission bits of the row: guest, owner and group bits (contract core.md §4.1)."
	sc["Permission"] = inl(perm)
	sc["Timestamp"] = inl(readOnly(openapi3.NewDateTimeSchema().WithNullable()))
	owner := openapi3.NewUUIDSchema().WithNullable()
	owner.Description = "Id of the owning user_account row."
	sc["Owner"] = inl(owner)
	b01 := &openapi3.Schema{AnyOf: openapi3.SchemaRefs{inl(openapi3.NewBoolSchema()), inl(openapi3.NewIntegerSchema().WithEnum(0, 1))},
		Description: "Returned as 0 or 1; true and false are accepted on write."}
	sc["Bool01"] = inl(b01)
	sc["FileObject"] = inl(object(map[string]*openapi3.SchemaRef{
		"name": inl(str("")), "type": inl(str("Media type.")), "path": inl(str("Sub-folder.")),
		"file": inl(str("Data URL (data:<type>;base64,...) on write.")), "contents": inl(str("Raw base64 on write (instead of file).")),
		"src": inl(str("path/name, in responses.")), "md5": inl(str("")), "size": inl(openapi3.NewInt64Schema()),
	}, "name"))
	files := &openapi3.Schema{AnyOf: openapi3.SchemaRefs{inl(str("JSON text of the file list.")), inl(arrayOf(sref("FileObject")))}, Nullable: true,
		Description: "Files: a list of file objects on write; the stored list (as JSON text for inline columns) on read."}
	sc["Files"] = inl(files)

	sc["ResourceIdentifier"] = inl(object(map[string]*openapi3.SchemaRef{"type": inl(str("")), "id": sref("Uuid")}, "type", "id"))
	linkData := &openapi3.Schema{AnyOf: openapi3.SchemaRefs{sref("ResourceIdentifier"), inl(arrayOf(sref("ResourceIdentifier")))}, Nullable: true,
		Description: "One identifier (or null) for a to-one relation, a list for a to-many relation."}
	sc["Linkage"] = inl(object(map[string]*openapi3.SchemaRef{"data": inl(linkData)}))
	rels := freeObject("Relation name → linkage.")
	rels.AdditionalProperties = openapi3.AdditionalProperties{Schema: sref("Linkage")}
	sc["Relationships"] = inl(rels)
	sc["Resource"] = inl(object(map[string]*openapi3.SchemaRef{
		"type": inl(str("")), "id": sref("Uuid"), "attributes": inl(freeObject("")), "relationships": sref("Relationships"),
	}, "type"))
	sc["Included"] = inl(arrayOf(sref("Resource")))
	sc["PageLinks"] = inl(object(map[string]*openapi3.SchemaRef{
		"current_page": inl(integer("")), "from": inl(integer("")), "last_page": inl(integer("")), "per_page": inl(integer("")),
		"to": inl(integer("")), "total": inl(integer("Rows matching the filters.")),
		"first_page_url": inl(str("")), "prev_page_url": inl(str("")), "next_page_url": inl(str("")), "last_page_url": inl(str("")),
	}))
	relData := &openapi3.Schema{AnyOf: openapi3.SchemaRefs{sref("Resource"), inl(arrayOf(sref("Resource")))}, Nullable: true,
		Description: "A list for a to-many relation; one object (or null) for a to-one relation."}
	sc["RelatedDocument"] = inl(object(map[string]*openapi3.SchemaRef{"links": sref("PageLinks"), "data": inl(relData), "included": sref("Included")}))
	sc["MetaDocument"] = inl(object(map[string]*openapi3.SchemaRef{"meta": inl(freeObject("").WithNullable())}))
	errObj := object(map[string]*openapi3.SchemaRef{
		"status": inl(str("HTTP status as a string.")), "title": inl(str("")), "detail": inl(str("")),
		"source": inl(object(map[string]*openapi3.SchemaRef{"pointer": inl(str("")), "parameter": inl(str(""))})),
	}, "status", "title")
	sc["ErrorDocument"] = inl(object(map[string]*openapi3.SchemaRef{"errors": inl(arrayOf(inl(errObj)))}, "errors"))
	sc["ActionResponses"] = inl(arrayOf(inl(object(map[string]*openapi3.SchemaRef{
		"ResponseType": inl(str("client.notify, client.redirect, client.store.set, client.cookie.set, client.file.download, a table name...")),
		"Attributes":   inl(&openapi3.Schema{Nullable: true, Description: "Instruction attributes; a row for CRUD outcomes."}),
	}, "ResponseType"))))
	sc["AggregateDocument"] = inl(object(map[string]*openapi3.SchemaRef{"data": inl(arrayOf(inl(object(map[string]*openapi3.SchemaRef{
		"type": inl(str("aggregate_{entity}")), "id": sref("Uuid"), "attributes": inl(freeObject("Group columns and aggregate values.")),
	}))))}))

	b.parameters()

	rs := c.Responses
	rs["Error"] = response("Error (JSON:API error document).", mediaJSONAPI, sref("ErrorDocument"))
	rs["NoContent"] = response("Done.", "", nil)
	rs["Deleted"] = response("Deleted.", mediaJSONAPI, sref("MetaDocument"))
	rs["Related"] = response("The related rows (links only when page[number] and page[size] are both sent).", mediaJSONAPI, sref("RelatedDocument"))
	rs["Linkage"] = response("The linkage of the relation.", mediaJSONAPI, sref("Linkage"))
	rs["ActionResult"] = response("The outcomes' client instructions, in order; on failure one client.notify of type error.", mediaJSON, sref("ActionResponses"))
	rs["Aggregate"] = response("One row per group.", mediaJSONAPI, sref("AggregateDocument"))
	c.RequestBodies["Linkage"] = body(mediaJSONAPI, sref("Linkage"))

	c.SecuritySchemes["bearerAuth"] = &openapi3.SecuritySchemeRef{Value: openapi3.NewJWTSecurityScheme()}
	c.SecuritySchemes["tokenCookie"] = &openapi3.SecuritySchemeRef{Value: &openapi3.SecurityScheme{Type: "apiKey", In: "cookie", Name: "token"}}
	c.SecuritySchemes["tokenQuery"] = &openapi3.SecuritySchemeRef{Value: &openapi3.SecurityScheme{Type: "apiKey", In: "query", Name: "token"}}
	// Every scheme is optional: without a token the caller is a guest.
	b.doc.Security = openapi3.SecurityRequirements{{"bearerAuth": {}}, {"tokenCookie": {}}, {"tokenQuery": {}}, {}}
}

// parameters adds the shared parameters.
func (b *builder) parameters() {
	ps := b.doc.Components.Parameters
	add := func(name string, p *openapi3.ParameterRef) { ps[name] = p }
	add("Id", pathParam("id", "The row's reference id.", openapi3.NewUUIDSchema()))
	add("PageNumber", queryParam("page[number]", "1-based page (default 1).", openapi3.NewIntegerSchema().WithMin(0)))
	add("PageSize", queryParam("page[size]", "Rows per page (default 10).", openapi3.NewIntegerSchema().WithMin(0)))
	add("PageAfter", queryParam("page[after]", "Cursor: rows after this row id.", openapi3.NewUUIDSchema()))
	add("PageBefore", queryParam("page[before]", "Cursor: rows before this row id.", openapi3.NewUUIDSchema()))
	add("Sort", queryParam("sort", "Comma list of columns; -col descending.", str("")))
	add("Query", queryParam("query", `JSON array of conditions [{"column","operator","value","logical_group"}].`, str("")))
	add("Filter", queryParam("filter", "Keyword search over indexed name-like columns (ignored with query).", str("")))
	add("IncludedRelations", queryParam("included_relations", "Comma list of relation names to embed in included; * for every to-one relation.", str("")))
	add("Fields", queryParam("fields", "Comma list of columns to return (fields[type] is also accepted).", str("")))
	add("ValidateOnly", &openapi3.ParameterRef{Value: &openapi3.Parameter{Name: "Validate-Only", In: openapi3.ParameterInHeader,
		Description: "true: check and answer the row without writing it.", Schema: inl(openapi3.NewBoolSchema())}})
	names := make([]any, 0, len(b.sc.Tables))
	for _, t := range b.sc.Tables {
		names = append(names, t.TableName)
	}
	slices.SortFunc(names, func(a, c any) int {
		if a.(string) < c.(string) {
			return -1
		}
		if a.(string) > c.(string) {
			return 1
		}
		return 0
	})
	add("Entity", pathParam("entity", "A table name.", openapi3.NewStringSchema().WithEnum(names...)))
}

func readOnly(s *openapi3.Schema) *openapi3.Schema { s.ReadOnly = true; return s }
