package dav

import (
	"crypto/sha256"
	"net/http"
	"sort"
	"strings"
	"sync"

	"github.com/apiary/apiary/resource"
)

// queryCache keeps rendered calendar-query answers (a month view asked
// again and again by every client) per collection, caller and filter,
// valid while no DAV table changed: the key's stamp is taken before the
// read, as resource.Stamper asks, and any write to a DAV table, the
// permission data or memberships (on any node) moves it.
type queryCache struct {
	mu    sync.Mutex
	m     map[[32]byte]cachedQuery
	bytes int
}

type cachedQuery struct {
	stamp uint64
	body  string
}

// Query cache bounds: answers larger than maxCachedQuery are not kept,
// and the cache is emptied when it would exceed maxQueryCacheBytes.
const (
	maxCachedQuery     = 4 << 20
	maxQueryCacheBytes = 64 << 20
)

// queryStamp is the stamp a cached answer is valid under.
func (h *Handler) queryStamp(res resource.Service) uint64 {
	return h.states.gen.Load() + davStamp(res)
}

func (c *queryCache) get(key [32]byte, stamp uint64) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[key]
	if !ok || e.stamp != stamp {
		return "", false
	}
	return e.body, true
}

func (c *queryCache) put(key [32]byte, stamp uint64, body string) {
	if len(body) > maxCachedQuery {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || c.bytes+len(body) > maxQueryCacheBytes {
		c.m, c.bytes = map[[32]byte]cachedQuery{}, 0
	}
	if old, ok := c.m[key]; ok {
		c.bytes -= len(old.body)
	}
	c.m[key] = cachedQuery{stamp: stamp, body: body}
	c.bytes += len(body)
}

// queryKey identifies one report: the collection, the caller, the URL
// prefix (hrefs differ) and the request body's elements.
func queryKey(collRef, user, prefix string, body *node) [32]byte {
	var b strings.Builder
	b.WriteString(collRef + "\x00" + user + "\x00" + prefix + "\x00")
	writeNodeKey(&b, body)
	return sha256.Sum256([]byte(b.String()))
}

// writeNodeKey renders n canonically: names with their namespaces,
// attributes sorted, text trimmed.
func writeNodeKey(b *strings.Builder, n *node) {
	b.WriteString("<" + n.Name.Space + "\x00" + n.Name.Local)
	attrs := make([]string, 0, len(n.Attr))
	for _, a := range n.Attr {
		if a.Name.Space == "xmlns" || a.Name.Local == "xmlns" {
			continue
		}
		attrs = append(attrs, a.Name.Space+"\x00"+a.Name.Local+"="+a.Value)
	}
	sort.Strings(attrs)
	b.WriteString("\x01" + strings.Join(attrs, "\x01") + "\x02" + strings.TrimSpace(n.Text))
	for _, c := range n.Children {
		writeNodeKey(b, c)
	}
	b.WriteString(">")
}

// sendCached writes a cached multistatus body.
func sendCached(w http.ResponseWriter, body string) {
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.WriteHeader(http.StatusMultiStatus)
	_, _ = w.Write([]byte(body))
}
