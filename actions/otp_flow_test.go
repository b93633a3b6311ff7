package actions

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/resource/resourcetest"
	"github.com/apiary/apiary/schema"
)

// configExecutor is an executor over a fresh database with its _config
// store, as the server builds one.
func configExecutor(t *testing.T, now func() time.Time) (*Executor, resource.Service, *resource.ConfigStore) {
	t.Helper()
	svc, d := resourcetest.NewDB(t, dataSchema)
	conf := resource.NewConfigStore(d)
	iss := auth.NewIssuer([]byte("0123456789abcdef0123456789abcdef"), "apiary-test", time.Hour, now)
	e := New(Options{Res: func() resource.Service { return svc }, Config: conf, Issuer: iss, Now: now})
	return e, svc, conf
}

func TestOTPEnrolGenerateVerify(t *testing.T) {
	t.Parallel()
	clock := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	now := func() time.Time { return clock }
	e, svc, _ := configExecutor(t, now)
	ctx := sysCtx()
	ann := addAnn(t, svc)
	gen := e.performers["otp.generate"]
	verify := e.performers["otp.login.verify"]
	if _, err := gen(ctx, Request{Attributes: map[string]any{"email": "ann@example.com", "purpose": "login"}}); statusOf(err) != http.StatusBadRequest {
		t.Errorf("login code before enrolment: %v", err)
	}
	out, err := gen(ctx, Request{Attributes: map[string]any{"email": "ann@example.com", "purpose": "enrollment"}})
	if err != nil {
		t.Fatal(err)
	}
	code := str(out[0].Attributes.(map[string]any)["otp"])
	if len(code) != 6 {
		t.Fatalf("code %q", code)
	}
	out, err = verify(WithClientIP(ctx, "192.0.2.9"), Request{Attributes: map[string]any{"email": "ann@example.com", "otp": code}})
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if a := out[0].Attributes.(map[string]any); a["reference_id"] != ann.RefID || a["email"] != "ann@example.com" {
		t.Errorf("verified: %v", a)
	}
	if _, err := verify(ctx, Request{Attributes: map[string]any{"email": "ann@example.com", "otp": code}}); statusOf(err) != http.StatusConflict {
		t.Errorf("replayed code: %v", err)
	}
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	if _, err := verify(ctx, Request{Attributes: map[string]any{"email": "ann@example.com", "otp": wrong}}); statusOf(err) != http.StatusUnauthorized {
		t.Errorf("wrong code: %v", err)
	}
	if _, err := verify(ctx, Request{Attributes: map[string]any{"email": "nobody@example.com", "otp": code}}); statusOf(err) != http.StatusUnauthorized {
		t.Errorf("unknown account: %v", err)
	}
	// Another user may not enrol or send codes for Ann.
	bob := auth.WithPrincipal(context.Background(), auth.Principal{UserID: 99, UserRef: "someone-else"})
	if _, err := gen(bob, Request{Attributes: map[string]any{"email": "ann@example.com", "purpose": "send"}}); statusOf(err) != http.StatusForbidden {
		t.Errorf("send for another user: %v", err)
	}
	if _, err := e.Execute(bob, schema.TableUser, "register_otp", map[string]any{"user_account_id": ann.RefID}); err == nil {
		t.Error("register_otp on another user's row succeeded")
	}
}

func TestRegisterOTPGivesAnAuthenticatorURI(t *testing.T) {
	t.Parallel()
	e, svc, _ := configExecutor(t, time.Now)
	ann := addAnn(t, svc)
	self := auth.WithPrincipal(context.Background(), auth.Principal{UserID: 1, UserRef: ann.RefID, Email: "ann@example.com"})
	o := &otpActions{e: e, guard: NewOTPGuard(time.Now, 0), now: time.Now}
	out, err := o.registerOTP(self, Request{Subject: &ann, Res: svc})
	if err != nil {
		t.Fatal(err)
	}
	uri := str(out[1].Attributes.(map[string]any)["value"])
	if !strings.HasPrefix(uri, "otpauth://totp/") || !strings.Contains(uri, "secret=") {
		t.Errorf("uri: %q", uri)
	}
	if _, err := o.registerOTP(sysCtx(), Request{Subject: &ann, Res: svc}); statusOf(err) != http.StatusForbidden {
		t.Errorf("register for a row that is not the caller's: %v", err)
	}
}

func TestSignupFollowsConfig(t *testing.T) {
	t.Parallel()
	e, svc, conf := configExecutor(t, time.Now)
	ctx := guestCtx()
	attrs := map[string]any{"name": "Cy", "email": " CY@example.com ", "password": "password-cy", "passwordConfirm": "password-cy"}
	out, err := e.signup(ctx, Request{Attributes: attrs})
	if err != nil || len(out) != 2 || out[1].ResponseType != "client.redirect" {
		t.Fatalf("signup: %v %v", out, err)
	}
	p, err := svc.PrincipalByEmail(sysCtx(), "cy@example.com")
	if err != nil || p.Name != "Cy" {
		t.Errorf("signed-up user: %+v %v", p, err)
	}
	if _, err := e.signup(ctx, Request{Attributes: attrs}); statusOf(err) != http.StatusConflict {
		t.Errorf("second signup: %v", err)
	}
	if err := conf.Set(context.Background(), resource.ConfigBackend, resource.KeySignupEnabled, "false"); err != nil {
		t.Fatal(err)
	}
	attrs["email"] = "dee@example.com"
	if _, err := e.signup(ctx, Request{Attributes: attrs}); statusOf(err) != http.StatusForbidden {
		t.Errorf("signup while closed: %v", err)
	}
}

// addAnn creates the user ann@example.com (password "password-ann").
func addAnn(t *testing.T, svc resource.Service) resource.Row {
	t.Helper()
	ann, err := svc.Create(sysCtx(), schema.TableUser, resource.Input{Attributes: map[string]any{"name": "Ann", "email": "ann@example.com", "password": "password-ann"}})
	if err != nil {
		t.Fatal(err)
	}
	return ann
}
