package store_test

import (
	"context"
	"fmt"
	"os"
	"runtime/pprof"
	"testing"
	"time"

	"github.com/apiary/apiary/mail/internal/mailtest"
	"github.com/apiary/apiary/mail/store"
	"github.com/apiary/apiary/resource"
)

// BenchmarkColdMailbox fills a mailbox with 10,000 messages of about
// 10 KiB, then measures what a restarted server does first: list the
// mailbox (SELECT) and read every header block (FETCH 1:* ENVELOPE),
// with empty caches each round.
func BenchmarkColdMailbox(b *testing.B) {
	const n = 10000
	res := mailtest.Resource(b)
	srv := mailtest.Server(b, res, "example.test")
	mailtest.Account(b, res, srv, "alice@example.test", "pw")
	st := store.New(func() resource.Service { return res }, nil, nil)
	ctx := context.Background()
	acct, _, _ := st.Account(ctx, "alice@example.test")
	box, err := st.Mailbox(ctx, acct, "INBOX")
	if err != nil {
		b.Fatal(err)
	}
	body := make([]byte, 0, 10<<10)
	for len(body) < 10<<10 {
		body = fmt.Appendf(body, "line %d of a message body that is long enough to look like text\r\n", len(body))
	}
	perm := int64(store.RowPermission)
	for start := 0; start < n; start += 500 {
		err := res.InTx(mailtest.System(), func(tx resource.Service) error {
			for i := start; i < min(start+500, n); i++ {
				raw := append(fmt.Appendf(nil, "From: x@outside.test\r\nTo: alice@example.test\r\nSubject: bench %d\r\nMessage-ID: <%d@x>\r\n\r\n", i, i), body...)
				attrs, err := st.Attrs(raw, store.Delivery{EnvelopeFrom: "x@outside.test"})
				if err != nil {
					return err
				}
				attrs["uid"], attrs["mail_box_id"] = i+1, box.RefID
				if _, err := tx.Create(mailtest.System(), store.TableMail, resource.Input{Attributes: attrs, Owner: acct.OwnerRef, Permission: &perm}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	if f := os.Getenv("APIARY_MAIL_PROFILE"); f != "" {
		out, err := os.Create(f)
		if err != nil {
			b.Fatal(err)
		}
		defer out.Close()
		_ = pprof.StartCPUProfile(out)
		defer pprof.StopCPUProfile()
	}
	b.ResetTimer()
	var list, heads, fromMsgs time.Duration
	for range b.N {
		cold := store.New(func() resource.Service { return res }, nil, nil)
		t0 := time.Now()
		msgs, err := cold.Messages(ctx, box)
		if err != nil || len(msgs) != n {
			b.Fatalf("Messages: %d %v", len(msgs), err)
		}
		t1 := time.Now()
		h, err := cold.Headers(ctx, box, msgs)
		if err != nil || len(h) != n {
			b.Fatalf("Headers: %d %v", len(h), err)
		}
		list += t1.Sub(t0)
		heads += time.Since(t1)
		// What the headers column saves: the same blocks read from the
		// messages, 500 at a time as FETCH does.
		t2 := time.Now()
		for lo := uint32(1); lo <= n; lo += 500 {
			loaded, err := cold.Load(ctx, box, lo, lo+499)
			if err != nil {
				b.Fatal(err)
			}
			for i := range loaded {
				if _, err := loaded[i].Header(); err != nil {
					b.Fatal(err)
				}
			}
		}
		fromMsgs += time.Since(t2)
	}
	b.ReportMetric(float64(fromMsgs.Milliseconds())/float64(b.N), "headers-from-messages-ms")
	b.ReportMetric(float64(list.Milliseconds())/float64(b.N), "cold-list-ms")
	b.ReportMetric(float64(heads.Milliseconds())/float64(b.N), "cold-headers-ms")
}
