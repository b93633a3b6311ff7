package openapi

// dialectRoutes lists the routes of the other REST dialects (issue 21):
// Dexie Cloud (/all, /my, /public, /users) and Daybed (/v1). Their
// bodies are plain JSON, not JSON:API; docs/dialects.md describes them.
func dialectRoutes() []fixedRoute {
	get, post := []string{"get"}, []string{"post"}
	jsonAny := func(desc string) *Response { return response(desc, mediaJSON, freeObject("")) }
	jsonList := func(desc string) *Response { return response(desc, mediaJSON, arrayOf(freeObject(""))) }
	objects := body(mediaJSON, freeObject("One object or an array of objects to upsert; each may carry realmId."))
	table := pathParam("table", "A table name.", str(""))
	key := pathParam("key", "A reference id, or the URL-encoded JSON array of a compound key such as [\"Bob\",42].", str(""))
	user := pathParam("userId", "The user's e-mail (or reference id).", str(""))
	model := pathParam("model", "A Daybed model name.", str(""))
	record := pathParam("id", "A record id.", uuidSchema())
	var out []fixedRoute
	for _, ep := range []struct{ prefix, who string }{
		{"/all", "any realm (ACCESS_DB with GLOBAL_READ to read, GLOBAL_WRITE to write)"},
		{"/my", "the token subject's readable objects (ACCESS_DB, a user token)"},
		{"/public", "realm rlm-public (no token to read, GLOBAL_WRITE to write)"},
	} {
		out = append(out,
			fixedRoute{path: ep.prefix + "/{table}", methods: get, tag: "dexie", summary: "Dexie: objects of a table in " + ep.who,
				params: []*Parameter{table, queryParam("realmId", "Only objects of this realm; other parameters filter by property equality.", str(""))},
				resp:   jsonList("A JSON array of objects.")},
			fixedRoute{path: ep.prefix + "/{table}", methods: post, tag: "dexie", summary: "Dexie: upsert objects in " + ep.who,
				params: []*Parameter{table}, resp: jsonList("The stored objects."), body: objects},
			fixedRoute{path: ep.prefix + "/{table}/{key}", methods: []string{"get", "delete"}, tag: "dexie", summary: "Dexie: one object of " + ep.who,
				params: []*Parameter{table, key}, resp: jsonAny("The object (GET); DELETE answers 204.")})
	}
	out = append(out,
		fixedRoute{path: "/users", methods: get, tag: "dexie", summary: "Dexie: list users (ACCESS_DB, GLOBAL_READ)",
			params: []*Parameter{queryParam("search", "", str("")), queryParam("active", "", str("")), queryParam("type", "eval, prod or demo", str("")),
				queryParam("sort", "created, validUntil, updated, evalDaysLeft, lastLogin, userId, type, displayName", str("")),
				queryParam("desc", "", str("")), queryParam("limit", "At most 1000.", str("")), queryParam("pagingKey", "From the previous page.", str(""))},
			resp: jsonAny("{data, hasMore, pagingKey}.")},
		fixedRoute{path: "/users", methods: post, tag: "dexie", summary: "Dexie: create or update users (ACCESS_DB, GLOBAL_WRITE)",
			resp: jsonList("The users."), body: body(mediaJSON, arrayOf(freeObject("userId, type, validUntil, evalDaysLeft, deactivated, data")))},
		fixedRoute{path: "/users/{userId}", methods: []string{"get", "delete"}, tag: "dexie", summary: "Dexie: one user (oneself, or GLOBAL_READ / GLOBAL_WRITE)",
			params: []*Parameter{user}, resp: jsonAny("The user (GET); DELETE answers 204.")},
		fixedRoute{path: "/v1/fields", methods: get, tag: "daybed", summary: "Daybed: field types and their parameters", resp: jsonList("Field types.")},
		fixedRoute{path: "/v1/tokens", methods: post, tag: "daybed", summary: "Daybed: a token and its Hawk credentials (Basic auth, or a new identity)",
			resp: jsonAny("{token, credentials: {id, key, algorithm}}.")},
		fixedRoute{path: "/v1/models", methods: []string{"get", "post"}, tag: "daybed", summary: "Daybed: readable models; create a model with a random name",
			resp: jsonAny("{models: [...]} or {id}."), body: body(mediaJSON, freeObject("{definition, records?, permissions?}"))},
		fixedRoute{path: "/v1/models/{model}", methods: []string{"get", "put", "delete"}, tag: "daybed", summary: "Daybed: a model (definition, records, permissions)",
			params: []*Parameter{model}, resp: jsonAny("The model, or {id} after PUT."), body: body(mediaJSON, freeObject("{definition, records?, permissions?}"))},
		fixedRoute{path: "/v1/models/{model}/definition", methods: get, tag: "daybed", summary: "Daybed: a model's definition",
			params: []*Parameter{model}, resp: jsonAny("The definition.")},
		fixedRoute{path: "/v1/models/{model}/permissions", methods: []string{"get", "put", "patch"}, tag: "daybed", summary: "Daybed: a model's permissions",
			params: []*Parameter{model}, resp: jsonAny("principal → permissions."), body: body(mediaJSON, freeObject("principal → [permission | +permission | -permission | ALL]"))},
		fixedRoute{path: "/v1/models/{model}/records", methods: []string{"get", "post", "delete"}, tag: "daybed", summary: "Daybed: records (POST honours Validate-Only)",
			params: []*Parameter{model}, resp: jsonAny("{records} or {id}."), body: body(mediaJSON, freeObject("Field values."))},
		fixedRoute{path: "/v1/models/{model}/records/{id}", methods: []string{"get", "put", "patch", "delete"}, tag: "daybed", summary: "Daybed: one record",
			params: []*Parameter{model, record}, resp: jsonAny("The record or {id}."), body: body(mediaJSON, freeObject("Field values."))},
	)
	return out
}
