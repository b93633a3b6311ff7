package asset

import (
	"net/http"

	"github.com/apiary/apiary/server/httperr"
	"github.com/apiary/apiary/storage/blob"
)

func (h *handler) processImage(w http.ResponseWriter, r *http.Request, st *blob.Store, p string, e entry) error {
	return httperr.New(http.StatusNotImplemented, "not implemented", "image processing")
}
