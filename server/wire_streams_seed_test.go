package server

import (
	"context"
	"sync"
	"testing"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
)

// streamCounts counts the stream rows by name.
func streamCounts(t *testing.T, s *Server) map[string]int {
	t.Helper()
	sys := auth.WithPrincipal(context.Background(), auth.System())
	page, err := s.Resource().List(sys, "stream", resource.Query{PageSize: resource.MaxPageSize})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, r := range page.Rows {
		n, _ := r.Attrs["stream_name"].(string)
		out[n]++
	}
	return out
}

// TestSeedStreamsConcurrent: seedings running at once on one database
// leave one row per stream name.
func TestSeedStreamsConcurrent(t *testing.T) {
	s := unitServer(t, map[string]string{"schema_stream.yaml": streamUnitSchema})
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = s.seedStreams(context.Background()) }()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("seeding %d: %v", i, err)
		}
	}
	for _, name := range []string{"dogs", "table", "transformed_user"} {
		if n := streamCounts(t, s)[name]; n != 1 {
			t.Errorf("%d rows of stream %s, want 1", n, name)
		}
	}
}

// TestSeedStreamsFoldsDuplicates: rows of one seeded name left by nodes
// that started together are folded into the oldest, and a feed on a
// removed row moves to the kept one; a stream not seeded is left alone.
func TestSeedStreamsFoldsDuplicates(t *testing.T) {
	s := unitServer(t, map[string]string{"schema_stream.yaml": streamUnitSchema})
	sys := auth.WithPrincipal(context.Background(), auth.System())
	if err := s.seedStreams(context.Background()); err != nil {
		t.Fatal(err)
	}
	first, err := s.streamRows(sys, "dogs")
	if err != nil || len(first) != 1 || first[0].ID == 0 {
		t.Fatalf("dogs rows (oldest first needs the row ids): %v %v", first, err)
	}
	var extra []string
	for _, name := range []string{"dogs", "dogs", "mine", "mine"} {
		r, err := s.Resource().Create(sys, "stream", resource.Input{Attributes: map[string]any{"stream_name": name, "stream_contract": `{"RootEntityName":"animal"}`}})
		if err != nil {
			t.Fatal(err)
		}
		extra = append(extra, r.RefID)
	}
	f, err := s.Resource().Create(sys, "feed", resource.Input{Attributes: map[string]any{"feed_name": "news", "enable": true, "title": "News", "description": "Posts", "link": "https://example.test", "author_name": "Ann", "author_email": "ann@example.test"},
		Relationships: map[string]resource.RelInput{"stream_id": {Refs: []resource.Ref{{Type: "stream", ID: extra[1]}}}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.seedStreams(context.Background()); err != nil {
		t.Fatal(err)
	}
	if c := streamCounts(t, s); c["dogs"] != 1 || c["mine"] != 2 {
		t.Errorf("after folding: %v", c)
	}
	kept, _ := s.streamRows(sys, "dogs")
	if len(kept) != 1 || kept[0].RefID != first[0].RefID {
		t.Errorf("kept %v, want the oldest %s", kept, first[0].RefID)
	}
	got, err := s.Resource().Get(sys, "feed", f.RefID, resource.Query{})
	if err != nil || got.Attrs["stream_id"] != first[0].RefID {
		t.Errorf("feed stream_id %v (%v), want %s", got.Attrs["stream_id"], err, first[0].RefID)
	}
}
