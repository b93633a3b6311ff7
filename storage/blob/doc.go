// Package blob owns file stores through rclone used as a library: the local
// disk (the default "localstore") and S3-compatible object stores. A Store
// is opened from a Spec (provider, root and the decrypted credential keys);
// every path given to a Store is relative to its root and is refused when it
// is absolute, climbs with "..", or holds a NUL byte. Only the backends
// named in backends.go are linked. S3 stores also presign PUTs and the
// parts of multipart uploads a client sends itself (presign.go,
// multipart.go). It imports nothing of Apiary's.
package blob
