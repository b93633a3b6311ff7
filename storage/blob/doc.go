// Package blob will own file stores through rclone (local disk by default, S3
// and other remotes), used by asset columns, sites and FTP; it is built by its
// own issue.
package blob
