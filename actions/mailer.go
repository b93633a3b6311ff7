package actions

import (
	"context"

	"github.com/apiary/apiary/resource"
)

// Mailer composes, signs and queues outgoing mail. The server provides
// the mail package's outbox; actions only say what to send.
type Mailer interface {
	// SendMail queues msg through res (the action's transaction, if any).
	SendMail(ctx context.Context, res resource.Service, msg OutgoingMail) error
}

// OutgoingMail is one plain-text message to send.
type OutgoingMail struct {
	From    string
	To      []string
	Subject string
	Body    string
	// ServerHostname names the mail_server to send through ("" = default).
	ServerHostname string
	// Immediately asks for a delivery attempt right after queueing.
	Immediately bool
}
