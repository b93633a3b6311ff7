package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/rclone/rclone/fs"
	"github.com/rclone/rclone/fs/operations"
)

// Spec says how to open one store: Provider "local" is a folder on this
// machine (Root is its path); anything else is an rclone remote whose Root
// is "<remote>:<bucket>/<prefix>" and whose Params are the credential keys
// (for S3: type, provider, access_key_id, secret_access_key, region,
// endpoint, ...).
type Spec struct {
	Provider string
	Root     string
	Params   map[string]string
}

// Info describes one file or folder of a store.
type Info struct {
	Name    string    // last path element
	Path    string    // store-relative path
	Size    int64     // -1 for folders
	ModTime time.Time // zero when the backend does not know it
	IsDir   bool
}

// Store is one opened file store. It is safe for concurrent use.
type Store struct {
	f     fs.Fs
	local string    // absolute root folder of a local store, "" for remotes
	s3    *s3Target // where an S3 store's files are, nil for others
}

// Open opens the store a Spec names. A local root folder is created when
// missing.
func Open(ctx context.Context, sp Spec) (*Store, error) {
	if sp.Provider == "" || sp.Provider == "local" {
		root, err := filepath.Abs(sp.Root)
		if err != nil {
			return nil, fmt.Errorf("local store root %q: %w", sp.Root, err)
		}
		if err := os.MkdirAll(root, 0o755); err != nil {
			return nil, fmt.Errorf("local store root %q: %w", sp.Root, err)
		}
		f, err := newFs(ctx, "local", "local", root, nil)
		if err != nil {
			return nil, err
		}
		return &Store{f: f, local: root}, nil
	}
	name, root, ok := strings.Cut(sp.Root, ":")
	if !ok {
		name, root = sp.Provider, sp.Root
	}
	typ := sp.Params["type"]
	if typ == "" {
		typ = sp.Provider
	}
	params := sp.Params
	if typ == "s3" && params["upload_cutoff"] == "" {
		// Files above MultipartThreshold go up as S3 multipart uploads
		// (rclone's own default cut-off is 200 MiB).
		params = maps.Clone(params)
		params["upload_cutoff"] = fmt.Sprintf("%dB", MultipartThreshold+1) // rclone: multipart from the cut-off on
	}
	f, err := newFs(ctx, typ, name, root, params)
	if err != nil {
		return nil, err
	}
	st := &Store{f: f}
	if typ == "s3" {
		bucket, prefix, _ := strings.Cut(strings.Trim(root, "/"), "/")
		st.s3 = &s3Target{bucket: bucket, prefix: strings.Trim(prefix, "/"), params: params}
	}
	return st, nil
}

// MultipartThreshold is the size above which a file of known size is sent
// to S3 as a multipart upload (contract sidecars.md §7.5). Files of unknown
// size (FTP uploads) larger than rclone's streaming cut-off (100 KiB) are
// always multipart.
const MultipartThreshold = 100 << 20

// lowLevelRetries is how often a failing remote call is retried.
const lowLevelRetries = 1

// newFs builds an rclone Fs from in-memory settings only: no config file,
// no environment variables.
func newFs(ctx context.Context, typ, name, root string, params map[string]string) (fs.Fs, error) {
	ri, err := fs.Find(typ)
	if err != nil {
		return nil, fmt.Errorf("store type %q is not linked into this build (local and s3 are): %w", typ, err)
	}
	cm := fs.ConfigMap(ri.Prefix, ri.Options, "", params)
	// A request answers while its caller waits: retry a failing remote a
	// once, not rclone's ten times with back-off.
	ctx, ci := fs.AddConfig(ctx)
	ci.LowLevelRetries = lowLevelRetries
	f, err := ri.NewFs(ctx, name, root, cm)
	if err != nil && !errors.Is(err, fs.ErrorIsFile) {
		return nil, fmt.Errorf("open %s store %q: %w", typ, root, err)
	}
	return f, nil
}

// IsLocal reports whether the store is a folder on this machine.
func (s *Store) IsLocal() bool { return s.local != "" }

// LocalPath returns the file-system path of p in a local store, so callers
// can serve it with sendfile. It refuses a path whose real location (after
// symbolic links) is outside the store root.
func (s *Store) LocalPath(p string) (string, error) {
	if s.local == "" {
		return "", errors.New("not a local store")
	}
	c, err := Clean(p)
	if err != nil {
		return "", err
	}
	full := filepath.Join(s.local, filepath.FromSlash(c))
	real, err := filepath.EvalSymlinks(full)
	if err != nil {
		if os.IsNotExist(err) {
			return "", ErrNotFound
		}
		return "", err
	}
	rootReal, err := filepath.EvalSymlinks(s.local)
	if err != nil {
		return "", err
	}
	if real != rootReal && !strings.HasPrefix(real, rootReal+string(filepath.Separator)) {
		return "", ErrBadPath
	}
	return real, nil
}

// Put writes r to p (creating folders), replacing any file there. size is
// -1 when unknown. A failed write leaves no file behind.
func (s *Store) Put(ctx context.Context, p string, r io.Reader, size int64, modTime time.Time) (Info, error) {
	c, err := Clean(p)
	if err != nil {
		return Info{}, err
	}
	if c == "" {
		return Info{}, ErrBadPath
	}
	if modTime.IsZero() {
		modTime = time.Now()
	}
	if s.local != "" {
		return s.putLocal(c, r, modTime)
	}
	var obj fs.Object
	if size >= 0 {
		obj, err = operations.RcatSize(ctx, s.f, c, io.NopCloser(r), size, modTime, nil)
	} else {
		obj, err = operations.Rcat(ctx, s.f, c, io.NopCloser(r), modTime, nil)
	}
	if err != nil {
		// Nothing to clean up: the local backend writes a partial file and
		// renames it at the end, and an object store stores an object
		// whole or not at all.
		return Info{}, fmt.Errorf("write %s: %w", c, err)
	}
	return objectInfo(ctx, obj), nil
}

