package blob

import (
	"errors"
	"path"
	"strings"
)

// ErrBadPath is returned for a path that is absolute, climbs out of the
// store with "..", or holds a NUL byte or a backslash.
var ErrBadPath = errors.New("path must be relative to the store root, without \"..\", NUL or backslash")

// ErrNotFound is returned when a file or folder does not exist.
var ErrNotFound = errors.New("no such file or folder")

// Clean checks a store-relative path and returns it in canonical form
// ("a/b/c", "" for the root). It never resolves "..": any ".." segment is
// refused, so no input can name a file outside the store.
func Clean(p string) (string, error) {
	if strings.ContainsAny(p, "\x00\\") || strings.HasPrefix(p, "/") {
		return "", ErrBadPath
	}
	var segs []string
	for _, s := range strings.Split(p, "/") {
		switch s {
		case "", ".":
			continue
		case "..":
			return "", ErrBadPath
		}
		segs = append(segs, s)
	}
	return strings.Join(segs, "/"), nil
}

// Join cleans each part and joins them into one store-relative path.
func Join(parts ...string) (string, error) {
	var segs []string
	for _, p := range parts {
		c, err := Clean(strings.TrimPrefix(p, "/"))
		if err != nil {
			return "", err
		}
		if c != "" {
			segs = append(segs, c)
		}
	}
	return path.Join(segs...), nil
}

// ValidName reports whether name is usable as one file name: not empty,
// not "." or "..", without "/", "\" or NUL.
func ValidName(name string) bool {
	return name != "" && name != "." && name != ".." && !strings.ContainsAny(name, "/\\\x00")
}
