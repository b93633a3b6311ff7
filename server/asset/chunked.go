package asset

import (
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/server/httperr"
	"github.com/apiary/apiary/storage/blob"
)

// pendingUploads remembers what each streamed upload wrote until it is
// completed or aborted.
type pendingUploads struct {
	mu sync.Mutex
	m  map[string]streamed
}

type streamed struct {
	path, md5, typ string
	size           int64
	s3id           string // S3 multipart upload id; the parts go straight to S3
}

func (p *pendingUploads) put(id string, s streamed) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.m == nil {
		p.m = map[string]streamed{}
	}
	p.m[id] = s
}

func (p *pendingUploads) peek(id string) (streamed, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	s, ok := p.m[id]
	return s, ok
}

// takeS3 forgets the pending multipart upload whose S3 upload id is s3id.
func (p *pendingUploads) takeS3(s3id string) (streamed, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for id, s := range p.m {
		if s.s3id == s3id {
			delete(p.m, id)
			return s, true
		}
	}
	return streamed{}, false
}

func (p *pendingUploads) take(id string) (streamed, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	s, ok := p.m[id]
	delete(p.m, id)
	return s, ok
}

// upload runs the chunked upload API of contract §7.5:
// operation=init|stream|get_part_url|complete|abort on …/{column}/upload.
func (h *handler) upload(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	op := q.Get("operation")
	if op == "" {
		switch {
		case r.Method == http.MethodGet:
			op = "get_part_url"
		case r.Method == http.MethodDelete:
			op = "abort"
		case q.Get("upload_id") != "":
			op = "complete"
		case isMultipart(r):
			op = "form"
		default:
			op = "init"
		}
	}
	tg, err := h.resolve(r, "write")
	if err != nil {
		return err
	}
	// The caller must be allowed to update the row: a validate-only write
	// runs the table and row checks and stores nothing.
	if _, err := h.d.Res().Update(r.Context(), tg.table.TableName, tg.row.RefID, resource.Input{ValidateOnly: true}); err != nil {
		return err
	}
	name := q.Get("filename")
	if op == "form" {
		return h.uploadForm(w, r, tg)
	}
	if op != "complete" && op != "abort" && !blob.ValidName(name) {
		return httperr.New(http.StatusBadRequest, "bad file name", "filename must be one name without /, \\, NUL or ..")
	}
	switch op {
	case "init":
		return h.uploadInit(w, r, tg, name)
	case "stream":
		return h.uploadStream(w, r, tg, name)
	case "get_part_url":
		return h.uploadPartURL(w, r, tg, name)
	case "complete":
		return h.uploadComplete(w, r, tg)
	case "abort":
		return h.uploadAbort(w, r, tg)
	}
	return httperr.New(http.StatusBadRequest, "unsupported operation", "operation "+op+" is not offered: use init, stream, get_part_url, complete or abort")
}

func writeJSON(w http.ResponseWriter, v any) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	return json.NewEncoder(w).Encode(v)
}

func newUploadID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// presignExpiry is how long a presigned upload URL is valid (contract §7.5).
const presignExpiry = time.Hour

func (h *handler) uploadInit(w http.ResponseWriter, r *http.Request, tg target, name string) error {
	id := newUploadID()
	base := r.URL.Path
	v := url.Values{"filename": {name}, "upload_id": {id}}
	// An S3 store takes files straight from the client: up to the
	// multipart threshold as one presigned PUT, larger ones as presigned
	// parts of an S3 multipart upload. Every other store goes through the
	// server's stream operation.
	size, _ := strconv.ParseInt(r.Header.Get("X-File-Size"), 10, 64)
	if size > h.threshold() {
		if done, err := h.initMultipart(w, r, tg, id, name); done || err != nil {
			return err
		}
	} else {
		st, p, err := h.locate(r.Context(), tg.col, entry{Name: name})
		if err != nil {
			return err
		}
		typ := r.Header.Get("X-File-Type")
		if typ == "" {
			typ = TypeByName(name)
		}
		ps, err := st.PresignPut(r.Context(), p, typ, presignExpiry)
		if err == nil {
			headers := map[string]string{}
			for k := range ps.Headers {
				if k != "Host" {
					headers[k] = ps.Headers.Get(k)
				}
			}
			return writeJSON(w, map[string]any{"upload_id": id, "upload_type": "presigned",
				"presigned_data": map[string]any{"presigned_url": ps.URL, "method": ps.Method, "headers": headers,
					"expires_at": ps.Expires.UTC().Format(time.RFC3339)},
				"complete_url": base + "?operation=complete&" + v.Encode(),
				"abort_url":    base + "?operation=abort&" + v.Encode()})
		}
		if !errors.Is(err, blob.ErrNoPresign) {
			return storeError(err)
		}
	}
	return writeJSON(w, map[string]any{"upload_id": id, "upload_type": "stream",
		"upload_url":   base + "?operation=stream&" + v.Encode(),
		"complete_url": base + "?operation=complete&" + v.Encode(),
		"abort_url":    base + "?operation=abort&" + v.Encode()})
}