// Stat describes the file at p; folders are reported with IsDir.
func (s *Store) Stat(ctx context.Context, p string) (Info, error) {
	c, err := Clean(p)
	if err != nil {
		return Info{}, err
	}
	if c != "" {
		obj, err := s.f.NewObject(ctx, c)
		if err == nil {
			return objectInfo(ctx, obj), nil
		}
		if !errors.Is(err, fs.ErrorObjectNotFound) && !errors.Is(err, fs.ErrorIsDir) && !errors.Is(err, fs.ErrorNotAFile) {
			return Info{}, err
		}
	}
	if err := s.dirExists(ctx, c); err != nil {
		return Info{}, err
	}
	return Info{Name: path.Base("/" + c), Path: c, Size: -1, IsDir: true}, nil
}

// List returns the entries of folder dir.
func (s *Store) List(ctx context.Context, dir string) ([]Info, error) {
	c, err := Clean(dir)
	if err != nil {
		return nil, err
	}
	entries, err := s.f.List(ctx, c)
	if err != nil {
		return nil, mapErr(err)
	}
	out := make([]Info, 0, len(entries))
	for _, e := range entries {
		switch v := e.(type) {
		case fs.Object:
			out = append(out, objectInfo(ctx, v))
		case fs.Directory:
			out = append(out, Info{Name: path.Base(v.Remote()), Path: v.Remote(), Size: -1, ModTime: v.ModTime(ctx), IsDir: true})
		}
	}
	return out, nil
}

// Mkdir creates folder dir and its parents.
func (s *Store) Mkdir(ctx context.Context, dir string) error {
	c, err := Clean(dir)
	if err != nil {
		return err
	}
	return operations.Mkdir(ctx, s.f, c)
}

// Delete removes the file at p, or the folder at p with everything in it.
// The root itself cannot be deleted.
func (s *Store) Delete(ctx context.Context, p string) error {
	c, err := Clean(p)
	if err != nil {
		return err
	}
	if c == "" {
		return ErrBadPath
	}
	obj, err := s.f.NewObject(ctx, c)
	if err == nil {
		return operations.DeleteFile(ctx, obj)
	}
	if err := operations.Purge(ctx, s.f, c); err != nil {
		return mapErr(err)
	}
	return nil
}

// Move renames a file or a folder within the store.
func (s *Store) Move(ctx context.Context, src, dst string) error {
	cs, err := Clean(src)
	if err != nil {
		return err
	}
	cd, err := Clean(dst)
	if err != nil {
		return err
	}
	if cs == "" || cd == "" {
		return ErrBadPath
	}
	if _, err := s.f.NewObject(ctx, cs); err == nil {
		return operations.MoveFile(ctx, s.f, s.f, cd, cs)
	}
	if err := s.dirExists(ctx, cs); err != nil {
		return err
	}
	return operations.DirMove(ctx, s.f, cs, cd)
}

// Open returns a reader of the file at p that can seek (for Range
// requests); the caller closes it.
func (s *Store) Open(ctx context.Context, p string) (ReadSeekCloser, Info, error) {
	c, err := Clean(p)
	if err != nil {
		return nil, Info{}, err
	}
	if s.local != "" {
		lp, err := s.LocalPath(c)
		if err != nil {
			return nil, Info{}, err
		}
		f, err := os.Open(lp)
		if err != nil {
			return nil, Info{}, mapErr(err)
		}
		st, err := f.Stat()
		if err != nil || st.IsDir() {
			_ = f.Close()
			return nil, Info{}, ErrNotFound
		}
		return f, Info{Name: path.Base(c), Path: c, Size: st.Size(), ModTime: st.ModTime()}, nil
	}
	obj, err := s.f.NewObject(ctx, c)
	if err != nil {
		return nil, Info{}, mapErr(err)
	}
	return &objectReader{ctx: ctx, obj: obj, size: obj.Size()}, objectInfo(ctx, obj), nil
}

// dirExists reports ErrNotFound for a missing folder. Object stores have
// no empty folders: a prefix with nothing under it does not exist.
func (s *Store) dirExists(ctx context.Context, dir string) error {
	entries, err := s.f.List(ctx, dir)
	if err != nil {
		return mapErr(err)
	}
	if len(entries) == 0 && s.local == "" && dir != "" {
		return ErrNotFound
	}
	return nil
}

func objectInfo(ctx context.Context, o fs.Object) Info {
	return Info{Name: path.Base(o.Remote()), Path: o.Remote(), Size: o.Size(), ModTime: o.ModTime(ctx)}
}

func mapErr(err error) error {
	if errors.Is(err, fs.ErrorObjectNotFound) || errors.Is(err, fs.ErrorDirNotFound) || errors.Is(err, os.ErrNotExist) ||
		errors.Is(err, fs.ErrorNotAFile) || errors.Is(err, fs.ErrorIsDir) {
		return fmt.Errorf("%w: %v", ErrNotFound, err)
	}
	return err
}
