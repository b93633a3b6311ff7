package smtpd

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync/atomic"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/apiary/apiary/mail/store"
)

// Outbound takes mail an authenticated account sends to foreign domains:
// it signs it, keeps a copy in the sender's Sent box and queues it.
type Outbound interface {
	Relay(ctx context.Context, acct store.Account, serverRef, from string, to []string, raw []byte) error
}

// Scorer rates inbound mail: a higher score is more likely spam.
type Scorer interface {
	// Score reads the message from msg once.
	Score(ctx context.Context, ip net.IP, helo, from string, msg io.Reader) float64
}

// Hosts is the set of local domains, swapped whole on sync.
type Hosts struct {
	p atomic.Pointer[map[string]bool]
}

// Set replaces the local domains.
func (h *Hosts) Set(names []string) {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[strings.ToLower(n)] = true
	}
	h.p.Store(&m)
}

// Has reports whether domain is local.
func (h *Hosts) Has(domain string) bool {
	m := h.p.Load()
	return m != nil && (*m)[strings.ToLower(domain)]
}

// SpamBox receives mail scoring above SpamThreshold; mail above
// SpamFlagThreshold is flagged.
const (
	SpamThreshold     = 299
	SpamFlagThreshold = 50
)

// Backend serves one listener (one mail_server row).
type Backend struct {
	Store        *store.Store
	Hosts        *Hosts
	Out          Outbound // nil: relaying is refused
	Scorer       Scorer   // nil: every message scores 0
	Log          *slog.Logger
	ServerRef    string
	AuthRequired bool
}

// NewSession implements smtp.Backend.
func (b *Backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	s := &session{b: b, c: c}
	if a, ok := c.Conn().RemoteAddr().(*net.TCPAddr); ok {
		s.ip = a.IP
	}
	return s, nil
}

type session struct {
	b     *Backend
	c     *smtp.Conn
	ip    net.IP
	acct  *store.Account // set after AUTH
	from  string
	local []store.Account
	rcpt  []string // recipient address per local account
	far   []string
	size  int64 // the SIZE the client announced (0 = none)
}

var (
	errRelay     = &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "Relay access denied"}
	errNoUser    = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user here"}
	errSpoof     = &smtp.SMTPError{Code: 553, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "Sender address is not yours"}
	errTemporary = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Temporary failure, try again later"}
	errNUL       = &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "Message contains NUL bytes"}
	errAddress   = &smtp.SMTPError{Code: 501, EnhancedCode: smtp.EnhancedCode{5, 1, 3}, Message: "Bad recipient address"}
)

// AuthMechanisms implements smtp.AuthSession.
func (s *session) AuthMechanisms() []string { return []string{sasl.Plain, sasl.Login} }

// Auth implements smtp.AuthSession.
func (s *session) Auth(mech string) (sasl.Server, error) {
	check := func(username, password string) error {
		acct, ok, err := s.b.Store.Login(context.Background(), username, password)
		if err != nil {
			s.b.Log.Error("smtp auth failed", "err", err)
			return errTemporary
		}
		if !ok {
			return smtp.ErrAuthFailed
		}
		s.acct = &acct
		return nil
	}
	switch mech {
	case sasl.Plain:
		return sasl.NewPlainServer(func(identity, username, password string) error {
			if identity != "" && !strings.EqualFold(identity, username) {
				return smtp.ErrAuthFailed
			}
			return check(username, password)
		}), nil
	case sasl.Login:
		return newLoginServer(check), nil
	}
	return nil, smtp.ErrAuthUnknownMechanism
}

// Mail implements smtp.Session.
func (s *session) Mail(from string, opts *smtp.MailOptions) error {
	if s.b.AuthRequired && s.acct == nil {
		return smtp.ErrAuthRequired
	}
	if s.acct != nil && !strings.EqualFold(from, s.acct.Username) {
		return errSpoof
	}
	s.from = from
	if opts != nil {
		s.size = opts.Size
	}
	return nil
}

// Rcpt implements smtp.Session: local users must exist, foreign domains
// need an authenticated session.
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	at := strings.LastIndexByte(to, '@')
	if at <= 0 || at == len(to)-1 || at > 255 {
		return errAddress
	}
	if !s.b.Hosts.Has(to[at+1:]) {
		if s.acct == nil || s.b.Out == nil {
			return errRelay
		}
		s.far = append(s.far, to)
		return nil
	}
	acct, ok, err := s.b.Store.Account(context.Background(), to)
	if err != nil {
		s.b.Log.Error("smtp recipient lookup failed", "err", err)
		return errTemporary
	}
	if !ok {
		return errNoUser
	}
	s.local = append(s.local, acct)
	s.rcpt = append(s.rcpt, to)
	return nil
}

