package asset

import (
	"net/http"

	"github.com/apiary/apiary/server/httperr"
)

func (h *handler) upload(w http.ResponseWriter, r *http.Request) error {
	return httperr.New(http.StatusNotImplemented, "not implemented", "chunked upload")
}
