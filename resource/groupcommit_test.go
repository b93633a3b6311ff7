package resource_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/resource/resourcetest"
)

const groupSchema = `
Tables:
  - TableName: slot
    Columns:
      - {Name: code, ColumnType: label, IsUnique: true}
`

// Many concurrent writes, some failing in different ways, share write
// transactions on SQLite: every successful write is stored and announced,
// no failed write leaves a row or an event, and a panic reaches only the
// request that caused it.
func TestConcurrentWritesIsolated(t *testing.T) {
	t.Parallel()
	res := resourcetest.New(t, groupSchema)
	rec := &recorder{}
	defer res.Subscribe(rec.add)()
	ctx := sys()
	const n = 200
	boom := errors.New("boom")
	var wg sync.WaitGroup
	errs := make([]error, n)
	panics := make([]any, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { panics[i] = recover() }()
			code := fmt.Sprintf("c%03d", i)
			switch i % 5 {
			case 0, 1: // plain create
				_, errs[i] = res.Create(ctx, "slot", resource.Input{Attributes: map[string]any{"code": code}})
			case 2: // duplicate of the row made by i-2: one of each pair fails
				_, errs[i] = res.Create(ctx, "slot", resource.Input{Attributes: map[string]any{"code": fmt.Sprintf("c%03d", i-2)}})
			case 3: // two rows, then an error: both must vanish
				errs[i] = res.InTx(ctx, func(tx resource.Service) error {
					for _, c := range []string{code + "a", code + "b"} {
						if _, err := tx.Create(ctx, "slot", resource.Input{Attributes: map[string]any{"code": c}}); err != nil {
							return err
						}
					}
					return boom
				})
			case 4: // a panic after a write
				_ = res.InTx(ctx, func(tx resource.Service) error {
					if _, err := tx.Create(ctx, "slot", resource.Input{Attributes: map[string]any{"code": code}}); err != nil {
						return err
					}
					panic("write panicked")
				})
			}
		}()
	}
	wg.Wait()
	want := map[string]bool{}
	dupFailures := 0
	for i := range n {
		code := fmt.Sprintf("c%03d", i)
		switch i % 5 {
		case 0, 1:
			if errs[i] != nil {
				dupFailures++ // lost the race to its duplicate
			} else {
				want[code] = true
			}
		case 2:
			if errs[i] != nil {
				dupFailures++
			}
		case 3:
			if !errors.Is(errs[i], boom) {
				t.Errorf("write %d: error %v, want boom", i, errs[i])
			}
		case 4:
			if panics[i] != "write panicked" {
				t.Errorf("write %d: recovered %v", i, panics[i])
			}
		}
		if i%5 != 4 && panics[i] != nil {
			t.Errorf("write %d panicked: %v", i, panics[i])
		}
	}
	if dupFailures != n/5 {
		t.Errorf("%d duplicate failures, want %d", dupFailures, n/5)
	}
	page, err := res.List(ctx, "slot", resource.Query{PageSize: 1000})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, r := range page.Rows {
		got[fmt.Sprint(r.Attrs["code"])] = true
	}
	if len(got) != 2*n/5 {
		t.Errorf("%d rows stored, want %d", len(got), 2*n/5)
	}
	for c := range got {
		var i int
		if _, err := fmt.Sscanf(c, "c%03d", &i); err != nil || len(c) != 4 || (i%5 != 0 && i%5 != 1) {
			t.Errorf("unexpected row %q", c)
		}
	}
	if rec.len() != len(got) {
		t.Errorf("%d create events for %d rows", rec.len(), len(got))
	}
}
