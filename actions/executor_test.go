package actions

import (
	"context"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/resource/resourcetest"
	"github.com/apiary/apiary/schema"
)

const execSchema = `
Tables:
  - TableName: gadget
    Columns:
      - {Name: title, ColumnType: label}
Actions:
  - Name: shout
    Label: Shout
    OnType: gadget
    InstanceOptional: true
    InFields:
      - {Name: word, ColumnName: word, ColumnType: label}
      - {Name: mail, ColumnName: mail, ColumnType: label}
    Conformations:
      - {ColumnName: word, Tags: trim}
      - {ColumnName: mail, Tags: email}
    Validations:
      - {ColumnName: word, Tags: required}
    OutFields:
      - {Type: echo, Method: EXECUTE, Attributes: {said: "~word", to: "~mail"}}
  - Name: poke
    Label: Poke
    OnType: gadget
    OutFields:
      - {Type: echo, Method: EXECUTE, Attributes: {id: "$.reference_id"}}
`

func execExecutor(t *testing.T) (*Executor, resource.Service, *auth.Issuer) {
	t.Helper()
	svc := resourcetest.New(t, execSchema)
	iss := auth.NewIssuer([]byte("0123456789abcdef0123456789abcdef"), "apiary-test", time.Hour, time.Now)
	e := New(Options{Res: func() resource.Service { return svc }, Issuer: iss,
		AccountLimiter: auth.NewAttemptLimiter(2, time.Minute, time.Now), AddressLimiter: auth.NewAttemptLimiter(100, time.Minute, time.Now)})
	e.registerPerformer("echo", func(_ context.Context, req Request) ([]Response, error) {
		return []Response{{ResponseType: "echo", Attributes: req.Attributes}}, nil
	})
	return e, svc, iss
}

func TestExecuteRoutingAndInFields(t *testing.T) {
	t.Parallel()
	e, svc, _ := execExecutor(t)
	ctx := sysCtx()
	for _, c := range []struct {
		typ, name string
		attrs     map[string]any
		status    int
	}{
		{"nosuch", "shout", map[string]any{}, http.StatusNotFound},
		{"gadget", "nosuch", map[string]any{}, http.StatusNotFound},
		{"gadget", "shout", map[string]any{"word": "   "}, http.StatusBadRequest},
		{"gadget", "poke", map[string]any{}, http.StatusBadRequest},
	} {
		_, err := e.Execute(ctx, c.typ, c.name, c.attrs)
		if statusOf(err) != c.status {
			t.Errorf("%s/%s %v: %v, want %d", c.typ, c.name, c.attrs, err, c.status)
		}
	}
	out, err := e.Execute(ctx, "gadget", "shout", map[string]any{"word": "  hi  ", "mail": " Ann@Example.COM "})
	if err != nil {
		t.Fatal(err)
	}
	var echoed map[string]any
	for _, r := range out {
		if r.ResponseType == "echo" {
			echoed = r.Attributes.(map[string]any)
		}
	}
	if echoed["said"] != "hi" || echoed["to"] != "ann@example.com" {
		t.Errorf("conformed in-fields: %v", out)
	}
	g, err := svc.Create(ctx, "gadget", resource.Input{Attributes: map[string]any{"title": "g"}})
	if err != nil {
		t.Fatal(err)
	}
	out, err = e.Execute(ctx, "gadget", "poke", map[string]any{"gadget_id": g.RefID})
	if err != nil || !strings.Contains(mustJSON(t, out), g.RefID) {
		t.Errorf("poke with subject: %v %v", out, err)
	}
	if _, err := e.Execute(guestCtx(), "world", "export_data", map[string]any{}); statusOf(err) != http.StatusForbidden && statusOf(err) != http.StatusUnauthorized {
		t.Errorf("admin-only action as guest: %v", err)
	}
	if !e.IsAdminOnly("world", "export_data") || e.IsAdminOnly("gadget", "shout") {
		t.Error("IsAdminOnly")
	}
	if len(AdminOnlyActions()) == 0 {
		t.Error("no admin-only actions")
	}
}

