package server

import (
	"context"

	"github.com/go-chi/chi/v5"

	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/server/asset"
	"github.com/apiary/apiary/server/filestore"
)

// filesWiring holds what the file surfaces (asset columns, sites, FTP)
// share: the open cloud stores.
type filesWiring struct {
	stores *filestore.Stores
}

// newFiles builds the cloud stores before the resource layer exists (the
// layer calls back into them to store asset column files).
func (s *Server) newFiles(secret string) resource.FileHandler {
	s.files.stores = filestore.New(func() resource.Service { return s.res }, secret, s.log.With("component", "files"))
	return &asset.Files{Stores: s.files.stores}
}

// startFiles watches store changes and creates the default localstore.
func (s *Server) startFiles(ctx context.Context) error {
	s.files.stores.Watch()
	return filestore.EnsureDefault(ctx, s.res, s.cfg.LocalStoragePath)
}

// mountFiles registers the /asset routes.
func (s *Server) mountFiles(r chi.Router) {
	asset.Mount(r, asset.Deps{Res: func() resource.Service { return s.res }, Stores: s.files.stores,
		Log: s.log.With("component", "asset"), MaxUpload: s.cfg.Files.MaxUploadBytes})
}
