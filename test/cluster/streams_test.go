package cluster

import (
	"context"
	"testing"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
)

const streamSchema = itemSchema + `Streams:
  - StreamName: item_names
    RootEntityName: item
    Columns: []
    Transformations:
      - {Operation: select, Attributes: {Columns: [name]}}
`

// TestStreamsSeededOnce: two nodes starting at once on one database write
// one stream row per stream (schema and built-in), not one each.
func TestStreamsSeededOnce(t *testing.T) {
	needSharedDB(t)
	srvs, _, _ := startTogether(t, 2, streamSchema)
	sys := auth.WithPrincipal(context.Background(), auth.System())
	for i, s := range srvs {
		page, err := s.Resource().List(sys, "stream", resource.Query{PageSize: resource.MaxPageSize})
		if err != nil {
			t.Fatal(err)
		}
		count := map[string]int{}
		for _, r := range page.Rows {
			n, _ := r.Attrs["stream_name"].(string)
			count[n]++
		}
		for _, name := range []string{"item_names", "table", "transformed_user"} {
			if count[name] != 1 {
				t.Errorf("node %d sees %d rows of stream %s, want 1 (%v)", i+1, count[name], name, count)
			}
		}
	}
}
