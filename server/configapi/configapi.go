package configapi

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/server/httperr"
)

// MaxValueBytes limits the body of a write: a larger one is a 413.
const MaxValueBytes = 1 << 20

// maxNameLen is the width of the name and configtype columns of _config.
const maxNameLen = 100

type api struct {
	conf     *resource.ConfigStore
	log      *slog.Logger
	onChange func(key string)
}

// Mount registers /_config and /_config/{configType}/{key} on r (paths
// are absolute: mount it on the root router). onChange, when not nil, is
// called with the key after every successful write or delete of a backend
// key (the only type the server reads), so the server can apply a setting
// without a restart; it runs on the request goroutine before the answer
// is sent. log receives internal errors and
// one line per change; nil means slog.Default().
func Mount(r chi.Router, conf *resource.ConfigStore, log *slog.Logger, onChange func(key string)) {
	if log == nil {
		log = slog.Default()
	}
	a := &api{conf: conf, log: log, onChange: onChange}
	h := func(f httperr.HandlerFunc) http.HandlerFunc { return httperr.Handle(log, f) }
	r.Route("/_config", func(r chi.Router) {
		r.Use(a.adminOnly)
		r.Get("/", h(a.all))
		r.Get("/{configType}/{key}", h(a.get))
		r.Post("/{configType}/{key}", h(a.set))
		r.Put("/{configType}/{key}", h(a.set))
		r.Patch("/{configType}/{key}", h(a.set))
		r.Delete("/{configType}/{key}", h(a.delete))
		r.HandleFunc("/{configType}", h(missingSegment))
		r.HandleFunc("/{configType}/", h(missingSegment))
	})
}

// adminOnly lets administrators through: a guest gets a 401 and anyone
// else a 403, before any route or method is looked at.
func (a *api) adminOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := auth.PrincipalFrom(r.Context())
		switch {
		case p.IsAdmin():
			next.ServeHTTP(w, r)
		case p.IsGuest():
			httperr.Write(w, r, a.log, httperr.New(http.StatusUnauthorized, "authentication required",
				"the config API is for administrators; send an administrator's token"))
		default:
			httperr.Write(w, r, a.log, httperr.New(http.StatusForbidden, "forbidden",
				"only administrators may use the config API"))
		}
	})
}

// all answers every readable key and its value as one JSON object.
func (a *api) all(w http.ResponseWriter, r *http.Request) error {
	values, err := a.conf.All(r.Context())
	if err != nil {
		return err
	}
	maps.DeleteFunc(values, func(k, _ string) bool { return resource.SecretKeys[k] })
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, values)
}

// get answers one raw value as text/plain.
func (a *api) get(w http.ResponseWriter, r *http.Request) error {
	configType, key, err := segments(r)
	if err != nil {
		return err
	}
	if resource.SecretKeys[key] {
		return httperr.New(http.StatusForbidden, "write-only key",
			key+" is a secret: it can be set but never read through the API")
	}
	v, err := a.conf.Get(r.Context(), configType, key)
	if errors.Is(err, resource.ErrNoConfig) {
		return httperr.New(http.StatusNotFound, "not found", "no config key "+configType+"/"+key)
	}
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = io.WriteString(w, v)
	return nil
}

// set stores the raw request body as the key's value; the previous value
// is kept in previousvalue.
func (a *api) set(w http.ResponseWriter, r *http.Request) error {
	configType, key, err := segments(r)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxValueBytes))
	if err != nil {
		return err
	}
	if err := a.conf.Set(r.Context(), configType, key, string(body)); err != nil {
		return err
	}
	a.changed(r, "set", configType, key)
	w.WriteHeader(http.StatusOK)
	return nil
}

// delete removes the key; removing an absent key is not an error.
func (a *api) delete(w http.ResponseWriter, r *http.Request) error {
	configType, key, err := segments(r)
	if err != nil {
		return err
	}
	if err := a.conf.Delete(r.Context(), configType, key); err != nil {
		return err
	}
	a.changed(r, "delete", configType, key)
	w.WriteHeader(http.StatusOK)
	return nil
}

// changed logs a change (never the value) and tells the server.
func (a *api) changed(r *http.Request, op, configType, key string) {
	a.log.InfoContext(r.Context(), "config changed", "op", op, "config_type", configType, "key", key,
		"user", auth.PrincipalFrom(r.Context()).Email)
	if a.onChange != nil && configType == resource.ConfigBackend {
		a.onChange(key)
	}
}

// missingSegment answers /_config/{configType} without a key.
func missingSegment(http.ResponseWriter, *http.Request) error {
	return errMissing
}

var errMissing = httperr.New(http.StatusBadRequest, "missing path segment",
	"the config API path is /_config/{configType}/{key}, e.g. /_config/backend/graphql.enable")

// segments returns the config type and key of the URL, both required and
// at most as long as the _config columns that hold them.
func segments(r *http.Request) (configType, key string, err error) {
	configType, key = chi.URLParam(r, "configType"), chi.URLParam(r, "key")
	if strings.TrimSpace(configType) == "" || strings.TrimSpace(key) == "" {
		return "", "", errMissing
	}
	if len(configType) > maxNameLen || len(key) > maxNameLen {
		return "", "", httperr.New(http.StatusBadRequest, "name too long",
			"a config type and a key are at most 100 bytes each")
	}
	return configType, key, nil
}

// writeJSON answers v as a JSON document with status 200.
func writeJSON(w http.ResponseWriter, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(body)
	return nil
}
