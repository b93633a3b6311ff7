package store

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/apiary/apiary/resource"
)

// Flag names kept in mirrored boolean columns.
const (
	FlagSeen    = `\Seen`
	FlagDeleted = `\Deleted`
	FlagRecent  = `\Recent`
)

// Meta is what IMAP needs of a message without its body.
type Meta struct {
	RefID string
	UID   uint32
	Flags []string // without \Recent
	Size  int64
	Date  time.Time
	// Recent says the message still has \Recent (no client flagged it yet).
	Recent bool
}

// Message is a Meta with the raw RFC 5322 bytes: Raw, or Enc (the mail
// column's form) until Bytes or Header decodes it.
type Message struct {
	Meta
	Raw []byte
	Enc string
}

// Bytes returns the raw message, decoding it once.
func (m *Message) Bytes() ([]byte, error) {
	if m.Raw == nil && m.Enc != "" {
		raw, err := decodeSized(m.Enc, m.Size)
		if err != nil {
			return nil, fmt.Errorf("message %s: %w", m.RefID, err)
		}
		m.Raw = raw
	}
	return m.Raw, nil
}

// Header returns the message's header block (through the blank line),
// decompressing no more of the message than that.
func (m *Message) Header() ([]byte, error) {
	if m.Raw != nil || m.Enc == "" {
		return m.Raw, nil
	}
	zr, err := gzip.NewReader(base64.NewDecoder(base64.StdEncoding, strings.NewReader(strings.TrimSpace(m.Enc))))
	if err != nil {
		return nil, fmt.Errorf("message %s: %w", m.RefID, err)
	}
	defer zr.Close()
	var out []byte
	buf := make([]byte, 4096)
	for {
		n, err := zr.Read(buf)
		out = append(out, buf[:n]...)
		if i := headerEnd(out); i >= 0 {
			return out[:i], nil
		}
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("message %s: %w", m.RefID, err)
		}
	}
}

// headerEnd is the length of the header block including its blank line,
// or -1 when buf does not hold all of it yet.
func headerEnd(buf []byte) int { return Raw{buf}.headerLen() }

// Delivery describes how a message arrived.
type Delivery struct {
	Flags        []string
	Date         time.Time // zero = now
	EnvelopeFrom string
	Recipient    string
	IP           string
	TLS          bool
	SpamScore    float64
}

var metaFields = []string{"uid", "flags", "size", "internal_date"}

func metaOf(r resource.Row) Meta {
	a := r.Attrs
	return metaFrom(r.RefID, a["uid"], a["flags"], a["size"], a["internal_date"])
}

// metaFrom builds a Meta from the values of the metaFields columns.
func metaFrom(ref string, uid, flags, size, date any) Meta {
	fl := str(flags)
	m := Meta{RefID: ref, UID: uint32(num(uid)), Size: num(size), Flags: ParseFlags(fl),
		Recent: strings.Contains(fl, FlagRecent)}
	switch t := date.(type) {
	case time.Time:
		m.Date = t
	case string:
		m.Date, _ = time.Parse(time.RFC3339Nano, t)
	}
	return m
}

// ParseFlags splits a stored comma list, dropping \Recent and blanks.
func ParseFlags(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" || strings.EqualFold(f, FlagRecent) || slices.Contains(out, f) {
			continue
		}
		out = append(out, f)
	}
	return out
}

// HasFlag reports whether flags holds f (case-insensitive).
func HasFlag(flags []string, f string) bool {
	return slices.ContainsFunc(flags, func(x string) bool { return strings.EqualFold(x, f) })
}

// Messages lists a mailbox's messages in UID order, without bodies, from
// the cache when it holds the mailbox.
func (s *Store) Messages(ctx context.Context, box Mailbox) ([]Meta, error) {
	if msgs, ok := s.cache.cached(box.RefID, s.now()); ok && (len(msgs) == 0 || msgs[0].UID != 0) {
		return msgs, nil
	}
	// Not cached, stale, or holding a row written without a UID (over the
	// API), which listing gives the mailbox's next UID.
	return s.load(ctx, box)
}

// listCols are the columns list reads: reference_id, then metaFields.
var listCols = append([]string{"reference_id"}, metaFields...)

// list reads a mailbox's messages from the database: the columns it
// needs, in one query answered from the (mail_box_id, uid, ...) index,
// without a map per row.
func (s *Store) list(ctx context.Context, box Mailbox) ([]Meta, error) {
	var out []Meta
	err := s.read(ctx, box, resource.ChildQuery{Cols: listCols}, func(v []any) {
		out = append(out, metaFrom(str(v[0]), v[1], v[2], v[3], v[4]))
	})
	if err != nil {
		return nil, err
	}
	fix := false
	for i := range out {
		if out[i].UID == 0 {
			// A row written without a UID (over the API): it gets the
			// mailbox's next one now, so IMAP never sees UID 0.
			if out[i].UID, err = s.assignUID(ctx, box.RefID, out[i].RefID); err != nil {
				return nil, err
			}
			fix = true
		}
	}
	if fix {
		slices.SortFunc(out, func(a, b Meta) int { return int(a.UID) - int(b.UID) })
	}
	return out, nil
}

