package openapi

import "slices"

// shared adds the components every path refers to: JSON:API envelopes,
// query parameters, common responses and the security schemes.
func (b *builder) shared() {
	c := b.doc.Components
	sc := c.Schemas

	uuid := uuidSchema()
	sc["Uuid"] = uuid
	sc["TypeName"] = readOnly(str("The type name (__type)."))
	sc["ReferenceId"] = readOnly(uuidSchema())
	perm := int64Schema()
	perm.Description = "Permission bits of the row: guest, owner and group bits (contract core.md §4.1)."
	sc["Permission"] = perm
	sc["Timestamp"] = readOnly(dateTimeSchema().withNullable())
	owner := uuidSchema().withNullable()
	owner.Description = "Id of the owning user_account row."
	sc["Owner"] = owner
	b01 := &Schema{AnyOf: []*Schema{boolSchema(), integerSchema().withEnum(0, 1)},
		Description: "Returned as 0 or 1; true and false are accepted on write."}
	sc["Bool01"] = b01
	sc["FileObject"] = object(map[string]*Schema{
		"name": str(""), "type": str("Media type."), "path": str("Sub-folder."),
		"file": str("Data URL (data:<type>;base64,...) on write."), "contents": str("Raw base64 on write (instead of file)."),
		"src": str("path/name, in responses."), "md5": str(""), "size": int64Schema(),
	}, "name")
	files := &Schema{AnyOf: []*Schema{str("JSON text of the file list."), arrayOf(sref("FileObject"))}, Nullable: true,
		Description: "Files: a list of file objects on write; the stored list (as JSON text for inline columns) on read."}
	sc["Files"] = files

	sc["ResourceIdentifier"] = object(map[string]*Schema{"type": str(""), "id": sref("Uuid")}, "type", "id")
	linkData := &Schema{AnyOf: []*Schema{sref("ResourceIdentifier"), arrayOf(sref("ResourceIdentifier"))}, Nullable: true,
		Description: "One identifier (or null) for a to-one relation, a list for a to-many relation."}
	sc["Linkage"] = object(map[string]*Schema{"data": linkData})
	rels := freeObject("Relation name → linkage.")
	rels.AdditionalProperties = sref("Linkage")
	sc["Relationships"] = rels
	sc["Resource"] = object(map[string]*Schema{
		"type": str(""), "id": sref("Uuid"), "attributes": freeObject(""), "relationships": sref("Relationships"),
	}, "type")
	sc["Included"] = arrayOf(sref("Resource"))
	sc["PageLinks"] = object(map[string]*Schema{
		"current_page": integer(""), "from": integer(""), "last_page": integer(""), "per_page": integer(""),
		"to": integer(""), "total": integer("Rows matching the filters."),
		"first_page_url": str(""), "prev_page_url": str(""), "next_page_url": str(""), "last_page_url": str(""),
	})
	relData := &Schema{AnyOf: []*Schema{sref("Resource"), arrayOf(sref("Resource"))}, Nullable: true,
		Description: "A list for a to-many relation; one object (or null) for a to-one relation."}
	sc["RelatedDocument"] = object(map[string]*Schema{"links": sref("PageLinks"), "data": relData, "included": sref("Included")})
	sc["MetaDocument"] = object(map[string]*Schema{"meta": freeObject("").withNullable()})
	errObj := object(map[string]*Schema{
		"status": str("HTTP status as a string."), "title": str(""), "detail": str(""),
		"source": object(map[string]*Schema{"pointer": str(""), "parameter": str("")}),
	}, "status", "title")
	sc["ErrorDocument"] = object(map[string]*Schema{"errors": arrayOf(errObj)}, "errors")
	sc["ActionResponses"] = arrayOf(object(map[string]*Schema{
		"ResponseType": str("client.notify, client.redirect, client.store.set, client.cookie.set, client.file.download, a table name..."),
		"Attributes":   &Schema{Nullable: true, Description: "Instruction attributes; a row for CRUD outcomes."},
	}, "ResponseType"))
	sc["AggregateDocument"] = object(map[string]*Schema{"data": arrayOf(object(map[string]*Schema{
		"type": str("aggregate_{entity}"), "id": sref("Uuid"), "attributes": freeObject("Group columns and aggregate values."),
	}))})

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

	c.SecuritySchemes["bearerAuth"] = &SecurityScheme{Type: "http", Scheme: "bearer", BearerFormat: "JWT"}
	c.SecuritySchemes["tokenCookie"] = &SecurityScheme{Type: "apiKey", In: "cookie", Name: "token"}
	c.SecuritySchemes["tokenQuery"] = &SecurityScheme{Type: "apiKey", In: "query", Name: "token"}
	// Every scheme is optional: without a token the caller is a guest.
	b.doc.Security = []map[string][]string{{"bearerAuth": {}}, {"tokenCookie": {}}, {"tokenQuery": {}}, {}}
}

// parameters adds the shared parameters.
func (b *builder) parameters() {
	ps := b.doc.Components.Parameters
	add := func(name string, p *Parameter) { ps[name] = p }
	add("Id", pathParam("id", "The row's reference id.", uuidSchema()))
	add("PageNumber", queryParam("page[number]", "1-based page (default 1).", integerSchema().withMin(0)))
	add("PageSize", queryParam("page[size]", "Rows per page (default 10).", integerSchema().withMin(0)))
	add("PageAfter", queryParam("page[after]", "Cursor: rows after this row id.", uuidSchema()))
	add("PageBefore", queryParam("page[before]", "Cursor: rows before this row id.", uuidSchema()))
	add("Sort", queryParam("sort", "Comma list of columns; -col descending.", str("")))
	add("Query", queryParam("query", `JSON array of conditions [{"column","operator","value","logical_group"}].`, str("")))
	add("Filter", queryParam("filter", "Keyword search over indexed name-like columns (ignored with query).", str("")))
	add("IncludedRelations", queryParam("included_relations", "Comma list of relation names to embed in included; * for every to-one relation.", str("")))
	add("Fields", queryParam("fields", "Comma list of columns to return (fields[type] is also accepted).", str("")))
	add("ValidateOnly", &Parameter{Name: "Validate-Only", In: "header",
		Description: "true: check and answer the row without writing it.", Schema: boolSchema()})
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
	add("Entity", pathParam("entity", "A table name.", stringSchema().withEnum(names...)))
}

func readOnly(s *Schema) *Schema { s.ReadOnly = true; return s }
