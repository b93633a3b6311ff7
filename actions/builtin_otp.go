package actions

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/schema"
)

// OTP tables and columns (contract core.md §3).
const (
	tableOTP     = "user_otp_account"
	colOTPUser   = "otp_of_account" // FK to user_account
	colOTPSecret = "otp_secret"     // encrypted, hidden from the API
	relUserOTP   = "primary_user_otp"
)

// otpActions holds the state shared by the OTP, password-reset and session
// built-ins: the replay and attempt guard and the clock.
type otpActions struct {
	e     *Executor
	guard *OTPGuard
	now   func() time.Time
}

// registerOTPAndSessions adds the OTP, password-reset, mail, token, session
// and response built-ins (contract §6.7, §7.4).
func (e *Executor) registerOTPAndSessions() {
	o := &otpActions{e: e, guard: NewOTPGuard(e.o.Now, 0), now: e.o.Now}
	e.registerPerformer("otp.generate", o.generatePerformer)
	e.registerPerformer("otp.login.verify", o.verifyPerformer)
	e.register(schema.TableUser, "register_otp", o.registerOTP)
	e.register(tableOTP, "verify_mobile_number", o.verifyMobile)
	e.register(tableOTP, "send_otp", o.sendOTP)
	e.register(schema.TableUser, "verify_otp", o.verifyOTPLogin)
	o.registerPassword()
	o.registerSessions()
	o.registerResponses()
}

// asSystem is ctx acting as the system principal.
func asSystem(ctx context.Context) context.Context { return auth.WithPrincipal(ctx, auth.System()) }

// resOf is the resource layer of a request: its transaction when it has one.
func (o *otpActions) resOf(req Request) resource.Service {
	if req.Res != nil {
		return req.Res
	}
	return o.e.res()
}

// otpAccount is a user with their OTP account (Row zero when none).
type otpAccount struct {
	User   resource.Row
	OTP    resource.Row
	HasOTP bool
}

func (a otpAccount) email() string    { return str(a.User.Attrs["email"]) }
func (a otpAccount) verified() bool   { return resource.Truthy(a.OTP.Attrs["verified"]) }
func (a otpAccount) guardKey() string { return a.User.RefID }

// findAccount resolves a user and their OTP account from an email or,
// failing that, a mobile number. found is false for an unknown user.
func (o *otpActions) findAccount(ctx context.Context, res resource.Service, email, mobile string) (otpAccount, bool, error) {
	sys := asSystem(ctx)
	email = strings.ToLower(strings.TrimSpace(email))
	mobile = strings.TrimSpace(mobile)
	var acc otpAccount
	switch {
	case email != "":
		u, ok, err := firstRow(sys, res, schema.TableUser, "email", email)
		if err != nil || !ok {
			return acc, false, err
		}
		acc.User = u
		p, err := res.Related(sys, schema.TableUser, u.RefID, relUserOTP, resource.Query{PageSize: 1})
		if err != nil {
			return acc, false, err
		}
		if len(p.Rows) > 0 {
			acc.OTP, acc.HasOTP = p.Rows[0], true
		}
		return acc, true, nil
	case mobile != "":
		r, ok, err := firstRow(sys, res, tableOTP, "mobile_number", mobile)
		if err != nil || !ok {
			return acc, false, err
		}
		u, err := res.Get(sys, schema.TableUser, str(r.Attrs[colOTPUser]), resource.Query{})
		if err != nil {
			return acc, false, nil
		}
		return otpAccount{User: u, OTP: r, HasOTP: true}, true, nil
	}
	return acc, false, nil
}

// firstRow returns the first row of table whose column equals value.
func firstRow(ctx context.Context, res resource.Service, table, column, value string) (resource.Row, bool, error) {
	p, err := res.List(ctx, table, resource.Query{PageSize: 1, Conditions: []resource.Condition{{Column: column, Operator: "is", Value: value}}})
	if err != nil || len(p.Rows) == 0 {
		return resource.Row{}, false, err
	}
	return p.Rows[0], true, nil
}

