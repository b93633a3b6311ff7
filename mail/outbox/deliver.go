package outbox

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"math"
	"net"
	"net/textproto"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/apiary/apiary/mail/store"
	"github.com/apiary/apiary/resource"
)

// Result counts what one queue run did.
type Result struct {
	Sent   int `json:"sent"`
	Failed int `json:"failed"`
}

// Process delivers the rows that are due: unsent, fewer than MaxTries
// tries, next_retry_at reached. Each row is claimed first (next_retry_at
// moves ClaimTTL ahead under the row's version), so one node delivers it.
func (o *Outbox) Process(ctx context.Context) (Result, error) {
	var res Result
	now := o.now().UTC()
	var rows []resource.Row
	for _, due := range []resource.Condition{{Column: "next_retry_at", Operator: "is null"},
		{Column: "next_retry_at", Operator: "lte", Value: now}} {
		p, err := o.store.Res().List(sys(ctx), store.TableOutbox, resource.Query{PageSize: BatchSize,
			Sort: []resource.SortKey{{Column: "id"}},
			Conditions: []resource.Condition{{Column: "sent", Operator: "is", Value: false},
				{Column: "retry_count", Operator: "lt", Value: MaxTries}, due}})
		if err != nil {
			return res, err
		}
		rows = append(rows, p.Rows...)
	}
	servers, err := o.store.Servers(ctx)
	if err != nil {
		return res, err
	}
	for _, row := range rows {
		if !o.claim(ctx, row, now) {
			continue
		}
		err := o.deliverRow(ctx, row, servers)
		if err2 := o.record(ctx, row.RefID, row.Attrs, err); err2 != nil {
			return res, err2
		}
		if err != nil {
			res.Failed++
			o.log.Warn("outbox delivery failed", "to_host", row.Attrs["to_host"], "err", err)
		} else {
			res.Sent++
		}
	}
	return res, nil
}

// claim moves next_retry_at ClaimTTL ahead if the row is still due. An
// empty update first takes the row's lock (or fails on a concurrent
// change), so the due check that follows sees every committed claim.
func (o *Outbox) claim(ctx context.Context, row resource.Row, now time.Time) bool {
	err := o.store.Res().InTx(sys(ctx), func(tx resource.Service) error {
		if _, err := tx.Update(sys(ctx), store.TableOutbox, row.RefID, resource.Input{Attributes: map[string]any{}}); err != nil {
			return err
		}
		cur, err := tx.Get(sys(ctx), store.TableOutbox, row.RefID, resource.Query{Fields: []string{"next_retry_at", "sent"}})
		if err != nil {
			return err
		}
		if due, ok := cur.Attrs["next_retry_at"].(time.Time); (ok && due.After(now)) || resource.Truthy(cur.Attrs["sent"]) {
			return errClaimed
		}
		_, err = tx.Update(sys(ctx), store.TableOutbox, row.RefID, resource.Input{Attributes: map[string]any{
			"next_retry_at": now.Add(ClaimTTL)}})
		return err
	})
	return err == nil
}

var errClaimed = errors.New("claimed by another run")

func (o *Outbox) record(ctx context.Context, ref string, a map[string]any, sendErr error) error {
	up := map[string]any{"sent": true, "last_error": nil}
	if sendErr != nil {
		n := num(a["retry_count"]) + 1
		msg := sendErr.Error()
		if len(msg) > 2000 {
			msg = msg[:2000]
		}
		up = map[string]any{"retry_count": n, "last_error": msg,
			"next_retry_at": o.now().UTC().Add(time.Duration(math.Pow(2, float64(n))) * time.Minute)}
	}
	_, err := o.store.Res().Update(sys(ctx), store.TableOutbox, ref, resource.Input{Attributes: up})
	return err
}

func (o *Outbox) deliverRow(ctx context.Context, row resource.Row, servers []store.Server) error {
	a := row.Attrs
	helo := ""
	for _, s := range servers {
		if s.RefID == str(a["mail_server_id"]) {
			helo = s.Hostname
		}
	}
	if helo == "" {
		return errors.New("outbox row has no valid mail_server")
	}
	raw, err := store.Decode(str(a["mail"]))
	if err != nil {
		return fmt.Errorf("stored message unreadable: %w", err)
	}
	to := str(a["to_address"])
	hosts, err := o.exchangers(ctx, HostOf(to))
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, SendTimeout)
	defer cancel()
	var last error
	for _, h := range hosts {
		if last = o.sendTo(ctx, h, helo, str(a["from_address"]), to, raw); last == nil {
			return nil
		}
	}
	return last
}

