package openapi

import (
	"slices"
	"strings"

	"github.com/apiary/apiary/schema"
)

// actions adds one path per action and the schema of its request.
func (b *builder) actions() {
	acts := slices.Clone(b.sc.Actions)
	slices.SortFunc(acts, func(a, c schema.Action) int {
		if n := strings.Compare(a.OnType, c.OnType); n != 0 {
			return n
		}
		return strings.Compare(a.Name, c.Name)
	})
	for i := range acts {
		a := &acts[i]
		if a.OnType == "" || a.Name == "" {
			continue
		}
		cn := compName("action." + a.OnType + "." + a.Name)
		b.doc.Components.Schemas[cn] = actionRequest(a)
		summary := a.Label
		if summary == "" {
			summary = a.Name
		}
		op := b.operation(a.OnType, cn, summary, ok(200, rref("ActionResult")))
		op.Responses["default"] = rref("ActionResult")
		op.Description = "Also bound to GET, PUT, PATCH and DELETE; query parameters override body attributes."
		op.RequestBody = body(mediaJSON, sref(cn))
		op.RequestBody.Required = false
		b.path("/action/" + a.OnType + "/" + a.Name).Post = op
	}
}

// actionRequest is the request body of an action: its in-fields inside
// attributes, plus {type}_id naming the subject row.
func actionRequest(a *schema.Action) *Schema {
	props := map[string]*Schema{}
	for i := range a.InFields {
		c := &a.InFields[i]
		name := c.ColumnName
		if name == "" {
			name = c.Name
		}
		if name != "" {
			props[name] = columnSchema(c)
		}
	}
	subject := uuidSchema()
	subject.Description = "The " + a.OnType + " row the action runs on."
	var required []string
	if !a.InstanceOptional {
		required = []string{a.OnType + "_id"}
	} else {
		subject.Description += " Optional."
	}
	props[a.OnType+"_id"] = subject
	attrs := object(props, required...)
	attrs.Description = "Missing in-fields are set to the empty string. Other top-level body keys are copied here too."
	return object(map[string]*Schema{"attributes": attrs})
}

// fixedRoute is one route that does not depend on the schema.
type fixedRoute struct {
	path    string
	methods []string
	tag     string
	summary string
	params  []*Parameter
	resp    *Response
	body    *RequestBody
}

