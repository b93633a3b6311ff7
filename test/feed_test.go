package test

import (
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"slices"
	"testing"

	"github.com/apiary/apiary/test/testserver"
)

const feedSchema = `
Tables:
  - TableName: post
    Columns:
      - {Name: title, ColumnType: label, IsIndexed: true}
      - {Name: content, ColumnType: content, IsNullable: true}
`

// feedGet fetches a feed with extra request headers (pairs).
func feedGet(t *testing.T, s *testserver.Server, path, token string, hdr ...string) testserver.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := s.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return testserver.Response{Status: resp.StatusCode, Header: resp.Header, Body: body}
}

// feedTitles parses an RSS, Atom or JSON Feed body and returns its item titles.
func feedTitles(t *testing.T, format string, r testserver.Response) []string {
	t.Helper()
	if r.Status != http.StatusOK {
		t.Fatalf("feed %s: %d %s", format, r.Status, r.Body)
	}
	titles := []string{}
	switch format {
	case "rss":
		var d struct {
			Items []struct {
				Title string `xml:"title"`
			} `xml:"channel>item"`
		}
		if err := xml.Unmarshal(r.Body, &d); err != nil {
			t.Fatalf("rss: %v: %s", err, r.Body)
		}
		for _, it := range d.Items {
			titles = append(titles, it.Title)
		}
	case "atom":
		var d struct {
			Entries []struct {
				Title string `xml:"title"`
			} `xml:"entry"`
		}
		if err := xml.Unmarshal(r.Body, &d); err != nil {
			t.Fatalf("atom: %v: %s", err, r.Body)
		}
		for _, e := range d.Entries {
			titles = append(titles, e.Title)
		}
	case "json":
		var d struct {
			Version string `json:"version"`
			Items   []struct {
				Title string `json:"title"`
			} `json:"items"`
		}
		if err := json.Unmarshal(r.Body, &d); err != nil || d.Version == "" {
			t.Fatalf("json feed (%v): %s", err, r.Body)
		}
		for _, it := range d.Items {
			titles = append(titles, it.Title)
		}
	}
	return titles
}

func TestFeeds(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.WithSchema("schema_feed.yaml", feedSchema))
	admin := s.Admin(t)
	create(t, s, admin, "post", map[string]any{"title": "Alpha", "content": "first"}, nil)
	create(t, s, admin, "post", map[string]any{"title": "Beta", "content": "second"}, nil)
	open := create(t, s, admin, "post", map[string]any{"title": "Gamma", "content": "third"}, nil)
	mustPatch(t, s, admin, "post", open, map[string]any{"permission": allowAll})

	stream := create(t, s, admin, "stream", map[string]any{"stream_name": "posts",
		"stream_contract": `{"StreamName":"posts","RootEntityName":"post","QueryParams":{}}`}, nil)
	toStream := map[string]any{"stream_id": map[string]any{"data": map[string]any{"type": "stream", "id": stream}}}
	feed := func(name string, extra map[string]any) {
		a := map[string]any{"feed_name": name, "title": "News", "description": "Posts", "link": "https://example.test",
			"author_name": "Ann", "author_email": "ann@example.test", "enable": true, "page_size": 50}
		for k, v := range extra {
			a[k] = v
		}
		create(t, s, admin, "feed", a, toStream)
	}
	feed("news", nil)
	feed("nojson", map[string]any{"enable_json": false})
	feed("off", map[string]any{"enable": false})

	all := []string{"Gamma", "Beta", "Alpha"}
	types := map[string]string{"rss": "application/xml", "atom": "application/xml", "json": "application/json"}
	for format, ctype := range types {
		r := feedGet(t, s, "/feed/news."+format, admin)
		if got := feedTitles(t, format, r); !slices.Equal(got, all) {
			t.Errorf("admin %s titles %q, want %q", format, got, all)
		}
		if cc := r.Header.Get("Cache-Control"); cc != "private, max-age=60" {
			t.Errorf("admin %s Cache-Control %q", format, cc)
		}
		if got := r.Header.Get("Content-Type"); got != ctype {
			t.Errorf("%s Content-Type %q", format, got)
		}
		// Locked down: only the row opened to guests shows.
		if got := feedTitles(t, format, feedGet(t, s, "/feed/news."+format, "")); !slices.Equal(got, []string{"Gamma"}) {
			t.Errorf("guest %s titles %q", format, got)
		}
	}

	for path, want := range map[string]int{
		"/feed/nojson.json":  http.StatusNotFound,
		"/feed/nojson.rss":   http.StatusOK,
		"/feed/off.rss":      http.StatusNotFound,
		"/feed/unknown.atom": http.StatusNotFound,
		"/feed/news":         http.StatusBadRequest,
	} {
		if r := feedGet(t, s, path, ""); r.Status != want {
			t.Errorf("%s: %d, want %d: %s", path, r.Status, want, r.Body)
		}
	}

	first := feedGet(t, s, "/feed/news.atom", "")
	etag, lm := first.Header.Get("ETag"), first.Header.Get("Last-Modified")
	if etag == "" || lm == "" || first.Header.Get("Cache-Control") != "public, max-age=60" {
		t.Fatalf("caching headers: %v", first.Header)
	}
	if r := feedGet(t, s, "/feed/news.atom", "", "If-None-Match", etag); r.Status != http.StatusNotModified || len(r.Body) != 0 {
		t.Errorf("If-None-Match: %d %q", r.Status, r.Body)
	}
	if r := feedGet(t, s, "/feed/news.atom", "", "If-Modified-Since", lm); r.Status != http.StatusNotModified {
		t.Errorf("If-Modified-Since: %d", r.Status)
	}
	// Changing a readable row changes the document, so the old tag no longer matches.
	mustPatch(t, s, admin, "post", open, map[string]any{"title": "Gamma 2"})
	if r := feedGet(t, s, "/feed/news.atom", "", "If-None-Match", etag); r.Status != http.StatusOK {
		t.Errorf("after update, If-None-Match: %d", r.Status)
	}
}
