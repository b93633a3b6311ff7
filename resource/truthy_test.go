package resource

import (
	"encoding/json"
	"testing"
)

func TestTruthy(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   any
		want bool
	}{
		{true, true}, {false, false}, {nil, false},
		{int64(1), true}, {int64(0), false}, {int64(7), true}, {1, true}, {0, false},
		{1.0, true}, {0.0, false}, {2.5, true},
		{"1", true}, {"0", false}, {" TRUE ", true}, {"false", false}, {"yes", true}, {"on", true},
		{"no", false}, {"", false}, {"maybe", false}, {json.Number("1"), true}, {[]any{true}, false},
	}
	for _, c := range cases {
		if got := Truthy(c.in); got != c.want {
			t.Errorf("Truthy(%#v) = %v, want %v", c.in, got, c.want)
		}
	}
}
