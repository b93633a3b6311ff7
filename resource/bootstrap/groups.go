package bootstrap

import (
	"context"
	"fmt"

	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/schema"
)

// accessLinks links the world row of every table and the row of every
// action to the usergroups their AccessGroups name (contract core.md §2.3,
// §4.4): the group's members then pass the table gate or may run the
// action with the link row's Group* bits. A link that exists gets the
// permission the schema gives it; none is removed. Idempotent: a restart
// with an unchanged schema writes nothing.
// accessSpec is what one world or action row is linked to: the groups and
// the name of the table or action that asked (for errors).
type accessSpec struct {
	name string
	refs schema.GroupRefs
}

func (b *booter) accessLinks(ctx context.Context, table string, objects map[int64]accessSpec) error {
	if len(objects) == 0 {
		return nil
	}
	t, ok := b.sc.Table(table)
	if !ok {
		return nil
	}
	gl, ok := t.GroupLink()
	if !ok {
		return fmt.Errorf("seed: %s has no usergroup link table", table)
	}
	groups, err := b.groupIDs(ctx)
	if err != nil {
		return err
	}
	have, err := b.readRows(ctx, gl.JoinTable, gl.JoinSelf, gl.JoinOther, schema.ColPermission)
	if err != nil {
		return err
	}
	type pair struct{ self, group int64 }
	links := make(map[pair]seedRow, len(have))
	for _, r := range have {
		self, _ := r.vals[gl.JoinSelf].(int64)
		group, _ := r.vals[gl.JoinOther].(int64)
		links[pair{self, group}] = r
	}
	for self, spec := range objects {
		for _, ref := range spec.refs {
			gid, ok := groups[ref.Name]
			if !ok {
				return &resource.Error{Kind: resource.ErrBadRequest, Title: "unknown usergroup in AccessGroups",
					Detail: fmt.Sprintf("AccessGroups of %s %s name %q; no usergroup has that name", table, spec.name, ref.Name)}
			}
			perm := b.mode // the join table's default permission
			if ref.Permission != 0 {
				perm = ref.Permission
			}
			vals := map[string]any{schema.ColPermission: perm}
			var row *seedRow
			if r, ok := links[pair{self, gid}]; ok {
				row = &r
			}
			ins := map[string]any{gl.JoinSelf: self, gl.JoinOther: gid}
			now, err := b.upsertLink(ctx, gl.JoinTable, row, vals, ins, perm)
			if err != nil {
				return err
			}
			links[pair{self, gid}] = now
		}
	}
	return nil
}

// upsertLink is upsert for a link row whose permission column is the
// value compared and updated.
func (b *booter) upsertLink(ctx context.Context, table string, row *seedRow, vals, ins map[string]any, perm int64) (seedRow, error) {
	if row != nil {
		return b.upsert(ctx, table, row, vals, vals, perm)
	}
	id, err := b.insert(ctx, table, ins, perm, 0)
	if err != nil {
		return seedRow{}, err
	}
	return b.remember(table, id, withValue(ins, schema.ColPermission, perm))
}

// groupIDs maps usergroup names to ids.
func (b *booter) groupIDs(ctx context.Context) (map[string]int64, error) {
	rows, err := b.readRows(ctx, schema.TableUsergroup, "name")
	if err != nil {
		return nil, err
	}
	out := make(map[string]int64, len(rows))
	for _, r := range rows {
		if name, ok := r.vals["name"].(string); ok {
			if _, dup := out[name]; !dup {
				out[name] = r.id
			}
		}
	}
	return out, nil
}
