package feed

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"time"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
)

// Tables and limits of the feed configuration (contract core.md §3).
const (
	feedTable   = "feed"
	streamTable = "stream"
	// MaxItems caps a feed's page_size; it is also the default.
	MaxItems = resource.MaxPageSize
)

// config is one feed row with its stream.
type config struct {
	name, title, description, link string
	authorName, authorEmail        string
	enabled                        map[Format]bool
	pageSize                       int
	created, updated               time.Time
	stream                         contract
}

// allows reports whether the feed is offered in format f.
func (c *config) allows(f Format) bool { return c.enabled[f] }

// contract is the part of a stream contract a feed uses (sidecars.md §10.1).
type contract struct {
	StreamName      string
	RootEntityName  string
	QueryParams     map[string]any // values are a string or a list of strings
	Transformations []transformation
}

// transformation is one step applied to the listed rows.
type transformation struct {
	Operation  string
	Attributes map[string]any
}

// builtinStreams are the two streams Daptin always has; a stream row of
// that name with an empty contract means these.
var builtinStreams = map[string]contract{
	"table": {StreamName: "table", RootEntityName: "world", Transformations: []transformation{
		{Operation: "select", Attributes: map[string]any{"Columns": []any{"table_name", "reference_id"}}},
	}},
	"transformed_user": {StreamName: "transformed_user", RootEntityName: "user_account", Transformations: []transformation{
		{Operation: "select", Attributes: map[string]any{"Columns": []any{"name", "email"}}},
		{Operation: "rename", Attributes: map[string]any{"OldName": "name", "NewName": "transformed_user_name"}},
		{Operation: "rename", Attributes: map[string]any{"OldName": "email", "NewName": "primary_email"}},
	}},
}

// loadFeed reads the feed row named name and its stream as the system.
// An unknown or disabled feed, and a missing, disabled or unusable stream,
// are "not found".
func loadFeed(ctx context.Context, res resource.Service, name string) (*config, error) {
	sys := auth.WithPrincipal(ctx, auth.System())
	page, err := res.List(sys, feedTable, resource.Query{PageSize: 1, Conditions: []resource.Condition{
		{Column: "feed_name", Operator: "is", Value: name}}})
	if err != nil {
		return nil, fmt.Errorf("feed %q: %w", name, err)
	}
	if len(page.Rows) == 0 {
		return nil, notFound("no feed named %q", name)
	}
	a := page.Rows[0].Attrs
	if !flag(a["enable"], false) {
		return nil, notFound("feed %q is not enabled", name)
	}
	c := &config{
		name: name, title: str(a["title"]), description: str(a["description"]), link: str(a["link"]),
		authorName: str(a["author_name"]), authorEmail: str(a["author_email"]),
		enabled: map[Format]bool{
			RSS: flag(a["enable_rss"], true), Atom: flag(a["enable_atom"], true), JSON: flag(a["enable_json"], true),
		},
		pageSize: pageSize(a["page_size"]),
		created:  timeOf(a["created_at"]), updated: timeOf(a["updated_at"]),
	}
	streamRef := str(a["stream_id"])
	if streamRef == "" {
		return nil, notFound("feed %q has no stream", name)
	}
	st, err := res.Get(sys, streamTable, streamRef, resource.Query{})
	if isNotFound(err) {
		return nil, notFound("the stream of feed %q does not exist", name)
	}
	if err != nil {
		return nil, fmt.Errorf("stream of feed %q: %w", name, err)
	}
	if !flag(st.Attrs["enable"], true) {
		return nil, notFound("the stream of feed %q is not enabled", name)
	}
	if c.stream, err = parseContract(st.Attrs["stream_contract"], str(st.Attrs["stream_name"])); err != nil {
		return nil, notFound("the stream of feed %q is unusable: %v", name, err)
	}
	return c, nil
}

