package store

import (
	"bytes"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	cases := []struct {
		name string
		raw  string
		want Parsed
	}{
		{"plain", "From: A <a@x.test>\r\nTo: b@y.test, C <c@y.test>\r\nSubject: =?utf-8?q?caf=C3=A9?=\r\nMessage-ID: <id1@x.test>\r\n\r\nhello\r\n",
			Parsed{MessageID: "id1@x.test", From: "a@x.test", To: "b@y.test,c@y.test", Subject: "café", Body: "hello\r\n"}},
		{"multipart with attachment", "From: a@x.test\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nthe text\r\n--b\r\n" +
			"Content-Type: application/pdf\r\nContent-Disposition: attachment; filename=x.pdf\r\n\r\nPDF\r\n--b--\r\n",
			Parsed{From: "a@x.test", Body: "the text", HasAttachment: true}},
		{"malformed MIME keeps what it can", "From: a@x.test\r\nContent-Type: multipart/mixed\r\n\r\nno boundary\r\n",
			Parsed{From: "a@x.test"}},
		{"8-bit header", "From: a@x.test\r\nSubject: na\xefve \xff\r\n\r\nbody\r\n", Parsed{From: "a@x.test", Body: "body\r\n"}},
		{"no header at all", "just text", Parsed{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Parse([]byte(c.raw))
			if len(got.Hash) != 64 {
				t.Errorf("hash %q", got.Hash)
			}
			if got.MessageID != c.want.MessageID || got.From != c.want.From || got.To != c.want.To ||
				(c.want.Subject != "" && got.Subject != c.want.Subject) || got.Body != c.want.Body || got.HasAttachment != c.want.HasAttachment {
				t.Errorf("Parse = %+v, want %+v", got, c.want)
			}
		})
	}
}

func TestEncodeDecode(t *testing.T) {
	for _, raw := range [][]byte{nil, []byte("x"), bytes.Repeat([]byte("0123456789"), 10000)} {
		enc, err := Encode(raw)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Decode(enc)
		if err != nil || !bytes.Equal(got, raw) {
			t.Fatalf("round trip of %d bytes: %d bytes, %v", len(raw), len(got), err)
		}
	}
	if _, err := Decode("not base64!"); err == nil {
		t.Fatal("Decode accepted garbage")
	}
}

func TestFlagsAndClip(t *testing.T) {
	if got := ParseFlags(`\Recent,\Seen, $Work,,\Seen`); strings.Join(got, ",") != `\Seen,$Work` {
		t.Errorf("ParseFlags = %q", got)
	}
	if !HasFlag([]string{`\seen`}, `\Seen`) || HasFlag(nil, `\Seen`) {
		t.Error("HasFlag")
	}
	for in, want := range map[string]string{"abc": "abc", "a\x00b": "ab", "héllo wörld": "héllo", "bad\xffbyte": "bad\uFFFD"} {
		if got := clip(in, 6); got != want {
			t.Errorf("clip(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMailboxNames(t *testing.T) {
	if !IsInbox("inbox") || IsInbox("Inboxes") || !sameBox("INBOX", "Inbox") || sameBox("Work", "work") {
		t.Error("INBOX is case-insensitive, other names are not")
	}
	if boxAttributes("Spam") != `\Junk` || boxAttributes("Sent") != `\Sent` || boxAttributes("Work") != `\HasNoChildren` {
		t.Error("boxAttributes")
	}
}

func TestMessageHeader(t *testing.T) {
	for _, raw := range []string{"Subject: a\r\nFrom: b\r\n\r\nbody " + strings.Repeat("x", 100000), "Subject: a\n\nbody", "Subject: only a header"} {
		enc, err := Encode([]byte(raw))
		if err != nil {
			t.Fatal(err)
		}
		m := &Message{Enc: enc}
		h, err := m.Header()
		if err != nil {
			t.Fatal(err)
		}
		want := raw
		if i := headerEnd([]byte(raw)); i >= 0 {
			want = raw[:i]
		}
		if string(h) != want {
			t.Errorf("Header = %q, want %q", h, want)
		}
		b, err := m.Bytes()
		if err != nil || string(b) != raw {
			t.Errorf("Bytes: %v", err)
		}
	}
}

// TestMessageLenAndWriteTo: the length read from the gzip trailer is the
// raw length for empty, small and large messages, and WriteTo gives the
// raw bytes back; a value that is not gzip has no length.
func TestMessageLenAndWriteTo(t *testing.T) {
	for _, raw := range [][]byte{{}, []byte("Subject: a\r\n\r\nb"), bytes.Repeat([]byte("0123456789abcdef\r\n"), 200000)} {
		enc, err := Encode(raw)
		if err != nil {
			t.Fatal(err)
		}
		m := &Message{Enc: enc}
		if n, ok := m.Len(); !ok || n != int64(len(raw)) {
			t.Errorf("Len of %d bytes = %d, %v", len(raw), n, ok)
		}
		var out bytes.Buffer
		if n, err := m.WriteTo(&out); err != nil || n != int64(len(raw)) || !bytes.Equal(out.Bytes(), raw) {
			t.Errorf("WriteTo of %d bytes: %d, %v", len(raw), n, err)
		}
		if m.Raw != nil {
			t.Error("WriteTo kept the decoded message")
		}
	}
	for _, enc := range []string{"", "abc", "bm90IGd6aXAgYXQgYWxsLCBqdXN0IHRleHQ="} {
		m := &Message{Enc: enc}
		if n, ok := m.Len(); ok && enc == "" {
			t.Errorf("Len(%q) = %d, true", enc, n)
		}
	}
	m := &Message{Raw: []byte("raw")}
	if n, ok := m.Len(); !ok || n != 3 {
		t.Errorf("Len of Raw = %d, %v", n, ok)
	}
}