// enroll gives the user a fresh TOTP secret: it creates their OTP account
// or resets the existing one to unverified. It returns the plaintext
// secret. The resource layer encrypts otp_secret (column type encrypted).
func (o *otpActions) enroll(ctx context.Context, res resource.Service, acc *otpAccount, mobile string) (string, error) {
	secret, err := auth.NewTOTPSecret()
	if err != nil {
		return "", err
	}
	sys := asSystem(ctx)
	attrs := map[string]any{colOTPSecret: secret, "verified": false}
	if mobile != "" || !acc.HasOTP {
		attrs["mobile_number"] = mobile
	}
	var row resource.Row
	if acc.HasOTP {
		row, err = res.Update(sys, tableOTP, acc.OTP.RefID, resource.Input{Attributes: attrs})
	} else {
		attrs[colOTPUser] = acc.User.RefID
		row, err = res.Create(sys, tableOTP, resource.Input{Attributes: attrs})
	}
	if err != nil {
		return "", err
	}
	acc.OTP, acc.HasOTP = row, true
	return secret, nil
}

// secretOf returns the plaintext TOTP secret of an OTP account, read as
// the system principal and decrypted with config encryption.secret.
func (o *otpActions) secretOf(ctx context.Context, res resource.Service, acc otpAccount) (string, error) {
	r, err := res.Get(asSystem(ctx), tableOTP, acc.OTP.RefID, resource.Query{})
	if err != nil {
		return "", err
	}
	stored, ok := r.Attrs[colOTPSecret].(string)
	if !ok || stored == "" {
		return "", Fail(http.StatusServiceUnavailable, "the OTP secret of this account cannot be read")
	}
	if key, err := o.e.o.Config.Get(ctx, resource.ConfigBackend, resource.KeyEncryption); err == nil && key != "" {
		if plain, err := auth.Decrypt(key, stored); err == nil && validSecret(plain) {
			return plain, nil
		}
	}
	if validSecret(stored) { // written without an encryption secret
		return stored, nil
	}
	return "", Fail(http.StatusServiceUnavailable, "the OTP secret of this account cannot be decrypted")
}

func validSecret(s string) bool {
	_, err := auth.TOTPCode(s, time.Unix(0, 0))
	return err == nil && s != ""
}

// code returns the current TOTP code of an account.
func (o *otpActions) code(ctx context.Context, res resource.Service, acc otpAccount) (string, error) {
	secret, err := o.secretOf(ctx, res, acc)
	if err != nil {
		return "", err
	}
	return auth.TOTPCode(secret, o.now())
}

// check verifies code for the account under the guards of contract §7.4:
// 429 after too many failures, 401 for a wrong code (or an unknown or
// unenrolled account, counted alike), 409 for a code already used.
func (o *otpActions) check(ctx context.Context, res resource.Service, acc otpAccount, found bool, ident, code string) error {
	key, addr := "unknown:"+strings.ToLower(ident), clientIP(ctx)
	if found {
		key = acc.guardKey()
	}
	// Reserved before the comparison: parallel guesses are bounded too.
	if err := o.guard.Reserve(key, addr); err != nil {
		return err
	}
	ok := false
	if found && acc.HasOTP {
		secret, err := o.secretOf(ctx, res, acc)
		if err != nil {
			o.guard.Cancel(key, addr)
			return err
		}
		ok = auth.VerifyTOTP(secret, strings.TrimSpace(code), o.now())
	}
	if !ok {
		return Fail(http.StatusUnauthorized, "invalid OTP")
	}
	o.guard.Cancel(key, addr)
	return o.guard.Use(key, strings.TrimSpace(code))
}

// callerOwns reports whether the caller may act for the account's user:
// the user themself, an administrator or the system.
func callerOwns(ctx context.Context, acc otpAccount) bool {
	p := auth.PrincipalFrom(ctx)
	return p.IsAdmin() || (p.UserRef != "" && p.UserRef == acc.User.RefID)
}