// parseContract decodes a stream_contract value (JSON text or an object).
func parseContract(v any, streamName string) (contract, error) {
	var c contract
	var raw []byte
	switch x := v.(type) {
	case nil:
	case string:
		raw = []byte(strings.TrimSpace(x))
	case []byte:
		raw = x
	default:
		b, err := json.Marshal(x)
		if err != nil {
			return c, err
		}
		raw = b
	}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &c); err != nil {
			return c, fmt.Errorf("stream_contract is not a JSON object: %w", err)
		}
	}
	if c.RootEntityName == "" {
		b, ok := builtinStreams[streamName]
		if !ok {
			return c, errors.New("stream_contract names no RootEntityName")
		}
		c = b
	}
	if c.StreamName == "" {
		c.StreamName = streamName
	}
	return c, nil
}

// record is one stream row: the root table row's attributes after the
// stream's transformations.
type record struct {
	table, ref string
	attrs      map[string]any
}

// listItems lists the stream's rows as the caller, newest first. A caller
// who may not list the root table gets no items.
func listItems(ctx context.Context, res resource.Service, c *config, p Params) ([]record, error) {
	q := resource.Query{PageSize: c.pageSize, Sort: []resource.SortKey{{Column: "created_at", Desc: true}}}
	out, err := listRecords(ctx, res, c.stream, q, p)
	if errors.Is(err, resource.ErrForbidden) || errors.Is(err, resource.ErrUnauthenticated) {
		return nil, nil
	}
	return out, err
}

// listRecords runs a stream: the root table's list with q and the
// stream's QueryParams (evaluated with p) over it, as the caller, then the
// transformations. Permission errors are returned as they are.
func listRecords(ctx context.Context, res resource.Service, c contract, q resource.Query, p Params) ([]record, error) {
	q, err := withParams(q, c, p)
	if err != nil {
		return nil, err
	}
	root := c.RootEntityName
	page, err := res.List(ctx, root, q)
	switch {
	case errors.Is(err, resource.ErrForbidden), errors.Is(err, resource.ErrUnauthenticated):
		return nil, err
	case isNotFound(err):
		return nil, notFound("stream %q reads table %q, which does not exist", c.StreamName, root)
	case err != nil:
		// A bad sort or filter in the stream is the server's fault, not the
		// client's: %v keeps the resource error kind out (a 500).
		return nil, fmt.Errorf("stream %q: list %s: %v", c.StreamName, root, err)
	}
	out := make([]record, 0, len(page.Rows))
	for _, row := range page.Rows {
		out = append(out, record{table: row.Table, ref: row.RefID, attrs: maps.Clone(row.Attrs)})
	}
	for _, t := range c.Transformations {
		if out, err = t.apply(out); err != nil {
			return nil, fmt.Errorf("stream %q: %w", c.StreamName, err)
		}
	}
	return out, nil
}

// flag reads a truefalse attribute; def when absent.
func flag(v any, def bool) bool {
	switch x := v.(type) {
	case nil:
		return def
	case bool:
		return x
	case int64:
		return x != 0
	case int:
		return x != 0
	case float64:
		return x != 0
	case string:
		b, err := strconv.ParseBool(strings.TrimSpace(x))
		if err != nil {
			return def
		}
		return b
	}
	return def
}

// pageSize reads page_size: missing, zero or negative is MaxItems, and it
// never exceeds MaxItems.
func pageSize(v any) int {
	var n int64
	switch x := v.(type) {
	case int64:
		n = x
	case int:
		n = int64(x)
	case float64:
		n = int64(x)
	case string:
		n, _ = strconv.ParseInt(strings.TrimSpace(x), 10, 64)
	}
	if n <= 0 || n > MaxItems {
		return MaxItems
	}
	return int(n)
}

// str renders a scalar attribute as text; nil is "".
func str(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []byte:
		return string(x)
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	}
	return fmt.Sprint(v)
}

// timeOf reads a timestamp attribute; the zero time when absent or unparsable.
func timeOf(v any) time.Time {
	switch x := v.(type) {
	case time.Time:
		return x.UTC()
	case *time.Time:
		if x != nil {
			return x.UTC()
		}
	case string:
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999", "2006-01-02"} {
			if t, err := time.Parse(layout, x); err == nil {
				return t.UTC()
			}
		}
	}
	return time.Time{}
}
