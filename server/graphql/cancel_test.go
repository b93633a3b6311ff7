package graphql

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/resource/resourcetest"
)

// blockingRes is a real resource layer whose List waits until its
// context ends, reporting when it started and how it ended.
type blockingRes struct {
	resource.Service
	once    sync.Once
	entered chan struct{}
	ended   chan error
}

func (b *blockingRes) List(ctx context.Context, _ string, _ resource.Query) (resource.Page, error) {
	b.once.Do(func() { close(b.entered) })
	<-ctx.Done()
	b.ended <- ctx.Err()
	return resource.Page{}, ctx.Err()
}

// TestClientDisconnectCancelsWork: when the client goes away, the work of
// its query is cancelled at once (not left running until the timeout).
func TestClientDisconnectCancelsWork(t *testing.T) {
	t.Parallel()
	res := resourcetest.New(t, "Tables:\n  - TableName: todo\n    Columns: [{Name: title, ColumnType: label}]\n")
	b := &blockingRes{Service: res, entered: make(chan struct{}), ended: make(chan error, 8)}
	h := New(Deps{Res: func() resource.Service { return b }, Enabled: func() bool { return true }, Limits: DefaultLimits()})
	srv := httptest.NewServer(h)
	defer srv.Close()

	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL, strings.NewReader(`{"query":"{ todo { title } }"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	go func() {
		if resp, err := http.DefaultClient.Do(req); err == nil {
			_ = resp.Body.Close()
		}
	}()
	select {
	case <-b.entered:
	case <-time.After(10 * time.Second):
		t.Fatal("the query never reached the resource layer")
	}
	start := time.Now()
	cancel() // the client goes away
	select {
	case err := <-b.ended:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("work ended with %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the query's work went on after the client went away")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("cancelled after %v", d)
	}
}
