package resource

import "context"

// TrackEventAtVersion is TrackEvent acting as if the state row had been
// read at version v, so tests can hit the optimistic lock.
func TrackEventAtVersion(ctx context.Context, res Service, typeName, stateRef, eventName string, v int64) (Row, error) {
	return res.(*svc).trackEvent(ctx, typeName, stateRef, eventName, v)
}
