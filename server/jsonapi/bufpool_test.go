package jsonapi

import (
	"net/http/httptest"
	"testing"
)

func TestBufPool(t *testing.T) {
	var bp bufPool
	for _, n := range []int{0, 10, 4096, maxPooledBuf + 1} {
		b := bp.get(n)
		if len(*b) != 0 || cap(*b) < n {
			t.Errorf("get(%d): len %d cap %d", n, len(*b), cap(*b))
		}
		*b = append(*b, "x"...)
		bp.put(b)
	}
	// A buffer handed back is empty when it is handed out again.
	b := bp.get(1)
	*b = append(*b, "abc"...)
	bp.put(b)
	if b2 := bp.get(1); len(*b2) != 0 {
		t.Errorf("reused buffer holds %q", *b2)
	}
}

// TestWriteJSONReusesBuffer checks that two answers written one after the
// other through the pool are each complete and distinct.
func TestWriteJSONReusesBuffer(t *testing.T) {
	a := &api{}
	for _, want := range []string{`{"meta":null}`, `{"data":null}`} {
		w := httptest.NewRecorder()
		var v any = metaDoc{}
		if want == `{"data":null}` {
			v = dataDoc{}
		}
		if err := a.writeJSON(w, 200, v); err != nil {
			t.Fatal(err)
		}
		if got := w.Body.String(); got != want {
			t.Errorf("body %s, want %s", got, want)
		}
	}
}
