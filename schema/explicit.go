package schema

import (
	"encoding/json"
	"strings"
)

// hasKey reports whether the JSON object has a non-null value for key,
// compared case-insensitively as encoding/json matches field names.
func hasKey(obj map[string]json.RawMessage, key string) bool {
	for k, v := range obj {
		if strings.EqualFold(k, key) && strings.TrimSpace(string(v)) != "null" {
			return true
		}
	}
	return false
}

// UnmarshalJSON decodes a table and records whether Permission and
// DefaultPermission were written at all: an explicit 0 means nobody, an
// absent one means the instance default.
func (t *Table) UnmarshalJSON(b []byte) error {
	type plain Table
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(b, &keys); err != nil {
		return err
	}
	*t = Table(p)
	t.ExplicitPermission = hasKey(keys, "Permission")
	t.ExplicitDefaultPermission = hasKey(keys, "DefaultPermission")
	return nil
}

// UnmarshalJSON decodes an action and records whether Permission was
// written: an explicit 0 means nobody may run it, an absent one gives a new
// action row allow-all (as Daptin).
func (a *Action) UnmarshalJSON(b []byte) error {
	type plain Action
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(b, &keys); err != nil {
		return err
	}
	*a = Action(p)
	a.ExplicitPermission = hasKey(keys, "Permission")
	return nil
}
