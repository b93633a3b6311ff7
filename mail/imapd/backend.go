package imapd

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"

	"github.com/apiary/apiary/mail/store"
)

// Delim is the hierarchy delimiter of mailbox names.
const Delim = '/'

// Login guard: after GuardFailures failed logins of one username within
// GuardWindow, further attempts are refused until the window passes.
const (
	GuardFailures = 5
	GuardWindow   = 5 * time.Minute
)

// Backend creates IMAP sessions over a store.
type Backend struct {
	Store *store.Store
	Hub   *Hub
	Log   *slog.Logger
	Now   func() time.Time

	mu    sync.Mutex
	fails map[string]failures
	lim   limiter
}

type failures struct {
	n    int
	last time.Time
}

// NewSession implements imapserver.Options.NewSession.
func (b *Backend) NewSession(c *imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
	if !b.lim.admit() {
		return nil, nil, errTooMany
	}
	return &session{b: b, conn: c, ctx: context.Background(), nc: b.lim.conn(c.NetConn().RemoteAddr())}, nil, nil
}

var errGuard = &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeUnavailable,
	Text: "too many failed login attempts, try again later"}

func (b *Backend) now() time.Time {
	if b.Now != nil {
		return b.Now()
	}
	return time.Now()
}

func (b *Backend) guarded(user string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	f, ok := b.fails[user]
	if ok && b.now().Sub(f.last) > GuardWindow {
		delete(b.fails, user)
		return false
	}
	return f.n >= GuardFailures
}

func (b *Backend) fail(user string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.fails == nil {
		b.fails = map[string]failures{}
	}
	f := b.fails[user]
	b.fails[user] = failures{n: f.n + 1, last: b.now()}
}

func (b *Backend) clear(user string) {
	b.mu.Lock()
	delete(b.fails, user)
	b.mu.Unlock()
}

// session is one IMAP connection.
type session struct {
	b    *Backend
	conn *imapserver.Conn
	ctx  context.Context
	acct *store.Account
	sel  *selected
	nc   *limitConn // nil when not accepted through Backend.Listen
}

var _ imapserver.SessionIMAP4rev2 = (*session)(nil)

// Close implements imapserver.Session.
func (s *session) Close() error {
	s.unselect()
	s.b.lim.release()
	return nil
}

// Login implements imapserver.Session.
func (s *session) Login(username, password string) error {
	user := strings.ToLower(strings.TrimSpace(username))
	if s.b.guarded(user) {
		return errGuard
	}
	acct, ok, err := s.b.Store.Login(s.ctx, user, password)
	if err != nil {
		s.b.Log.Error("imap login failed", "err", err)
		return serverError(err)
	}
	if !ok {
		s.b.fail(user)
		return imapserver.ErrAuthFailed
	}
	s.b.clear(user)
	s.acct = &acct
	s.nc.set(true, false)
	return nil
}

// Namespace implements imapserver.SessionNamespace.
func (s *session) Namespace() (*imap.NamespaceData, error) {
	return &imap.NamespaceData{Personal: []imap.NamespaceDescriptor{{Delim: Delim}}}, nil
}

// AppendLimit implements imapserver.SessionAppendLimit.
func (s *session) AppendLimit() uint32 { return MaxAppend }

// MaxAppend bounds an APPEND literal.
const MaxAppend = 50 << 20

func serverError(err error) error {
	switch {
	case errors.Is(err, store.ErrNoMailbox):
		return &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeNonExistent, Text: "No such mailbox"}
	case errors.Is(err, store.ErrExists):
		return &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeAlreadyExists, Text: "Mailbox already exists"}
	}
	return &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeServerBug, Text: "Internal error"}
}

func noError(text string) error {
	return &imap.Error{Type: imap.StatusResponseTypeNo, Text: text}
}
