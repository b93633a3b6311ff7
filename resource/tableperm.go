package resource

import (
	"context"

	"github.com/apiary/apiary/auth"
)

// TablePermission returns the permission data of a table's world row: its
// owner, permission and shared groups. A table without a world row is
// open to all, as the table gate treats it.
func (s *svc) TablePermission(ctx context.Context, tableName string) (auth.Object, error) {
	t, err := table(s.Schema(), tableName)
	if err != nil {
		return auth.Object{}, err
	}
	gs, err := s.gates(ctx)
	if err != nil {
		return auth.Object{}, err
	}
	g, ok := gs[t.TableName]
	if !ok {
		return auth.Object{Permission: auth.AllowAll}, nil
	}
	return g.obj, nil
}
