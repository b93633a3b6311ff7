package ftp

import (
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"time"

	ftpserver "goftp.io/server/v2"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/storage/blob"
)

// principalKey keeps the signed-in user in the goftp session data.
const principalKey = "apiary.principal"

// siteTable is the table of sites.
const siteTable = "site"

// Errors FTP clients see.
var (
	errNoSite    = errors.New("no such site")
	errDenied    = errors.New("permission denied")
	errBadPath   = errors.New("invalid path")
	errSiteRoot  = errors.New("a site's root folder cannot be changed")
	errCrossSite = errors.New("cannot move files between sites")
)

// driver implements goftp's Driver and Auth over sites and their stores.
type driver struct{ o Options }

// CheckPasswd signs the user in with their e-mail and password.
func (d *driver) CheckPasswd(ctx *ftpserver.Context, email, pass string) (bool, error) {
	p, err := d.o.Res().Authenticate(ctx, email, pass)
	if err != nil {
		return false, nil
	}
	ctx.Sess.Data[principalKey] = p
	return true, nil
}

// caller is ctx with the session's signed-in principal.
func caller(ctx context.Context, s *ftpserver.Session) context.Context {
	p, _ := s.Data[principalKey].(auth.Principal)
	return auth.WithPrincipal(ctx, p)
}

// target is a path split into its site and the path inside the site.
type target struct {
	host string
	rest string // path inside the site's folder, "" for its root
}

func split(p string) (target, error) {
	if strings.ContainsAny(p, "\x00\\") {
		return target{}, errBadPath
	}
	p = strings.Trim(p, "/")
	host, rest, _ := strings.Cut(p, "/")
	rest, err := blob.Clean(rest)
	if err != nil {
		return target{}, errBadPath
	}
	return target{host: strings.ToLower(host), rest: rest}, nil
}

// site is one FTP-enabled site.
type site struct {
	ref, host, dir, storeRef string
}

// sites lists the enabled, FTP-enabled sites with a store.
func (d *driver) sites(ctx context.Context) ([]site, error) {
	sys := auth.WithPrincipal(ctx, auth.System())
	var out []site
	for page := 1; ; page++ {
		p, err := d.o.Res().List(sys, siteTable, resource.Query{PageNumber: page, PageSize: resource.MaxPageSize})
		if err != nil {
			return nil, err
		}
		for _, r := range p.Rows {
			str := func(k string) string { v, _ := r.Attrs[k].(string); return v }
			if !resource.Truthy(r.Attrs["enable"]) || !resource.Truthy(r.Attrs["ftp_enabled"]) || str("cloud_store_id") == "" {
				continue
			}
			out = append(out, site{ref: r.RefID, host: strings.ToLower(strings.TrimSpace(str("hostname"))), dir: str("path"), storeRef: str("cloud_store_id")})
		}
		if len(p.Rows) < resource.MaxPageSize {
			return out, nil
		}
	}
}

// open finds the site of t, checks op on it for the caller and opens its
// store. Unknown and forbidden sites give the same error.
func (d *driver) open(ctx context.Context, s *ftpserver.Session, t target, op auth.Op) (*blob.Store, string, error) {
	list, err := d.sites(ctx)
	if err != nil {
		return nil, "", err
	}
	for _, si := range list {
		if si.host != t.host {
			continue
		}
		if _, err := d.o.Res().CheckRow(caller(ctx, s), siteTable, si.ref, op); err != nil {
			if op == auth.OpPeek {
				return nil, "", errNoSite
			}
			if _, perr := d.o.Res().CheckRow(caller(ctx, s), siteTable, si.ref, auth.OpPeek); perr != nil {
				return nil, "", errNoSite
			}
			return nil, "", errDenied
		}
		st, _, err := d.o.Stores.ByRef(auth.WithPrincipal(ctx, auth.System()), si.storeRef)
		if err != nil {
			return nil, "", err
		}
		p, err := blob.Join(si.dir, t.rest)
		if err != nil {
			return nil, "", errBadPath
		}
		return st, p, nil
	}
	return nil, "", errNoSite
}

// Stat describes a path; "/" and site roots are folders.
func (d *driver) Stat(ctx *ftpserver.Context, p string) (os.FileInfo, error) {
	return d.stat(ctx, ctx.Sess, p)
}

func (d *driver) stat(ctx context.Context, s *ftpserver.Session, p string) (os.FileInfo, error) {
	t, err := split(p)
	if err != nil {
		return nil, err
	}
	if t.host == "" {
		return dirInfo("/"), nil
	}
	op := auth.OpRead
	if t.rest == "" {
		op = auth.OpPeek
	}
	st, sp, err := d.open(ctx, s, t, op)
	if err != nil {
		return nil, err
	}
	if t.rest == "" {
		return dirInfo(t.host), nil
	}
	i, err := st.Stat(ctx, sp)
	if err != nil {
		return nil, err
	}
	return fileInfo{i}, nil
}

// ListDir lists the sites the user may peek at "/", else a folder.
func (d *driver) ListDir(ctx *ftpserver.Context, p string, fn func(os.FileInfo) error) error {
	return d.listDir(ctx, ctx.Sess, p, fn)
}

