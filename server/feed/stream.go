package feed

import (
	"context"
	"encoding/json"
	"sort"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
)

// Stream is one stream contract (sidecars.md §10.1), as /api/{stream}
// serves it.
type Stream struct{ c contract }

// Record is one stream row after the transformations.
type Record struct {
	RefID string
	Attrs map[string]any
}

// Name is the stream's name (the type of its rows).
func (s *Stream) Name() string { return s.c.StreamName }

// FindStream returns the stream row called name, read as the system; ok
// is false when there is none. A row with an unusable contract is an
// error. As in Daptin, enable is not checked.
func FindStream(ctx context.Context, res resource.Service, name string) (*Stream, bool, error) {
	sys := auth.WithPrincipal(ctx, auth.System())
	page, err := res.List(sys, streamTable, resource.Query{PageSize: 1, Conditions: []resource.Condition{
		{Column: "stream_name", Operator: "is", Value: name}}})
	if err != nil || len(page.Rows) == 0 {
		return nil, false, err
	}
	c, err := parseContract(page.Rows[0].Attrs["stream_contract"], name)
	if err != nil {
		return nil, true, err
	}
	return &Stream{c: c}, true, nil
}

// List runs the stream as the caller in ctx: the root table's list with q
// (page, sort, filter) and the stream's QueryParams, evaluated with p,
// over it, then the transformations in order.
func (s *Stream) List(ctx context.Context, res resource.Service, q resource.Query, p Params) ([]Record, error) {
	recs, err := listRecords(ctx, res, s.c, q, p)
	if err != nil {
		return nil, err
	}
	out := make([]Record, len(recs))
	for i, r := range recs {
		out[i] = Record{RefID: r.ref, Attrs: r.attrs}
	}
	return out, nil
}

// BuiltinContracts returns the contracts of the built-in streams (table,
// transformed_user) as JSON, by name, for seeding stream rows.
func BuiltinContracts() map[string]string {
	names := make([]string, 0, len(builtinStreams))
	for n := range builtinStreams {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make(map[string]string, len(names))
	for _, n := range names {
		b, _ := json.Marshal(builtinStreams[n])
		out[n] = string(b)
	}
	return out
}
