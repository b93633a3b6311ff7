package server

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/apiary/apiary/actions"
	"github.com/apiary/apiary/auth"
)

func TestMailWiring(t *testing.T) {
	s := unitServer(t, nil, func(c *Config) { c.Mail.DisableSMTP = true })
	if s.mailService() != s.mailService() {
		t.Error("a second mail service was built")
	}
	ctx := auth.WithPrincipal(context.Background(), auth.System())
	// The outbox runs through the action; with nothing queued, nothing is sent.
	out, err := s.exec.Execute(ctx, "outbox", "process_outbox", map[string]any{})
	if err != nil || len(out) != 1 || !strings.Contains(mustText(out[0]), "0 sent, 0 failed") {
		t.Errorf("process_outbox: %v %v", out, err)
	}
	if _, err := s.exec.Execute(ctx, "mail_server", "sync_mail_servers", map[string]any{}); err != nil {
		t.Errorf("sync_mail_servers: %v", err)
	}
	// Mail queued through the actions' Mailer lands in the outbox.
	m := s.mailSender()
	if err := m.SendMail(ctx, s.Resource(), actions.OutgoingMail{From: "a@apiary.test", To: []string{"b@example.test"}, Subject: "hi", Body: "body"}); err != nil {
		t.Fatalf("SendMail: %v", err)
	}
	out, err = s.exec.Execute(ctx, "outbox", "process_outbox", map[string]any{})
	if err != nil || strings.Contains(mustText(out[0]), "0 sent, 0 failed") {
		t.Errorf("process_outbox after queueing: %v %v", out, err)
	}
	// mail_box status needs a mail account and box the caller may read.
	_, err = s.mailboxStatus(ctx, actions.Request{Attributes: map[string]any{"mail_account_id": "nope", "mail_box_id": "nope"}})
	if err == nil {
		t.Error("status of an unknown mail box succeeded")
	}
	if status, _ := actions.StatusAndBody(err); status != http.StatusBadRequest {
		t.Errorf("status of an unknown mail box: %d %v", status, err)
	}
	_, err = s.mailboxStatus(ctx, actions.Request{Attributes: map[string]any{
		"mail_account_id": "0190e3b4-0000-7000-8000-000000000000", "mail_box_id": "0190e3b4-0000-7000-8000-000000000001"}})
	if status, _ := actions.StatusAndBody(err); err == nil || status >= 500 {
		t.Errorf("status of a missing mail box: %d %v", status, err)
	}
}

func mustText(r actions.Response) string {
	a, _ := r.Attributes.(map[string]any)
	s, _ := a["message"].(string)
	return s
}
