package asset

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/server/httperr"
	"github.com/apiary/apiary/storage/blob"
)

func isMultipart(r *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return r.Method == http.MethodPost && mt == "multipart/form-data"
}

// uploadForm takes a browser form post (multipart/form-data): every file
// part is streamed to the store as it arrives, then the column lists them
// (merged by name) in one write.
func (h *handler) uploadForm(w http.ResponseWriter, r *http.Request, tg target) error {
	if h.d.MaxUpload > 0 {
		r.Body = http.MaxBytesReader(w, r.Body, h.d.MaxUpload)
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return httperr.New(http.StatusBadRequest, "bad form", err.Error())
	}
	var stored resource.StoredFiles
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return formError(err)
		}
		name := part.FileName()
		if name == "" {
			continue // a plain form field
		}
		if !blob.ValidName(name) {
			return httperr.New(http.StatusBadRequest, "bad file name", "file name "+name+" must be one name without /, \\, NUL or ..")
		}
		st, p, err := h.locate(r.Context(), tg.col, entry{Name: name})
		if err != nil {
			return err
		}
		sum := md5.New()
		info, err := st.Put(r.Context(), p, io.TeeReader(part, sum), -1, time.Time{})
		if err != nil {
			return formError(err)
		}
		typ := part.Header.Get("Content-Type")
		if typ == "" || strings.HasPrefix(typ, "application/octet-stream") {
			typ = TypeByName(name)
		}
		stored = append(stored, map[string]any{"name": name, "type": typ, "path": "", "md5": hex.EncodeToString(sum.Sum(nil)),
			"size": info.Size, "src": name})
	}
	if len(stored) == 0 {
		return httperr.New(http.StatusBadRequest, "no file", "the form holds no file part")
	}
	row, err := h.d.Res().Update(r.Context(), tg.table.TableName, tg.row.RefID, resource.Input{
		Attributes: map[string]any{tg.col.ColumnName: stored}})
	if err != nil {
		return err
	}
	return writeJSON(w, map[string]any{"status": "completed", "files": stored, "column": resourceFileEntries(row.Attrs[tg.col.ColumnName])})
}

func formError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return httperr.New(http.StatusRequestEntityTooLarge, "file too large", "the upload limit is "+itoa(mbe.Limit)+" bytes")
	}
	if errors.Is(err, blob.ErrBadPath) || errors.Is(err, blob.ErrNotFound) {
		return httperr.New(http.StatusBadRequest, "bad form", err.Error())
	}
	return storeError(err)
}
