package dav

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
)

// Tables and collection kinds.
const (
	tableCollection = "collection"
	tableCalendar   = "calendar"
	tableVCard      = "vcard"
	tableTombstone  = "dav_tombstone"

	kindCalendar    = "calendar"
	kindAddressBook = "addressbook"
)

// coll is one collection row as DAV sees it.
type coll struct {
	ref, name, kind, description, color, owner, display string
	dead                                                string // dead properties, JSON
	seg                                                 string // path segment: name when owned, reference id when shared
	updated                                             time.Time
}

// table is where the collection's objects live.
func (c *coll) table() string {
	if c.kind == kindAddressBook {
		return tableVCard
	}
	return tableCalendar
}

// object is one calendar or vcard row.
type object struct {
	ref, file string
	content   []byte
	created   time.Time
	updated   time.Time
	dead      string // dead properties, JSON
	// span is the extracted start_at and end_at (zero when null), and
	// recurring the extracted flag: enough to match a plain time range
	// without parsing the object.
	start, end time.Time
	recurring  bool
}

// etag is the strong entity tag of the object's bytes, so a change made
// through JSON:API or GraphQL changes it too.
func (o *object) etag() string {
	sum := sha256.Sum256(o.content)
	return `"` + hex.EncodeToString(sum[:16]) + `"`
}

func str(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []byte:
		return string(x)
	}
	return fmt.Sprint(v)
}

func tm(v any) time.Time {
	if t, ok := v.(time.Time); ok {
		return t
	}
	return time.Time{}
}

func collFromRow(r resource.Row, me string) coll {
	c := coll{ref: r.RefID, name: str(r.Attrs["name"]), kind: str(r.Attrs["dav_kind"]),
		description: str(r.Attrs["description"]), color: str(r.Attrs["color"]), display: str(r.Attrs["display_name"]), dead: str(r.Attrs["dead_props"]),
		owner: str(r.Attrs["user_account_id"]), updated: tm(r.Attrs["updated_at"])}
	c.seg = c.name
	if c.owner != me {
		c.seg = c.ref
	}
	return c
}

func objFromRow(r resource.Row) object {
	return object{ref: r.RefID, file: str(r.Attrs["file_name"]), content: []byte(str(r.Attrs["content"])),
		created: tm(r.Attrs["created_at"]), updated: tm(r.Attrs["updated_at"]), dead: str(r.Attrs["dead_props"]),
		start: tm(r.Attrs["start_at"]), end: tm(r.Attrs["end_at"]), recurring: resource.Truthy(r.Attrs["recurring"])}
}

// listAll pages through every row of table matching q.
func listAll(ctx context.Context, res resource.Service, table string, q resource.Query) ([]resource.Row, error) {
	q.PageSize = resource.MaxPageSize
	var out []resource.Row
	for n := 1; ; n++ {
		q.PageNumber = n
		p, err := res.List(ctx, table, q)
		if err != nil {
			return nil, err
		}
		out = append(out, p.Rows...)
		if len(p.Rows) < resource.MaxPageSize || int64(len(out)) >= p.Total {
			return out, nil
		}
	}
}

func cond(col, op string, v any) resource.Condition {
	return resource.Condition{Column: col, Operator: op, Value: v}
}

// collections lists the caller's collections and those shared with one of
// their groups.
func collections(ctx context.Context, res resource.Service) ([]coll, error) {
	p := auth.PrincipalFrom(ctx)
	rows, err := listAll(ctx, res, tableCollection, resource.Query{Sort: []resource.SortKey{{Column: "name"}}})
	if err != nil {
		return nil, err
	}
	var out []coll
	for _, r := range rows {
		c := collFromRow(r, p.UserRef)
		if c.owner != p.UserRef {
			shared, err := sharedWith(ctx, res, r.RefID, p)
			if err != nil {
				return nil, err
			}
			if !shared {
				continue
			}
		}
		out = append(out, c)
	}
	return out, nil
}

// sharedWith reports whether a collection is linked to one of p's groups.
func sharedWith(ctx context.Context, res resource.Service, ref string, p auth.Principal) (bool, error) {
	if len(p.Groups) == 0 {
		return false, nil
	}
	links, err := res.Linkage(ctx, tableCollection, ref, "usergroup_id")
	if err != nil {
		return false, err
	}
	for _, l := range links {
		for _, g := range p.Groups {
			if l.ID == g.Ref && g.Name != auth.AdministratorsGroup {
				return true, nil
			}
		}
	}
	return false, nil
}

