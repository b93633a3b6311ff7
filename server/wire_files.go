package server

import (
	"context"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/apiary/apiary/actions"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/server/asset"
	"github.com/apiary/apiary/server/filestore"
	"github.com/apiary/apiary/server/site"
)

// filesWiring holds what the file surfaces (asset columns, sites, FTP)
// share: the open cloud stores.
type filesWiring struct {
	stores *filestore.Stores
	sites  *site.Sites
}

// newFiles builds the cloud stores before the resource layer exists (the
// layer calls back into them to store asset column files).
func (s *Server) newFiles(secret string) resource.FileHandler {
	s.files.stores = filestore.New(func() resource.Service { return s.res }, secret, s.log.With("component", "files"))
	s.files.sites = site.New(site.Deps{Res: func() resource.Service { return s.res }, Stores: s.files.stores,
		Log: s.log.With("component", "site"),
		Render: func(ctx context.Context, name string, data map[string]any) (actions.Rendered, error) {
			return s.exec.RenderTemplate(ctx, name, data)
		},
		Exec: func(ctx context.Context, typ, action string, attrs map[string]any) ([]actions.Response, error) {
			return s.exec.Execute(ctx, typ, action, attrs)
		},
		ActionOf: func(ctx context.Context, name string) (string, string, map[string]any, bool) {
			return s.exec.TemplateAction(ctx, name)
		}})
	return &asset.Files{Stores: s.files.stores}
}

// startFiles watches store changes and creates the default localstore.
func (s *Server) startFiles(ctx context.Context) error {
	s.files.stores.Watch()
	s.files.sites.Watch()
	return filestore.EnsureDefault(ctx, s.res, s.cfg.LocalStoragePath)
}

// siteSwitch sends requests for a site's host (or first path segment) to
// the site; it runs after authentication.
func (s *Server) siteSwitch(next http.Handler) http.Handler { return s.files.sites.Middleware(next) }

// mountFiles registers the /asset routes.
func (s *Server) mountFiles(r chi.Router) {
	asset.Mount(r, asset.Deps{Res: func() resource.Service { return s.res }, Stores: s.files.stores,
		Log: s.log.With("component", "asset"), MaxUpload: s.cfg.Files.MaxUploadBytes,
		MultipartThreshold: s.cfg.Files.MultipartUploadBytes})
}

// writeRender streams the first "render" response of an action (the
// template.render outcome) as the raw body; it reports whether it did.
func writeRender(w http.ResponseWriter, out []actions.Response) bool {
	for _, r := range out {
		if r.ResponseType != "render" {
			continue
		}
		a, _ := r.Attributes.(map[string]any)
		if hs, ok := a["headers"].(map[string]string); ok {
			for k, v := range hs {
				w.Header().Set(k, v)
			}
		}
		mt, _ := a["mime_type"].(string)
		w.Header().Set("Content-Type", mt)
		body, _ := a["content"].(string)
		_, _ = w.Write([]byte(body))
		return true
	}
	return false
}
