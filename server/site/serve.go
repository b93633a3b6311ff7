package site

import (
	"context"
	"errors"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/storage/blob"
)

// Cache lifetimes of site files.
const (
	maxAgeIndex = 300
	maxAgeFile  = 31536000
	// minGzip is the size from which a gzip sidecar is served.
	minGzip = 1024
)

const placeholder = "<!doctype html><html><head><title>Welcome</title></head><body><h1>Welcome</h1><p>Site is loading...</p></body></html>\n"

// serve answers one request for a site after the Execute check. byHost
// says whether the site was chosen by Host (401 with a Basic challenge on
// denial) or by path (403).
func (s *Sites) serve(w http.ResponseWriter, r *http.Request, i info, reqPath string, byHost bool) {
	ctx := r.Context()
	if email, pw, ok := r.BasicAuth(); ok {
		if p, err := s.d.Res().Authenticate(ctx, email, pw); err == nil {
			ctx = auth.WithPrincipal(ctx, p)
		}
	}
	if _, err := s.d.Res().CheckRow(ctx, Table, i.ref, auth.OpExecute); err != nil {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if byHost {
			w.Header().Set("WWW-Authenticate", `Basic realm="`+i.host+`"`)
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte("unauthorised"))
			return
		}
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte("Unauthorized"))
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	st, _, err := s.d.Stores.ByRef(ctx, i.storeRef)
	if err != nil {
		http.Error(w, "site store unavailable", http.StatusBadGateway)
		return
	}
	rel, err := blob.Clean(strings.TrimPrefix(path.Clean("/"+reqPath), "/"))
	if err != nil {
		http.Error(w, "bad path", http.StatusBadRequest)
		return
	}
	if strings.HasSuffix(reqPath, "/") || rel == "" {
		rel = path.Join(rel, "index.html")
	}
	s.serveFile(ctx, w, r, st, i.dir, rel)
}

// serveFile serves rel (a folder serves its index.html) and falls back to
// the site's index.html for a missing file (single-page applications).
func (s *Sites) serveFile(ctx context.Context, w http.ResponseWriter, r *http.Request, st *blob.Store, dir, rel string) {
	p, err := blob.Join(dir, rel)
	if err != nil {
		http.Error(w, "bad path", http.StatusBadRequest)
		return
	}
	if info, err := st.Stat(ctx, p); err == nil && info.IsDir {
		rel = path.Join(rel, "index.html")
		p, _ = blob.Join(dir, rel)
	}
	rc, info, err := st.Open(ctx, p)
	if errors.Is(err, blob.ErrNotFound) || errors.Is(err, blob.ErrBadPath) {
		rel = "index.html"
		p, _ = blob.Join(dir, rel)
		rc, info, err = st.Open(ctx, p)
		if errors.Is(err, blob.ErrNotFound) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write([]byte(placeholder))
			return
		}
	}
	if err != nil {
		status := http.StatusBadGateway
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			status = http.StatusServiceUnavailable
		}
		http.Error(w, "site store error", status)
		return
	}
	typ := typeByName(rel)
	hd := w.Header()
	hd.Set("Content-Type", typ)
	maxAge := maxAgeFile
	if path.Base(rel) == "index.html" {
		maxAge = maxAgeIndex
	}
	hd.Set("Cache-Control", "public, max-age="+strconv.Itoa(maxAge))
	hd.Set("ETag", `"`+strconv.FormatInt(info.ModTime.UnixNano(), 36)+"-"+strconv.FormatInt(info.Size, 36)+`"`)
	if info.Size >= minGzip && compressible(typ) && acceptsGzip(r) && r.Header.Get("Range") == "" {
		if gz, gi, err := st.Open(ctx, p+".gz"); err == nil {
			_ = rc.Close()
			rc, info = gz, gi
			hd.Set("Content-Encoding", "gzip")
			hd.Set("ETag", `"gz-`+strconv.FormatInt(info.ModTime.UnixNano(), 36)+"-"+strconv.FormatInt(info.Size, 36)+`"`)
		}
		hd.Add("Vary", "Accept-Encoding")
	}
	defer rc.Close()
	http.ServeContent(w, r, path.Base(rel), info.ModTime, rc)
}

func acceptsGzip(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept-Encoding"), "gzip")
}

func compressible(typ string) bool {
	return strings.HasPrefix(typ, "text/") || strings.Contains(typ, "javascript") || strings.Contains(typ, "json") ||
		strings.Contains(typ, "xml") || strings.Contains(typ, "svg")
}

var extTypes = map[string]string{
	".html": "text/html; charset=utf-8", ".htm": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
	".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8", ".json": "application/json",
	".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif", ".webp": "image/webp",
	".svg": "image/svg+xml", ".ico": "image/x-icon", ".txt": "text/plain; charset=utf-8", ".xml": "application/xml",
	".pdf": "application/pdf", ".woff": "font/woff", ".woff2": "font/woff2", ".wasm": "application/wasm",
	".mp4": "video/mp4", ".mp3": "audio/mpeg", ".zip": "application/zip", ".md": "text/markdown; charset=utf-8",
}

func typeByName(name string) string {
	if t, ok := extTypes[strings.ToLower(path.Ext(name))]; ok {
		return t
	}
	return "application/octet-stream"
}
