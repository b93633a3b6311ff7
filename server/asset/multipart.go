package asset

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/server/httperr"
	"github.com/apiary/apiary/storage/blob"
)

// threshold is the declared size above which init on an S3 store answers
// a browser-driven multipart upload (contract §7.5: 100 MiB).
func (h *handler) threshold() int64 {
	if h.d.MultipartThreshold > 0 {
		return h.d.MultipartThreshold
	}
	return blob.MultipartThreshold
}

// initMultipart starts an S3 multipart upload for init; it reports false
// (and writes nothing) when the column's store is not S3.
func (h *handler) initMultipart(w http.ResponseWriter, r *http.Request, tg target, id, name string) (bool, error) {
	st, p, err := h.locate(r.Context(), tg.col, entry{Name: name})
	if err != nil {
		return true, err
	}
	typ := r.Header.Get("X-File-Type")
	if typ == "" {
		typ = TypeByName(name)
	}
	s3id, err := st.CreateMultipart(r.Context(), p, typ)
	if errors.Is(err, blob.ErrNoPresign) {
		return false, nil
	}
	if err != nil {
		return true, storeError(err)
	}
	h.pending.put(id, streamed{path: p, typ: typ, s3id: s3id})
	base := r.URL.Path
	s3q := url.Values{"filename": {name}, "upload_id": {s3id}}.Encode()
	return true, writeJSON(w, map[string]any{"upload_id": id, "s3_upload_id": s3id, "upload_type": "multipart",
		"min_part_size": blob.MinPartSize, "max_parts": blob.MaxParts,
		"get_part_url": base + "?operation=get_part_url&" + s3q,
		"complete_url": base + "?operation=complete&" + url.Values{"filename": {name}, "upload_id": {id}}.Encode(),
		"abort_url":    base + "?operation=abort&" + s3q})
}

// uploadPartURL answers a presigned S3 UploadPart URL for part_number of
// the multipart upload upload_id (the S3 id, or the id init answered).
func (h *handler) uploadPartURL(w http.ResponseWriter, r *http.Request, tg target, name string) error {
	q := r.URL.Query()
	s3id := q.Get("upload_id")
	if pend, ok := h.pending.peek(s3id); ok && pend.s3id != "" {
		s3id = pend.s3id
	}
	n, err := strconv.ParseInt(q.Get("part_number"), 10, 32)
	if s3id == "" || err != nil || n < 1 || n > blob.MaxParts {
		return httperr.New(http.StatusBadRequest, "bad part request",
			"get_part_url needs upload_id and part_number between 1 and "+strconv.Itoa(blob.MaxParts))
	}
	st, p, err := h.locate(r.Context(), tg.col, entry{Name: name})
	if err != nil {
		return err
	}
	ps, err := st.PresignPart(r.Context(), p, s3id, int32(n), presignExpiry)
	if err != nil {
		return multipartError(err)
	}
	return writeJSON(w, map[string]any{"presigned_url": ps.URL, "part_number": n, "expires_at": ps.Expires.Unix()})
}

// completion is the body of complete for a multipart upload: the parts
// the client sent to S3, with the ETag S3 answered for each.
type completion struct {
	S3UploadID string `json:"s3_upload_id"`
	FileName   string `json:"fileName"`
	Parts      []struct {
		PartNumber int32  `json:"part_number"`
		ETag       string `json:"etag"`
	} `json:"parts"`
}

// maxCompletionBody holds 10000 parts with their ETags.
const maxCompletionBody = 2 << 20

// readCompletion reads a JSON complete body; other bodies (none, a form)
// carry no parts and are ignored.
func readCompletion(w http.ResponseWriter, r *http.Request) (completion, error) {
	var c completion
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxCompletionBody))
	if err != nil {
		return c, httperr.New(http.StatusBadRequest, "bad completion body", "the body could not be read (at most 2 MiB): "+err.Error())
	}
	if b = bytes.TrimSpace(b); len(b) == 0 || b[0] != '{' {
		return c, nil
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return c, httperr.New(http.StatusBadRequest, "bad completion body",
			`want {"s3_upload_id":"…","parts":[{"part_number":1,"etag":"…"}]}: `+err.Error())
	}
	return c, nil
}