var errNotEnrolled = Fail(http.StatusBadRequest, "OTP is not enrolled for this account")

// generatePerformer is otp.generate: attributes email or mobile, purpose
// (enrollment, send, password_reset, login); answers {otp} for later
// outcomes ($ref.otp).
func (o *otpActions) generatePerformer(ctx context.Context, req Request) ([]Response, error) {
	a, res := req.Attributes, o.resOf(req)
	mobile := str(a["mobile"])
	if mobile == "" {
		mobile = str(a["mobile_number"])
	}
	acc, found, err := o.findAccount(ctx, res, str(a["email"]), mobile)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, errNotEnrolled
	}
	purpose := str(a["purpose"])
	switch purpose {
	case "enrollment", "send":
		if !callerOwns(ctx, acc) {
			return nil, Fail(http.StatusForbidden, "forbidden")
		}
		if purpose == "enrollment" && !acc.HasOTP {
			if _, err := o.enroll(ctx, res, &acc, mobile); err != nil {
				return nil, err
			}
		}
		if !acc.HasOTP {
			return nil, errNotEnrolled
		}
	default:
		if !acc.HasOTP || !acc.verified() {
			return nil, errNotEnrolled
		}
	}
	c, err := o.code(ctx, res, acc)
	if err != nil {
		return nil, err
	}
	return []Response{{ResponseType: "otp.generate", Attributes: map[string]any{"otp": c}}}, nil
}

// verifyPerformer is otp.login.verify: attributes email or mobile, otp.
// It answers the verified user's email, name and reference_id.
func (o *otpActions) verifyPerformer(ctx context.Context, req Request) ([]Response, error) {
	a, res := req.Attributes, o.resOf(req)
	mobile := str(a["mobile"])
	if mobile == "" {
		mobile = str(a["mobile_number"])
	}
	acc, found, err := o.findAccount(ctx, res, str(a["email"]), mobile)
	if err != nil {
		return nil, err
	}
	if err := o.check(ctx, res, acc, found, str(a["email"])+mobile, str(a["otp"])); err != nil {
		return nil, err
	}
	return []Response{{ResponseType: "otp.login.verify", Attributes: map[string]any{
		"email": acc.email(), "name": str(acc.User.Attrs["name"]), "reference_id": acc.User.RefID}}}, nil
}

// registerOTP is user_account/register_otp on the caller's own row: a new
// secret, verified false. Daptin texts a code by SMS, which is not built
// in; Apiary instead hands the caller an otpauth:// URI (client.store.set
// key otp_secret_uri) to set up an authenticator app.
func (o *otpActions) registerOTP(ctx context.Context, req Request) ([]Response, error) {
	p := auth.PrincipalFrom(ctx)
	if req.Subject == nil || p.UserRef == "" || p.UserRef != req.Subject.RefID {
		return nil, Fail(http.StatusForbidden, "OTP can only be registered for your own account")
	}
	res := o.resOf(req)
	acc, found, err := o.findAccount(ctx, res, str(req.Subject.Attrs["email"]), "")
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, Fail(http.StatusNotFound, "no such user")
	}
	secret, err := o.enroll(ctx, res, &acc, strings.TrimSpace(str(req.Attributes["mobile_number"])))
	if err != nil {
		return nil, err
	}
	return []Response{
		Notify("success", "Success", "OTP registered"),
		{ResponseType: "client.store.set", Attributes: map[string]any{"key": "otp_secret_uri", "value": otpauthURI(acc.email(), secret)}},
	}, nil
}

// otpauthURI is the Key URI authenticator apps read.
func otpauthURI(email, secret string) string {
	issuer := url.PathEscape(auth.TOTPIssuer)
	return "otpauth://totp/" + issuer + ":" + url.PathEscape(email) +
		"?secret=" + secret + "&issuer=" + url.QueryEscape(auth.TOTPIssuer) + "&period=120&digits=6"
}

