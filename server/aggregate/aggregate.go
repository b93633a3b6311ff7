package aggregate

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/server/httperr"
	"github.com/apiary/apiary/server/respcache"
)

// MaxBody limits a POST body.
const MaxBody = 1 << 20

// ContentType is the media type of a successful answer, as Daptin sends it.
const ContentType = "application/json; charset=utf-8"

// Mount registers GET and POST /aggregate/{entity} on r. res is called once
// per request and returns the live resource layer; log receives internal
// errors (nil means slog.Default()); answers of GET requests are kept in
// cache (nil caches nothing).
func Mount(r chi.Router, res func() resource.Service, log *slog.Logger, cache *respcache.Cache) {
	if log == nil {
		log = slog.Default()
	}
	h := httperr.Handle(log, func(w http.ResponseWriter, req *http.Request) error {
		return serve(w, req, res())
	})
	r.Get("/aggregate/{entity}", cache.Wrap(func(req *http.Request) (string, uint64, bool) { return stamp(req, res()) }, ContentType, h))
	r.Post("/aggregate/{entity}", h)
}

// stamp is the sum of the read stamps of the entity and of every joined
// table: it moves whenever any of them does. Its group names those tables.
func stamp(r *http.Request, res resource.Service) (string, uint64, bool) {
	st := resource.Stamper(res)
	entity := chi.URLParam(r, "entity")
	sum := st.ReadStamp(entity)
	tables := []string{}
	for _, j := range r.URL.Query()["join"] {
		table, _, _ := strings.Cut(j, "@")
		table = strings.TrimSpace(table)
		sum += st.ReadStamp(table)
		tables = append(tables, table)
	}
	slices.Sort(tables)
	return "aggregate:" + entity + "+" + strings.Join(tables, "+"), sum, true
}

// document is the answer body.
type document struct {
	Data []item `json:"data"`
}

type item struct {
	Type       string         `json:"type"`
	ID         string         `json:"id"`
	Attributes map[string]any `json:"attributes"`
}

func serve(w http.ResponseWriter, r *http.Request, res resource.Service) error {
	params, err := readParams(w, r)
	if err != nil {
		return err
	}
	rows, err := res.Aggregate(r.Context(), chi.URLParam(r, "entity"), Query(params))
	if err != nil {
		return err
	}
	doc := document{Data: make([]item, 0, len(rows))}
	for _, row := range rows {
		doc.Data = append(doc.Data, item{Type: row.Table, ID: row.RefID, Attributes: row.Attrs})
	}
	body, err := json.Marshal(doc)
	if err != nil {
		return fmt.Errorf("encode aggregate answer: %w", err)
	}
	w.Header().Set("Content-Type", ContentType)
	_, _ = w.Write(body)
	return nil
}

// Query builds a resource.AggregateQuery from request parameters.
func Query(v url.Values) resource.AggregateQuery {
	last := func(k string) string {
		vs := v[k]
		if len(vs) == 0 {
			return ""
		}
		return vs[len(vs)-1]
	}
	return resource.AggregateQuery{
		Columns: v["column"], Groups: v["group"], Filters: v["filter"], Having: v["having"],
		Joins: v["join"], Orders: v["order"],
		TimeSample: last("timesample"), TimeFrom: last("timefrom"), TimeTo: last("timeto"), TimeColumn: last("timecolumn"),
	}
}

// Keys are the parameters the aggregate API reads.
var Keys = map[string]bool{
	"column": true, "group": true, "filter": true, "having": true, "join": true, "order": true,
	"timesample": true, "timefrom": true, "timeto": true, "timecolumn": true,
}

// readParams merges the URL parameters with a POST body: JSON (an object
// whose values are strings, numbers or arrays of them) or form-urlencoded.
func readParams(w http.ResponseWriter, r *http.Request) (url.Values, error) {
	params := r.URL.Query()
	if r.Method != http.MethodPost || r.Body == nil {
		return params, nil
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		return nil, err
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		return params, nil
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "application/x-www-form-urlencoded" || mt == "multipart/form-data" {
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, badBody("the form body cannot be parsed: %v", err)
		}
		for k, vs := range form {
			params[k] = append(params[k], vs...)
		}
		return params, nil
	}
	var obj map[string]any
	if err := json.Unmarshal(body, &obj); err != nil {
		return nil, badBody("the body must be a JSON object: %v", err)
	}
	for k, raw := range obj {
		if !Keys[k] {
			continue // query, root_entity and unknown keys are ignored, as Daptin
		}
		vs, err := jsonStrings(raw)
		if err != nil {
			return nil, badBody("%s: %v", k, err)
		}
		params[k] = append(params[k], vs...)
	}
	return params, nil
}

// jsonStrings accepts a string, number, boolean or an array of them.
func jsonStrings(raw any) ([]string, error) {
	switch x := raw.(type) {
	case nil:
		return nil, nil
	case string:
		return []string{x}, nil
	case float64, bool:
		return []string{fmt.Sprint(x)}, nil
	case []any:
		var out []string
		for _, e := range x {
			vs, err := jsonStrings(e)
			if err != nil {
				return nil, err
			}
			if _, nested := e.([]any); nested {
				return nil, fmt.Errorf("nested arrays are not allowed")
			}
			out = append(out, vs...)
		}
		return out, nil
	}
	return nil, fmt.Errorf("want a string or an array of strings")
}

func badBody(format string, a ...any) error {
	return &httperr.Error{Status: http.StatusBadRequest, Title: "Invalid aggregation query", Detail: fmt.Sprintf(format, a...)}
}
