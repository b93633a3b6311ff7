package actions

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/storage/blob"
)

// Zip limits of upload_file: a zip bomb is refused before anything is
// written.
const (
	maxZipEntries = 10_000
	maxZipBytes   = 64 << 20
	// maxGetFile bounds the file get_file returns inline (as Daptin).
	maxGetFile = 10 << 20
)

// pendingFile is one decoded file waiting to be written.
type pendingFile struct {
	name string // store-relative, cleaned
	data []byte
}

// unzipEntries expands a zip in memory with its limits: entry names that
// escape (.., absolute, backslash, NUL), symbolic links, too many entries
// and too many uncompressed bytes (counted while reading, not trusted from
// the header) are refused.
func unzipEntries(data []byte) ([]pendingFile, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, Fail(http.StatusBadRequest, "the zip file does not open: %v", err)
	}
	if len(zr.File) > maxZipEntries {
		return nil, Fail(http.StatusBadRequest, "the zip holds %d entries; the limit is %d", len(zr.File), maxZipEntries)
	}
	var out []pendingFile
	var total int64
	for _, f := range zr.File {
		name, err := blob.Clean(f.Name)
		if err != nil || name == "" {
			return nil, Fail(http.StatusBadRequest, "zip entry %q would be written outside the folder", f.Name)
		}
		if f.Mode()&os.ModeSymlink != 0 {
			return nil, Fail(http.StatusBadRequest, "zip entry %q is a symbolic link", f.Name)
		}
		if f.FileInfo().IsDir() {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return nil, Fail(http.StatusBadRequest, "zip entry %q: %v", f.Name, err)
		}
		b, err := io.ReadAll(io.LimitReader(rc, maxZipBytes-total+1))
		_ = rc.Close()
		if err != nil {
			return nil, Fail(http.StatusBadRequest, "zip entry %q: %v", f.Name, err)
		}
		total += int64(len(b))
		if total > maxZipBytes {
			return nil, Fail(http.StatusRequestEntityTooLarge, "the zip expands to more than %d MiB", maxZipBytes>>20)
		}
		out = append(out, pendingFile{name: name, data: b})
	}
	return out, nil
}

// siteStore opens the store of the action's site subject and returns the
// site's folder in it.
func (e *Executor) siteStore(ctx context.Context, req Request) (*blob.Store, string, error) {
	storeRef, _ := req.Subject.Attrs["cloud_store_id"].(string)
	if storeRef == "" {
		return nil, "", Fail(http.StatusNotFound, "Site cache not found")
	}
	st, _, err := e.o.Stores.ByRef(auth.WithPrincipal(ctx, auth.System()), storeRef)
	if err != nil {
		return nil, "", Fail(http.StatusBadGateway, "cloud store unavailable: %v", err)
	}
	root, _ := req.Subject.Attrs["path"].(string)
	return st, root, nil
}

func (e *Executor) siteList(ctx context.Context, req Request) ([]Response, error) {
	st, root, err := e.siteStore(ctx, req)
	if err != nil {
		return nil, err
	}
	p, err := storePath(root, str(req.Attributes["path"]))
	if err != nil {
		return nil, err
	}
	infos, err := st.List(ctx, p)
	if err != nil {
		return nil, storeFail(err, "list "+p)
	}
	list := make([]map[string]any, 0, len(infos))
	for _, i := range infos {
		size := i.Size
		if i.IsDir {
			size = 0
		}
		list = append(list, map[string]any{"name": i.Name, "is_dir": i.IsDir, "mod_time": i.ModTime.UTC().Format(time.RFC3339), "size": size})
	}
	return []Response{{ResponseType: "file", Attributes: map[string]any{"list": list}}}, nil
}

func (e *Executor) siteGet(ctx context.Context, req Request) ([]Response, error) {
	st, root, err := e.siteStore(ctx, req)
	if err != nil {
		return nil, err
	}
	p, err := storePath(root, str(req.Attributes["path"]))
	if err != nil {
		return nil, err
	}
	rc, info, err := st.Open(ctx, p)
	if err != nil {
		return nil, storeFail(err, "get "+p)
	}
	defer rc.Close()
	if info.Size > maxGetFile {
		return nil, Fail(http.StatusRequestEntityTooLarge, "the file is larger than %d MiB", maxGetFile>>20)
	}
	b, err := io.ReadAll(rc)
	if err != nil {
		return nil, storeFail(err, "get "+p)
	}
	return []Response{{ResponseType: "file", Attributes: map[string]any{"data": base64.StdEncoding.EncodeToString(b)}}}, nil
}

