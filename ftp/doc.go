// Package ftp will own the FTP listener over sites and cloud stores, through
// resource.Service and storage/blob. It is built by its own issue.
package ftp
