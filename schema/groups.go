package schema

import (
	"encoding/json"
	"fmt"
)

// GroupRef names a usergroup, optionally with the permission its link row gets.
type GroupRef struct {
	Name       string `json:"Name"`
	Permission int64  `json:"Permission,omitempty"`
}

// GroupRefs accepts both forms Daptin accepts: ["users"] and
// [{"Name":"users","Permission":2097151}].
type GroupRefs []GroupRef

// UnmarshalJSON implements json.Unmarshaler.
func (g *GroupRefs) UnmarshalJSON(b []byte) error {
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return fmt.Errorf("groups must be a list: %w", err)
	}
	out := make(GroupRefs, 0, len(raw))
	for _, r := range raw {
		var name string
		if err := json.Unmarshal(r, &name); err == nil {
			out = append(out, GroupRef{Name: name})
			continue
		}
		var ref GroupRef
		if err := json.Unmarshal(r, &ref); err != nil {
			return fmt.Errorf("group must be a name or {Name, Permission}: %w", err)
		}
		out = append(out, ref)
	}
	*g = out
	return nil
}