// exchangers returns the addresses to try, best first.
func (o *Outbox) exchangers(ctx context.Context, domain string) ([]string, error) {
	if o.Smarthost != "" {
		return []string{o.Smarthost}, nil
	}
	if domain == "" {
		return nil, errors.New("recipient has no domain")
	}
	port := strconv.Itoa(o.Port)
	mx, err := o.Resolver.LookupMX(ctx, domain)
	var dnsErr *net.DNSError
	if err != nil && !(errors.As(err, &dnsErr) && dnsErr.IsNotFound) {
		return nil, fmt.Errorf("MX lookup of %s: %w", domain, err)
	}
	if len(mx) == 0 {
		return []string{net.JoinHostPort(domain, port)}, nil
	}
	out := make([]string, 0, len(mx))
	for _, m := range mx {
		out = append(out, net.JoinHostPort(strings.TrimSuffix(m.Host, "."), port))
	}
	return out, nil
}

// sendTo delivers one message to one exchanger, with STARTTLS when it
// is offered (opportunistic: exchangers' certificates are not verified,
// as is usual between MTAs).
func (o *Outbox) sendTo(ctx context.Context, addr, helo, from, to string, raw []byte) error {
	d := net.Dialer{}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	host, _, _ := net.SplitHostPort(addr)
	conn, err = startTLS(conn, helo, host)
	if err != nil {
		conn.Close()
		return err
	}
	c := smtp.NewClient(conn)
	defer c.Close()
	if err := c.Hello(helo); err != nil {
		return err
	}
	if err := c.Mail(from, nil); err != nil {
		return err
	}
	if err := c.Rcpt(to, nil); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(raw); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

// startTLS reads the greeting and upgrades conn when the server offers
// STARTTLS; the returned conn replays a greeting so that an smtp.Client
// can start on it with its own EHLO.
func startTLS(conn net.Conn, helo, host string) (net.Conn, error) {
	tp := textproto.NewConn(conn)
	if _, _, err := tp.ReadResponse(220); err != nil {
		return nil, err
	}
	if err := tp.PrintfLine("EHLO %s", helo); err != nil {
		return nil, err
	}
	_, msg, err := tp.ReadResponse(250)
	if err != nil {
		return nil, err
	}
	if !hasLine(msg, "STARTTLS") {
		return &greeted{Conn: conn, r: bufio.NewReader(strings.NewReader("220 ready\r\n"))}, nil
	}
	if err := tp.PrintfLine("STARTTLS"); err != nil {
		return nil, err
	}
	if _, _, err := tp.ReadResponse(220); err != nil {
		return nil, err
	}
	tc := tls.Client(conn, &tls.Config{ServerName: host, InsecureSkipVerify: true, MinVersion: tls.VersionTLS12}) //nolint:gosec // opportunistic TLS between MTAs
	if err := tc.Handshake(); err != nil {
		return nil, err
	}
	return &greeted{Conn: tc, r: bufio.NewReader(strings.NewReader("220 ready\r\n"))}, nil
}

func hasLine(msg, ext string) bool {
	for _, l := range strings.Split(msg, "\n") {
		if f := strings.Fields(l); len(f) > 0 && strings.EqualFold(f[0], ext) {
			return true
		}
	}
	return false
}

// greeted replays a greeting before the connection's own bytes.
type greeted struct {
	net.Conn
	r *bufio.Reader
}

// Read implements net.Conn, replaying the greeting first.
func (g *greeted) Read(p []byte) (int, error) {
	if g.r != nil {
		n, err := g.r.Read(p)
		if err == nil && g.r.Buffered() == 0 {
			g.r = nil
		}
		if n > 0 {
			return n, nil
		}
		g.r = nil
	}
	return g.Conn.Read(p)
}

func str(v any) string {
	if v == nil {
		return ""
	}
	if s, ok := v.(string); ok {
		return s
	}
	return fmt.Sprint(v)
}

func num(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case float64:
		return int64(x)
	case string:
		n, _ := strconv.ParseInt(x, 10, 64)
		return n
	}
	return 0
}
