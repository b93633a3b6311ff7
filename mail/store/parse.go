package store

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"strings"

	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // decode non-UTF-8 parts
	"github.com/emersion/go-message/mail"
)

// maxBodyText bounds the text kept in the body column (a preview for
// JSON:API readers; the whole message is in the mail column). It is
// copied several times on its way to the database, so it is what a large
// message costs besides the message itself.
const maxBodyText = 256 << 10

// Parsed is what the mail row keeps of a message's headers and text.
type Parsed struct {
	MessageID     string
	From          string
	To            string
	ReplyTo       string
	Sender        string
	Subject       string
	ContentType   string
	Body          string // first text/plain part
	HasAttachment bool
	Hash          string // sha256 of the raw bytes
}

// Parse reads what it can from raw; malformed MIME leaves fields empty
// rather than failing (the raw message is kept whole either way).
func Parse(raw []byte) Parsed { return parseRaw(Raw{raw}) }

// parseRaw is Parse of a message in pieces, read once in order.
func parseRaw(raw Raw) Parsed {
	sum := sha256.New()
	for _, piece := range raw {
		sum.Write(piece)
	}
	p := Parsed{Hash: hex.EncodeToString(sum.Sum(nil))}
	e, err := message.Read(raw.Reader())
	if e == nil {
		return p
	}
	h := mail.Header{Header: e.Header}
	p.MessageID = clip(strings.Trim(h.Get("Message-Id"), "<> \t"), 500)
	p.From = addrs(h, "From")
	p.To = addrs(h, "To")
	p.ReplyTo = addrs(h, "Reply-To")
	p.Sender = addrs(h, "Sender")
	if s, err := h.Text("Subject"); err == nil {
		p.Subject = s
	} else {
		p.Subject = h.Get("Subject")
	}
	p.ContentType = clip(h.Get("Content-Type"), 1000)
	if err != nil && !message.IsUnknownCharset(err) && !message.IsUnknownEncoding(err) {
		return p
	}
	walk(e, &p, 0, raw.Len())
	return p
}

func addrs(h mail.Header, key string) string {
	l, err := h.AddressList(key)
	if err != nil || len(l) == 0 {
		return h.Get(key)
	}
	out := make([]string, len(l))
	for i, a := range l {
		out[i] = a.Address
	}
	return strings.Join(out, ",")
}

// walk finds the first text/plain part and whether any part is an
// attachment; depth bounds nesting, size (the whole message's) the text.
func walk(e *message.Entity, p *Parsed, depth, size int) {
	if depth > 20 {
		return
	}
	if mr := e.MultipartReader(); mr != nil {
		for {
			part, err := mr.NextPart()
			if err != nil {
				return
			}
			walk(part, p, depth+1, size)
		}
	}
	disp, _, _ := e.Header.ContentDisposition()
	if disp == "attachment" {
		p.HasAttachment = true
		return
	}
	t, _, _ := e.Header.ContentType()
	if (t == "" || t == "text/plain") && p.Body == "" {
		// Read into a builder of the likely final size: the text is
		// copied once (a decoded part may still grow it).
		var b strings.Builder
		b.Grow(min(size, maxBodyText))
		_, _ = io.Copy(&b, io.LimitReader(e.Body, maxBodyText))
		p.Body = clip(b.String(), maxBodyText)
	}
}
