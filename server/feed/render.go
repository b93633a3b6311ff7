package feed

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/feeds"
)

// rendered is a feed document ready to send.
type rendered struct {
	body         []byte
	etag         string    // weak: a gzip-encoded answer carries the same tag
	lastModified time.Time // newest item update, else the feed row's
	public       bool      // asked without credentials: shared caches may keep it
}

// Attribute names read from a stream row, in order of preference.
var (
	titleKeys       = []string{"title", "name", "label"}
	descriptionKeys = []string{"description", "content", "body", "summary"}
	linkKeys        = []string{"link", "url"}
)

// render builds the document of format f from the feed and its records.
func render(c *config, recs []record, f Format, public bool) (*rendered, error) {
	doc := &feeds.Feed{
		Title:       c.title,
		Link:        &feeds.Link{Href: c.link},
		Description: c.description,
		Created:     c.created,
	}
	if c.authorName != "" || c.authorEmail != "" {
		doc.Author = &feeds.Author{Name: c.authorName, Email: c.authorEmail}
	}
	newest := c.updated
	if newest.IsZero() {
		newest = c.created
	}
	var newestItem time.Time
	for _, r := range recs {
		it := item(c, r, f)
		if t := latest(it.Created, it.Updated); t.After(newestItem) {
			newestItem = t
		}
		doc.Add(it)
	}
	if !newestItem.IsZero() {
		newest = newestItem
	}
	doc.Updated = newest
	var (
		text string
		err  error
	)
	switch f {
	case Atom:
		text, err = doc.ToAtom()
	case JSON:
		text, err = doc.ToJSON()
	default:
		text, err = doc.ToRss()
	}
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256([]byte(text))
	return &rendered{
		body:         []byte(text),
		etag:         `W/"` + hex.EncodeToString(sum[:16]) + `"`,
		lastModified: newest.Truncate(time.Second),
		public:       public,
	}, nil
}

// item maps one stream row to a feed item.
func item(c *config, r record, f Format) *feeds.Item {
	a := r.attrs
	ref := r.ref
	if v := str(a["reference_id"]); v != "" {
		ref = v
	}
	it := &feeds.Item{
		Title:       firstOf(a, titleKeys),
		Description: firstOf(a, descriptionKeys),
		Created:     timeOf(a["created_at"]),
		Updated:     timeOf(a["updated_at"]),
	}
	link := firstOf(a, linkKeys)
	if link == "" && ref != "" && r.table != "" {
		link = strings.TrimRight(c.link, "/") + "/" + r.table + "/" + ref
	}
	if link != "" {
		it.Link = &feeds.Link{Href: link}
	}
	switch {
	case ref == "":
		it.Id = link
	case f == Atom:
		it.Id = "urn:uuid:" + ref // an Atom id must be an IRI
	default:
		it.Id, it.IsPermaLink = ref, "false"
	}
	name, email := str(a["author_name"]), str(a["author_email"])
	if name == "" && email == "" {
		name, email = c.authorName, c.authorEmail
	}
	if name != "" || email != "" {
		it.Author = &feeds.Author{Name: name, Email: email}
	}
	return it
}

// firstOf returns the first non-empty text among keys.
func firstOf(a map[string]any, keys []string) string {
	for _, k := range keys {
		if v := strings.TrimSpace(str(a[k])); v != "" {
			return v
		}
	}
	return ""
}

func latest(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// writeFeed sends doc with its validators, or 304 when the request's
// conditions show the client already has it.
func writeFeed(w http.ResponseWriter, r *http.Request, doc *rendered, f Format, negotiated bool) {
	h := w.Header()
	h.Set("ETag", doc.etag)
	if !doc.lastModified.IsZero() {
		h.Set("Last-Modified", doc.lastModified.UTC().Format(http.TimeFormat))
	}
	// Items depend on the caller: only a guest's answer may sit in a
	// shared cache.
	scope := "private"
	if doc.public {
		scope = "public"
	}
	h.Set("Cache-Control", scope+", max-age="+strconv.Itoa(CacheMaxAge))
	vary := "Authorization, Cookie"
	if negotiated {
		vary += ", Accept"
	}
	h.Add("Vary", vary)
	if notModified(r, doc) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", f.contentType())
	h.Set("Content-Length", strconv.Itoa(len(doc.body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(doc.body)
	}
}

// notModified evaluates If-None-Match (weak comparison) or, without it,
// If-Modified-Since, as RFC 9110 §13.2.2 orders them.
func notModified(r *http.Request, doc *rendered) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		for _, tag := range strings.Split(inm, ",") {
			tag = strings.TrimSpace(tag)
			if tag == "*" || opaque(tag) == opaque(doc.etag) {
				return true
			}
		}
		return false
	}
	ims := r.Header.Get("If-Modified-Since")
	if ims == "" || doc.lastModified.IsZero() {
		return false
	}
	t, err := http.ParseTime(ims)
	return err == nil && !doc.lastModified.After(t)
}

// opaque strips the weakness marker of an entity tag.
func opaque(tag string) string { return strings.TrimPrefix(tag, "W/") }