func TestSigninIssuesTokensAndLimitsAttempts(t *testing.T) {
	t.Parallel()
	e, svc, iss := execExecutor(t)
	ctx := sysCtx()
	for _, email := range []string{"ann@example.com", "bob@example.com"} {
		if _, err := svc.Create(ctx, schema.TableUser, resource.Input{Attributes: map[string]any{"name": email[:3], "email": email, "password": "right-password"}}); err != nil {
			t.Fatal(err)
		}
	}
	signin := func(email, pw string) ([]Response, error) {
		return e.signin(WithClientIP(guestCtx(), "192.0.2.1"), Request{Attributes: map[string]any{"email": email, "password": pw}})
	}
	out, err := signin(" ANN@example.com ", "right-password")
	if err != nil || len(out) != 4 || out[0].ResponseType != "client.store.set" {
		t.Fatalf("signin: %v %v", out, err)
	}
	tok := out[0].Attributes.(map[string]any)["value"].(string)
	claims, err := iss.Verify(tok)
	if err != nil || claims.Email != "ann@example.com" {
		t.Errorf("token: %+v %v", claims, err)
	}
	if _, err := signin("ann@example.com", "wrong"); statusOf(err) != http.StatusUnauthorized {
		t.Errorf("first wrong password: %v", err)
	}
	if _, err := signin("ann@example.com", "wrong"); statusOf(err) != http.StatusUnauthorized {
		t.Errorf("second wrong password: %v", err)
	}
	if _, err := signin("ann@example.com", "right-password"); statusOf(err) != http.StatusTooManyRequests {
		t.Errorf("after the limit, even the right password: %v", err)
	}
	if _, err := signin("bob@example.com", "right-password"); err != nil {
		t.Errorf("another account is not locked: %v", err)
	}
	if _, err := signin("nobody@example.com", "x"); statusOf(err) != http.StatusUnauthorized {
		t.Errorf("unknown account: %v", err)
	}
	if got := clientIP(WithClientIP(context.Background(), "198.51.100.7")); got != "198.51.100.7" {
		t.Errorf("clientIP = %q", got)
	}
}

func TestRenderTemplate(t *testing.T) {
	t.Parallel()
	e, svc, _ := execExecutor(t)
	ctx := sysCtx()
	for _, row := range []map[string]any{
		{"name": "page", "url_pattern": `["/page"]`, "content": "<p>{{.who}}</p>", "mime_type": "text/html", "headers": `{"X-A":"1"}`},
		{"name": "plain", "url_pattern": `["/plain"]`, "content": base64.StdEncoding.EncodeToString([]byte("hi {{.who}}")), "mime_type": "text/plain"},
		{"name": "broken", "url_pattern": `["/broken"]`, "content": "{{.who", "mime_type": "text/plain"},
	} {
		if _, err := svc.Create(ctx, TemplateTable, resource.Input{Attributes: row}); err != nil {
			t.Fatalf("template row: %v", err)
		}
	}
	r, err := e.RenderTemplate(ctx, "page", map[string]any{"who": "<b>x</b>"})
	if err != nil || string(r.Body) != "<p>&lt;b&gt;x&lt;/b&gt;</p>" || r.Headers["X-A"] != "1" {
		t.Errorf("html template: %q %v %v", r.Body, r.Headers, err)
	}
	r, err = e.RenderTemplate(ctx, "plain", map[string]any{"who": "<b>x</b>"})
	if err != nil || string(r.Body) != "hi <b>x</b>" || r.MimeType != "text/plain" {
		t.Errorf("text template: %q %v", r.Body, err)
	}
	if _, err := e.RenderTemplate(ctx, "broken", nil); statusOf(err) != http.StatusInternalServerError {
		t.Errorf("broken template: %v", err)
	}
	if _, err := e.RenderTemplate(ctx, "none", nil); statusOf(err) != http.StatusNotFound {
		t.Errorf("missing template: %v", err)
	}
}
