package pipeline

import (
	"context"
	"errors"
	"reflect"
	"testing"
)

type buf struct{ vals []int }

func bufs(n int) []*buf {
	out := make([]*buf, n)
	for i := range out {
		out[i] = &buf{}
	}
	return out
}

// counter sends buffers holding 0..n-1, per items per buffer.
func counter(n, per int) func(p *Producer[buf]) {
	return func(p *Producer[buf]) {
		b, ok := p.Take()
		if !ok {
			return
		}
		for i := range n {
			b.vals = append(b.vals, i)
			if len(b.vals) == per {
				if !p.Send(b) {
					return
				}
				if b, ok = p.Take(); !ok {
					return
				}
			}
		}
		if len(b.vals) > 0 {
			p.Send(b)
		}
	}
}

func TestRun(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	cases := []struct {
		name        string
		n, per      int
		stopAt      int // consume stops at this value (-1 never)
		failAt      int // consume fails at this value (-1 never)
		wantSeen    int
		wantStopped bool
		wantErr     error
	}{
		{"drains everything", 10, 3, -1, -1, 10, false, nil},
		{"empty", 0, 3, -1, -1, 0, false, nil},
		{"one buffer", 5, 1, -1, -1, 5, false, nil},
		{"consumer stops", 100, 4, 41, -1, 44, true, nil},
		{"consumer fails", 100, 4, -1, 17, 20, true, boom},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var seen []int
			stopped, err := Run(context.Background(), bufs(3), counter(c.n, c.per), func(b *buf) (bool, error) {
				seen = append(seen, b.vals...)
				for _, v := range b.vals {
					if v == c.failAt {
						return false, boom
					}
					if v == c.stopAt {
						return true, nil
					}
				}
				return false, nil
			}, func(b *buf) { b.vals = b.vals[:0] })
			if stopped != c.wantStopped || !errors.Is(err, c.wantErr) {
				t.Fatalf("stopped %v, err %v; want %v, %v", stopped, err, c.wantStopped, c.wantErr)
			}
			want := make([]int, c.wantSeen)
			for i := range want {
				want[i] = i
			}
			if len(seen) == 0 && len(want) == 0 {
				return
			}
			if !reflect.DeepEqual(seen, want) {
				t.Errorf("seen %v, want %v", seen, want)
			}
		})
	}
}

func TestRunReRaisesProducerPanic(t *testing.T) {
	t.Parallel()
	defer func() {
		if r := recover(); r != "broke" {
			t.Errorf("recovered %v", r)
		}
	}()
	_, _ = Run(context.Background(), bufs(2), func(p *Producer[buf]) { panic("broke") },
		func(*buf) (bool, error) { return false, nil }, func(*buf) {})
	t.Error("Run returned instead of panicking")
}

func TestRunCancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	stopped, err := Run(ctx, bufs(2), func(p *Producer[buf]) {
		for {
			b, ok := p.Take()
			if !ok || !p.Send(b) {
				return
			}
		}
	}, func(*buf) (bool, error) { return false, nil }, func(*buf) {})
	if stopped || !errors.Is(err, context.Canceled) {
		t.Errorf("stopped %v, err %v; want false, context.Canceled", stopped, err)
	}
}
