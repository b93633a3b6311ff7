package asset

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/schema"
	"github.com/apiary/apiary/server/filestore"
	"github.com/apiary/apiary/server/httperr"
	"github.com/apiary/apiary/storage/blob"
)

// Files implements resource.FileHandler over the cloud stores.
type Files struct {
	Stores *filestore.Stores
}

// decoded is one submitted file after decoding.
type decoded struct {
	name, typ, dir string
	data           []byte
}

// StoreFiles decodes the file objects of one asset column and writes each
// to <root>/<KeyName>/[<path>/]<name> in the column's store.
func (f *Files) StoreFiles(ctx context.Context, table string, col *schema.Column, val any, dryRun bool) ([]map[string]any, error) {
	files, err := decodeFiles(col.ColumnName, val)
	if err != nil {
		return nil, err
	}
	var st *blob.Store
	if !dryRun {
		if st, err = f.Stores.ByName(ctx, col.ForeignKeyData.Namespace); err != nil {
			return nil, httperr.New(http.StatusBadGateway, "cloud store unavailable",
				fmt.Sprintf("column %s of %s keeps its files in store %q: %v", col.ColumnName, table, col.ForeignKeyData.Namespace, err))
		}
	}
	out := make([]map[string]any, 0, len(files))
	for _, d := range files {
		sum := md5.Sum(d.data)
		src := d.name
		if d.dir != "" {
			src = d.dir + "/" + d.name
		}
		if st != nil {
			p, err := blob.Join(col.ForeignKeyData.KeyName, src)
			if err != nil {
				return nil, badFile(col.ColumnName, "path %q: %v", src, err)
			}
			if _, err := st.Put(ctx, p, bytes.NewReader(d.data), int64(len(d.data)), time.Time{}); err != nil {
				return nil, httperr.New(http.StatusBadGateway, "cloud store upload failed", fmt.Sprintf("%s: %v", src, err))
			}
		}
		out = append(out, map[string]any{"name": d.name, "type": d.typ, "path": d.dir, "md5": hex.EncodeToString(sum[:]),
			"size": len(d.data), "src": src})
	}
	return out, nil
}

func badFile(column, format string, a ...any) error {
	return &resource.Error{Kind: resource.ErrBadRequest, Title: "invalid file for " + column,
		Detail: fmt.Sprintf(format, a...), Pointer: "/data/attributes/" + column}
}

// decodeFiles reads the documented upload form: a list (or one object) of
// {name, file: data URI | contents: base64, type, path}.
func decodeFiles(column string, val any) ([]decoded, error) {
	var list []any
	switch v := val.(type) {
	case []any:
		list = v
	case map[string]any:
		list = []any{v}
	default:
		return nil, badFile(column, "want a list of file objects {name, file or contents, type, path}")
	}
	out := make([]decoded, 0, len(list))
	for i, item := range list {
		obj, ok := item.(map[string]any)
		if !ok {
			return nil, badFile(column, "entry %d is not an object", i)
		}
		d, err := decodeOne(column, obj)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

func decodeOne(column string, obj map[string]any) (decoded, error) {
	str := func(k string) string { s, _ := obj[k].(string); return s }
	d := decoded{name: str("name"), typ: str("type")}
	if !blob.ValidName(d.name) {
		return d, badFile(column, "file name %q must be one name without /, \\, NUL or ..", d.name)
	}
	dir, err := blob.Clean(strings.Trim(str("path"), "/"))
	if err != nil {
		return d, badFile(column, "path %q: %v", str("path"), err)
	}
	d.dir = dir
	payload, declared := str("contents"), ""
	if f := str("file"); f != "" {
		header, data, ok := strings.Cut(f, ",")
		if ok && strings.HasPrefix(header, "data:") {
			declared, _, _ = strings.Cut(strings.TrimPrefix(header, "data:"), ";")
			if !strings.HasSuffix(header, ";base64") {
				return d, badFile(column, "%s: only base64 data URIs are accepted", d.name)
			}
			payload = data
		} else {
			payload = f
		}
	}
	if payload == "" {
		return d, badFile(column, "%s: no file data (send file as a data URI or contents as base64)", d.name)
	}
	d.data, err = base64.StdEncoding.DecodeString(payload)
	if err != nil {
		if d.data, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(payload, "=")); err != nil {
			return d, badFile(column, "%s: the data is not valid base64", d.name)
		}
	}
	if d.typ == "" {
		d.typ = declared
	}
	if d.typ == "" {
		d.typ = TypeByName(d.name)
	}
	for _, claimed := range []string{declared, str("type")} {
		if lies(claimed, d.data) {
			return d, badFile(column, "%s: declared type %s but the content is %s", d.name, claimed, http.DetectContentType(d.data))
		}
	}
	return d, nil
}

// sniffable types have magic numbers http.DetectContentType recognises.
var sniffable = map[string]bool{"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true, "image/bmp": true,
	"application/pdf": true, "application/zip": true, "application/x-gzip": true, "audio/mpeg": true, "video/mp4": true, "video/webm": true}

// lies reports whether content contradicts a declared MIME type: the
// declared type is one with a recognisable signature that the content does
// not carry, or the content carries the signature of another such type.
func lies(declared string, data []byte) bool {
	if declared == "" || len(data) == 0 {
		return false
	}
	base, _, err := mime.ParseMediaType(declared)
	if err != nil {
		return true
	}
	if base == "image/jpg" {
		base = "image/jpeg"
	}
	sniffed, _, _ := mime.ParseMediaType(http.DetectContentType(data))
	if sniffable[base] {
		return sniffed != base
	}
	return sniffable[sniffed] && strings.HasPrefix(base, "text/")
}

// TypeByName gives the MIME type of a file name's extension (the list of
// contract §7.4), application/octet-stream for others.
func TypeByName(name string) string {
	if t, ok := extTypes[strings.ToLower(path.Ext(name))]; ok {
		return t
	}
	return "application/octet-stream"
}

var extTypes = map[string]string{
	".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif", ".webp": "image/webp",
	".svg": "image/svg+xml", ".html": "text/html; charset=utf-8", ".htm": "text/html; charset=utf-8",
	".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".json": "application/json",
	".pdf": "application/pdf", ".txt": "text/plain; charset=utf-8", ".xml": "application/xml", ".md": "text/markdown; charset=utf-8",
	".mp4": "video/mp4", ".webm": "video/webm", ".mp3": "audio/mpeg", ".wav": "audio/wav", ".ogg": "audio/ogg",
	".zip": "application/zip", ".gz": "application/gzip", ".doc": "application/msword",
	".xls": "application/vnd.ms-excel", ".ppt": "application/vnd.ms-powerpoint", ".ico": "image/x-icon",
	".woff": "font/woff", ".woff2": "font/woff2", ".wasm": "application/wasm",
}

// resourceFileEntries reads an asset column's stored JSON list.
func resourceFileEntries(v any) []any {
	switch x := v.(type) {
	case []any:
		return x
	case string:
		var list []any
		if json.Unmarshal([]byte(x), &list) == nil {
			return list
		}
	}
	return nil
}