func (d *driver) listDir(ctx context.Context, s *ftpserver.Session, p string, fn func(os.FileInfo) error) error {
	t, err := split(p)
	if err != nil {
		return err
	}
	if t.host == "" {
		list, err := d.sites(ctx)
		if err != nil {
			return err
		}
		for _, si := range list {
			if _, err := d.o.Res().CheckRow(caller(ctx, s), siteTable, si.ref, auth.OpPeek); err == nil {
				if err := fn(dirInfo(si.host)); err != nil {
					return err
				}
			}
		}
		return nil
	}
	st, sp, err := d.open(ctx, s, t, auth.OpRead)
	if err != nil {
		return err
	}
	infos, err := st.List(ctx, sp)
	if err != nil {
		return err
	}
	for _, i := range infos {
		if err := fn(fileInfo{i}); err != nil {
			return err
		}
	}
	return nil
}

// DeleteDir removes a folder of a site (never a site root).
func (d *driver) DeleteDir(ctx *ftpserver.Context, p string) error { return d.remove(ctx, p) }

// DeleteFile removes a file of a site.
func (d *driver) DeleteFile(ctx *ftpserver.Context, p string) error { return d.remove(ctx, p) }

func (d *driver) remove(ctx *ftpserver.Context, p string) error {
	t, err := split(p)
	if err != nil {
		return err
	}
	if t.rest == "" {
		return errSiteRoot
	}
	st, sp, err := d.open(ctx, ctx.Sess, t, auth.OpDelete)
	if err != nil {
		return err
	}
	return st.Delete(ctx, sp)
}

// Rename moves a file or folder within one site.
func (d *driver) Rename(ctx *ftpserver.Context, from, to string) error {
	f, err := split(from)
	if err != nil {
		return err
	}
	t, err := split(to)
	if err != nil {
		return err
	}
	if f.rest == "" || t.rest == "" {
		return errSiteRoot
	}
	if f.host != t.host {
		return errCrossSite
	}
	st, fp, err := d.open(ctx, ctx.Sess, f, auth.OpUpdate)
	if err != nil {
		return err
	}
	tp, err := blob.Join(strings.TrimSuffix(fp, f.rest), t.rest)
	if err != nil {
		return errBadPath
	}
	return st.Move(ctx, fp, tp)
}

// MakeDir creates a folder in a site.
func (d *driver) MakeDir(ctx *ftpserver.Context, p string) error {
	t, err := split(p)
	if err != nil {
		return err
	}
	if t.rest == "" {
		return errSiteRoot
	}
	st, sp, err := d.open(ctx, ctx.Sess, t, auth.OpCreate)
	if err != nil {
		return err
	}
	return st.Mkdir(ctx, sp)
}

// GetFile reads a file from offset.
func (d *driver) GetFile(ctx *ftpserver.Context, p string, offset int64) (int64, io.ReadCloser, error) {
	return d.getFile(ctx, ctx.Sess, p, offset)
}

func (d *driver) getFile(ctx context.Context, s *ftpserver.Session, p string, offset int64) (int64, io.ReadCloser, error) {
	t, err := split(p)
	if err != nil {
		return 0, nil, err
	}
	st, sp, err := d.open(ctx, s, t, auth.OpRead)
	if err != nil {
		return 0, nil, err
	}
	rc, info, err := st.Open(context.WithoutCancel(ctx), sp)
	if err != nil {
		return 0, nil, err
	}
	if offset > 0 {
		if _, err := rc.Seek(offset, io.SeekStart); err != nil {
			_ = rc.Close()
			return 0, nil, err
		}
	} else {
		offset = 0
	}
	return info.Size - offset, rc, nil
}

// PutFile writes a file straight to the store: STOR of a new file needs
// Create, over an existing one (or APPE, or REST+STOR) Update.
func (d *driver) PutFile(ctx *ftpserver.Context, p string, data io.Reader, offset int64) (int64, error) {
	return d.putFile(ctx, ctx.Sess, p, data, offset, ctx.Cmd == "APPE")
}

func (d *driver) putFile(ctx context.Context, s *ftpserver.Session, p string, data io.Reader, offset int64, appendMode bool) (int64, error) {
	t, err := split(p)
	if err != nil {
		return 0, err
	}
	if t.rest == "" {
		return 0, errSiteRoot
	}
	st, sp, err := d.open(ctx, s, t, auth.OpPeek)
	if err != nil {
		return 0, err
	}
	_, statErr := st.Stat(ctx, sp)
	exists := statErr == nil
	op := auth.OpCreate
	if exists {
		op = auth.OpUpdate
	}
	if _, _, err := d.open(ctx, s, t, op); err != nil {
		return 0, err
	}
	body := data
	if exists && (appendMode || offset > 0) {
		old, info, err := st.Open(ctx, sp)
		if err != nil {
			return 0, err
		}
		defer old.Close()
		keep := info.Size
		if !appendMode && offset < keep {
			keep = offset
		}
		body = io.MultiReader(io.LimitReader(old, keep), data)
	}
	info, err := st.Put(ctx, sp, body, -1, time.Time{})
	if err != nil {
		return 0, err
	}
	return info.Size, nil
}

// fileInfo adapts a store entry to os.FileInfo.
type fileInfo struct{ i blob.Info }

func (f fileInfo) Name() string { return f.i.Name }
func (f fileInfo) Size() int64 {
	if f.i.IsDir {
		return 0
	}
	return f.i.Size
}
func (f fileInfo) Mode() os.FileMode {
	if f.i.IsDir {
		return os.ModeDir | 0o755
	}
	return 0o644
}
func (f fileInfo) ModTime() time.Time { return f.i.ModTime }
func (f fileInfo) IsDir() bool        { return f.i.IsDir }
func (f fileInfo) Sys() any           { return nil }

func dirInfo(name string) os.FileInfo {
	return fileInfo{blob.Info{Name: name, IsDir: true, Size: -1, ModTime: time.Now()}}
}
