package actions

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
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

// mailSend is the mail.send performer: from, to, subject, body. The mail
// is queued in the outbox; send_immediately is accepted and ignored (the
// outbox worker sends it).
func (o *otpActions) mailSend(ctx context.Context, req Request) ([]Response, error) {
	a := req.Attributes
	to := strings.TrimSpace(str(a["to"]))
	if to == "" {
		return nil, Fail(http.StatusBadRequest, "mail.send needs a to address")
	}
	if err := o.queueMail(ctx, o.resOf(req), str(a["from"]), to, str(a["subject"]), str(a["body"])); err != nil {
		return nil, err
	}
	return nil, nil
}

// queueMail writes one outbox row as the system principal, linked to the
// instance's mail_server (see mailServerFor). The outbox has
// no subject column: the row's mail column holds the whole RFC 5322
// message (headers and body), gzip-compressed and then base64-encoded, as
// the gzip column type takes base64 over the API. from defaults to
// no-reply@<config hostname>.
func (o *otpActions) queueMail(ctx context.Context, res resource.Service, from, to, subject, body string) error {
	host := "localhost"
	if h, err := o.e.o.Config.Get(ctx, resource.ConfigBackend, resource.KeyHostname); err == nil && h != "" {
		host = h
	}
	if from == "" {
		from = "no-reply@" + host
	}
	msg, err := gzipBase64(rfc5322(from, to, subject, body, o.now()))
	if err != nil {
		return err
	}
	server, err := mailServerFor(ctx, res, host)
	if err != nil {
		return err
	}
	_, err = res.Create(asSystem(ctx), "outbox", resource.Input{Attributes: map[string]any{
		"from_address": from, "to_address": to, "to_host": hostOf(to), "mail": msg,
		"sent": false, "retry_count": 0, "mail_server_id": server,
	}})
	return err
}

// mailServerFor returns the reference id of the mail_server an outbox row
// belongs to (the relation is required): the one named host, else the
// first one, else a new disabled mail_server row for host.
func mailServerFor(ctx context.Context, res resource.Service, host string) (string, error) {
	sys := asSystem(ctx)
	if r, ok, err := firstRow(sys, res, "mail_server", "hostname", host); err != nil || ok {
		return r.RefID, err
	}
	p, err := res.List(sys, "mail_server", resource.Query{PageSize: 1})
	if err != nil {
		return "", err
	}
	if len(p.Rows) > 0 {
		return p.Rows[0].RefID, nil
	}
	r, err := res.Create(sys, "mail_server", resource.Input{Attributes: map[string]any{"hostname": host, "is_enabled": false}})
	return r.RefID, err
}

// rfc5322 formats a plain-text message. Header values have CR and LF
// removed so attributes cannot inject headers.
func rfc5322(from, to, subject, body string, at time.Time) string {
	clean := strings.NewReplacer("\r", "", "\n", " ").Replace
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\n", clean(from), clean(to), clean(subject), at.UTC().Format(time.RFC1123Z))
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	b.WriteString(strings.ReplaceAll(strings.ReplaceAll(body, "\r\n", "\n"), "\n", "\r\n"))
	b.WriteString("\r\n")
	return b.String()
}

// gzipBase64 gzips s and encodes it as standard base64.
func gzipBase64(s string) (string, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write([]byte(s)); err != nil {
		return "", err
	}
	if err := zw.Close(); err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(buf.Bytes()), nil
}

// hostOf is the domain of an address ("" when it has none).
func hostOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return strings.TrimRight(addr[i+1:], ">")
	}
	return ""
}
