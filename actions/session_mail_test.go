package actions

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
)

// fakeMailer records what it is asked to send; fail makes it refuse.
type fakeMailer struct {
	sent []OutgoingMail
	fail error
}

func (m *fakeMailer) SendMail(_ context.Context, _ resource.Service, msg OutgoingMail) error {
	if m.fail != nil {
		return m.fail
	}
	m.sent = append(m.sent, msg)
	return nil
}

func TestMailSend(t *testing.T) {
	t.Parallel()
	e, svc, conf := configExecutor(t, time.Now)
	ctx := sysCtx()
	o := &otpActions{e: e, guard: NewOTPGuard(time.Now, 0), now: time.Now}
	req := func(a map[string]any) Request { return Request{Res: svc, Attributes: a} }
	if _, err := o.mailSend(ctx, req(map[string]any{"from": "a@x.test", "to": "b@x.test"})); statusOf(err) != http.StatusServiceUnavailable {
		t.Errorf("no mailer: %v", err)
	}
	m := &fakeMailer{}
	e.o.Mailer = m
	if err := conf.Set(context.Background(), resource.ConfigBackend, "mail.default_server_hostname", "mx.example.test"); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []map[string]any{{"from": "a@x.test"}, {"to": "b@x.test"}, {"from": " ", "to": "b@x.test"}} {
		if _, err := o.mailSend(ctx, req(bad)); statusOf(err) != http.StatusBadRequest {
			t.Errorf("%v: %v", bad, err)
		}
	}
	if _, err := o.mailSend(ctx, req(map[string]any{"from": "a@x.test", "to": []any{"b@x.test", "c@x.test"}, "subject": "s",
		"body": "b", "send_immediately": true})); err != nil {
		t.Fatal(err)
	}
	if len(m.sent) != 1 {
		t.Fatalf("sent: %+v", m.sent)
	}
	got := m.sent[0]
	if len(got.To) != 2 || got.ServerHostname != "mx.example.test" || !got.Immediately || got.Subject != "s" {
		t.Errorf("mail: %+v", got)
	}
	m.fail = errors.New("no such server")
	if _, err := o.mailSend(ctx, req(map[string]any{"from": "a@x.test", "to": "b@x.test"})); statusOf(err) != http.StatusBadRequest {
		t.Errorf("mailer failure: %v", err)
	}
	m.fail = nil
	if err := conf.Set(context.Background(), resource.ConfigBackend, resource.KeyHostname, "apiary.test"); err != nil {
		t.Fatal(err)
	}
	if err := o.queueMail(ctx, svc, "", "d@x.test", "subj", "body"); err != nil || m.sent[1].From != "no-reply@apiary.test" {
		t.Errorf("queueMail default sender: %+v %v", m.sent, err)
	}
}

func TestSessionPerformers(t *testing.T) {
	t.Parallel()
	e, svc, _ := configExecutor(t, time.Now)
	ctx := sysCtx()
	ann := addAnn(t, svc)
	jwt, sw := e.performers["jwt.token"], e.performers["session.user.switch"]
	if _, err := jwt(guestCtx(), Request{}); statusOf(err) != http.StatusUnauthorized {
		t.Errorf("jwt.token as guest: %v", err)
	}
	p, err := svc.PrincipalByEmail(ctx, "ann@example.com")
	if err != nil {
		t.Fatal(err)
	}
	out, err := jwt(auth.WithPrincipal(context.Background(), p), Request{})
	if err != nil {
		t.Fatal(err)
	}
	claims, err := e.o.Issuer.Verify(out[0].Attributes.(map[string]any)["value"].(string))
	if err != nil || claims.Email != "ann@example.com" || claims.Subject != ann.RefID {
		t.Errorf("jwt.token claims: %+v %v", claims, err)
	}
	if _, err := sw(auth.WithPrincipal(context.Background(), p), Request{Res: svc, Attributes: map[string]any{"user_reference_id": ann.RefID}}); statusOf(err) != http.StatusForbidden {
		t.Errorf("switch as a plain user: %v", err)
	}
	if _, err := sw(ctx, Request{Res: svc, Attributes: map[string]any{}}); statusOf(err) != http.StatusBadRequest {
		t.Errorf("switch without a user: %v", err)
	}
	out, err = sw(ctx, Request{Res: svc, Attributes: map[string]any{"user_reference_id": ann.RefID}})
	if err != nil {
		t.Fatal(err)
	}
	if c, err := e.o.Issuer.Verify(out[0].Attributes.(map[string]any)["value"].(string)); err != nil || c.Email != "ann@example.com" {
		t.Errorf("switched token: %+v %v", c, err)
	}
	if _, err := sw(ctx, Request{Res: svc, Attributes: map[string]any{"user_reference_id": "0190e3b4-0000-7000-8000-000000000000"}}); err == nil {
		t.Error("switch to nobody succeeded")
	}
}

func TestResetPasswordVerifyRefusesUnknownAccounts(t *testing.T) {
	t.Parallel()
	e, svc, _ := configExecutor(t, time.Now)
	o := &otpActions{e: e, guard: NewOTPGuard(time.Now, 0), now: time.Now}
	e.o.Mailer = &fakeMailer{}
	addAnn(t, svc)
	for _, email := range []string{"nobody@example.com", "ann@example.com"} {
		_, err := o.resetPasswordVerify(WithClientIP(sysCtx(), "192.0.2.3"), Request{Res: svc, Attributes: map[string]any{"email": email, "otp": "123456"}})
		if statusOf(err) != http.StatusUnauthorized {
			t.Errorf("%s (not enrolled): %v", email, err)
		}
	}
	if _, err := svc.Authenticate(sysCtx(), "ann@example.com", "password-ann"); err != nil {
		t.Errorf("the password changed after refused resets: %v", err)
	}
}
