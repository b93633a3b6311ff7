package imapd_test

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"

	"github.com/apiary/apiary/mail/imapd"
	"github.com/apiary/apiary/mail/internal/mailtest"
	"github.com/apiary/apiary/mail/store"
	"github.com/apiary/apiary/resource"
)

// TestFetchWholeMessage: BODY.PEEK[] of a stored message is written as it
// is decoded, byte for byte; a row whose size column disagrees with its
// stored message still gets the stored bytes; a row whose mail column is
// not a compressed message gets NO, and the connection keeps serving.
func TestFetchWholeMessage(t *testing.T) {
	r := newRig(t, imapd.Limits{})
	ctx := context.Background()
	small := mailText("small", "a@x.test", "hi")
	large := mailText("large", "b@x.test", strings.Repeat("a line of a large message body\r\n", 20000))
	r.deliver(t, "INBOX", small)
	r.deliver(t, "INBOX", large)
	box, err := r.st.Mailbox(ctx, r.acct, "INBOX")
	if err != nil {
		t.Fatal(err)
	}
	perm := int64(store.RowPermission)
	add := func(uid int, raw string, change func(map[string]any)) {
		attrs, err := r.st.Attrs([]byte(raw), store.Delivery{})
		if err != nil {
			t.Fatal(err)
		}
		attrs["uid"], attrs["mail_box_id"] = uid, box.RefID
		change(attrs)
		if _, err := r.st.Res().Create(mailtest.System(), store.TableMail, resource.Input{Attributes: attrs, Owner: r.acct.OwnerRef, Permission: &perm}); err != nil {
			t.Fatal(err)
		}
	}
	wrongSize := mailText("wrong size", "c@x.test", "the size column says otherwise")
	add(3, wrongSize, func(a map[string]any) { a["size"] = 5 })
	notGzip := mailText("not gzip", "d@x.test", "stored as plain base64 over the API")
	add(4, notGzip, func(a map[string]any) { a["mail"] = base64.StdEncoding.EncodeToString([]byte(notGzip)) })
	if _, err := r.st.Res().Update(mailtest.System(), store.TableBox, box.RefID, resource.Input{Attributes: map[string]any{"nextuid": 5}}); err != nil {
		t.Fatal(err)
	}

	c := r.client(t, nil)
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	whole := &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{{Peek: true}}}
	for seq, want := range map[uint32]string{1: small, 2: large, 3: wrongSize} {
		msgs, err := c.Fetch(imap.SeqSetNum(seq), whole).Collect()
		if err != nil || len(msgs) != 1 || len(msgs[0].BodySection) != 1 {
			t.Fatalf("FETCH %d BODY.PEEK[]: %v", seq, err)
		}
		if got := string(msgs[0].BodySection[0].Bytes); got != want {
			t.Errorf("FETCH %d BODY.PEEK[]: %d bytes, want %d", seq, len(got), len(want))
		}
	}
	if _, err := c.Fetch(imap.SeqSetNum(4), whole).Collect(); err == nil {
		t.Error("FETCH of a row that holds no compressed message succeeded")
	}
	msgs, err := c.Fetch(imap.SeqSetNum(1), &imap.FetchOptions{Envelope: true}).Collect()
	if err != nil || len(msgs) != 1 || msgs[0].Envelope.Subject != "small" {
		t.Fatalf("FETCH after a failed one: %v", err)
	}
}