// findCollection resolves a path segment: the caller's own collection of
// that name, or a shared one by reference id.
func findCollection(ctx context.Context, res resource.Service, seg string) (*coll, error) {
	p := auth.PrincipalFrom(ctx)
	page, err := res.List(ctx, tableCollection, resource.Query{PageSize: 2, Conditions: []resource.Condition{
		cond("name", "is", seg), cond("user_account_id", "is", p.UserRef)}})
	if err != nil {
		return nil, err
	}
	if len(page.Rows) > 0 {
		c := collFromRow(page.Rows[0], p.UserRef)
		return &c, nil
	}
	if len(seg) != 36 {
		return nil, nil
	}
	r, err := res.Get(ctx, tableCollection, seg, resource.Query{})
	if errors.Is(err, resource.ErrNotFound) || errors.Is(err, resource.ErrForbidden) || errors.Is(err, resource.ErrBadRequest) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if shared, err := sharedWith(ctx, res, seg, p); err != nil || !shared {
		return nil, err
	}
	c := collFromRow(r, p.UserRef)
	return &c, nil
}

// objects lists a collection's objects matching extra conditions.
func objects(ctx context.Context, res resource.Service, c *coll, extra ...resource.Condition) ([]object, error) {
	q := resource.Query{Conditions: append([]resource.Condition{cond("collection_id", "is", c.ref)}, extra...),
		Sort: []resource.SortKey{{Column: "file_name"}}}
	rows, err := listAll(ctx, res, c.table(), q)
	if err != nil {
		return nil, err
	}
	out := make([]object, len(rows))
	for i, r := range rows {
		out[i] = objFromRow(r)
	}
	return out, nil
}

// changedSince lists the collection's objects changed at or after since.
// The SQL asks only for updated_at, so every database walks that index
// over the few changed rows (with the collection in the query, SQLite
// prefers the collection's index and reads all of its rows); the
// collection is then picked here.
func changedSince(ctx context.Context, res resource.Service, c *coll, since time.Time) ([]object, error) {
	rows, err := listAll(ctx, res, c.table(), resource.Query{
		Conditions: []resource.Condition{cond("updated_at", "gte", since.UTC().Format(time.RFC3339Nano))},
		Sort:       []resource.SortKey{{Column: "updated_at"}}})
	if err != nil {
		return nil, err
	}
	var out []object
	for _, r := range rows {
		if str(r.Attrs["collection_id"]) == c.ref {
			out = append(out, objFromRow(r))
		}
	}
	return out, nil
}

// findObject returns the object named file, or nil.
func findObject(ctx context.Context, res resource.Service, c *coll, file string) (*object, error) {
	page, err := res.List(ctx, c.table(), resource.Query{PageSize: 1, Conditions: []resource.Condition{
		cond("collection_id", "is", c.ref), cond("file_name", "is", file)}})
	if err != nil || len(page.Rows) == 0 {
		return nil, err
	}
	o := objFromRow(page.Rows[0])
	return &o, nil
}

// syncState is a collection's change clock: the time of its latest change
// and how many objects it holds.
type syncState struct {
	at    time.Time
	count int64
}

// token renders the state as a sync-token URI.
func (s syncState) token() string {
	return fmt.Sprintf("http://apiary.invalid/sync/%d-%d", s.at.UnixMicro(), s.count)
}

// ctag is the CalendarServer getctag value.
func (s syncState) ctag() string { return fmt.Sprintf("%d-%d", s.at.UnixMicro(), s.count) }

// parseToken reads the time back from a sync-token.
func parseToken(tok string) (time.Time, bool) {
	rest, ok := strings.CutPrefix(strings.TrimSpace(tok), "http://apiary.invalid/sync/")
	if !ok {
		return time.Time{}, false
	}
	var micros, count int64
	if _, err := fmt.Sscanf(rest, "%d-%d", &micros, &count); err != nil {
		return time.Time{}, false
	}
	return time.UnixMicro(micros), true
}

// collectionState computes the sync state from the newest object and the
// newest tombstone.
func collectionState(ctx context.Context, res resource.Service, c *coll) (syncState, error) {
	st := syncState{at: c.updated}
	page, err := res.List(ctx, c.table(), resource.Query{PageSize: 1, Fields: []string{"updated_at"},
		Conditions: []resource.Condition{cond("collection_id", "is", c.ref)},
		Sort:       []resource.SortKey{{Column: "updated_at", Desc: true}}})
	if err != nil {
		return st, err
	}
	st.count = page.Total
	if len(page.Rows) > 0 {
		if t := tm(page.Rows[0].Attrs["updated_at"]); t.After(st.at) {
			st.at = t
		}
	}
	tp, err := res.List(ctx, tableTombstone, resource.Query{PageSize: 1, Fields: []string{"created_at"},
		Conditions: []resource.Condition{cond("collection_id", "is", c.ref)},
		Sort:       []resource.SortKey{{Column: "created_at", Desc: true}}})
	if err != nil {
		return st, err
	}
	if len(tp.Rows) > 0 {
		if t := tm(tp.Rows[0].Attrs["created_at"]); t.After(st.at) {
			st.at = t
		}
	}
	return st, nil
}

// displayName is the collection's display name, or its name.
func (c *coll) displayName() string {
	if c.display != "" {
		return c.display
	}
	return c.name
}