// fixedRoutes lists the schema-independent routes.
func fixedRoutes() []fixedRoute {
	get, post := []string{"get"}, []string{"post"}
	jsonObj := func(desc string) *Response { return response(desc, mediaJSON, freeObject("")) }
	jsonBody := func(s *Schema) *RequestBody { return body(mediaJSON, s) }
	cfgParams := []*Parameter{
		pathParam("configType", "backend, frontend, ...", str("")),
		pathParam("key", "The configuration key.", str("")),
	}
	aggParams := []*Parameter{pref("Entity")}
	for _, p := range []struct{ n, d string }{
		{"column", "count, col, fn(col) with fn in count, sum, avg, min, max, first, last; optional ' as alias'. Repeatable, comma lists."},
		{"group", "Columns or scalar functions to group by."},
		{"filter", "op(left,right) with op in eq, not, lt, lte, gt, gte, in, notin, is."},
		{"having", "op(aggregate,value)."},
		{"join", "table@op(left,right)[&op(left,right)...] (LEFT JOIN)."},
		{"order", "expr or -expr."},
		{"timesample", "Time sampling of a date column."},
		{"timefrom", "Start of the sampled period."},
		{"timeto", "End of the sampled period."},
	} {
		aggParams = append(aggParams, queryParam(p.n, p.d, str("")))
	}
	strList := arrayOf(str(""))
	aggBody := object(map[string]*Schema{"column": strList, "group": strList, "filter": strList,
		"having": strList, "join": strList, "order": strList})
	tokenBody := object(map[string]*Schema{
		"grant_type": stringSchema().withEnum("client_credentials"), "client_id": str(""),
		"client_secret": str(""), "scope": str("Space or comma separated scopes."),
		"claims": freeObject("sub or email of the user to act for (IMPERSONATE scope)."),
	}, "grant_type")
	tokenResp := object(map[string]*Schema{"type": str("Always tokens."), "accessToken": str(""),
		"accessTokenExpiration": integer("Unix milliseconds."), "userType": str("client, or the user's type."),
		"claims": freeObject("sub (client id, or the user's e-mail), license, scopes, email, name.")})
	gql := object(map[string]*Schema{"query": str(""), "variables": freeObject(""), "operationName": str("")}, "query")
	doc := func(desc string) *Response {
		r := response(desc, ContentTypeYAML, freeObject(""))
		r.Content[ContentTypeJSON] = &MediaType{Schema: freeObject("")}
		return r
	}
	text := func(desc string) *Response { return response(desc, mediaText, str("")) }
	assetParams := []*Parameter{pathParam("table", "", str("")), pathParam("id", "The row id.", uuidSchema()),
		pathParam("column", "An asset column, optionally with an extension.", str(""))}
	return append([]fixedRoute{
		{path: "/ping", methods: get, tag: "system", summary: "Liveness: answers pong", resp: text("pong")},
		{path: "/actions", methods: get, tag: "action", summary: "Actions open to guests (sign-up, sign-in)", resp: jsonObj("Action definitions keyed type:name.")},
		{path: "/api/{type}/action/{action}", methods: post, tag: "action", summary: "Alias of /action/{type}/{action}",
			params: []*Parameter{pathParam("type", "", str("")), pathParam("action", "", str(""))},
			resp:   rref("ActionResult"), body: jsonBody(freeObject("{attributes: {...}}"))},
		{path: "/token", methods: post, tag: "auth", summary: "OAuth2 client-credentials token for a service client",
			resp: response("A signed token.", mediaJSON, tokenResp), body: &RequestBody{Required: true,
				Content: map[string]*MediaType{mediaForm: {Schema: tokenBody}, mediaJSON: {Schema: tokenBody}}}},
		{path: "/_config", methods: get, tag: "config", summary: "Every configuration value (administrators)", resp: jsonObj("Key → value.")},
		{path: "/_config/{configType}/{key}", methods: []string{"get", "post", "put", "patch", "delete"}, tag: "config",
			summary: "Read, set or delete one configuration value (administrators)", params: cfgParams,
			resp: text("The raw value; set and delete answer 200 with an empty body."), body: body(mediaText, str("The new raw value."))},
		{path: "/track/start/{smdId}", methods: post, tag: "statemachine", summary: "Start tracking a row with a state machine",
			params: []*Parameter{pathParam("smdId", "The smd row id.", uuidSchema())},
			resp:   response("The new state row.", mediaJSONAPI, sref("Resource")),
			body:   jsonBody(object(map[string]*Schema{"typeName": str(""), "referenceId": sref("Uuid")}, "typeName", "referenceId"))},
		{path: "/track/event/{typename}/{stateId}/{eventName}", methods: post, tag: "statemachine", summary: "Fire a state machine event",
			params: []*Parameter{pathParam("typename", "The tracked table.", str("")),
				pathParam("stateId", "The state row id.", uuidSchema()), pathParam("eventName", "", str(""))},
			resp: response("Done (empty body).", "", nil)},
		{path: "/api/user_account/mine", methods: get, tag: "user_account", summary: "The caller's own user_account row",
			resp: response("The row.", mediaJSONAPI, sref("user_account.document"))},
		{path: "/aggregate/{entity}", methods: []string{"get", "post"}, tag: "aggregate", summary: "Grouped aggregates over readable rows",
			params: aggParams, resp: rref("Aggregate"), body: jsonBody(aggBody)},
		{path: "/graphql", methods: []string{"get", "post"}, tag: "graphql", summary: "GraphQL endpoint (when graphql.enable is true)",
			params: []*Parameter{queryParam("query", "GraphQL query (GET).", str(""))},
			resp:   response("GraphQL result.", mediaJSON, freeObject("")), body: jsonBody(gql)},
		{path: PathYAML, methods: get, tag: "system", summary: "This document (YAML)", resp: doc("OpenAPI document.")},
		{path: PathAPISpec, methods: get, tag: "system", summary: "This document (YAML)", resp: doc("OpenAPI document.")},
		{path: PathJSON, methods: get, tag: "system", summary: "This document (JSON)", resp: doc("OpenAPI document.")},
		{path: "/meta", methods: get, tag: "system", summary: "Column types and their parameters",
			params: []*Parameter{queryParam("query", "column_types", stringSchema().withEnum("column_types"))},
			resp:   jsonObj("Column type name → description.")},
		{path: "/jsmodel/{entity}", methods: get, tag: "system", summary: "Model of a table: columns, relations, actions, state machines",
			params: []*Parameter{pathParam("entity", "A table name, optionally with .js or .json.", str(""))}, resp: jsonObj("The model.")},
		{path: "/statistics", methods: get, tag: "system", summary: "Runtime, database and request statistics (administrators)", resp: jsonObj("Statistics.")},
		{path: "/metrics", methods: get, tag: "system", summary: "Prometheus metrics", resp: text("Prometheus text exposition format.")},
		{path: "/api/health", methods: get, tag: "system", summary: "Health check (no auth, no rate limit)",
			resp: response("Healthy.", mediaJSON, object(map[string]*Schema{"status": str("healthy"), "timestamp": str("")}))},
		{path: "/api/status", methods: get, tag: "system", summary: "Version, uptime, database type and table count", resp: jsonObj("Status.")},
		{path: "/feed/{name}", methods: get, tag: "feed", summary: "RSS, Atom or JSON Feed of a configured feed",
			params: []*Parameter{pathParam("name", "feed_name.rss, .atom or .json", str(""))},
			resp:   response("The feed.", "application/rss+xml", str(""))},
		{path: "/asset/{table}/{id}/{column}", methods: get, tag: "asset", summary: "A file of an asset column (Range, ETag, processImage)",
			params: assetParams, resp: response("The file.", "application/octet-stream", str(""))},
		{path: "/asset/{table}/{id}/{column}/upload", methods: []string{"get", "post", "delete"}, tag: "asset",
			summary: "Upload a large file: operation=init|stream|complete|abort, or a multipart form", params: assetParams,
			resp: jsonObj("Upload state."), body: body("application/octet-stream", str("The raw file (operation=stream)."))},
	}, append(dialectRoutes(), integrationRoutes()...)...)
}

// FixedPaths returns the path templates of the schema-independent routes
// the document describes, for tests that compare them with the router.
func FixedPaths() []string {
	rs := fixedRoutes()
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.path
	}
	return out
}

// fixed adds the schema-independent routes.
func (b *builder) fixed() {
	for _, r := range fixedRoutes() {
		if r.path == "/api/user_account/mine" {
			if _, ok := b.sc.Table(schema.TableUser); !ok {
				continue
			}
		}
		it := b.path(r.path)
		for _, m := range r.methods {
			id := strings.Trim(strings.NewReplacer("/", ".", "{", "", "}", "").Replace(r.path), ".") + "." + m
			op := b.operation(r.tag, id, r.summary, ok(200, r.resp), r.params...)
			if m != "get" && m != "delete" {
				op.RequestBody = r.body
			}
			if m != "get" && r.path == "/aggregate/{entity}" {
				op.Parameters = r.params[:1] // the body carries the query
			}
			it.setOperation(strings.ToUpper(m), op)
		}
	}
}
