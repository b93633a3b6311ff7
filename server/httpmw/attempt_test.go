package httpmw

import (
	"strconv"
	"sync"
	"testing"
	"time"
)

func TestAttemptLimiter(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		name   string
		perKey int
		steps  func(t *testing.T, a *AttemptLimiter, clk *fakeClock)
	}{
		{"locks after perKey failures", 3, func(t *testing.T, a *AttemptLimiter, clk *fakeClock) {
			for i := 0; i < 3; i++ {
				if ok, _ := a.Allow("email:a@x"); !ok {
					t.Fatalf("refused after %d failures", i)
				}
				a.Fail("email:a@x")
				clk.Advance(time.Minute)
			}
			ok, retry := a.Allow("email:a@x")
			if ok || retry != 12*time.Minute {
				t.Fatalf("ok=%v retry=%v, want false 12m", ok, retry)
			}
			if ok, _ := a.Allow("email:b@x"); !ok {
				t.Fatal("other key refused")
			}
		}},
		{"window ends", 2, func(t *testing.T, a *AttemptLimiter, clk *fakeClock) {
			a.Fail("ip:1")
			a.Fail("ip:1")
			if ok, _ := a.Allow("ip:1"); ok {
				t.Fatal("allowed when locked")
			}
			clk.Advance(15 * time.Minute)
			if ok, _ := a.Allow("ip:1"); !ok {
				t.Fatal("still locked after window")
			}
			a.Fail("ip:1") // a new window starts
			if ok, _ := a.Allow("ip:1"); !ok {
				t.Fatal("locked after one failure in new window")
			}
		}},
		{"reset clears", 1, func(t *testing.T, a *AttemptLimiter, _ *fakeClock) {
			a.Fail("k")
			if ok, _ := a.Allow("k"); ok {
				t.Fatal("allowed")
			}
			a.Reset("k")
			if ok, _ := a.Allow("k"); !ok {
				t.Fatal("refused after Reset")
			}
		}},
		{"bounded and locked keys survive a flood", 2, func(t *testing.T, a *AttemptLimiter, _ *fakeClock) {
			a.maxKeys = 1000
			a.Fail("email:victim")
			a.Fail("email:victim")
			for i := 0; i < 10_000; i++ {
				a.Fail("email:junk" + strconv.Itoa(i))
				if a.len() > a.maxKeys {
					t.Fatalf("%d keys, cap %d", a.len(), a.maxKeys)
				}
			}
			if ok, _ := a.Allow("email:victim"); ok {
				t.Fatal("flood unlocked the victim")
			}
		}},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			clk := newFakeClock(time.Unix(1_000_000, 0))
			sc.steps(t, NewAttemptLimiter(sc.perKey, 15*time.Minute, clk.Now), clk)
		})
	}
}

func TestAttemptLimiterConcurrent(t *testing.T) {
	t.Parallel()
	a := NewAttemptLimiter(50, time.Minute, nil)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				a.Allow("ip:x")
				a.Fail("ip:x")
			}
		}()
	}
	wg.Wait()
	if ok, _ := a.Allow("ip:x"); ok {
		t.Fatal("80 failures allowed with limit 50")
	}
}
