package mail

// Benchmarks of the mail sidecar (docs/benchmarks.md, "Mail"):
//
//	go test -run '^$' -bench . -benchtime 1x ./test/mail/
//
// BenchmarkSMTPIngest sends 10 KiB messages from 8 concurrent SMTP
// clients; BenchmarkIMAPFetchAll fetches FLAGS and ENVELOPE of a
// 10,000-message INBOX filled through the store (the same code SMTP
// delivery runs) and reports the time of a SELECT of it.

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/mail/store"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/storage/db/dbtest"
	"github.com/apiary/apiary/test/testserver"
)

func message10k(i int) []byte {
	body := strings.Repeat(fmt.Sprintf("line %d of a ten kilobyte message body, padded to length.\r\n", i), 240)
	return []byte(fmt.Sprintf("From: sender%d@outside.test\r\nTo: alice@%s\r\nSubject: bench %d\r\nMessage-ID: <b%d@outside.test>\r\nDate: Sun, 06 Dec 2026 12:00:00 +0000\r\n\r\n%s",
		i%8, Domain, i, i, body[:10<<10]))
}

func BenchmarkSMTPIngest(b *testing.B) {
	e := setup(b, serverOpts{maxSize: 1 << 20})
	const senders, perSender = 8, 50
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		t0, cpu0 := time.Now(), testserver.CPUTime()
		var wg sync.WaitGroup
		errs := make(chan error, senders)
		for s := 0; s < senders; s++ {
			wg.Add(1)
			go func(s int) {
				defer wg.Done()
				for i := 0; i < perSender; i++ {
					if err := plainSend(e.smtpAddr, "x@outside.test", "alice@"+Domain, message10k(s*perSender+i)); err != nil {
						errs <- err
						return
					}
				}
			}(s)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			b.Fatal(err)
		}
		b.ReportMetric(float64(senders*perSender)/time.Since(t0).Seconds(), "msgs/s")
		// Server and clients together: what the 200/s target costs in
		// CPU, whatever the machine's load.
		b.ReportMetric(float64(testserver.CPUTime()-cpu0)/1e6/float64(senders*perSender), "cpu-ms/msg")
	}
}