// verifyMobile is user_otp_account/verify_mobile_number: checks the code
// and marks the caller's OTP account verified.
func (o *otpActions) verifyMobile(ctx context.Context, req Request) ([]Response, error) {
	a, res := req.Attributes, o.resOf(req)
	acc, found, err := o.findAccount(ctx, res, str(a["email"]), str(a["mobile_number"]))
	if err != nil {
		return nil, err
	}
	if found && !callerOwns(ctx, acc) {
		return nil, Fail(http.StatusForbidden, "forbidden")
	}
	if err := o.check(ctx, res, acc, found, str(a["email"])+str(a["mobile_number"]), str(a["otp"])); err != nil {
		return nil, err
	}
	attrs := map[string]any{"verified": true}
	if m := strings.TrimSpace(str(a["mobile_number"])); m != "" {
		attrs["mobile_number"] = m
	}
	if _, err := res.Update(asSystem(ctx), tableOTP, acc.OTP.RefID, resource.Input{Attributes: attrs}); err != nil {
		return nil, err
	}
	return []Response{Notify("success", "Success", "OTP verified")}, nil
}

// sendOTP is user_otp_account/send_otp: a code for the caller's verified
// OTP account, mailed to the account's email (SMS is not built in).
func (o *otpActions) sendOTP(ctx context.Context, req Request) ([]Response, error) {
	a, res := req.Attributes, o.resOf(req)
	acc, found, err := o.findAccount(ctx, res, str(a["email"]), str(a["mobile_number"]))
	if err != nil {
		return nil, err
	}
	if !found || !callerOwns(ctx, acc) {
		return nil, Fail(http.StatusForbidden, "forbidden")
	}
	if !acc.HasOTP || !acc.verified() {
		return nil, errNotEnrolled
	}
	c, err := o.code(ctx, res, acc)
	if err != nil {
		return nil, err
	}
	if err := o.queueMail(ctx, res, "", acc.email(), "Your verification code", "Your verification code is: "+c); err != nil {
		return nil, err
	}
	return []Response{Notify("success", "Success", "OTP sent")}, nil
}

// verifyOTPLogin is user_account/verify_otp: OTP login. On success it
// answers like signin, with a token that also carries a Gravatar picture.
func (o *otpActions) verifyOTPLogin(ctx context.Context, req Request) ([]Response, error) {
	a, res := req.Attributes, o.resOf(req)
	acc, found, err := o.findAccount(ctx, res, str(a["email"]), str(a["mobile_number"]))
	if err != nil {
		return nil, err
	}
	if found && acc.HasOTP && !acc.verified() {
		found = false // an unverified enrollment cannot log in; counted as a failure
	}
	if err := o.check(ctx, res, acc, found, str(a["email"])+str(a["mobile_number"]), str(a["otp"])); err != nil {
		return nil, err
	}
	p, err := res.PrincipalByEmail(ctx, acc.email())
	if err != nil {
		return nil, err
	}
	tok, _, err := o.e.o.Issuer.IssueFor(auth.Claims{
		Email: p.Email, Name: p.Name, Subject: p.UserRef, AuthVersion: p.AuthVersion,
		Picture: gravatar(p.Email),
	}, 0)
	if err != nil {
		return nil, err
	}
	return tokenResponses(tok), nil
}

// gravatar is the Gravatar address of an email (contract §7.1).
func gravatar(email string) string {
	return "https://www.gravatar.com/avatar/" + auth.MD5Hex(strings.ToLower(strings.TrimSpace(email)))
}

// tokenResponses are the instructions signin answers with.
func tokenResponses(tok string) []Response {
	return []Response{
		{ResponseType: "client.store.set", Attributes: map[string]any{"key": "token", "value": tok}},
		{ResponseType: "client.cookie.set", Attributes: map[string]any{"key": "token", "value": tok + "; SameSite=Strict"}},
		{ResponseType: "client.notify", Attributes: map[string]any{"type": "success", "title": "Success", "message": "Logged in"}},
		{ResponseType: "client.redirect", Attributes: map[string]any{"location": "/", "window": "self", "delay": 2000}},
	}
}
