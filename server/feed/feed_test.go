package feed

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

type rssDoc struct {
	Channel struct {
		Title string `xml:"title"`
		Items []struct {
			Title       string `xml:"title"`
			Link        string `xml:"link"`
			Description string `xml:"description"`
			GUID        string `xml:"guid"`
			Author      string `xml:"author"`
		} `xml:"item"`
	} `xml:"channel"`
}

type atomDoc struct {
	Title   string `xml:"title"`
	Entries []struct {
		Title string `xml:"title"`
		ID    string `xml:"id"`
		Link  struct {
			Href string `xml:"href,attr"`
		} `xml:"link"`
	} `xml:"entry"`
}

type jsonDoc struct {
	Version string `json:"version"`
	Title   string `json:"title"`
	Items   []struct {
		ID    string `json:"id"`
		Title string `json:"title"`
		URL   string `json:"url"`
	} `json:"items"`
}

// titlesOf parses a feed body of format f and returns its item titles.
func titlesOf(t *testing.T, f Format, body []byte) []string {
	t.Helper()
	var out []string
	switch f {
	case RSS:
		var d rssDoc
		if err := xml.Unmarshal(body, &d); err != nil {
			t.Fatalf("rss: %v\n%s", err, body)
		}
		for _, it := range d.Channel.Items {
			out = append(out, it.Title)
		}
	case Atom:
		var d atomDoc
		if err := xml.Unmarshal(body, &d); err != nil {
			t.Fatalf("atom: %v\n%s", err, body)
		}
		for _, e := range d.Entries {
			out = append(out, e.Title)
		}
	case JSON:
		var d jsonDoc
		if err := json.Unmarshal(body, &d); err != nil {
			t.Fatalf("json: %v\n%s", err, body)
		}
		for _, it := range d.Items {
			out = append(out, it.Title)
		}
	}
	return out
}

func TestFormats(t *testing.T) {
	h := serve(newFake())
	for _, f := range []Format{RSS, Atom, JSON} {
		rec := get(t, h, "/feed/news."+string(f), "Authorization", "Bearer admin")
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: %d %s", f, rec.Code, rec.Body)
		}
		if got, want := rec.Header().Get("Content-Type"), f.contentType(); got != want {
			t.Errorf("%s: Content-Type %q, want %q", f, got, want)
		}
		want := []string{"Third post", "Second post", "First post"}
		if got := titlesOf(t, f, rec.Body.Bytes()); !slices.Equal(got, want) {
			t.Errorf("%s: titles %q, want %q", f, got, want)
		}
		if rec.Header().Get("ETag") == "" || rec.Header().Get("Cache-Control") != "private, max-age=60" {
			t.Errorf("%s: headers %v", f, rec.Header())
		}
		if lm := rec.Header().Get("Last-Modified"); lm != t0.Add(2*time.Hour+time.Minute).Format(http.TimeFormat) {
			t.Errorf("%s: Last-Modified %q", f, lm)
		}
	}
}

func TestItemFields(t *testing.T) {
	h := serve(newFake())
	var d rssDoc
	if err := xml.Unmarshal(get(t, h, "/feed/news.rss").Body.Bytes(), &d); err != nil {
		t.Fatal(err)
	}
	it := d.Channel.Items[0]
	if it.Link != "https://example.test/post/33333333-3333-4333-8333-333333333333" || it.GUID != "33333333-3333-4333-8333-333333333333" ||
		it.Description != "three" || it.Author != "Ann" {
		t.Errorf("item %+v", it)
	}
	var a atomDoc
	if err := xml.Unmarshal(get(t, h, "/feed/news.atom").Body.Bytes(), &a); err != nil {
		t.Fatal(err)
	}
	if a.Entries[0].ID != "urn:uuid:33333333-3333-4333-8333-333333333333" {
		t.Errorf("atom id %q", a.Entries[0].ID)
	}
}

func TestNotFoundAndBadRequest(t *testing.T) {
	h := serve(newFake())
	for path, want := range map[string]int{
		"/feed/unknown.rss":  http.StatusNotFound,
		"/feed/off.rss":      http.StatusNotFound,
		"/feed/nojson.json":  http.StatusNotFound,
		"/feed/nojson.atom":  http.StatusOK,
		"/feed/lost.rss":     http.StatusNotFound,
		"/feed/dead.rss":     http.StatusNotFound,
		"/feed/rootless.rss": http.StatusNotFound,
		"/feed/nostream.rss": http.StatusNotFound,
		"/feed/badroot.rss":  http.StatusNotFound,
		"/feed/news":         http.StatusBadRequest,
		"/feed/.rss":         http.StatusBadRequest,
	} {
		rec := get(t, h, path)
		if rec.Code != want {
			t.Errorf("%s: %d, want %d (%s)", path, rec.Code, want, rec.Body)
		}
	}
	if rec := get(t, h, "/feed/news"); rec.Body.String() != `{"error":"Invalid feed request"}` {
		t.Errorf("400 body %s", rec.Body)
	}
}

func TestGuestSeesOnlyReadableRows(t *testing.T) {
	f := newFake()
	h := serve(f)
	rec := get(t, h, "/feed/news.json")
	if got := titlesOf(t, JSON, rec.Body.Bytes()); !slices.Equal(got, []string{"Third post", "First post"}) {
		t.Errorf("guest titles %q", got)
	}
	if cc := rec.Header().Get("Cache-Control"); cc != "public, max-age=60" {
		t.Errorf("guest Cache-Control %q", cc)
	}
	f.forbidden["post"] = true
	rec = get(t, h, "/feed/news.json")
	if rec.Code != http.StatusOK || len(titlesOf(t, JSON, rec.Body.Bytes())) != 0 {
		t.Errorf("table closed to guests: %d %s", rec.Code, rec.Body)
	}
}

