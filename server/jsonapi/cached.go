package jsonapi

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/apiary/apiary/resource"
)

// cached keeps answers of a read route in Deps.Cache under the read stamp
// of the table table(r) names.
func (a *api) cached(table func(*http.Request) string, next http.HandlerFunc) http.HandlerFunc {
	return a.d.Cache.Wrap(func(r *http.Request) (string, uint64, bool) {
		st, ok := a.d.Res().(resource.Stamper)
		if !ok {
			return "", 0, false
		}
		t := table(r)
		return t, st.ReadStamp(t), true
	}, ContentType, next)
}

func urlTable(r *http.Request) string { return chi.URLParam(r, "t") }