// uploadStream writes the raw body to the store without holding it in
// memory, hashing it on the way.
func (h *handler) uploadStream(w http.ResponseWriter, r *http.Request, tg target, name string) error {
	if h.d.MaxUpload > 0 && r.ContentLength > h.d.MaxUpload {
		return httperr.New(http.StatusRequestEntityTooLarge, "file too large", "the upload limit is "+itoa(h.d.MaxUpload)+" bytes")
	}
	st, p, err := h.locate(r.Context(), tg.col, entry{Name: name})
	if err != nil {
		return err
	}
	id := r.URL.Query().Get("upload_id")
	if id == "" {
		id = newUploadID()
	}
	body := io.Reader(r.Body)
	if h.d.MaxUpload > 0 {
		body = http.MaxBytesReader(w, r.Body, h.d.MaxUpload)
	}
	sum := md5.New()
	info, err := st.Put(r.Context(), p, io.TeeReader(body, sum), r.ContentLength, time.Time{})
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return httperr.New(http.StatusRequestEntityTooLarge, "file too large", "the upload limit is "+itoa(h.d.MaxUpload)+" bytes")
		}
		return storeError(err)
	}
	typ := r.Header.Get("X-File-Type")
	if typ == "" {
		typ = TypeByName(name)
	}
	h.pending.put(id, streamed{path: p, md5: hex.EncodeToString(sum.Sum(nil)), typ: typ, size: info.Size})
	return writeJSON(w, map[string]any{"upload_id": id, "status": "uploaded", "size": info.Size, "message": "file uploaded; call complete"})
}

func (h *handler) uploadComplete(w http.ResponseWriter, r *http.Request, tg target) error {
	id := r.URL.Query().Get("upload_id")
	req, err := readCompletion(w, r)
	if err != nil {
		return err
	}
	if p, ok := h.pending.peek(id); len(req.Parts) > 0 || req.S3UploadID != "" || (ok && p.s3id != "") {
		return h.completeMultipart(w, r, tg, id, req)
	}
	s, ok := h.pending.take(id)
	if !ok {
		name := r.URL.Query().Get("filename")
		if !blob.ValidName(name) {
			return missingUpload(w)
		}
		var err error
		if s, err = h.rehash(r.Context(), tg, name); err != nil {
			return missingUpload(w)
		}
	}
	name := pathBase(s.path)
	e := map[string]any{"name": name, "type": s.typ, "path": "", "md5": s.md5, "size": s.size, "src": name}
	if _, err := h.d.Res().Update(r.Context(), tg.table.TableName, tg.row.RefID, resource.Input{
		Attributes: map[string]any{tg.col.ColumnName: resource.StoredFiles{e}}}); err != nil {
		return err
	}
	return writeJSON(w, map[string]any{"upload_id": id, "status": "completed", "fileName": name, "size": s.size})
}

// rehash describes a file streamed before a restart by reading it again.
func (h *handler) rehash(ctx context.Context, tg target, name string) (streamed, error) {
	st, p, err := h.locate(ctx, tg.col, entry{Name: name})
	if err != nil {
		return streamed{}, err
	}
	rc, info, err := st.Open(ctx, p)
	if err != nil {
		return streamed{}, err
	}
	defer rc.Close()
	sum := md5.New()
	if _, err := io.Copy(sum, rc); err != nil {
		return streamed{}, err
	}
	return streamed{path: p, md5: hex.EncodeToString(sum.Sum(nil)), typ: TypeByName(name), size: info.Size}, nil
}

func missingUpload(w http.ResponseWriter) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusBadRequest)
	_, _ = w.Write([]byte(`{"error":"file not found in cloud storage"}` + "\n"))
	return nil
}

// uploadAbort forgets a streamed upload and deletes its file unless the
// column already lists it.
func (h *handler) uploadAbort(w http.ResponseWriter, r *http.Request, tg target) error {
	id := r.URL.Query().Get("upload_id")
	if done, err := h.abortMultipart(r, tg, id); done || err != nil {
		if err != nil {
			return err
		}
		return writeJSON(w, map[string]any{"status": "aborted", "upload_id": id})
	}
	if s, ok := h.pending.take(id); ok {
		listed := false
		for _, e := range entries(tg.row.Attrs[tg.col.ColumnName]) {
			listed = listed || e.Name == pathBase(s.path)
		}
		if !listed {
			if st, err := h.d.Stores.ByName(r.Context(), tg.col.ForeignKeyData.Namespace); err == nil {
				_ = st.Delete(r.Context(), s.path)
			}
		}
	}
	return writeJSON(w, map[string]any{"status": "aborted", "upload_id": id})
}