// Data implements smtp.Session: the whole message is read (go-smtp
// enforces max_size), then stored for each local recipient and relayed
// for the foreign ones.
func (s *session) Data(r io.Reader) error {
	// The trace header and the message are kept as the pieces they were
	// read in, never joined: the message is held once (a buffer that
	// grows by doubling allocates up to four times its size).
	raw, err := readPieces(r, s.received(), s.size, s.c.Server().MaxMessageBytes)
	if err != nil {
		return err
	}
	if raw.HasNUL() {
		return errNUL
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if len(s.local) > 0 {
		if err := s.deliver(ctx, raw); err != nil {
			return err
		}
	}
	if len(s.far) > 0 {
		// Relayed mail is signed and queued as one slice: joined here
		// (without the trace header), the only copy made.
		body := raw[1:].Bytes()
		if err := s.b.Out.Relay(ctx, *s.acct, s.b.ServerRef, s.from, s.far, body); err != nil {
			s.b.Log.Error("smtp relay failed", "err", err)
			return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 3, 0}, Message: "Cannot relay: " + err.Error()}
		}
	}
	return nil
}

func (s *session) deliver(ctx context.Context, raw store.Raw) error {
	var score float64
	if s.b.Scorer != nil && s.acct == nil {
		score = s.b.Scorer.Score(ctx, s.ip, s.c.Hostname(), s.from, raw.Reader())
	}
	box := "INBOX"
	var flags []string
	if score > SpamThreshold {
		box = "Spam"
	}
	if score > SpamFlagThreshold {
		flags = append(flags, "Spam")
	}
	_, isTLS := s.c.TLSConnectionState()
	for i, acct := range s.local {
		d := store.Delivery{Flags: flags, EnvelopeFrom: s.from, Recipient: s.rcpt[i], IP: s.ip.String(), TLS: isTLS, SpamScore: score}
		if _, _, err := s.b.Store.DeliverRaw(ctx, acct, box, raw, d); err != nil {
			s.b.Log.Error("smtp delivery failed", "recipient", s.rcpt[i], "err", err)
			return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Could not store the message, try again later"}
		}
	}
	return nil
}

// A message of unknown size is read in pieces growing from firstChunk
// to maxChunk: a small message costs one small allocation, a large one
// a hundred or so, none is copied, and the last piece leaves at most
// maxChunk allocated and unused.
const (
	firstChunk = 16 << 10
	maxChunk   = 256 << 10
)

// readPieces reads r into pieces after the piece prefix: one of the
// announced SIZE when the client gave a plausible one, else pieces
// growing to maxChunk. The last piece is cut to what it holds.
func readPieces(r io.Reader, prefix []byte, announced, limit int64) (store.Raw, error) {
	raw := store.Raw{prefix}
	size := firstChunk
	if announced > 0 && (limit <= 0 || announced <= limit) {
		// One byte more, so a message of exactly SIZE is read by one
		// piece whose last read sees the end.
		size = int(announced) + 1
	}
	for ; ; size = min(2*size, maxChunk) {
		c := make([]byte, size)
		n, err := io.ReadFull(r, c)
		if n > 0 {
			raw = append(raw, c[:n:n])
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return raw, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// received is the trace header this server adds (RFC 5321 §4.4).
func (s *session) received() []byte {
	proto := "ESMTP"
	if _, ok := s.c.TLSConnectionState(); ok {
		proto += "S"
	}
	if s.acct != nil {
		proto += "A"
	}
	helo := strings.Map(func(r rune) rune {
		if r < 33 || r > 126 {
			return -1
		}
		return r
	}, s.c.Hostname())
	return fmt.Appendf(nil, "Received: from %s ([%s])\r\n\tby %s with %s;\r\n\t%s\r\n", helo, s.ip, s.c.Server().Domain, proto,
		time.Now().UTC().Format(time.RFC1123Z))
}

// Reset implements smtp.Session.
func (s *session) Reset() { s.from, s.local, s.rcpt, s.far = "", nil, nil, nil }

// Logout implements smtp.Session.
func (s *session) Logout() error { return nil }
