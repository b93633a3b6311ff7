// Package filestore turns cloud_store rows into open blob stores for the
// asset, site and FTP surfaces: it reads the row and its credential (an
// encrypted credential row, decrypted by the resource layer) as the system,
// keeps each opened store until a cloud_store or credential row changes,
// and creates the default "localstore" row at boot.
package filestore
