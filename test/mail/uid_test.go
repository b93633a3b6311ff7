package mail

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"sync"
	"testing"

	"github.com/apiary/apiary/mail/store"
)

// TestConcurrentDeliveriesGetDistinctUIDs: eight senders deliver to one
// mailbox at once; UIDs are 1..n with no gap and no duplicate, and
// nextuid ends at n+1.
func TestConcurrentDeliveriesGetDistinctUIDs(t *testing.T) {
	e := setup(t, serverOpts{})
	const n = 40
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			msg := []byte(fmt.Sprintf("From: x@outside.test\r\nSubject: concurrent %d\r\n\r\nbody\r\n", i))
			if err := plainSend(e.smtpAddr, "x@outside.test", "alice@"+Domain, msg); err != nil {
				errs <- err
			}
		}(i)
		if i%8 == 7 {
			wg.Wait()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	var uids []int
	for _, r := range e.mails(t, e.alice) {
		u, _ := strconv.Atoi(attr(r, "uid"))
		uids = append(uids, u)
	}
	sort.Ints(uids)
	for i, u := range uids {
		if u != i+1 {
			for _, r := range e.mails(t, e.alice) {
				t.Logf("uid %s box %s", attr(r, "uid"), attr(r, "mail_box_id"))
			}
			t.Fatalf("uids = %v", uids)
		}
	}
	if len(uids) != n {
		t.Fatalf("%d messages stored, want %d", len(uids), n)
	}
	st := store.New(e.srv.Srv.Resource, nil, nil)
	acct, _, _ := st.Account(context.Background(), "alice@"+Domain)
	box, err := st.Mailbox(context.Background(), acct, "INBOX")
	if err != nil || box.NextUID != n+1 {
		t.Fatalf("INBOX nextuid = %d (%v), want %d", box.NextUID, err, n+1)
	}
}
