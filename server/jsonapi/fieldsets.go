package jsonapi

import (
	"net/http"
	"strings"

	"github.com/apiary/apiary/schema"
	"github.com/apiary/apiary/server/httperr"
)

// codeInvalidField is the error code Daptin (api2go) gives an unknown
// field of a sparse fieldset.
const codeInvalidField = "API2GO_INVALID_FIELD_QUERY_PARAM"

// fieldsets checks JSON:API sparse fieldsets (fields[type]=a,b): the type
// must be a table and every name one of its attributes or relationships,
// else 400 naming the parameter. The fieldset of the type a route answers
// with (/api/{t}, /api/{t}/{id}) trims its attributes like fields=a,b.
func (a *api) fieldsets(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.RawQuery == "" {
			next.ServeHTTP(w, r)
			return
		}
		q := r.URL.Query()
		var primary []string
		primaryType := routeTable(r.URL.Path)
		sc := a.d.Res().Schema()
		found := false
		for key, vals := range q {
			typ, ok := strings.CutPrefix(key, "fields[")
			if !ok || !strings.HasSuffix(typ, "]") {
				continue
			}
			typ = strings.TrimSuffix(typ, "]")
			names := commaList(vals)
			if err := checkFieldset(sc, key, typ, names); err != nil {
				httperr.Write(w, r, a.d.Log, err)
				return
			}
			if typ == primaryType {
				primary, found = append(primary, names...), true
			}
		}
		if found {
			q["fields"] = append(q["fields"], strings.Join(primary, ","))
			r2 := r.Clone(r.Context())
			r2.URL.RawQuery = q.Encode()
			r = r2
		}
		next.ServeHTTP(w, r)
	})
}

// checkFieldset validates one fields[typ] parameter.
func checkFieldset(sc *schema.Schema, key, typ string, names []string) error {
	t, ok := sc.Table(typ)
	if !ok {
		return &httperr.Error{Status: http.StatusBadRequest, Code: codeInvalidField, Title: "invalid fields parameter",
			Detail: quote(typ) + " is not a type", Parameter: key}
	}
	for _, n := range names {
		if n == "__type" {
			continue
		}
		if c, ok := t.Column(n); ok && !c.ExcludeFromApi {
			continue
		}
		if _, ok := t.Link(n); ok {
			continue
		}
		return &httperr.Error{Status: http.StatusBadRequest, Code: codeInvalidField, Title: "invalid fields parameter",
			Detail: quote(n) + " is not a field of " + typ, Parameter: key}
	}
	return nil
}

// routeTable is the {t} of /api/{t} and /api/{t}/{id}, else "".
func routeTable(path string) string {
	_, rest, ok := strings.Cut(path, "/api/")
	if !ok {
		return ""
	}
	parts := strings.Split(strings.Trim(rest, "/"), "/")
	if len(parts) > 2 {
		return ""
	}
	return parts[0]
}
