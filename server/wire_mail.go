package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"strings"

	"github.com/apiary/apiary/actions"
	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/mail"
	"github.com/apiary/apiary/mail/outbox"
	"github.com/apiary/apiary/mail/spam"
	"github.com/apiary/apiary/resource"
)

// MailConfig configures the mail sidecar.
type MailConfig struct {
	// DisableSMTP keeps the SMTP listeners off (-disable_smtp,
	// APIARY_DISABLE_SMTP, DAPTIN_DISABLE_SMTP).
	DisableSMTP bool
	// Smarthost ("host:port") receives all outgoing mail instead of the
	// recipients' MX hosts (-outbox_smarthost).
	Smarthost string
	// DeliveryPort is the SMTP port of MX hosts; 0 = 25 (-outbox_port).
	DeliveryPort int
	// DNS answers SPF, DKIM and MX lookups; nil = the system resolver
	// (tests set a fake one).
	DNS spam.Resolver
}

// mailListener runs the mail sidecar as one Listener: its SMTP listeners
// follow the mail_server rows, IMAP follows imap.* in _config.
type mailListener struct {
	svc *mail.Service
}

// mailService returns the mail service, building it on first use (the
// action executor needs it as its Mailer before the listeners exist).
func (s *Server) mailService() *mail.Service {
	if s.mail != nil {
		return s.mail
	}
	s.mail = mail.New(mail.Options{
		Res: func() resource.Service { return s.res },
		Config: func(ctx context.Context, key string) string {
			v, _ := s.conf.Get(ctx, resource.ConfigBackend, key)
			return v
		},
		Decrypt: func(v string) (string, error) {
			secret, _ := s.conf.Get(context.Background(), resource.ConfigBackend, resource.KeyEncryption)
			if secret == "" {
				return v, nil
			}
			return auth.Decrypt(secret, v)
		},
		Log:          s.log.With("component", "mail"),
		Disabled:     s.cfg.Mail.DisableSMTP,
		Smarthost:    s.cfg.Mail.Smarthost,
		DeliveryPort: s.cfg.Mail.DeliveryPort,
		DNS:          s.cfg.Mail.DNS,
	})
	return s.mail
}

// mailSender is the actions' Mailer: the mail package's outbox.
func (s *Server) mailSender() actions.Mailer { return mailSender{svc: s.mailService()} }

type mailSender struct{ svc *mail.Service }

// SendMail implements actions.Mailer.
func (m mailSender) SendMail(ctx context.Context, res resource.Service, msg actions.OutgoingMail) error {
	return m.svc.Outbox().Send(ctx, res, outbox.Mail{From: msg.From, To: msg.To, Subject: msg.Subject, Body: msg.Body,
		ServerHostname: msg.ServerHostname})
}

// wireMail registers the mail actions and returns the mail listener.
func (s *Server) wireMail() Listener {
	svc := s.mailService()
	s.exec.Register("mail_server", "sync_mail_servers", func(ctx context.Context, _ actions.Request) ([]actions.Response, error) {
		if err := svc.Sync(ctx); err != nil {
			return nil, actions.Fail(500, "mail servers not synced: %v", err)
		}
		return []actions.Response{actions.Notify("success", "Success", "Mail servers synced")}, nil
	})
	s.exec.Register("outbox", "process_outbox", func(ctx context.Context, _ actions.Request) ([]actions.Response, error) {
		r, err := svc.Outbox().Process(ctx)
		if err != nil {
			return nil, err
		}
		return []actions.Response{actions.Notify("success", "Success",
			fmt.Sprintf("Outbox processed: %d sent, %d failed", r.Sent, r.Failed))}, nil
	})
	s.exec.Register("mail_box", "status", s.mailboxStatus)
	s.followClusterMail(svc)
	return &mailListener{svc: svc}
}

// mailboxStatus is the mail_box status action (contract sidecars.md §4.4).
func (s *Server) mailboxStatus(ctx context.Context, req actions.Request) ([]actions.Response, error) {
	a := req.Attributes
	size, page := intAttr(a["page_size"], 50), intAttr(a["page_number"], 1)
	rows, total, err := s.mail.Status(ctx, strAttr(a["mail_account_id"]), strAttr(a["mail_box_id"]), size, page)
	if err != nil {
		return nil, err
	}
	from := (page-1)*size + 1
	if len(rows) == 0 {
		from = 0
	}
	return []actions.Response{{ResponseType: "mail_box.status", Attributes: map[string]any{"data": rows,
		"pagination": map[string]any{"total": total, "per_page": size, "current_page": page, "from": from, "to": from + len(rows) - 1 + boolInt(len(rows) == 0)}}}}, nil
}

func strAttr(v any) string {
	s, _ := v.(string)
	return strings.TrimSpace(s)
}

func intAttr(v any, def int) int {
	switch x := v.(type) {
	case float64:
		if x >= 1 {
			return int(x)
		}
	case string:
		var n int
		if _, err := fmt.Sscan(x, &n); err == nil && n >= 1 {
			return n
		}
	}
	return def
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// mailConfigChanged re-syncs the listeners after an imap.* setting changed.
func (s *Server) mailConfigChanged(key string) {
	if s.mail != nil && strings.HasPrefix(key, "imap.") {
		if err := s.mail.Sync(context.Background()); err != nil {
			s.log.Warn("mail listeners not synced", "err", err)
		}
	}
}

// MailSMTPAddr is the bound address of the SMTP listener of a mail_server
// hostname (tests listen on port 0).
func (s *Server) MailSMTPAddr(hostname string) net.Addr { return s.mail.SMTPAddr(hostname) }

// MailIMAPAddr is the bound address of the IMAP listener, or nil.
func (s *Server) MailIMAPAddr() net.Addr { return s.mail.IMAPAddr() }

// Name implements Listener.
func (l *mailListener) Name() string { return "mail" }

// Start implements Listener.
func (l *mailListener) Start(ctx context.Context) error {
	if err := l.svc.Start(ctx); err != nil {
		// A bad mail_server row must not keep the HTTP API down: the
		// operator fixes it over the API and calls sync_mail_servers.
		l.svc.Log().Error("mail listeners not all started", "err", err)
	}
	return nil
}

// Addr implements Listener.
func (l *mailListener) Addr() net.Addr { return mailAddr{} }

// Shutdown implements Listener.
func (l *mailListener) Shutdown(ctx context.Context) error { return l.svc.Shutdown(ctx) }

// mailAddr stands for the mail sidecar's several sockets.
type mailAddr struct{}

func (mailAddr) Network() string { return "tcp" }
func (mailAddr) String() string  { return "smtp and imap listeners (see the mail log lines)" }

// followClusterMail feeds the mail service the mail-table changes other
// nodes commit, from the cluster's event channel (the one that carries
// /live row events; every node publishes every row change there), so an
// IDLE session on this node sees a message another node stored.
func (s *Server) followClusterMail(svc *mail.Service) {
	if s.peers == nil {
		return // single node: the resource layer's own change events suffice
	}
	s.cluster.Subscribe(eventsChannel, func(p []byte) {
		var w wireEvent
		if err := json.Unmarshal(p, &w); err != nil || w.Origin == s.cluster.Node() || w.Row == nil || !mail.IsMailTable(w.Topic) {
			return
		}
		c := resource.Change{Table: w.Topic, Op: resource.Op(w.Kind), RefID: w.Row.RefID, Object: w.Row.Object}
		if c.Op != resource.OpDelete {
			if err := json.Unmarshal(w.Data, &c.Row); err != nil {
				return
			}
		}
		svc.ObserveRemote(c)
	})
}
