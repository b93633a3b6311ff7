package openapi

// integrationRoutes documents the Databite routes and Daptin's
// /integration/{provider}/... routes (docs/integrations.md).
func integrationRoutes() []fixedRoute {
	get, post := []string{"get"}, []string{"post"}
	id := func(name, desc string) []*Parameter { return []*Parameter{pathParam(name, desc, str(""))} }
	obj := func(desc string) *Response { return response(desc, mediaJSON, freeObject("")) }
	in := body(mediaJSON, freeObject("JSON object."))
	return []fixedRoute{
		{path: "/api/connectors", methods: get, tag: "databite", summary: "Installed providers with their actions and auth kinds", resp: obj("List.")},
		{path: "/api/connectors/{id}", methods: get, tag: "databite", summary: "One connector", params: id("id", "Provider name."), resp: obj("Connector.")},
		{path: "/api/integrations", methods: get, tag: "databite", summary: "Configured integrations (no secrets)", resp: obj("List.")},
		{path: "/api/integrations/{id}", methods: get, tag: "databite", summary: "One integration", params: id("id", "Integration id."), resp: obj("Integration.")},
		{path: "/api/connections", methods: []string{"get", "post"}, tag: "databite", summary: "The caller's connections; add one", resp: obj("List or the new connection."), body: in},
		{path: "/api/connections/{id}", methods: []string{"get", "delete"}, tag: "databite", summary: "One connection; remove it", params: id("id", "Connection id."), resp: obj("Connection.")},
		{path: "/api/flows/start", methods: post, tag: "databite", summary: "Start a connection flow", resp: obj("Session."), body: in},
		{path: "/api/flows/{sessionId}/step", methods: post, tag: "databite", summary: "Run a flow step", params: id("sessionId", ""), resp: obj("Session."), body: in},
		{path: "/api/flows/{sessionId}", methods: []string{"get", "delete"}, tag: "databite", summary: "Flow session details; delete it", params: id("sessionId", ""), resp: obj("Session.")},
		{path: "/api/sync/jobs", methods: get, tag: "databite", summary: "Scheduled sync jobs", resp: obj("List.")},
		{path: "/api/sync/jobs/{connectionId}", methods: get, tag: "databite", summary: "Sync jobs of a connection", params: id("connectionId", ""), resp: obj("List.")},
		{path: "/api/sync/execute/{connectionId}/{syncName}", methods: post, tag: "databite", summary: "Run a sync into a table",
			params: append(id("connectionId", ""), pathParam("syncName", "Operation id.", str(""))), resp: obj("Records written."), body: in},
		{path: "/api/actions/{connectorId}", methods: get, tag: "databite", summary: "Actions of a connector", params: id("connectorId", ""), resp: obj("List.")},
		{path: "/api/actions/execute/{connectionId}/{actionName}", methods: post, tag: "databite", summary: "Run an action with a connection",
			params: append(id("connectionId", ""), pathParam("actionName", "Operation id.", str(""))), resp: obj("Upstream answer."), body: in},
		{path: "/.well-known/acme-challenge/{token}", methods: get, tag: "integration", summary: "ACME HTTP-01 challenge answer",
			params: id("token", ""), resp: response("Key authorisation.", "text/plain", str(""))},
		{path: "/oauth/response", methods: get, tag: "integration", summary: "OAuth redirect target: completes a connect or login flow",
			params: []*Parameter{queryParam("code", "", str("")), queryParam("state", "", str("")), queryParam("authenticator", "oauth_connect name.", str(""))},
			resp:   obj("Action responses (sign-in or connected).")},
		{path: "/integration/{provider}/openapi.yaml", methods: get, tag: "integration", summary: "Provider document (YAML)",
			params: id("provider", ""), resp: response("YAML.", ContentTypeYAML, str(""))},
		{path: "/integration/{provider}/operations", methods: get, tag: "integration", summary: "Operations of a provider", params: id("provider", ""), resp: obj("List.")},
		{path: "/integration/{provider}/operations/{operation}", methods: get, tag: "integration", summary: "One operation",
			params: append(id("provider", ""), pathParam("operation", "", str(""))), resp: obj("Operation.")},
		{path: "/integration/{provider}/{operation}", methods: post, tag: "integration", summary: "Call an operation",
			params: append(id("provider", ""), pathParam("operation", "", str(""))), resp: obj("Upstream answer."), body: in},
	}
}
