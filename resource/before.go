package resource

import "context"

// Write is a table write about to happen, as BeforeWrite sees it.
type Write struct {
	Table string
	Op    Op
	RefID string         // "" on create
	Attrs map[string]any // the submitted attributes; nil on delete
}

// BeforeWrite runs before a write that is not part of a transaction (a
// data exchange's before hook): an error refuses the write, nothing is
// written and the caller gets the error. It runs on the caller's
// goroutine before the write takes the writer, so it may write itself.
type BeforeWrite func(ctx context.Context, w Write) error

// Refused is the error of a write a before hook refused (403, with why).
func Refused(title, detail string) error {
	return &Error{Kind: ErrForbidden, Title: title, Detail: detail}
}

// before runs the BeforeWrite hook for a top-level write.
func (s *svc) before(ctx context.Context, w Write) error {
	if s.tx != nil || s.beforeWrite == nil {
		return nil
	}
	return s.beforeWrite(ctx, w)
}

// beforeUnlessValidate runs the hook unless the write only validates.
func (s *svc) beforeUnlessValidate(ctx context.Context, in Input, w Write) error {
	if in.ValidateOnly {
		return nil
	}
	return s.before(ctx, w)
}
