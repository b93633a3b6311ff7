package jsonapi

import (
	"encoding/json"
	"net/http"

	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/schema"
)

// resourceObject is one row on the wire. Field order is the key order
// Daptin sends; the maps are encoded with sorted keys.
type resourceObject struct {
	Type          string                  `json:"type"`
	ID            string                  `json:"id"`
	Attributes    map[string]any          `json:"attributes"`
	Relationships map[string]relationship `json:"relationships"`
}

// relationship is {"data": null | {type,id} | [{type,id}...]}.
type relationship struct {
	Data any `json:"data"`
}

// singleDoc is {"data": {...} | null, "included": [...]}.
type singleDoc struct {
	Data     *resourceObject   `json:"data"`
	Included *[]resourceObject `json:"included,omitempty"`
}

// listDoc is {"links": {...}, "data": [...], "included": [...]}.
type listDoc struct {
	Links    map[string]any    `json:"links,omitempty"`
	Data     []resourceObject  `json:"data"`
	Included *[]resourceObject `json:"included,omitempty"`
}

// dataDoc is a linkage document.
type dataDoc struct {
	Data any `json:"data"`
}

// metaDoc is the body of a successful DELETE: {"meta":null}.
type metaDoc struct {
	Meta any `json:"meta"`
}

// writeJSON encodes v and writes it with status. Nothing is written when
// encoding fails, so the caller can still answer with an error.
// The document is built in a buffer from a's pool: a ResponseWriter does
// not keep what it is given (io.Writer), so the buffer is reused.
func (a *api) writeJSON(w http.ResponseWriter, status int, v any) error {
	buf := a.bufs.get(docSizeHint(v))
	defer a.bufs.put(buf)
	b, ok, err := appendDoc((*buf)[:0], v)
	*buf = b
	if !ok {
		b, err = json.Marshal(v)
	}
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", ContentType)
	w.WriteHeader(status)
	_, _ = w.Write(b)
	return nil
}

// encoder turns rows into resource objects using one schema snapshot.
type encoder struct {
	s     *schema.Schema
	links map[string][]schema.Link
}

func newEncoder(s *schema.Schema) *encoder {
	return &encoder{s: s, links: map[string][]schema.Link{}}
}

func (e *encoder) tableLinks(name string) []schema.Link {
	if l, ok := e.links[name]; ok {
		return l
	}
	var l []schema.Link
	if t := findTable(e.s, name); t != nil {
		l = t.Links
	}
	e.links[name] = l
	return l
}

// object encodes one row; table is used when the row does not name its own.
func (e *encoder) object(row resource.Row, table string) resourceObject {
	if row.Table != "" {
		table = row.Table
	}
	attrs := row.Attrs
	if attrs == nil {
		attrs = map[string]any{}
	}
	links := e.tableLinks(table)
	rels := make(map[string]relationship, len(links))
	for _, l := range links {
		if v, ok := row.Rel[l.Name]; ok {
			rels[l.Name] = relationship{Data: relValue(v, l.ToMany)}
			continue
		}
		if l.ToMany {
			rels[l.Name] = relationship{Data: []resource.Ref{}}
			continue
		}
		if id, ok := attrs[l.Name].(string); ok && id != "" {
			rels[l.Name] = relationship{Data: resource.Ref{Type: l.Target, ID: id}}
		} else {
			rels[l.Name] = relationship{Data: nil}
		}
	}
	return resourceObject{Type: table, ID: row.RefID, Attributes: attrs, Relationships: rels}
}

// relValue normalises a Row.Rel entry: a *Ref (or nil) for to-one, a []Ref
// for to-many.
func relValue(v any, toMany bool) any {
	switch x := v.(type) {
	case nil:
		if toMany {
			return []resource.Ref{}
		}
		return nil
	case *resource.Ref:
		if x == nil {
			return nil
		}
		return *x
	case []resource.Ref:
		if x == nil {
			return []resource.Ref{}
		}
		return x
	}
	return v
}

func (e *encoder) objects(rows []resource.Row, table string) []resourceObject {
	out := make([]resourceObject, 0, len(rows))
	for _, r := range rows {
		out = append(out, e.object(r, table))
	}
	return out
}

// included encodes included rows when the request asked for includes, so
// that an empty result still shows "included": [].
func (e *encoder) included(pq parsedQuery, rows []resource.Row) *[]resourceObject {
	if !pq.IncludeSent || len(pq.Include) == 0 {
		return nil
	}
	out := e.objects(rows, "")
	return &out
}

// findTable looks a table up by name in s.
func findTable(s *schema.Schema, name string) *schema.Table {
	if s == nil {
		return nil
	}
	if t, ok := s.Table(name); ok {
		return t
	}
	for _, t := range s.Tables { // a Schema not built by Compile has no index
		if t != nil && t.TableName == name {
			return t
		}
	}
	return nil
}

// findLink returns the API relation rel of table t.
func findLink(s *schema.Schema, t, rel string) (schema.Link, bool) {
	if tab := findTable(s, t); tab != nil {
		if l, ok := tab.Link(rel); ok {
			return *l, true
		}
	}
	return schema.Link{}, false
}
