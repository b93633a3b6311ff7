package server

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/apiary/apiary/server/httperr"
)

// trackStartBody is the body of POST /track/start/{smdId}.
type trackStartBody struct {
	TypeName    string `json:"typeName"`
	ReferenceID string `json:"referenceId"`
}

// mountTrack registers the state machine routes (contract core.md §11.1):
// POST /track/start/{smdId} starts tracking a row and answers the new state
// row; POST /track/event/{typename}/{stateReferenceId}/{eventName} fires an
// event and answers 200 with an empty body.
func (s *Server) mountTrack(r chi.Router) {
	r.Post("/track/start/{smdId}", httperr.Handle(s.log, s.trackStart))
	r.Post("/track/event/{typename}/{stateReferenceId}/{eventName}", httperr.Handle(s.log, s.trackEvent))
}

func (s *Server) trackStart(w http.ResponseWriter, r *http.Request) error {
	body, err := readTrackStart(r, s.cfg.HTTP.MaxBodyBytes)
	if err != nil {
		return err
	}
	row, err := s.res.TrackStart(r.Context(), chi.URLParam(r, "smdId"), body.TypeName, body.ReferenceID)
	if err != nil {
		return err
	}
	doc := map[string]any{"data": map[string]any{"type": row.Table, "id": row.RefID, "attributes": row.Attrs}}
	out, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vnd.api+json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(out)
	return nil
}

// readTrackStart decodes and checks the start body.
func readTrackStart(r *http.Request, limit int64) (trackStartBody, error) {
	var body trackStartBody
	raw, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, limit))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return body, err
		}
		return body, httperr.New(http.StatusBadRequest, "invalid body", "cannot read the request body")
	}
	if err := json.Unmarshal(raw, &body); err != nil {
		return body, httperr.New(http.StatusBadRequest, "invalid body", `the body must be {"typeName": "...", "referenceId": "..."}: `+err.Error())
	}
	body.TypeName, body.ReferenceID = strings.TrimSpace(body.TypeName), strings.TrimSpace(body.ReferenceID)
	if body.TypeName == "" || body.ReferenceID == "" {
		return body, httperr.New(http.StatusBadRequest, "invalid body", "typeName and referenceId are required")
	}
	return body, nil
}

func (s *Server) trackEvent(w http.ResponseWriter, r *http.Request) error {
	_, err := s.res.TrackEvent(r.Context(), chi.URLParam(r, "typename"), chi.URLParam(r, "stateReferenceId"), chi.URLParam(r, "eventName"))
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}