func TestConditional(t *testing.T) {
	h := serve(newFake())
	first := get(t, h, "/feed/news.rss")
	etag, lm := first.Header().Get("ETag"), first.Header().Get("Last-Modified")
	if !strings.HasPrefix(etag, `W/"`) || lm == "" {
		t.Fatalf("validators %q %q", etag, lm)
	}
	if again := get(t, h, "/feed/news.rss"); again.Header().Get("ETag") != etag {
		t.Errorf("ETag not stable: %q then %q", etag, again.Header().Get("ETag"))
	}
	lmTime, _ := http.ParseTime(lm)
	cases := []struct {
		hdr  []string
		want int
	}{
		{[]string{"If-None-Match", etag}, http.StatusNotModified},
		{[]string{"If-None-Match", strings.TrimPrefix(etag, "W/")}, http.StatusNotModified},
		{[]string{"If-None-Match", `"other", ` + etag}, http.StatusNotModified},
		{[]string{"If-None-Match", "*"}, http.StatusNotModified},
		{[]string{"If-None-Match", `"other"`}, http.StatusOK},
		{[]string{"If-Modified-Since", lm}, http.StatusNotModified},
		{[]string{"If-Modified-Since", lmTime.Add(time.Hour).Format(http.TimeFormat)}, http.StatusNotModified},
		{[]string{"If-Modified-Since", lmTime.Add(-time.Second).Format(http.TimeFormat)}, http.StatusOK},
		{[]string{"If-None-Match", `"other"`, "If-Modified-Since", lm}, http.StatusOK},
		{[]string{"If-Modified-Since", "garbage"}, http.StatusOK},
	}
	for _, c := range cases {
		rec := get(t, h, "/feed/news.rss", c.hdr...)
		if rec.Code != c.want {
			t.Errorf("%q: %d, want %d", c.hdr, rec.Code, c.want)
		}
		if c.want == http.StatusNotModified && (rec.Body.Len() != 0 || rec.Header().Get("ETag") != etag) {
			t.Errorf("%q: 304 with body %q or ETag %q", c.hdr, rec.Body, rec.Header().Get("ETag"))
		}
	}
	// The admin sees a different document: the guest's tag does not match.
	if rec := get(t, h, "/feed/news.rss", "If-None-Match", etag, "Authorization", "Bearer a"); rec.Code != http.StatusOK {
		t.Errorf("admin with guest ETag: %d", rec.Code)
	}
	head := do(t, h, http.MethodHead, "/feed/news.rss")
	if head.Code != http.StatusOK || head.Body.Len() != 0 || head.Header().Get("ETag") != etag {
		t.Errorf("HEAD: %d %q %q", head.Code, head.Body, head.Header().Get("ETag"))
	}
}

func TestParseName(t *testing.T) {
	for _, c := range []struct {
		seg, accept string
		name        string
		f           Format
		ok          bool
	}{
		{"news.rss", "", "news", RSS, true},
		{"news.ATOM", "", "news", Atom, true},
		{"news.json", "application/atom+xml", "news", JSON, true},
		{"my.news.atom", "", "my.news", Atom, true},
		{"news.xml", "", "news", RSS, true},
		{"news.xml", "application/atom+xml", "news", Atom, true},
		{"news.feed", "application/feed+json, application/atom+xml;q=0.5", "news", JSON, true},
		{"news.feed", "application/feed+json;q=0.2, application/atom+xml;q=0.5", "news", Atom, true},
		{"news.feed", "text/html", "news", RSS, true},
		{"news", "", "", "", false},
		{".rss", "", "", "", false},
	} {
		name, f, _, ok := parseName(c.seg, c.accept)
		if name != c.name || f != c.f || ok != c.ok {
			t.Errorf("parseName(%q, %q) = %q %q %v", c.seg, c.accept, name, f, ok)
		}
	}
}

func TestPageSizeAndQuery(t *testing.T) {
	for in, want := range map[any]int{nil: 1000, int64(0): 1000, int64(-3): 1000, int64(5): 5, int64(5000): 1000, "20": 20, float64(7): 7} {
		if got := pageSize(in); got != want {
			t.Errorf("pageSize(%v) = %d, want %d", in, got, want)
		}
	}
	f := newFake()
	f.feeds[0]["page_size"] = int64(2)
	rec := get(t, serve(f), "/feed/news.rss", "Authorization", "Bearer a")
	if got := titlesOf(t, RSS, rec.Body.Bytes()); !slices.Equal(got, []string{"Third post", "Second post"}) {
		t.Errorf("page_size 2: %q", got)
	}
	if q := f.lastQuery; q.PageSize != 2 || len(q.Sort) != 1 || q.Sort[0].Column != "created_at" || !q.Sort[0].Desc {
		t.Errorf("query %+v", q)
	}
	f.streams["s-posts"]["stream_contract"] = `{"RootEntityName":"post","QueryParams":{"sort":["title"],"filter":"post","query":["[{\"column\":\"title\",\"operator\":\"is\",\"value\":\"x\"}]"]}}`
	get(t, serve(f), "/feed/news.rss")
	if q := f.lastQuery; len(q.Sort) != 1 || q.Sort[0].Column != "title" || q.Keyword != "post" || len(q.Conditions) != 1 {
		t.Errorf("query with QueryParams %+v", q)
	}
	f.streams["s-posts"]["stream_contract"] = `{"RootEntityName":"post","QueryParams":{"query":["not json"]}}`
	if rec := get(t, serve(f), "/feed/news.rss"); rec.Code != http.StatusInternalServerError {
		t.Errorf("bad stream query: %d", rec.Code)
	}
}
