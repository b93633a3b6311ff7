package outbox

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/emersion/go-msgauth/dkim"

	"github.com/apiary/apiary/mail/store"
	"github.com/apiary/apiary/resource"
)

// Mail is one message to compose and queue.
type Mail struct {
	From    string
	To      []string
	Subject string
	Body    string // plain text
	// ServerHostname names the mail_server the rows belong to ("" = the
	// one of the sender's domain, else the first, else a new one).
	ServerHostname string
}

// Compose formats a plain-text message. Header values lose CR and LF so
// that attributes cannot add headers.
func Compose(m Mail, at time.Time) []byte {
	clean := strings.NewReplacer("\r", "", "\n", " ").Replace
	var b bytes.Buffer
	id := make([]byte, 12)
	_, _ = rand.Read(id)
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%s@%s>\r\n", clean(m.From),
		clean(strings.Join(m.To, ", ")), clean(m.Subject), at.UTC().Format(time.RFC1123Z), hex.EncodeToString(id), clean(HostOf(m.From)))
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	b.WriteString(strings.ReplaceAll(strings.ReplaceAll(m.Body, "\r\n", "\n"), "\n", "\r\n"))
	b.WriteString("\r\n")
	return b.Bytes()
}

// Send composes m, signs it and queues one outbox row per recipient.
func (o *Outbox) Send(ctx context.Context, res resource.Service, m Mail) error {
	if strings.TrimSpace(m.From) == "" {
		return errors.New("missing required field: from")
	}
	if len(m.To) == 0 {
		return errors.New("missing required field: to")
	}
	server, err := o.serverFor(ctx, res, m.ServerHostname, HostOf(m.From))
	if err != nil {
		return err
	}
	return o.queue(ctx, o.store.Bound(res), server, m.From, m.To, Compose(m, o.now()))
}

// Relay implements smtpd.Outbound: mail an authenticated account sends
// to foreign domains.
func (o *Outbox) Relay(ctx context.Context, acct store.Account, serverRef, from string, to []string, raw []byte) error {
	return o.queue(ctx, o.store, serverRef, from, to, raw)
}

// queue signs raw with the sender domain's key, keeps a copy in the
// sender's Sent mailbox (when the sender has an account) and writes the
// outbox rows in one transaction.
func (o *Outbox) queue(ctx context.Context, st *store.Store, serverRef, from string, to []string, raw []byte) error {
	signed, err := o.sign(ctx, st, HostOf(from), raw)
	if err != nil {
		return err
	}
	enc, err := st.Encode(signed)
	if err != nil {
		return err
	}
	now := o.now().UTC()
	err = st.Res().InTx(sys(ctx), func(tx resource.Service) error {
		for _, rcpt := range to {
			if _, err := tx.Create(sys(ctx), store.TableOutbox, resource.Input{Attributes: map[string]any{
				"from_address": from, "to_address": rcpt, "to_host": HostOf(rcpt), "mail": enc,
				"sent": false, "retry_count": 0, "next_retry_at": now, "mail_server_id": serverRef,
			}}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if acct, ok, err := st.Account(ctx, from); err == nil && ok {
		if _, _, err := st.Deliver(ctx, acct, "Sent", signed, store.Delivery{Flags: []string{store.FlagSeen}, EnvelopeFrom: from}); err != nil {
			o.log.Warn("sent copy not stored", "err", err)
		}
	}
	o.Kick()
	return nil
}

// sign adds a DKIM-Signature (relaxed/relaxed, rsa-sha256) with the key of
// the certificate row of domain, created self-signed when missing; its
// public key is what download_public_key serves for the DNS record.
func (o *Outbox) sign(ctx context.Context, st *store.Store, domain string, raw []byte) ([]byte, error) {
	if domain == "" {
		return nil, errors.New("sender address has no domain")
	}
	if _, err := st.Certificate(ctx, domain); err != nil {
		return nil, fmt.Errorf("private key not found for signing outgoing email: %w", err)
	}
	key, ok, err := st.SigningKey(ctx, domain)
	if err != nil || !ok {
		return nil, fmt.Errorf("private key not found for signing outgoing email: %v", err)
	}
	var out bytes.Buffer
	err = dkim.Sign(&out, bytes.NewReader(raw), &dkim.SignOptions{Domain: domain, Selector: o.selector(ctx), Signer: key,
		HeaderCanonicalization: dkim.CanonicalizationRelaxed, BodyCanonicalization: dkim.CanonicalizationRelaxed,
		HeaderKeys: []string{"From", "To", "Subject", "Date", "Message-ID", "Cc", "Reply-To", "MIME-Version", "Content-Type"}})
	if err != nil {
		return nil, fmt.Errorf("dkim: %w", err)
	}
	return out.Bytes(), nil
}

// serverFor returns the reference id of the mail_server an outbox row
// belongs to: the one named, else the one of the sender's domain, else
// the first, else a new disabled one for the domain.
func (o *Outbox) serverFor(ctx context.Context, res resource.Service, named, domain string) (string, error) {
	servers, err := o.store.Bound(res).Servers(ctx)
	if err != nil {
		return "", err
	}
	find := func(host string) string {
		for _, s := range servers {
			if host != "" && strings.EqualFold(s.Hostname, host) {
				return s.RefID
			}
		}
		return ""
	}
	if named != "" {
		// A named server must exist: falling back to another would send
		// with a HELO and rows the caller did not ask for.
		if ref := find(named); ref != "" {
			return ref, nil
		}
		return "", fmt.Errorf("no mail_server with hostname %q", named)
	}
	if ref := find(domain); ref != "" {
		return ref, nil
	}
	if len(servers) > 0 {
		return servers[0].RefID, nil
	}
	r, err := res.Create(sys(ctx), store.TableServer, resource.Input{Attributes: map[string]any{"hostname": domain, "is_enabled": false}})
	return r.RefID, err
}

// HostOf is the domain of an address ("" when it has none).
func HostOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return strings.ToLower(strings.TrimRight(addr[i+1:], "> "))
	}
	return ""
}