func (e *Executor) siteDelete(ctx context.Context, req Request) ([]Response, error) {
	st, root, err := e.siteStore(ctx, req)
	if err != nil {
		return nil, err
	}
	rel, err := storePath(str(req.Attributes["path"]))
	if err != nil {
		return nil, err
	}
	if rel == "" {
		return nil, Fail(http.StatusBadRequest, "path must name a file or folder inside the site")
	}
	p, _ := storePath(root, rel)
	if err := st.Delete(ctx, p); err != nil {
		return nil, storeFail(err, "delete "+p)
	}
	return []Response{Notify("success", "Success", "File deleted")}, nil
}

// siteSync has nothing to copy: sites are served from their store.
func (e *Executor) siteSync(ctx context.Context, req Request) ([]Response, error) {
	if _, _, err := e.siteStore(ctx, req); err != nil {
		return nil, err
	}
	return []Response{Notify("success", "Success", "Site storage synced")}, nil
}

// columnSync has nothing to copy: asset files are served from their store.
func (e *Executor) columnSync(ctx context.Context, req Request) ([]Response, error) {
	if err := requireAdmin(ctx); err != nil {
		return nil, err
	}
	if _, _, _, err := assetColumn(req.Res, str(req.Attributes["table_name"]), str(req.Attributes["column_name"])); err != nil {
		return nil, err
	}
	return []Response{Notify("success", "Success", "Column storage synced")}, nil
}

// assetColumn finds an asset column of a table (the first one when column
// is empty) and returns its name, store name and folder.
func assetColumn(res resource.Service, table, column string) (col, store, folder string, err error) {
	t, ok := res.Schema().Table(table)
	if !ok {
		return "", "", "", Fail(http.StatusBadRequest, "no table %q", table)
	}
	for i := range t.Columns {
		c := &t.Columns[i]
		if resource.IsAssetColumn(c) && (column == "" || c.ColumnName == column) {
			return c.ColumnName, c.ForeignKeyData.Namespace, c.ForeignKeyData.KeyName, nil
		}
	}
	return "", "", "", Fail(http.StatusBadRequest, "table %q has no asset column %q", table, column)
}

// importFromStore creates one row per file in the folder of the table's
// asset column.
func (e *Executor) importFromStore(ctx context.Context, req Request) ([]Response, error) {
	table := str(req.Attributes["table_name"])
	col, storeName, folder, err := assetColumn(req.Res, table, "")
	if err != nil {
		return nil, err
	}
	st, err := e.o.Stores.ByName(auth.WithPrincipal(ctx, auth.System()), storeName)
	if err != nil {
		return nil, Fail(http.StatusBadGateway, "cloud store unavailable: %v", err)
	}
	infos, err := st.List(ctx, folder)
	if err != nil {
		return nil, storeFail(err, "list "+folder)
	}
	ok, failed := 0, 0
	for _, i := range infos {
		if i.IsDir {
			continue
		}
		if err := e.importOne(ctx, req.Res, st, table, col, i); err != nil {
			e.o.Log.WarnContext(ctx, "import file failed", "table", table, "file", i.Path, "err", err)
			failed++
			continue
		}
		ok++
	}
	return []Response{Notify("success", "Success", fmt.Sprintf("Imported success %d files, failed %d files", ok, failed))}, nil
}

func (e *Executor) importOne(ctx context.Context, res resource.Service, st *blob.Store, table, col string, i blob.Info) error {
	rc, _, err := st.Open(ctx, i.Path)
	if err != nil {
		return err
	}
	defer rc.Close()
	sum := md5.New()
	if _, err := io.Copy(sum, rc); err != nil {
		return err
	}
	entry := map[string]any{"name": i.Name, "type": "", "path": "", "md5": hex.EncodeToString(sum.Sum(nil)), "size": i.Size, "src": i.Name}
	_, err = res.Create(ctx, table, resource.Input{Attributes: map[string]any{col: resource.StoredFiles{entry}}})
	return err
}
