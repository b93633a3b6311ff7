package auth

import (
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

func TestAttemptLimiter(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		name   string
		perKey int
		steps  func(t *testing.T, a *AttemptLimiter, clk *stepClock)
	}{
		{"locks after perKey reservations", 3, func(t *testing.T, a *AttemptLimiter, clk *stepClock) {
			for i := 0; i < 3; i++ {
				if ok, _ := a.Reserve("email:a@x"); !ok {
					t.Fatalf("refused after %d failures", i)
				}
				clk.Advance(time.Minute)
			}
			ok, retry := a.Reserve("email:a@x")
			if ok || retry != 12*time.Minute {
				t.Fatalf("ok=%v retry=%v, want false 12m", ok, retry)
			}
			if ok, _ := a.Reserve("email:b@x"); !ok {
				t.Fatal("other key refused")
			}
		}},
		{"cancel gives an attempt back", 2, func(t *testing.T, a *AttemptLimiter, _ *stepClock) {
			for i := 0; i < 5; i++ {
				if ok, _ := a.Reserve("k"); !ok {
					t.Fatalf("refused after %d cancelled reservations", i)
				}
				a.Cancel("k")
			}
			a.Reserve("k")
			a.Reserve("k")
			if ok, _ := a.Reserve("k"); ok {
				t.Fatal("third reservation allowed with limit 2")
			}
		}},
		{"window ends", 2, func(t *testing.T, a *AttemptLimiter, clk *stepClock) {
			a.Fail("ip:1")
			a.Fail("ip:1")
			if ok, _ := a.Reserve("ip:1"); ok {
				t.Fatal("allowed when locked")
			}
			clk.Advance(15 * time.Minute)
			if ok, _ := a.Reserve("ip:1"); !ok {
				t.Fatal("still locked after window")
			}
			if ok, _ := a.Reserve("ip:1"); !ok {
				t.Fatal("locked after one failure in new window")
			}
		}},
		{"reset clears", 1, func(t *testing.T, a *AttemptLimiter, _ *stepClock) {
			a.Reserve("k")
			if ok, _ := a.Reserve("k"); ok {
				t.Fatal("allowed")
			}
			a.Reset("k")
			if ok, _ := a.Reserve("k"); !ok {
				t.Fatal("refused after Reset")
			}
		}},
		{"bounded and locked keys survive a flood", 2, func(t *testing.T, a *AttemptLimiter, _ *stepClock) {
			a.maxKeys = 1000
			a.Reserve("email:victim")
			a.Reserve("email:victim")
			for i := 0; i < 10_000; i++ {
				a.Reserve("email:junk" + strconv.Itoa(i))
				if a.len() > a.maxKeys {
					t.Fatalf("%d keys, cap %d", a.len(), a.maxKeys)
				}
			}
			if ok, _ := a.Reserve("email:victim"); ok {
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

// However many reserve at once, exactly perKey get an attempt.
func TestAttemptLimiterParallelReservations(t *testing.T) {
	t.Parallel()
	a := NewAttemptLimiter(10, time.Minute, nil)
	var wg sync.WaitGroup
	var granted atomic.Int32
	for g := 0; g < 100; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if ok, _ := a.Reserve("ip:x"); ok {
				granted.Add(1)
			}
		}()
	}
	wg.Wait()
	if n := granted.Load(); n != 10 {
		t.Fatalf("%d parallel reservations granted with limit 10", n)
	}
}

func TestReserveAll(t *testing.T) {
	t.Parallel()
	acct, addr := NewAttemptLimiter(5, time.Minute, nil), NewAttemptLimiter(1, time.Minute, nil)
	keys := []Reservation{{acct, "email:a"}, {addr, "ip:1"}}
	if ok, _ := ReserveAll(keys); !ok {
		t.Fatal("first refused")
	}
	if ok, _ := ReserveAll(keys); ok {
		t.Fatal("second allowed with an address limit of 1")
	}
	// The refused call gave the account attempt back: 1 of 5 used.
	for i := 0; i < 4; i++ {
		if ok, _ := acct.Reserve("email:a"); !ok {
			t.Fatalf("account attempt %d refused: the refused ReserveAll kept its reservation", i+2)
		}
	}
}
