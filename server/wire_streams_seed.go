package server

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"slices"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/server/feed"
)

// maxStreamRows bounds how many rows of one stream name seeding reads:
// far more than nodes starting together could write.
const maxStreamRows = 100

// seedStreams writes a stream row for each built-in stream and each
// stream of the schema files that has none yet, as the system (Daptin
// upserts them at boot); a schema stream's contract follows its file.
//
// stream_name is not unique (as in Daptin), so nodes starting together on
// one database may each create a row of a name. Every node therefore folds
// the rows of each seeded name into the oldest one (the lowest id) after
// writing, moving the feeds of the others onto it: the node that looks
// last sees every row, so one row per name remains whatever the order.
func (s *Server) seedStreams(ctx context.Context) error {
	sys := auth.WithPrincipal(ctx, auth.System())
	want := feed.BuiltinContracts()
	fromFiles := map[string]bool{}
	for _, c := range s.schema.Load().Streams {
		name, _ := c["StreamName"].(string)
		if name == "" {
			continue
		}
		b, err := json.Marshal(c)
		if err != nil {
			return err
		}
		want[name], fromFiles[name] = string(b), true
	}
	names := make([]string, 0, len(want))
	for name := range want {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		rows, err := s.streamRows(sys, name)
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			_, err = s.res.Create(sys, "stream", resource.Input{Attributes: map[string]any{"stream_name": name, "enable": true, "stream_contract": want[name]}})
			if err != nil && !errors.Is(err, resource.ErrConflict) {
				return err
			}
			if rows, err = s.streamRows(sys, name); err != nil || len(rows) == 0 {
				return err
			}
		}
		if fromFiles[name] && rows[0].Attrs["stream_contract"] != want[name] {
			_, err = s.res.Update(sys, "stream", rows[0].RefID, resource.Input{Attributes: map[string]any{"stream_contract": want[name]}})
			if err != nil && !errors.Is(err, resource.ErrConflict) {
				return err
			}
		}
		if err := s.foldStreams(sys, rows); err != nil {
			return err
		}
	}
	return nil
}

// streamRows returns the stream rows called name, oldest (lowest id) first.
func (s *Server) streamRows(sys context.Context, name string) ([]resource.Row, error) {
	page, err := s.res.List(sys, "stream", resource.Query{PageSize: maxStreamRows, Conditions: []resource.Condition{
		{Column: "stream_name", Operator: "is", Value: name}}})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(page.Rows, func(a, b resource.Row) int { return cmp.Compare(a.ID, b.ID) })
	return page.Rows, nil
}

// foldStreams keeps rows[0] and deletes the other rows, in one
// transaction, after pointing the feeds of those at rows[0]. A row
// another node deleted first is no error.
func (s *Server) foldStreams(sys context.Context, rows []resource.Row) error {
	if len(rows) < 2 {
		return nil
	}
	keep, drop := rows[0].RefID, map[string]bool{}
	for _, r := range rows[1:] {
		drop[r.RefID] = true
	}
	return s.res.InTx(sys, func(tx resource.Service) error {
		for n := 1; ; n++ {
			page, err := tx.List(sys, "feed", resource.Query{PageNumber: n, PageSize: resource.MaxPageSize})
			if err != nil {
				return err
			}
			for _, f := range page.Rows {
				if ref, _ := f.Attrs["stream_id"].(string); drop[ref] {
					_, err := tx.Update(sys, "feed", f.RefID, resource.Input{Relationships: map[string]resource.RelInput{
						"stream_id": {Refs: []resource.Ref{{Type: "stream", ID: keep}}}}})
					if err != nil {
						return err
					}
				}
			}
			if len(page.Rows) < resource.MaxPageSize {
				break
			}
		}
		for _, r := range rows[1:] { // in id order, as every node deletes them
			if err := tx.Delete(sys, "stream", r.RefID); err != nil && !errors.Is(err, resource.ErrNotFound) {
				return err
			}
		}
		return nil
	})
}
