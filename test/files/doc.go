// Package files holds the end-to-end tests of cloud stores, asset columns,
// sites and FTP: a real server (testserver), real clients (curl, lftp,
// rclone, Python's ftplib) and a real S3 API on loopback (gofakes3).
package files
