package asset

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"html"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/schema"
	"github.com/apiary/apiary/server/filestore"
	"github.com/apiary/apiary/server/httperr"
	"github.com/apiary/apiary/storage/blob"
)

// Deps are what the /asset routes need.
type Deps struct {
	Res    func() resource.Service
	Stores *filestore.Stores
	Log    *slog.Logger
	// MaxUpload bounds one file sent to the chunked upload API (413 above).
	MaxUpload int64
	// MultipartThreshold is the declared size above which init on an S3
	// store answers a multipart upload; 0 means blob.MultipartThreshold.
	MultipartThreshold int64
}

// Mount registers GET /asset/{table}/{id}/{column} and the chunked upload
// API on r.
func Mount(r chi.Router, d Deps) {
	h := &handler{d: d}
	r.Get("/asset/{table}/{id}/{column}", httperr.Handle(d.Log, h.serve))
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodDelete} {
		r.Method(m, "/asset/{table}/{id}/{column}/upload", httperr.Handle(d.Log, h.upload))
	}
}

type handler struct {
	d       Deps
	pending pendingUploads
}

// target is the asset column a request names and the row holding it.
type target struct {
	table *schema.Table
	col   *schema.Column
	row   resource.Row
}

// resolve loads the row through the resource layer (the caller's read
// permission is checked on every request) and the asset column.
func (h *handler) resolve(r *http.Request, op string) (target, error) {
	res := h.d.Res()
	tn, id := chi.URLParam(r, "table"), chi.URLParam(r, "id")
	cn := chi.URLParam(r, "column")
	if i := strings.LastIndexByte(cn, '.'); i > 0 && op == "read" {
		cn = cn[:i]
	}
	t, ok := res.Schema().Table(tn)
	if !ok {
		return target{}, httperr.New(http.StatusNotFound, "not found", "no table "+tn)
	}
	c, ok := t.Column(cn)
	if !ok || (!resource.IsAssetColumn(c) && (op != "read" || c.ColumnType != "markdown")) {
		status := http.StatusNotFound
		if op != "read" {
			status = http.StatusBadRequest
		}
		return target{}, httperr.New(status, "not an asset column", fmt.Sprintf("%s.%s does not keep files in a cloud store", tn, cn))
	}
	row, err := res.Get(r.Context(), tn, id, resource.Query{})
	if err != nil {
		return target{}, err
	}
	return target{table: t, col: c, row: row}, nil
}

// entry is one file of an asset column's metadata list.
type entry struct {
	Name, Type, Path, MD5 string
	Size                  int64
}

func entries(v any) []entry {
	var out []entry
	for _, e := range resourceFileEntries(v) {
		m, ok := e.(map[string]any)
		if !ok {
			continue
		}
		str := func(k string) string { s, _ := m[k].(string); return s }
		n, _ := m["size"].(float64)
		if i, ok := m["size"].(int64); ok {
			n = float64(i)
		}
		out = append(out, entry{Name: str("name"), Type: str("type"), Path: str("path"), MD5: str("md5"), Size: int64(n)})
	}
	return out
}

// pick chooses the file: index=<n> and/or file=<name>, else the first.
func pick(list []entry, r *http.Request) (entry, bool) {
	q := r.URL.Query()
	if s := q.Get("index"); s != "" {
		i, err := strconv.Atoi(s)
		if err != nil || i < 0 || i >= len(list) {
			return entry{}, false
		}
		if f := q.Get("file"); f != "" && list[i].Name != f {
			return entry{}, false
		}
		return list[i], true
	}
	for _, e := range list {
		if f := q.Get("file"); f == "" || e.Name == f {
			return e, true
		}
	}
	return entry{}, false
}

func (h *handler) serve(w http.ResponseWriter, r *http.Request) error {
	tg, err := h.resolve(r, "read")
	if err != nil {
		return err
	}
	if tg.col.ColumnType == "markdown" {
		text, _ := tg.row.Attrs[tg.col.ColumnName].(string)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte("<pre>" + html.EscapeString(text) + "</pre>"))
		return nil
	}
	e, ok := pick(entries(tg.row.Attrs[tg.col.ColumnName]), r)
	if !ok {
		return httperr.New(http.StatusNotFound, "no such file", "the column holds no file matching the request")
	}
	st, p, err := h.locate(r.Context(), tg.col, e)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("processImage") == "true" {
		return h.processImage(w, r, st, p, e)
	}
	rc, info, err := st.Open(r.Context(), p)
	if err != nil {
		return storeError(err)
	}
	defer rc.Close()
	typ := e.Type
	if typ == "" || typ == "application/octet-stream" {
		typ = TypeByName(e.Name)
	}
	hd := w.Header()
	hd.Set("Content-Type", typ)
	hd.Set("Content-Disposition", disposition(typ, e.Name))
	hd.Set("ETag", etag(e.MD5, info))
	if strings.HasPrefix(typ, "video/") || strings.HasPrefix(typ, "audio/") {
		hd.Set("Content-Disposition", "inline"+strings.TrimPrefix(disposition("", e.Name), "inline"))
		hd.Set("Cache-Control", "private, max-age="+strconv.Itoa(int(expiryMedia.Seconds())))
	} else {
		hd.Set("Cache-Control", "private, max-age="+strconv.Itoa(int(expiry(typ, e.Name).Seconds())))
	}
	hd.Set("Vary", "Authorization")
	if compressible(typ) {
		hd.Set("Vary", "Authorization, Accept-Encoding")
	}
	http.ServeContent(w, r, e.Name, info.ModTime, rc)
	return nil
}

// locate opens the column's store and builds the file's path in it.
func (h *handler) locate(ctx context.Context, col *schema.Column, e entry) (*blob.Store, string, error) {
	st, err := h.d.Stores.ByName(ctx, col.ForeignKeyData.Namespace)
	if err != nil {
		return nil, "", httperr.New(http.StatusBadGateway, "cloud store unavailable", err.Error())
	}
	p, err := blob.Join(col.ForeignKeyData.KeyName, e.Path, e.Name)
	if err != nil {
		return nil, "", httperr.New(http.StatusNotFound, "no such file", err.Error())
	}
	return st, p, nil
}

// etag is derived from the content digest and the stored modification time.
func etag(md5hex string, info blob.Info) string {
	sum := md5.Sum([]byte(md5hex + "|" + strconv.FormatInt(info.Size, 10) + "|" + info.ModTime.UTC().Format(time.RFC3339Nano)))
	return `"` + hex.EncodeToString(sum[:]) + `"`
}

// storeError maps a store failure: missing file 404, cancelled 503, other 502.
func storeError(err error) error {
	switch {
	case errors.Is(err, blob.ErrNotFound), errors.Is(err, blob.ErrBadPath):
		return httperr.New(http.StatusNotFound, "no such file", "the file is not in the store")
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return httperr.New(http.StatusServiceUnavailable, "cancelled", err.Error())
	}
	return httperr.New(http.StatusBadGateway, "cloud store error", err.Error())
}
