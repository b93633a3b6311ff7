package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"strings"

	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // decode non-UTF-8 parts
	"github.com/emersion/go-message/mail"
)

// maxBodyText bounds the text kept in the body column.
const maxBodyText = 1 << 20

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
func Parse(raw []byte) Parsed {
	sum := sha256.Sum256(raw)
	p := Parsed{Hash: hex.EncodeToString(sum[:])}
	e, err := message.Read(bytes.NewReader(raw))
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
	walk(e, &p, 0)
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
// attachment; depth bounds nesting.
func walk(e *message.Entity, p *Parsed, depth int) {
	if depth > 20 {
		return
	}
	if mr := e.MultipartReader(); mr != nil {
		for {
			part, err := mr.NextPart()
			if err != nil {
				return
			}
			walk(part, p, depth+1)
		}
	}
	disp, _, _ := e.Header.ContentDisposition()
	if disp == "attachment" {
		p.HasAttachment = true
		return
	}
	t, _, _ := e.Header.ContentType()
	if (t == "" || t == "text/plain") && p.Body == "" {
		b, _ := io.ReadAll(io.LimitReader(e.Body, maxBodyText))
		p.Body = clip(string(b), maxBodyText)
	}
}
