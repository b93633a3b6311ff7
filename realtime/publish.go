package realtime

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/apiary/apiary/auth"
)

// PublishError is a refused publish; Status is the HTTP status an HTTP
// caller should get and Error the exact Daptin message.
type PublishError struct {
	Status int
	Msg    string
}

func (e *PublishError) Error() string { return e.Msg }

func publishErr(status int, msg string) error { return &PublishError{Status: status, Msg: msg} }

// isTable reports whether name is a table (a system topic).
func (h *Hub) isTable(name string) bool {
	_, ok := h.o.Res().Schema().Table(name)
	return ok
}

// checkSubscribe returns "" when p may subscribe to name, else the error.
func (h *Hub) checkSubscribe(ctx context.Context, p auth.Principal, name string) string {
	if h.isTable(name) {
		ok, err := h.canTable(ctx, p, name, auth.OpPeek)
		switch {
		case err != nil:
			return "internal error"
		case !ok:
			return "permission denied: " + name
		}
		return ""
	}
	meta, found, err := h.o.Topics.Get(ctx, name)
	switch {
	case err != nil:
		return "internal error"
	case !found:
		return "topic not found: " + name
	case !auth.Can(p, auth.OpRead, topicObject(p, meta)):
		return "permission denied: " + name
	}
	return ""
}

// Publish sends message as a new-message event on topic for p (the
// new-message method and the publish_to_topic action). The errors carry
// Daptin's messages and an HTTP status.
func (h *Hub) Publish(ctx context.Context, p auth.Principal, topic string, message map[string]any) error {
	if topic == "" {
		return publishErr(400, "missing or invalid topicName")
	}
	if message == nil {
		return publishErr(400, "missing or invalid message")
	}
	if p.IsGuest() {
		// Daptin's clients expect anonymous publishing to be refused; a
		// message needs a user to name as its source.
		return publishErr(403, "permission denied: "+topic)
	}
	if h.isTable(topic) {
		ok, err := h.canTable(ctx, p, topic, auth.OpCreate)
		if err != nil {
			return errors.New("internal error")
		}
		if !ok {
			return publishErr(403, "permission denied: "+topic)
		}
	} else {
		meta, found, err := h.o.Topics.Get(ctx, topic)
		switch {
		case err != nil:
			return errors.New("internal error")
		case !found:
			return publishErr(404, "topic not found: "+topic)
		case !auth.Can(p, auth.OpExecute, topicObject(p, meta)):
			return publishErr(403, "permission denied: "+topic)
		}
	}
	data, err := json.Marshal(message)
	if err != nil {
		return publishErr(400, "missing or invalid message")
	}
	source := p.UserRef
	if source == "" {
		source = "system"
	}
	if err := h.o.Broker.Publish(ctx, &Event{Topic: topic, Kind: "new-message", Source: source, Data: data}); err != nil {
		return errors.New("internal error")
	}
	return nil
}
