package actions

import (
	"context"
	"crypto/rand"
	"net/http"
	"strings"
	"time"

	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/schema"
)

// resetPasswordFloor is the least time reset-password takes, whatever it
// finds, so that its timing does not tell which emails have an account
// with verified OTP.
var resetPasswordFloor = 400 * time.Millisecond

// newPasswordLen is the length of the password reset-password-verify sets.
const newPasswordLen = 16

const passwordAlphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// registerPassword adds reset-password, reset-password-verify, their
// performers password.reset.begin/verify, and mail.send.
func (o *otpActions) registerPassword() {
	o.e.register(schema.TableUser, "reset-password", o.resetPassword)
	o.e.register(schema.TableUser, "reset-password-verify", o.resetPasswordVerify)
	o.e.registerPerformer("password.reset.begin", o.resetPassword)
	o.e.registerPerformer("password.reset.verify", o.resetPasswordVerify)
	o.e.registerPerformer("mail.send", o.mailSend)
}

// resetPassword mails "Your verification code is: <otp>" to a user with a
// verified OTP account. It always answers [] after at least
// resetPasswordFloor: unknown emails, accounts without verified OTP and
// internal failures (logged) look the same to the caller. Daptin answered
// 500 "OTP is not enrolled for this account", revealing which emails exist.
func (o *otpActions) resetPassword(ctx context.Context, req Request) ([]Response, error) {
	deadline := time.Now().Add(resetPasswordFloor)
	if err := o.beginReset(ctx, o.resOf(req), str(req.Attributes["email"])); err != nil {
		o.e.o.Log.WarnContext(ctx, "reset-password", "error", err)
	}
	if wait := time.Until(deadline); wait > 0 {
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return []Response{}, nil
}

// beginReset does the work of resetPassword; a nil error also covers an
// unknown or unenrolled email.
func (o *otpActions) beginReset(ctx context.Context, res resource.Service, email string) error {
	acc, found, err := o.findAccount(ctx, res, email, "")
	if err != nil || !found || !acc.HasOTP || !acc.verified() {
		return err
	}
	c, err := o.code(ctx, res, acc)
	if err != nil {
		return err
	}
	return o.queueMail(ctx, res, "", acc.email(), "Password reset verification code", "Your verification code is: "+c)
}

// resetPasswordVerify checks the mailed code (guards apply; a wrong code
// or unknown email is 401), sets a random password (auth_version bumps, so
// earlier tokens stop working) and mails it.
func (o *otpActions) resetPasswordVerify(ctx context.Context, req Request) ([]Response, error) {
	a, res := req.Attributes, o.resOf(req)
	email := str(a["email"])
	acc, found, err := o.findAccount(ctx, res, email, "")
	if err != nil {
		return nil, err
	}
	if found && (!acc.HasOTP || !acc.verified()) {
		found = false
	}
	if err := o.check(ctx, res, acc, found, email, str(a["otp"])); err != nil {
		return nil, err
	}
	pw, err := randomPassword(newPasswordLen)
	if err != nil {
		return nil, err
	}
	if _, err := res.Update(asSystem(ctx), schema.TableUser, acc.User.RefID, resource.Input{Attributes: map[string]any{"password": pw}}); err != nil {
		return nil, err
	}
	if err := o.queueMail(ctx, res, "", acc.email(), "Your new password", "Your new password is: "+pw); err != nil {
		return nil, err
	}
	return []Response{Notify("success", "Success", "Password reset; check your mail")}, nil
}

// randomPassword returns n characters from an unambiguous alphabet.
func randomPassword(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	for i := range b {
		// 256 % 57 != 0 leaves a small bias, irrelevant for a 16-char password.
		b[i] = passwordAlphabet[int(b[i])%len(passwordAlphabet)]
	}
	return string(b), nil
}

// mailSend is the mail.send performer (contract sidecars.md §4.5): from,
// to (one address, a comma list or an array), subject, body,
// mail_server_hostname, send_immediately.
func (o *otpActions) mailSend(ctx context.Context, req Request) ([]Response, error) {
	a := req.Attributes
	to := addressList(a["to"])
	if len(to) == 0 {
		return nil, Fail(http.StatusBadRequest, "missing required field: to")
	}
	from := strings.TrimSpace(str(a["from"]))
	if from == "" {
		return nil, Fail(http.StatusBadRequest, "missing required field: from")
	}
	host := strings.TrimSpace(str(a["mail_server_hostname"]))
	if host == "" && o.e.o.Config != nil {
		host, _ = o.e.o.Config.Get(ctx, resource.ConfigBackend, "mail.default_server_hostname")
	}
	now := attrFlag(a["send_immediately"]) || attrFlag(a["attempt_delivery"])
	if err := o.send(ctx, o.resOf(req), OutgoingMail{From: from, To: to, Subject: str(a["subject"]), Body: str(a["body"]),
		ServerHostname: host, Immediately: now}); err != nil {
		return nil, err
	}
	return nil, nil
}

// queueMail sends a message from the instance (from defaults to
// no-reply@<config hostname>).
func (o *otpActions) queueMail(ctx context.Context, res resource.Service, from, to, subject, body string) error {
	if from == "" {
		host := "localhost"
		if h, err := o.e.o.Config.Get(ctx, resource.ConfigBackend, resource.KeyHostname); err == nil && h != "" {
			host = h
		}
		from = "no-reply@" + host
	}
	return o.send(ctx, res, OutgoingMail{From: from, To: []string{to}, Subject: subject, Body: body})
}

func (o *otpActions) send(ctx context.Context, res resource.Service, m OutgoingMail) error {
	if o.e.o.Mailer == nil {
		return Fail(http.StatusServiceUnavailable, "mail is not configured")
	}
	if err := o.e.o.Mailer.SendMail(ctx, res, m); err != nil {
		return Fail(http.StatusBadRequest, "%v", err)
	}
	return nil
}

// addressList reads a string (comma-separated) or an array of addresses.
func addressList(v any) []string {
	var parts []string
	switch x := v.(type) {
	case string:
		parts = strings.Split(x, ",")
	case []any:
		for _, e := range x {
			parts = append(parts, str(e))
		}
	case []string:
		parts = x
	}
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
