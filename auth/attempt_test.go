package auth

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// stepClock is a settable clock.
type stepClock struct{ ns atomic.Int64 }

func (c *stepClock) Now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *stepClock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

// guess reserves an attempt for key and resolves it as a wrong guess.
func guess(a *AttemptLimiter, key string) bool {
	ok, _ := a.Reserve(context.Background(), key)
	if ok {
		a.Fail(key)
	}
	return ok
}

func TestAttemptLimiter(t *testing.T) {
	t.Parallel()
	bg := context.Background()
	scenarios := []struct {
		name   string
		perKey int
		steps  func(t *testing.T, a *AttemptLimiter, clk *stepClock)
	}{
		{"locks after perKey failures", 3, func(t *testing.T, a *AttemptLimiter, clk *stepClock) {
			for i := 0; i < 3; i++ {
				if !guess(a, "email:a@x") {
					t.Fatalf("refused after %d failures", i)
				}
				clk.Advance(time.Minute)
			}
			ok, retry := a.Reserve(bg, "email:a@x")
			if ok || retry != 12*time.Minute {
				t.Fatalf("ok=%v retry=%v, want false 12m", ok, retry)
			}
			if !guess(a, "email:b@x") {
				t.Fatal("other key refused")
			}
		}},
		{"cancel gives an attempt back", 2, func(t *testing.T, a *AttemptLimiter, _ *stepClock) {
			for i := 0; i < 5; i++ {
				if ok, _ := a.Reserve(bg, "k"); !ok {
					t.Fatalf("refused after %d cancelled reservations", i)
				}
				a.Cancel("k")
			}
			guess(a, "k")
			guess(a, "k")
			if guess(a, "k") {
				t.Fatal("third failure allowed with limit 2")
			}
		}},
		{"window ends", 2, func(t *testing.T, a *AttemptLimiter, clk *stepClock) {
			a.Fail("ip:1")
			a.Fail("ip:1")
			if guess(a, "ip:1") {
				t.Fatal("allowed when locked")
			}
			clk.Advance(15 * time.Minute)
			if !guess(a, "ip:1") || !guess(a, "ip:1") {
				t.Fatal("still locked after window")
			}
		}},
		{"reset clears", 1, func(t *testing.T, a *AttemptLimiter, _ *stepClock) {
			guess(a, "k")
			if guess(a, "k") {
				t.Fatal("allowed")
			}
			a.Reset("k")
			if !guess(a, "k") {
				t.Fatal("refused after Reset")
			}
		}},
		{"bounded and locked keys survive a flood", 2, func(t *testing.T, a *AttemptLimiter, _ *stepClock) {
			a.maxKeys = 1000
			guess(a, "email:victim")
			guess(a, "email:victim")
			for i := 0; i < 10_000; i++ {
				guess(a, "email:junk"+strconv.Itoa(i))
				if a.len() > a.maxKeys {
					t.Fatalf("%d keys, cap %d", a.len(), a.maxKeys)
				}
			}
			if guess(a, "email:victim") {
				t.Fatal("flood unlocked the victim")
			}
		}},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			clk := &stepClock{}
			clk.Advance(time.Duration(1_000_000) * time.Second)
			sc.steps(t, NewAttemptLimiter(sc.perKey, 15*time.Minute, clk.Now), clk)
		})
	}
}

// However many guess at once, exactly perKey wrong guesses are checked;
// however many succeed at once, none is refused.
func TestAttemptLimiterParallel(t *testing.T) {
	t.Parallel()
	for _, wrong := range []bool{true, false} {
		a := NewAttemptLimiter(10, time.Minute, nil)
		var wg sync.WaitGroup
		var granted atomic.Int32
		for g := 0; g < 100; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if ok, _ := a.Reserve(context.Background(), "ip:x"); ok {
					granted.Add(1)
					time.Sleep(time.Millisecond) // the password check
					if wrong {
						a.Fail("ip:x")
					} else {
						a.Cancel("ip:x")
					}
				}
			}()
		}
		wg.Wait()
		want := int32(100)
		if wrong {
			want = 10
		}
		if n := granted.Load(); n != want {
			t.Errorf("wrong=%v: %d of 100 parallel attempts checked, want %d", wrong, n, want)
		}
	}
}

// A reservation that would pass the limit only because of pending ones
// waits, and gives up when its context ends.
func TestReserveWaits(t *testing.T) {
	t.Parallel()
	a := NewAttemptLimiter(1, time.Minute, nil)
	if ok, _ := a.Reserve(context.Background(), "k"); !ok {
		t.Fatal("first refused")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if ok, _ := a.Reserve(ctx, "k"); ok {
		t.Fatal("second reserved while the first is pending")
	}
	done := make(chan bool)
	go func() { ok, _ := a.Reserve(context.Background(), "k"); done <- ok }()
	time.Sleep(5 * time.Millisecond)
	a.Cancel("k")
	if !<-done {
		t.Fatal("waiting reservation refused after the pending one was cancelled")
	}
}

func TestReserveAll(t *testing.T) {
	t.Parallel()
	acct, addr := NewAttemptLimiter(5, time.Minute, nil), NewAttemptLimiter(1, time.Minute, nil)
	keys := []Reservation{{acct, "email:a"}, {addr, "ip:1"}}
	bg := context.Background()
	if ok, _ := ReserveAll(bg, keys); !ok {
		t.Fatal("first refused")
	}
	acct.Fail("email:a")
	addr.Fail("ip:1")
	if ok, _ := ReserveAll(bg, keys); ok {
		t.Fatal("second allowed with an address limit of 1")
	}
	// The refused call gave the account attempt back: 1 of 5 used.
	for i := 0; i < 4; i++ {
		if !guess(acct, "email:a") {
			t.Fatalf("account attempt %d refused: the refused ReserveAll kept its reservation", i+2)
		}
	}
}
