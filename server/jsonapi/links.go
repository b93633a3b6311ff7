package jsonapi

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/schema"
)

// pageLinks computes a list's "links" object as Daptin does (contract
// core.md §5.3): from the request's page number and size, not from the
// rows returned. Keys are encoded sorted, as Daptin's map is.
func pageLinks(r *http.Request, pq parsedQuery, total int64) map[string]any {
	number, size := int64(pq.number()), int64(pq.size())
	lastPage := (total + size - 1) / size
	if total <= 0 {
		lastPage = 0
	}
	links := map[string]any{
		"current_page": number,
		"from":         (number - 1) * size,
		"last_page":    lastPage,
		"per_page":     size,
		"to":           number * size,
		"total":        total,
	}
	pageURL := func(n int64) string { return pageURL(r, pq, n) }
	if number != 1 {
		links["first_page_url"] = pageURL(1)
		links["prev_page_url"] = pageURL(number - 1)
	}
	if number != lastPage {
		links["next_page_url"] = pageURL(number + 1)
		links["last_page_url"] = pageURL(lastPage)
	}
	return links
}

// pageURL is "//" + the request path + the request's query with
// page[number] set to n (and page[size] normalised when it was sent), keys
// sorted, brackets and commas left unescaped: //api/todo?page[number]=2&page[size]=2.
func pageURL(r *http.Request, pq parsedQuery, n int64) string {
	q := url.Values{}
	for k, v := range r.URL.Query() {
		if k != "token" { // never copy a credential into links
			q[k] = v
		}
	}
	q.Set(paramNumber, strconv.FormatInt(n, 10))
	if pq.SizeSent {
		q.Set(paramSize, strconv.Itoa(pq.size()))
	}
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString("/")
	b.WriteString(r.URL.Path)
	for i, k := range keys {
		for j, v := range q[k] {
			if i == 0 && j == 0 {
				b.WriteByte('?')
			} else {
				b.WriteByte('&')
			}
			b.WriteString(unescapeSafe(url.QueryEscape(k)))
			b.WriteByte('=')
			b.WriteString(unescapeSafe(url.QueryEscape(v)))
		}
	}
	return b.String()
}

// unescapeSafe puts back the characters Daptin leaves readable in its
// page URLs.
var unescapeSafe = strings.NewReplacer("%5B", "[", "%5D", "]", "%2C", ",").Replace

// addCursorLink adds links.next, a cursor link a client can follow at
// constant cost per page, when the list is sorted by id alone and the page
// is full: page[after] (page[before] for sort=-id) set to the last row's
// id, page[number] dropped, every other parameter kept. Page numbers keep
// working beside it.
func addCursorLink(links map[string]any, r *http.Request, pq parsedQuery, rows []resource.Row) {
	if len(pq.Sort) != 1 || pq.Sort[0].Column != schema.ColID || len(rows) == 0 || len(rows) < pq.size() {
		return
	}
	cursor := paramAfter // a bound in the other direction, if sent, still applies
	if pq.Sort[0].Desc {
		cursor = paramBefore
	}
	q := url.Values{}
	for k, v := range r.URL.Query() {
		if k != "token" && k != paramNumber {
			q[k] = v
		}
	}
	q.Set(cursor, rows[len(rows)-1].RefID)
	links["next"] = r.URL.Path + "?" + unescapeSafe(q.Encode())
}
