package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
)

// Table names of the mail schema.
const (
	TableServer  = "mail_server"
	TableAccount = "mail_account"
	TableBox     = "mail_box"
	TableMail    = "mail"
	TableOutbox  = "outbox"
)

// DefaultBoxes are created for every account on first use.
var DefaultBoxes = []string{"INBOX", "Sent", "Drafts", "Trash", "Spam", "Archive"}

// ErrNoMailbox is returned when a mailbox name does not exist.
var ErrNoMailbox = errors.New("no such mailbox")

// ErrExists is returned when creating a mailbox that already exists.
var ErrExists = errors.New("mailbox already exists")

// Store is the mail data model over the resource layer.
type Store struct {
	res func() resource.Service
	log *slog.Logger
	now func() time.Time
	// createMu serialises mailbox creation (shared by Bound copies).
	createMu *sync.Mutex
	// encoders keeps idle encoders (a gzip writer and its buffer) for
	// Encode; shared by Bound copies.
	encoders chan *encoder
	// cache holds mailbox listings, headers the header blocks of
	// messages (both shared by Bound copies).
	cache    *metaCache
	boxes    *boxCache
	headers  *headerCache
	accounts *accountCache
	// decrypt reads `encrypted` columns (certificate private keys).
	decrypt func(string) (string, error)
}

// New returns a Store; res is called for every operation so a swapped
// resource layer is picked up. decrypt reads the values of `encrypted`
// columns (nil: they are read as stored).
func New(res func() resource.Service, log *slog.Logger, decrypt func(string) (string, error)) *Store {
	if decrypt == nil {
		decrypt = func(s string) (string, error) { return s, nil }
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Store{res: res, log: log, now: time.Now, decrypt: decrypt, createMu: &sync.Mutex{}, cache: newMetaCache(), headers: newHeaderCache(), boxes: newBoxCache(), accounts: newAccountCache(),
		encoders: make(chan *encoder, keptEncoders)}
}

// Bound returns the store working through res (a transaction-bound
// resource layer, so writes join the caller's transaction).
func (s *Store) Bound(res resource.Service) *Store {
	c := *s
	c.res = func() resource.Service { return res }
	return &c
}

// Res is the resource layer the store uses.
func (s *Store) Res() resource.Service { return s.res() }

func sys(ctx context.Context) context.Context { return auth.WithPrincipal(ctx, auth.System()) }

// Server is one mail_server row.
type Server struct {
	RefID        string
	Hostname     string
	Enabled      bool
	Listen       string
	MaxSize      int64
	MaxClients   int
	AlwaysOnTLS  bool
	AuthRequired bool
}

// Servers lists every mail_server row.
func (s *Store) Servers(ctx context.Context) ([]Server, error) {
	rows, err := s.all(sys(ctx), TableServer, resource.Query{Sort: []resource.SortKey{{Column: "id"}}})
	if err != nil {
		return nil, err
	}
	out := make([]Server, 0, len(rows))
	for _, r := range rows {
		a := r.Attrs
		out = append(out, Server{RefID: r.RefID, Hostname: strings.ToLower(strings.TrimSpace(str(a["hostname"]))),
			Enabled: resource.Truthy(a["is_enabled"]), Listen: strings.TrimSpace(str(a["listen_interface"])),
			MaxSize: num(a["max_size"]), MaxClients: int(num(a["max_clients"])),
			AlwaysOnTLS: resource.Truthy(a["always_on_tls"]), AuthRequired: resource.Truthy(a["authentication_required"])})
	}
	return out, nil
}

// Account is one mail_account row.
type Account struct {
	RefID     string
	Username  string // the full address
	OwnerRef  string // user_account reference id ("" = none)
	ServerRef string
}

func accountOf(r resource.Row) Account {
	return Account{RefID: r.RefID, Username: strings.ToLower(str(r.Attrs["username"])),
		OwnerRef: str(r.Attrs["user_account_id"]), ServerRef: str(r.Attrs["mail_server_id"])}
}

// maxFoldMatches bounds the rows a case-insensitive username lookup
// reads (more than one only when usernames differ in case alone, or the
// address holds LIKE wildcards).
const maxFoldMatches = 50

// accountRow reads the mail_account row of address: the lower-case
// username first (indexed, what nearly every account is), then any
// username equal to it ignoring case (a table scan).
func (s *Store) accountRow(ctx context.Context, address string) (resource.Row, bool, error) {
	addr := strings.TrimSpace(address)
	if addr == "" {
		return resource.Row{}, false, nil
	}
	p, err := s.res().List(sys(ctx), TableAccount, resource.Query{PageSize: 1,
		Conditions: []resource.Condition{{Column: "username", Operator: "is", Value: strings.ToLower(addr)}}})
	if err != nil {
		return resource.Row{}, false, err
	}
	if len(p.Rows) > 0 {
		return p.Rows[0], true, nil
	}
	p, err = s.res().List(sys(ctx), TableAccount, resource.Query{PageSize: maxFoldMatches,
		Conditions: []resource.Condition{{Column: "username", Operator: "ilike", Value: addr}}})
	if err != nil {
		return resource.Row{}, false, err
	}
	// ilike treats % and _ as wildcards: keep only a real match, the one
	// spelt exactly as asked when several differ in case alone.
	found := -1
	for i, r := range p.Rows {
		u := str(r.Attrs["username"])
		if u == addr {
			return r, true, nil
		}
		if found < 0 && strings.EqualFold(u, addr) {
			found = i
		}
	}
	if found < 0 {
		return resource.Row{}, false, nil
	}
	return p.Rows[found], true, nil
}

// Login checks an account's password (bcrypt) and returns the account;
// the username is matched as Account matches it.
func (s *Store) Login(ctx context.Context, username, password string) (Account, bool, error) {
	name := strings.ToLower(strings.TrimSpace(username))
	row, ok, err := s.accountRow(ctx, username)
	if err != nil {
		return Account{}, false, err
	}
	if ok {
		name = str(row.Attrs["username"])
	}
	// An unknown name is still verified (it matches no row), so it costs
	// the same bcrypt comparison as a wrong password.
	r, ok, err := s.res().VerifySecret(sys(ctx), TableAccount, "password", map[string]any{"username": name}, password)
	if err != nil || !ok {
		if errors.Is(err, resource.ErrNotFound) {
			err = nil
		}
		return Account{}, false, err
	}
	return accountOf(r), true, nil
}

// all pages through every row a query matches.
func (s *Store) all(ctx context.Context, table string, q resource.Query) ([]resource.Row, error) {
	q.PageSize = resource.MaxPageSize
	var out []resource.Row
	for n := 1; ; n++ {
		q.PageNumber = n
		p, err := s.res().List(ctx, table, q)
		if err != nil {
			return nil, err
		}
		out = append(out, p.Rows...)
		if len(p.Rows) < q.PageSize || int64(len(out)) >= p.Total {
			return out, nil
		}
	}
}

func str(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []byte:
		return string(x)
	default:
		return fmt.Sprint(x)
	}
}

func num(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case int:
		return int64(x)
	case float64:
		return int64(x)
	case string:
		n, _ := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
		return n
	}
	return 0
}