// completeMultipart assembles the client's parts on S3 and records the
// file in the column.
func (h *handler) completeMultipart(w http.ResponseWriter, r *http.Request, tg target, id string, c completion) error {
	pend, _ := h.pending.peek(id)
	s3id := c.S3UploadID
	if s3id == "" {
		s3id = pend.s3id
	}
	name := r.URL.Query().Get("filename")
	if name == "" {
		name = c.FileName
	}
	if name == "" && pend.path != "" {
		name = pathBase(pend.path)
	}
	switch {
	case s3id == "":
		return httperr.New(http.StatusBadRequest, "s3_upload_id required", "s3_upload_id is required for multipart completion")
	case len(c.Parts) == 0:
		return httperr.New(http.StatusBadRequest, "parts required",
			`a multipart upload is completed with "parts":[{"part_number":1,"etag":"…"},…]`)
	case !blob.ValidName(name):
		return httperr.New(http.StatusBadRequest, "bad file name", "filename (or fileName) must be one name without /, \\, NUL or ..")
	}
	st, p, err := h.locate(r.Context(), tg.col, entry{Name: name})
	if err != nil {
		return err
	}
	parts := make([]blob.Part, len(c.Parts))
	for i, pt := range c.Parts {
		parts[i] = blob.Part{Number: pt.PartNumber, ETag: pt.ETag}
	}
	if err := st.CompleteMultipart(r.Context(), p, s3id, parts); err != nil {
		return multipartError(err)
	}
	info, err := st.Stat(r.Context(), p)
	if err != nil {
		return storeError(err)
	}
	typ := pend.typ
	if pend.s3id != s3id || typ == "" {
		if typ = r.Header.Get("X-File-Type"); typ == "" {
			typ = TypeByName(name)
		}
	}
	h.pending.take(id)
	h.pending.takeS3(s3id)
	// The server never sees the bytes, so md5 stays empty.
	e := map[string]any{"name": name, "type": typ, "path": "", "md5": "", "size": info.Size, "src": name}
	if _, err := h.d.Res().Update(r.Context(), tg.table.TableName, tg.row.RefID, resource.Input{
		Attributes: map[string]any{tg.col.ColumnName: resource.StoredFiles{e}}}); err != nil {
		return err
	}
	return writeJSON(w, map[string]any{"upload_id": id, "status": "completed", "fileName": name, "size": info.Size, "multipart": true})
}

// abortMultipart aborts the S3 multipart upload id names (the S3 id, or
// the id init answered); it reports false when id is no multipart upload,
// for the stream upload abort to handle.
func (h *handler) abortMultipart(r *http.Request, tg target, id string) (bool, error) {
	if id == "" {
		return false, nil
	}
	pend, ok := h.pending.peek(id)
	if ok && pend.s3id == "" {
		return false, nil
	}
	if ok {
		h.pending.take(id)
	} else if pend, ok = h.pending.takeS3(id); !ok {
		name := r.URL.Query().Get("filename")
		if !blob.ValidName(name) {
			return false, nil
		}
		_, p, err := h.locate(r.Context(), tg.col, entry{Name: name})
		if err != nil {
			return true, err
		}
		pend = streamed{path: p, s3id: id}
	}
	st, err := h.d.Stores.ByName(r.Context(), tg.col.ForeignKeyData.Namespace)
	if err != nil {
		return true, httperr.New(http.StatusBadGateway, "cloud store unavailable", err.Error())
	}
	err = st.AbortMultipart(r.Context(), pend.path, pend.s3id)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, blob.ErrNoPresign), errors.Is(err, blob.ErrBadParts):
		// Not S3, or S3 knows no such upload: nothing is left to discard.
		return false, nil
	}
	return true, storeError(err)
}

// multipartError maps a refused multipart request to 400, others as
// storeError does.
func multipartError(err error) error {
	switch {
	case errors.Is(err, blob.ErrNoPresign):
		return httperr.New(http.StatusBadRequest, "not an S3 store", "multipart uploads are offered only by S3 stores")
	case errors.Is(err, blob.ErrBadParts):
		return httperr.New(http.StatusBadRequest, "multipart upload refused", err.Error())
	}
	return storeError(err)
}