// read calls fn with the values of q.Cols of a mailbox's messages in UID
// order (q's bounds, if any, are UIDs), in one query.
func (s *Store) read(ctx context.Context, box Mailbox, q resource.ChildQuery, fn func(vals []any)) error {
	q.FK, q.Parent, q.Order = "mail_box_id", box.RefID, "uid"
	return s.res().ReadChildren(sys(ctx), TableMail, q, func(v []any) error {
		fn(v)
		return nil
	})
}

// uidRange is the ChildQuery of the messages lo <= uid <= hi.
func uidRange(lo, hi uint32, cols []string) resource.ChildQuery {
	return resource.ChildQuery{Bounded: true, Lo: int64(lo), Hi: int64(hi), Cols: cols}
}

func (s *Store) assignUID(ctx context.Context, boxRef, ref string) (uint32, error) {
	var uid int64
	err := s.res().InTx(sys(ctx), func(tx resource.Service) error {
		b, err := tx.Get(sys(ctx), TableBox, boxRef, resource.Query{Fields: []string{"nextuid"}})
		if err != nil {
			return err
		}
		uid = max(num(b.Attrs["nextuid"]), 1)
		if _, err := tx.Update(sys(ctx), TableBox, boxRef, resource.Input{Attributes: map[string]any{"nextuid": uid + 1}}); err != nil {
			return err
		}
		_, err = tx.Update(sys(ctx), TableMail, ref, resource.Input{Attributes: map[string]any{"uid": uid}})
		return err
	})
	return uint32(uid), err
}

// loadCols are the columns Load reads: listCols and the message.
var loadCols = append(slices.Clone(listCols), "mail")

// Load reads the messages of a mailbox whose UIDs lie in [lo, hi], with
// their raw bytes, in UID order.
func (s *Store) Load(ctx context.Context, box Mailbox, lo, hi uint32) ([]Message, error) {
	var out []Message
	err := s.read(ctx, box, uidRange(lo, hi, loadCols), func(v []any) {
		out = append(out, Message{Meta: metaFrom(str(v[0]), v[1], v[2], v[3], v[4]), Enc: str(v[5])})
	})
	return out, err
}

// Deliver stores raw as a new message of the named mailbox of acct with
// the next UID of that mailbox, and returns the mailbox and the UID.
func (s *Store) Deliver(ctx context.Context, acct Account, boxName string, raw []byte, d Delivery) (Mailbox, uint32, error) {
	return s.DeliverRaw(ctx, acct, boxName, Raw{raw}, d)
}

// DeliverRaw is Deliver of a message in pieces (never joined).
func (s *Store) DeliverRaw(ctx context.Context, acct Account, boxName string, raw Raw, d Delivery) (Mailbox, uint32, error) {
	box, err := s.deliveryBox(ctx, acct, boxName)
	if err != nil {
		return Mailbox{}, 0, err
	}
	attrs, err := s.messageAttrs(raw, d)
	if err != nil {
		return box, 0, err
	}
	attrs["mail_box_id"] = box.RefID
	// The UID comes from mail_box.nextuid, read and bumped in the same
	// transaction: a concurrent delivery to the same mailbox makes the
	// bump a version conflict, and the loser retries. (No lock is held
	// across the transaction, so the resource layer's group commit can
	// batch deliveries.)
	var uid uint32
	var ref string
	for try := 0; ; try++ {
		err = s.res().InTx(sys(ctx), func(tx resource.Service) error {
			var err error
			uid, ref, err = s.insert(ctx, tx, acct, box.RefID, attrs)
			return err
		})
		if err == nil {
			s.headers.put(ref, bytes.Clone(raw.header()))
		}
		if err == nil || !errors.Is(err, resource.ErrConflict) || try >= maxUIDTries {
			return box, uid, err
		}
		time.Sleep(time.Duration(1+rand.IntN(5*(try+1))) * time.Millisecond)
	}
}

// maxUIDTries bounds the retries of a delivery that lost a UID race.
const maxUIDTries = 50

