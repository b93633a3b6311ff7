package blob

import (
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// putLocal writes a file of a local store without rclone: into a temporary
// file beside the target, renamed over it at the end, so readers never see
// half a file and a failed write leaves nothing. Folders on the way are
// created; a folder that resolves (through a symbolic link) outside the
// root is refused.
func (s *Store) putLocal(c string, r io.Reader, modTime time.Time) (Info, error) {
	full := filepath.Join(s.local, filepath.FromSlash(c))
	dir := filepath.Dir(full)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Info{}, fmt.Errorf("write %s: %w", c, err)
	}
	realDir, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return Info{}, err
	}
	rootReal, err := filepath.EvalSymlinks(s.local)
	if err != nil {
		return Info{}, err
	}
	if realDir != rootReal && !strings.HasPrefix(realDir, rootReal+string(filepath.Separator)) {
		return Info{}, ErrBadPath
	}
	f, err := os.CreateTemp(realDir, ".apiary-upload-*")
	if err != nil {
		return Info{}, fmt.Errorf("write %s: %w", c, err)
	}
	n, err := io.Copy(f, r)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chtimes(f.Name(), modTime, modTime)
	}
	if err == nil {
		err = os.Rename(f.Name(), filepath.Join(realDir, filepath.Base(full)))
	}
	if err != nil {
		_ = os.Remove(f.Name())
		return Info{}, fmt.Errorf("write %s: %w", c, err)
	}
	return Info{Name: path.Base(c), Path: c, Size: n, ModTime: modTime}, nil
}
