package resource

import (
	"errors"
	"testing"
)

func TestSelfServiceInput(t *testing.T) {
	t.Parallel()
	old := Row{Attrs: map[string]any{"name": "Ann", "email": "ann@example.test", "confirmed": int64(0)}}
	tests := []struct {
		name string
		in   Input
		ok   bool
	}{
		{"name", Input{Attributes: map[string]any{"name": "Ann B."}}, true},
		{"password with current", Input{Attributes: map[string]any{"password": "x", ColCurrentPassword: "y"}}, true},
		{"e-mail unchanged", Input{Attributes: map[string]any{"name": "A", "email": "ann@example.test"}}, true},
		{"e-mail changed", Input{Attributes: map[string]any{"email": "new@example.test"}}, false},
		{"confirmed changed", Input{Attributes: map[string]any{"confirmed": 1}}, false},
		{"unknown attribute", Input{Attributes: map[string]any{"auth_version": 9}}, false},
		{"relationships", Input{Relationships: map[string]RelInput{"usergroup_id": {}}}, false},
	}
	for _, tc := range tests {
		err := selfServiceInput(old, tc.in)
		if (err == nil) != tc.ok || (err != nil && !errors.Is(err, ErrForbidden)) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}
