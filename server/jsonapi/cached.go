package jsonapi

import (
	"net/http"

	"github.com/go-chi/chi/v5"
)

// cached keeps answers of a read route in Deps.Cache under the read stamp
// of the table table(r) names.
func (a *api) cached(table func(*http.Request) string, next http.HandlerFunc) http.HandlerFunc {
	return a.d.Cache.Wrap(func(r *http.Request) (string, uint64, bool) {
		t := table(r)
		return t, a.d.Res().ReadStamp(t), true
	}, ContentType, next)
}

func urlTable(r *http.Request) string { return chi.URLParam(r, "t") }