// insert allocates the next UID of a mailbox and creates the row in tx.
func (s *Store) insert(ctx context.Context, tx resource.Service, acct Account, boxRef string, attrs map[string]any) (uint32, string, error) {
	b, err := tx.Get(sys(ctx), TableBox, boxRef, resource.Query{Fields: []string{"nextuid"}})
	if err != nil {
		return 0, "", err
	}
	uid := max(num(b.Attrs["nextuid"]), 1)
	if _, err := tx.Update(sys(ctx), TableBox, boxRef, resource.Input{Attributes: map[string]any{"nextuid": uid + 1}}); err != nil {
		return 0, "", err
	}
	attrs["uid"] = uid
	r, err := s.createOwned(ctx, tx, TableMail, acct.OwnerRef, attrs)
	if err != nil {
		return 0, "", err
	}
	// The bump above is checked against the row as the update reads it,
	// not as the Get read it: a delivery that committed in between makes
	// both bumps succeed. The UID is then taken; the caller retries.
	// (An aggregate reads the index only; a List would read the rows
	// with their bodies.)
	taken, err := tx.Aggregate(sys(ctx), TableMail, resource.AggregateQuery{Groups: []string{"reference_id"},
		Filters: []string{"eq(mail_box_id," + boxRef + ")", "eq(uid," + strconv.FormatInt(uid, 10) + ")"}})
	if err != nil {
		return 0, "", err
	}
	if len(taken) > 1 {
		return 0, "", &resource.Error{Kind: resource.ErrConflict, Title: "uid taken", Detail: "another delivery took the same UID"}
	}
	return uint32(uid), r.RefID, nil
}

// Attrs parses raw into the attributes of a mail row (without its
// mailbox and UID); benchmarks use it to fill mailboxes in bulk.
func (s *Store) Attrs(raw []byte, d Delivery) (map[string]any, error) {
	return s.messageAttrs(Raw{raw}, d)
}

// messageAttrs parses raw into the mail row's columns.
func (s *Store) messageAttrs(raw Raw, d Delivery) (map[string]any, error) {
	enc, err := s.encodeRaw(raw)
	if err != nil {
		return nil, err
	}
	p := parseRaw(raw)
	date := d.Date
	if date.IsZero() {
		date = s.now()
	}
	flags := append([]string{FlagRecent}, d.Flags...)
	return map[string]any{
		"message_id": p.MessageID, "mail_id": p.Hash, "hash": p.Hash,
		"from_address": clip(d.EnvelopeFrom, 200), "return_path": clip(d.EnvelopeFrom, 255),
		"to_address": clip(firstNonEmpty(p.To, d.Recipient), 200), "recipient": clip(d.Recipient, 200),
		"reply_to_address": clip(p.ReplyTo, 200), "sender_address": clip(firstNonEmpty(p.Sender, p.From), 200),
		"subject": clip(p.Subject, 500), "body": p.Body, "content_type": p.ContentType,
		"has_attachment": p.HasAttachment, "mail": enc, "spam_score": d.SpamScore, "spam": d.SpamScore > 50,
		"ip_addr": clip(d.IP, 30), "is_tls": d.TLS, "internal_date": date.UTC(),
		"seen": HasFlag(flags, FlagSeen), "recent": true, "deleted": HasFlag(flags, FlagDeleted),
		"size": int64(raw.Len()), "flags": clip(strings.Join(flags, ","), 500), "headers": headerColumn(raw.header()),
	}, nil
}

// SetFlags replaces a message's flags (mirroring seen and deleted) and
// clears \Recent.
func (s *Store) SetFlags(ctx context.Context, ref string, flags []string) error {
	_, err := s.res().Update(sys(ctx), TableMail, ref, resource.Input{Attributes: map[string]any{
		"flags": clip(strings.Join(flags, ","), 500), "seen": HasFlag(flags, FlagSeen),
		"deleted": HasFlag(flags, FlagDeleted), "recent": false,
	}})
	return err
}

// Remove deletes messages in one transaction.
func (s *Store) Remove(ctx context.Context, refs []string) error {
	if len(refs) == 0 {
		return nil
	}
	return s.res().InTx(sys(ctx), func(tx resource.Service) error {
		for _, r := range refs {
			if err := tx.Delete(sys(ctx), TableMail, r); err != nil {
				return err
			}
		}
		return nil
	})
}

// CopyTo appends copies of msgs to dst (same flags and internal date)
// and returns their new UIDs.
func (s *Store) CopyTo(ctx context.Context, acct Account, msgs []Message, dst Mailbox) ([]uint32, error) {
	uids := make([]uint32, 0, len(msgs))
	for i := range msgs {
		m := &msgs[i]
		raw, err := m.Bytes()
		if err != nil {
			return uids, err
		}
		_, uid, err := s.Deliver(ctx, acct, dst.Name, raw, Delivery{Flags: m.Flags, Date: m.Date})
		if err != nil {
			return uids, err
		}
		uids = append(uids, uid)
	}
	return uids, nil
}

func clip(s string, n int) string {
	s = strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", ""), "\uFFFD")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8Start(s[n]) {
		n--
	}
	return s[:n]
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

func firstNonEmpty(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}
