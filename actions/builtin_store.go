package actions

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/storage/blob"
)

// StoreResolver opens the file store of a cloud_store row.
type StoreResolver interface {
	// ByRef opens the store of the cloud_store row with that id.
	ByRef(ctx context.Context, refID string) (*blob.Store, resource.Row, error)
	// ByName opens the store of the cloud_store row with that name.
	ByName(ctx context.Context, name string) (*blob.Store, error)
}

// registerStores adds the cloud_store and site actions (contract
// sidecars.md §7.1, §7.7). They run before the answer: when it says
// success, the files are in the store.
func (e *Executor) registerStores() {
	e.registerPerformer("template.render", e.renderPerformer)
	if e.o.Stores == nil {
		return
	}
	e.register("cloud_store", "upload_file", e.storeUpload)
	e.register("cloud_store", "create_folder", e.storeMkdir)
	e.register("cloud_store", "move_path", e.storeMove)
	e.register("cloud_store", "delete_path", e.storeDelete)
	e.register("cloud_store", "create_site", e.storeCreateSite)
	e.register("site", "list_files", e.siteList)
	e.register("site", "get_file", e.siteGet)
	e.register("site", "delete_file", e.siteDelete)
	e.register("site", "sync_site_storage", e.siteSync)
	e.register("world", "sync_column_storage", e.columnSync)
	e.register("world", "import_files_from_store", e.importFromStore)
}

// subjectStore opens the store of the action's cloud_store subject.
func (e *Executor) subjectStore(ctx context.Context, req Request) (*blob.Store, error) {
	st, _, err := e.o.Stores.ByRef(ctx, req.Subject.RefID)
	if err != nil {
		return nil, Fail(http.StatusBadGateway, "cloud store unavailable: %v", err)
	}
	return st, nil
}

// storePath joins action inputs into a store path, refusing escapes.
func storePath(parts ...string) (string, error) {
	p, err := blob.Join(parts...)
	if err != nil {
		return "", Fail(http.StatusBadRequest, "invalid path %q: %v", strings.Join(parts, "/"), err)
	}
	return p, nil
}

// storeFail maps a store error: missing 404, bad path 400, other 502.
func storeFail(err error, what string) error {
	switch {
	case errors.Is(err, blob.ErrNotFound):
		return Fail(http.StatusNotFound, "%s: no such file or folder", what)
	case errors.Is(err, blob.ErrBadPath):
		return Fail(http.StatusBadRequest, "%s: %v", what, err)
	}
	return Fail(http.StatusBadGateway, "%s: %v", what, err)
}

func (e *Executor) storeUpload(ctx context.Context, req Request) ([]Response, error) {
	st, err := e.subjectStore(ctx, req)
	if err != nil {
		return nil, err
	}
	objs, err := fileObjects("file", req.Attributes["file"])
	if err != nil {
		return nil, err
	}
	base := str(req.Attributes["path"])
	// Decode and check everything first: nothing is written when any file
	// or zip entry is bad.
	var files []pendingFile
	for _, obj := range objs {
		name, data, err := decodeFile(obj)
		if err != nil {
			return nil, err
		}
		if !blob.ValidName(name) {
			return nil, Fail(http.StatusBadRequest, "file name %q must be one name without /, \\, NUL or ..", name)
		}
		if strings.EqualFold(path.Ext(name), ".zip") {
			entries, err := unzipEntries(data)
			if err != nil {
				return nil, err
			}
			files = append(files, entries...)
			continue
		}
		files = append(files, pendingFile{name: name, data: data})
	}
	var written []string
	for _, f := range files {
		p, err := storePath(base, f.name)
		if err != nil {
			return nil, err
		}
		if _, err := st.Put(ctx, p, bytes.NewReader(f.data), int64(len(f.data)), time.Time{}); err != nil {
			for _, w := range written {
				_ = st.Delete(context.WithoutCancel(ctx), w)
			}
			return nil, storeFail(err, "upload "+f.name)
		}
		written = append(written, p)
	}
	return []Response{Notify("success", "Success", "Cloud storage file upload queued")}, nil
}

func (e *Executor) storeMkdir(ctx context.Context, req Request) ([]Response, error) {
	st, err := e.subjectStore(ctx, req)
	if err != nil {
		return nil, err
	}
	name := str(req.Attributes["name"])
	if !blob.ValidName(name) {
		return nil, Fail(http.StatusBadRequest, "folder name %q must be one name without /, \\, NUL or ..", name)
	}
	p, err := storePath(str(req.Attributes["path"]), name)
	if err != nil {
		return nil, err
	}
	if err := st.Mkdir(ctx, p); err != nil {
		return nil, storeFail(err, "create folder")
	}
	return []Response{Notify("success", "Success", "Folder created")}, nil
}

func (e *Executor) storeMove(ctx context.Context, req Request) ([]Response, error) {
	st, err := e.subjectStore(ctx, req)
	if err != nil {
		return nil, err
	}
	src, err := storePath(str(req.Attributes["source"]))
	if err != nil {
		return nil, err
	}
	dst, err := storePath(str(req.Attributes["destination"]))
	if err != nil {
		return nil, err
	}
	if src == "" || dst == "" {
		return nil, Fail(http.StatusBadRequest, "source and destination must name a path below the store root")
	}
	if err := st.Move(ctx, src, dst); err != nil {
		return nil, storeFail(err, "move "+src)
	}
	return []Response{Notify("success", "Success", "Path moved")}, nil
}

func (e *Executor) storeDelete(ctx context.Context, req Request) ([]Response, error) {
	st, err := e.subjectStore(ctx, req)
	if err != nil {
		return nil, err
	}
	p, err := storePath(str(req.Attributes["path"]))
	if err != nil {
		return nil, err
	}
	if p == "" {
		return nil, Fail(http.StatusBadRequest, "path must name a file or folder below the store root")
	}
	if err := st.Delete(ctx, p); err != nil {
		return nil, storeFail(err, "delete "+p)
	}
	return []Response{Notify("success", "Success", "Path deleted")}, nil
}

func (e *Executor) storeCreateSite(ctx context.Context, req Request) ([]Response, error) {
	st, err := e.subjectStore(ctx, req)
	if err != nil {
		return nil, err
	}
	typ := str(req.Attributes["site_type"])
	if typ == "" {
		typ = "static"
	}
	if typ != "static" {
		return nil, Fail(http.StatusBadRequest, "site_type %q is not supported: use static", typ)
	}
	host := strings.ToLower(strings.TrimSpace(str(req.Attributes["hostname"])))
	if host == "" || strings.ContainsAny(host, "/ \\\x00") {
		return nil, Fail(http.StatusBadRequest, "hostname %q is not a host name", host)
	}
	p, err := storePath(str(req.Attributes["path"]))
	if err != nil {
		return nil, err
	}
	if p != "" {
		if err := st.Mkdir(ctx, p); err != nil {
			return nil, storeFail(err, "create site folder")
		}
	}
	row, err := req.Res.Create(ctx, "site", resource.Input{Attributes: map[string]any{
		"name": host, "hostname": host, "path": p, "site_type": typ, "cloud_store_id": req.Subject.RefID}})
	if err != nil {
		return nil, err
	}
	return []Response{Notify("success", "Success", fmt.Sprintf("Site %s created", row.Attrs["hostname"]))}, nil
}