// fillInbox stores n messages in alice's INBOX, 500 rows per
// transaction, with UIDs 1..n (the benchmarks measure reads).
func fillInbox(b *testing.B, e *env, n int) {
	b.Helper()
	res := e.srv.Srv.Resource()
	st := store.New(e.srv.Srv.Resource, nil, nil)
	ctx := auth.WithPrincipal(context.Background(), auth.System())
	acct, ok, err := st.Account(ctx, "alice@"+Domain)
	if err != nil || !ok {
		b.Fatalf("account: %v", err)
	}
	box, err := st.Mailbox(ctx, acct, "INBOX")
	if err != nil {
		b.Fatal(err)
	}
	perm := int64(store.RowPermission)
	for start := 0; start < n; start += 500 {
		err := res.InTx(ctx, func(tx resource.Service) error {
			for i := start; i < min(start+500, n); i++ {
				attrs, err := st.Attrs(message10k(i), store.Delivery{EnvelopeFrom: "x@outside.test"})
				if err != nil {
					return err
				}
				attrs["uid"], attrs["mail_box_id"] = i+1, box.RefID
				if _, err := tx.Create(ctx, store.TableMail, resource.Input{Attributes: attrs, Owner: acct.OwnerRef, Permission: &perm}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	if _, err := res.Update(ctx, store.TableBox, box.RefID, resource.Input{Attributes: map[string]any{"nextuid": n + 1}}); err != nil {
		b.Fatal(err)
	}
}

func imapLogin(b testing.TB, e *env) *imapclient.Client {
	b.Helper()
	c, err := imapclient.DialStartTLS(e.imapAddr, &imapclient.Options{TLSConfig: tlsInsecure})
	if err != nil {
		b.Fatal(err)
	}
	if err := c.Login("alice@"+Domain, alicePass).Wait(); err != nil {
		b.Fatal(err)
	}
	return c
}

func BenchmarkIMAPFetchAll(b *testing.B) {
	e := setup(b, serverOpts{})
	fillInbox(b, e, 10000)
	c := imapLogin(b, e)
	defer c.Close()
	t0, cpu0 := time.Now(), testserver.CPUTime()
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		b.Fatal(err)
	}
	coldSelect, coldSelectCPU := time.Since(t0), testserver.CPUTime()-cpu0
	fetch := func() {
		msgs, err := c.Fetch(imap.SeqSet{imap.SeqRange{Start: 1, Stop: 0}}, &imap.FetchOptions{Flags: true, Envelope: true}).Collect()
		if err != nil || len(msgs) != 10000 || msgs[9999].Envelope == nil || msgs[9999].Envelope.Subject != "bench 9999" {
			b.Fatalf("fetched %d: %v", len(msgs), err)
		}
	}
	// The first FETCH after a start reads every message's header from the
	// database; later ones (and mail delivered since the start) hit the
	// header cache.
	t0, cpu0 = time.Now(), testserver.CPUTime()
	fetch()
	coldFetch, coldFetchCPU := time.Since(t0), testserver.CPUTime()-cpu0
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		fetch()
	}
	b.StopTimer()
	b.ReportMetric(float64(coldSelect.Milliseconds()), "cold-select-ms")
	b.ReportMetric(float64(coldFetch.Milliseconds()), "cold-fetch-ms")
	b.ReportMetric(float64(coldSelectCPU.Milliseconds()), "cold-select-cpu-ms")
	b.ReportMetric(float64(coldFetchCPU.Milliseconds()), "cold-fetch-cpu-ms")
	t0 = time.Now()
	for i := 0; i < 5; i++ {
		if _, err := c.Select("INBOX", nil).Wait(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(time.Since(t0).Milliseconds())/5, "select-ms")
}

// BenchmarkSMTPLargeMessage delivers one 25 MiB message (after a small
// one) and reports the bytes the whole process allocated per message
// byte and the peak heap.
func BenchmarkSMTPLargeMessage(b *testing.B) {
	e := setup(b, serverOpts{maxSize: 30 << 20})
	line := strings.Repeat("x", 76) + "\r\n"
	msg := []byte("From: x@outside.test\r\nSubject: large\r\n\r\n" + strings.Repeat(line, (25<<20)/len(line)))
	// One small message first: what is measured is a delivery, not the
	// compressor a server makes once.
	if err := plainSend(e.smtpAddr, "x@outside.test", "alice@"+Domain, message10k(0)); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		if err := plainSend(e.smtpAddr, "x@outside.test", "alice@"+Domain, msg); err != nil {
			b.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(len(msg)), "alloc-bytes/msg-byte")
		b.ReportMetric(float64(after.HeapSys)/(1<<20), "heap-sys-MiB")
	}
}

// BenchmarkIMAPAfterRestart measures what a mail client meets after the
// server restarts: a 10,000-message INBOX is filled by one server, which
// is closed; a second server opens the same database (the IMAP listener
// starts from the stored configuration, every cache empty) and the
// client's first SELECT and first FETCH 1:* (FLAGS ENVELOPE) are timed,
// wall and process CPU.
func BenchmarkIMAPAfterRestart(b *testing.B) {
	typ, dsn := dbtest.NewDSN(b)
	dir := b.TempDir()
	first := testserver.Start(b, testserver.WithDatabase(dir, typ, dsn))
	e := setupOn(b, first, serverOpts{})
	fillInbox(b, e, 10000)
	if err := first.Srv.Close(); err != nil {
		b.Fatal(err)
	}
	// The first server's heap is gone in a real restart.
	runtime.GC()
	debug.FreeOSMemory()
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		b.StopTimer()
		srv := testserver.Start(b, testserver.WithDatabase(dir, typ, dsn))
		addr := srv.Srv.MailIMAPAddr()
		if addr == nil {
			b.Fatal("no IMAP listener after a restart")
		}
		c, err := imapclient.DialStartTLS(addr.String(), &imapclient.Options{TLSConfig: tlsInsecure})
		if err != nil {
			b.Fatal(err)
		}
		if err := c.Login("alice@"+Domain, alicePass).Wait(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		t0, cpu0 := time.Now(), testserver.CPUTime()
		sel, err := c.Select("INBOX", nil).Wait()
		if err != nil || sel.NumMessages != 10000 {
			b.Fatalf("select: %v %v", sel, err)
		}
		selWall, selCPU := time.Since(t0), testserver.CPUTime()-cpu0
		t0, cpu0 = time.Now(), testserver.CPUTime()
		msgs, err := c.Fetch(imap.SeqSet{imap.SeqRange{Start: 1, Stop: 0}}, &imap.FetchOptions{Flags: true, Envelope: true}).Collect()
		if err != nil || len(msgs) != 10000 || msgs[9999].Envelope == nil || msgs[9999].Envelope.Subject != "bench 9999" {
			b.Fatalf("fetched %d: %v", len(msgs), err)
		}
		fetchWall, fetchCPU := time.Since(t0), testserver.CPUTime()-cpu0
		b.StopTimer()
		b.ReportMetric(float64(selWall.Microseconds())/1000, "restart-select-ms")
		b.ReportMetric(float64(selCPU.Microseconds())/1000, "restart-select-cpu-ms")
		b.ReportMetric(float64(fetchWall.Milliseconds()), "restart-fetch-ms")
		b.ReportMetric(float64(fetchCPU.Milliseconds()), "restart-fetch-cpu-ms")
		c.Close()
		if err := srv.Srv.Close(); err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		b.StartTimer()
	}
}
