package actions

import "context"

// registerResponses adds response.create (Daptin's make_response).
// Template rendering is not a core performer (contract §6.7) and is not
// provided here.
func (o *otpActions) registerResponses() {
	o.e.registerPerformer("response.create", responseCreate)
}

// responseCreate answers one response whose ResponseType is attribute
// response_type (default client.notify) and whose attributes are the
// remaining ones.
func responseCreate(_ context.Context, req Request) ([]Response, error) {
	typ := str(req.Attributes["response_type"])
	if typ == "" {
		typ = "client.notify"
	}
	attrs := make(map[string]any, len(req.Attributes))
	for k, v := range req.Attributes {
		if k != "response_type" {
			attrs[k] = v
		}
	}
	return []Response{{ResponseType: typ, Attributes: attrs}}, nil
}
