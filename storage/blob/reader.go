package blob

import (
	"context"
	"errors"
	"io"

	"github.com/rclone/rclone/fs"
)

// ReadSeekCloser is a file being read: http.ServeContent seeks it for
// Range requests.
type ReadSeekCloser interface {
	io.ReadSeeker
	io.Closer
}

// objectReader reads a remote object from an offset, opening a ranged
// download on the first Read after each Seek.
type objectReader struct {
	ctx  context.Context
	obj  fs.Object
	size int64
	off  int64
	rc   io.ReadCloser
}

func (r *objectReader) Read(p []byte) (int, error) {
	if r.off >= r.size {
		return 0, io.EOF
	}
	if r.rc == nil {
		rc, err := r.obj.Open(r.ctx, &fs.SeekOption{Offset: r.off})
		if err != nil {
			return 0, err
		}
		r.rc = rc
	}
	n, err := r.rc.Read(p)
	r.off += int64(n)
	return n, err
}

func (r *objectReader) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekCurrent:
		offset += r.off
	case io.SeekEnd:
		offset += r.size
	}
	if offset < 0 {
		return 0, errors.New("seek before the start of the file")
	}
	if offset != r.off && r.rc != nil {
		_ = r.rc.Close()
		r.rc = nil
	}
	r.off = offset
	return offset, nil
}

func (r *objectReader) Close() error {
	if r.rc == nil {
		return nil
	}
	return r.rc.Close()
}
