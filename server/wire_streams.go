package server

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/apiary/apiary/actions"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/server/feed"
	"github.com/apiary/apiary/server/httperr"
)

// Streams (contract sidecars.md §10.1) are read-only transformed views at
// /api/{stream}: a name that is no table but a stream row is listed
// through the stream; every other method, and one row, answer 501.

// streams serves /api/{name}[/...] for stream names and passes every
// table (and unknown name) on to next.
func (s *Server) streams(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rest, ok := strings.CutPrefix(r.URL.Path, "/api/")
		name, sub, _ := strings.Cut(rest, "/")
		if !ok || name == "" {
			next.ServeHTTP(w, r)
			return
		}
		if _, isTable := s.schema.Load().Table(name); isTable {
			next.ServeHTTP(w, r)
			return
		}
		st, found, err := feed.FindStream(r.Context(), s.res, name)
		switch {
		case err != nil && !found:
			httperr.Write(w, r, s.log, err)
		case !found:
			next.ServeHTTP(w, r)
		case err != nil:
			httperr.Write(w, r, s.log, httperr.New(http.StatusInternalServerError, "stream unusable", err.Error()))
		case r.Method != http.MethodGet || sub != "":
			httperr.Write(w, r, s.log, httperr.New(http.StatusNotImplemented, "not implemented", "stream "+name+" is read-only: only GET /api/"+name+" lists it"))
		default:
			s.listStream(w, r, st)
		}
	})
}

// listStream answers a stream list as JSON:API: every record with type =
// the stream name.
func (s *Server) listStream(w http.ResponseWriter, r *http.Request, st *feed.Stream) {
	q, err := streamQuery(r)
	if err != nil {
		httperr.Write(w, r, s.log, err)
		return
	}
	recs, err := st.List(r.Context(), s.res, q, feed.RequestParams(r.URL.Query(), s.streamEval))
	if err != nil {
		httperr.Write(w, r, s.log, err)
		return
	}
	data := make([]map[string]any, len(recs))
	for i, rec := range recs {
		data[i] = map[string]any{"type": st.Name(), "id": rec.RefID, "attributes": rec.Attrs}
	}
	page := q.PageNumber
	if page == 0 {
		page = 1
	}
	w.Header().Set("Content-Type", "application/vnd.api+json")
	_ = json.NewEncoder(w).Encode(map[string]any{"data": data,
		"links": map[string]any{"current_page": page, "per_page": q.PageSize}})
}

// streamEval evaluates stream QueryParams values with the action
// expression syntax, as Daptin does (sidecars.md §10.1).
func (s *Server) streamEval(v any, vars map[string]any) (any, error) {
	return actions.EvalValue(v, vars)
}

// streamQuery reads page[size], page[number], sort, filter and query.
func streamQuery(r *http.Request) (resource.Query, error) {
	v := r.URL.Query()
	q := resource.Query{PageSize: resource.DefaultPageSize, Sort: resource.ParseSort(v.Get("sort")), Keyword: v.Get("filter")}
	for key, dst := range map[string]*int{"page[size]": &q.PageSize, "page[number]": &q.PageNumber} {
		if t := v.Get(key); t != "" {
			n, err := strconv.Atoi(t)
			if err != nil || n < 1 {
				return q, httperr.New(http.StatusBadRequest, "invalid query parameter", key+" must be a positive number")
			}
			*dst = n
		}
	}
	q.PageSize = min(q.PageSize, resource.MaxPageSize)
	if t := v.Get("query"); t != "" {
		conds, err := resource.ParseConditions(t)
		if err != nil {
			return q, err
		}
		q.Conditions = conds
	}
	return q, nil
}
