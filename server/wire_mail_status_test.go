package server

import (
	"context"
	"testing"

	"github.com/apiary/apiary/actions"
	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/mail"
	"github.com/apiary/apiary/resource"
)

func TestMailAttrHelpers(t *testing.T) {
	for _, c := range []struct {
		v    any
		want int
	}{
		{nil, 7}, {float64(3), 3}, {float64(0), 7}, {float64(-2), 7}, {"12", 12}, {" 4", 4}, {"0", 7}, {"x", 7}, {true, 7},
	} {
		if got := intAttr(c.v, 7); got != c.want {
			t.Errorf("intAttr(%#v) = %d, want %d", c.v, got, c.want)
		}
	}
	for v, want := range map[any]string{" a ": "a", 5: "", nil: "", "b": "b"} {
		if got := strAttr(v); got != want {
			t.Errorf("strAttr(%#v) = %q, want %q", v, got, want)
		}
	}
	if boolInt(true) != 1 || boolInt(false) != 0 {
		t.Error("boolInt")
	}
}

// TestMailboxStatusPages checks the pagination the mail_box status action
// answers over the mail boxes of an account.
func TestMailboxStatusPages(t *testing.T) {
	s := unitServer(t, nil, func(c *Config) { c.Mail.DisableSMTP = true })
	ctx := auth.WithPrincipal(context.Background(), auth.System())
	status := func(attrs map[string]any) (rows int, pg map[string]any) {
		t.Helper()
		out, err := s.mailboxStatus(ctx, actions.Request{Attributes: attrs})
		if err != nil || len(out) != 1 || out[0].ResponseType != "mail_box.status" {
			t.Fatalf("status %v: %v %v", attrs, out, err)
		}
		a, _ := out[0].Attributes.(map[string]any)
		pg, _ = a["pagination"].(map[string]any)
		data, ok := a["data"].([]mail.BoxStatus)
		if !ok {
			t.Fatalf("data is %T", a["data"])
		}
		return len(data), pg
	}
	if n, pg := status(map[string]any{}); n != 0 || pg["from"] != 0 || pg["to"] != 0 || pg["total"] != int64(0) {
		t.Errorf("no boxes: %d %v", n, pg)
	}
	srv, err := s.res.Create(ctx, "mail_server", resource.Input{Attributes: map[string]any{"hostname": "mx.example.test"}})
	if err != nil {
		t.Fatal(err)
	}
	acc, err := s.res.Create(ctx, "mail_account", resource.Input{Attributes: map[string]any{"username": "ann", "password": "secret-pass",
		"password_md5": "secret-pass", "mail_server_id": srv.RefID}})
	if err != nil {
		t.Fatal(err)
	}
	var box resource.Row
	for _, name := range []string{"INBOX", "Sent", "Drafts"} {
		if box, err = s.res.Create(ctx, "mail_box", resource.Input{Attributes: map[string]any{"name": name, "attributes": "", "flags": "",
			"permanent_flags": "", "mail_account_id": acc.RefID}}); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		attrs          map[string]any
		rows, from, to int
	}{
		{map[string]any{"page_size": float64(2)}, 2, 1, 2},
		{map[string]any{"page_size": "2", "page_number": "2"}, 1, 3, 3},
		{map[string]any{"page_size": float64(2), "page_number": float64(3)}, 0, 0, 0},
		{map[string]any{"mail_account_id": acc.RefID}, 3, 1, 3},
	} {
		n, pg := status(c.attrs)
		if n != c.rows || pg["from"] != c.from || pg["to"] != c.to || pg["total"] != int64(3) {
			t.Errorf("%v: %d rows, pagination %v; want %d rows from %d to %d", c.attrs, n, pg, c.rows, c.from, c.to)
		}
	}
	n, pg := status(map[string]any{"mail_box_id": box.RefID})
	if n != 1 || pg["total"] != int64(1) || pg["from"] != 1 || pg["to"] != 1 {
		t.Errorf("one box: %d rows, pagination %v", n, pg)
	}
}
