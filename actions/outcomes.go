package actions

import (
	"context"
	"net/http"
)

// runOutcomes runs a schema-defined action's OutFields in one transaction.
func (e *Executor) runOutcomes(ctx context.Context, req Request) ([]Response, error) {
	return nil, Fail(http.StatusNotImplemented, "action %q has outcomes, which are not supported yet", req.Action.Name)
}
