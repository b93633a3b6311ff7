package resource

import (
	"context"
	"fmt"
	"strings"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/schema"
)

// managedAttrs are filled by the server; clients may echo them back, and
// they are ignored rather than rejected.
var managedAttrs = map[string]bool{
	"__type": true, schema.ColReferenceID: true, schema.ColID: true, schema.ColCreatedAt: true,
	schema.ColUpdatedAt: true, schema.ColVersion: true, "relation_reference_id": true,
	"relation_created_at": true, "relation_updated_at": true,
}

// changes is what a create or update will write.
type changes struct {
	cols   []string
	vals   []any
	set    map[string]bool
	toMany map[*schema.Link][]Ref
	clear  []*schema.Link // reverse to-one links to clear
}

func (c *changes) put(col string, v any) {
	if c.set[col] {
		for i := range c.cols {
			if c.cols[i] == col {
				c.vals[i] = v
			}
		}
		return
	}
	c.set[col] = true
	c.cols = append(c.cols, col)
	c.vals = append(c.vals, v)
}

// prepare validates and converts attributes and relationships into column
// values. creating says whether permission and owner are ignored (create)
// or writable (update).
func (s *svc) prepare(ctx context.Context, sc *schema.Schema, t *schema.Table, in Input, creating bool) (*changes, error) {
	ch := &changes{set: map[string]bool{}, toMany: map[*schema.Link][]Ref{}}
	v := s.views.get(s.d, t)
	if err := validateTags(t, in.Attributes); err != nil {
		return nil, err
	}
	for name, val := range in.Attributes {
		if managedAttrs[name] {
			continue
		}
		if creating && (name == schema.ColPermission || (name == schema.ColOwner && t.HasOwner())) {
			continue
		}
		if l, ok := t.Link(name); ok && (l.ToMany || l.Reverse) {
			refs, err := refsOf(name, l.Target, val)
			if err != nil {
				return nil, err
			}
			ch.toMany[l] = append(ch.toMany[l], refs...)
			continue
		}
		cv, ok := v.col(name)
		if !ok || (!cv.api && !(auth.PrincipalFrom(ctx).System && name != schema.ColID && name != schema.ColVersion)) {
			return nil, invalidAttr(name, "table %q has no writable attribute %q", t.TableName, name)
		}
		if err := s.prepareColumn(ctx, sc, cv, val, ch); err != nil {
			return nil, err
		}
	}
	for name, rel := range in.Relationships {
		l, ok := t.Link(name)
		if !ok {
			return nil, &Error{Kind: ErrValidation, Title: "unknown relation " + name, Detail: fmt.Sprintf("table %q has no relation %q", t.TableName, name), Pointer: "/data/relationships/" + name}
		}
		switch {
		case !l.ToMany && !l.Reverse:
			if creating && name == schema.ColOwner && t.HasOwner() {
				continue
			}
			var val any
			if !rel.Null && len(rel.Refs) > 0 {
				val = rel.Refs[0].ID
			}
			cv, _ := v.col(l.FKColumn)
			if err := s.prepareColumn(ctx, sc, cv, val, ch); err != nil {
				return nil, err
			}
		case rel.Null && !l.ToMany:
			ch.clear = append(ch.clear, l)
		default:
			ch.toMany[l] = append(ch.toMany[l], rel.Refs...)
		}
	}
	return ch, nil
}

// prepareColumn converts one attribute value for its column.
func (s *svc) prepareColumn(ctx context.Context, sc *schema.Schema, cv *colView, val any, ch *changes) error {
	col := cv.col
	name := col.ColumnName
	if cv.fk >= 0 {
		if val == nil || val == "" {
			ch.put(name, nil)
			return nil
		}
		ref, ok := val.(string)
		if m, isMap := val.(map[string]any); isMap {
			ref, ok = m["id"].(string)
		}
		if !ok {
			return invalidAttr(name, "%s takes the id (UUID) of a %s row", name, col.ForeignKeyData.Namespace)
		}
		l := &schema.Link{Name: name, Target: col.ForeignKeyData.Namespace}
		ids, err := s.targetIDs(ctx, sc, l, []Ref{{ID: ref}})
		if err != nil {
			return err
		}
		ch.put(name, ids[0])
		return nil
	}
	if name == schema.ColPermission {
		n, err := toDB(skInt, numberOf(val))
		if err != nil || n == nil {
			return invalidAttr(name, "permission must be a whole number")
		}
		ch.put(name, n)
		return nil
	}
	norm, err := schema.NormalizeValue(col, val)
	if err != nil {
		return invalidAttr(name, "%v", err)
	}
	if norm == nil {
		ch.put(name, nil)
		return nil
	}
	norm, err = s.protect(cv.secret, norm)
	if err != nil {
		return err
	}
	out, err := toDB(cv.sk, norm)
	if err != nil {
		return invalidAttr(name, "%v", err)
	}
	ch.put(name, out)
	return nil
}

func numberOf(v any) any {
	if s, ok := v.(string); ok {
		return strings.TrimSpace(s)
	}
	return v
}

// protect hashes or encrypts secret column values before they are stored.
func (s *svc) protect(kind schema.SecretKind, v any) (any, error) {
	str, ok := v.(string)
	if !ok || kind == schema.SecretNone {
		return v, nil
	}
	switch kind {
	case schema.SecretPassword, schema.SecretBcrypt:
		if str == "" {
			return nil, nil
		}
		return auth.HashPasswordCost(str, s.cost)
	case schema.SecretMD5:
		return auth.MD5Hex(str), nil
	case schema.SecretMD5Bcrypt:
		return auth.HashPasswordCost(auth.MD5Hex(str), s.cost)
	case schema.SecretEncrypted:
		if s.secret == "" {
			return str, nil
		}
		return auth.Encrypt(s.secret, str)
	}
	return v, nil
}

// refsOf reads a to-many attribute: a list of ids or of {type, id}.
func refsOf(name, target string, v any) ([]Ref, error) {
	list, ok := v.([]any)
	if !ok {
		if v == nil {
			return nil, nil
		}
		list = []any{v}
	}
	out := make([]Ref, 0, len(list))
	for _, item := range list {
		switch x := item.(type) {
		case string:
			out = append(out, Ref{Type: target, ID: x})
		case map[string]any:
			id, _ := x["id"].(string)
			typ, _ := x["type"].(string)
			out = append(out, Ref{Type: typ, ID: id})
		default:
			return nil, invalidAttr(name, "%s takes a list of ids", name)
		}
	}
	return out, nil
}

// requireColumns rejects a create that leaves a NOT NULL column without a
// value or default.
func requireColumns(t *schema.Table, ch *changes) error {
	for _, col := range t.Columns {
		if col.IsNullable || col.DefaultValue != "" || col.IsPrimaryKey || ch.set[col.ColumnName] {
			continue
		}
		switch col.ColumnName {
		case schema.ColReferenceID, schema.ColPermission, schema.ColVersion, schema.ColCreatedAt, schema.ColUpdatedAt, schema.ColOwner:
			continue
		}
		if storageKindOf(col.DataType) == skTime {
			continue
		}
		return invalidAttr(col.ColumnName, "%s is required", col.ColumnName)
	}
	return nil
}
