// Package ftp owns the FTP/FTPS listener (contract sidecars.md §6) over
// goftp.io/server/v2. Users sign in with their e-mail and password; "/"
// lists the FTP-enabled sites they may Peek, and "/<hostname>/…" is the
// site's folder in its cloud store. Every operation is checked against the
// site row's permission (Peek, Read, Create, Update, Delete) through the
// resource layer, and writes go straight to the store (storage/blob), so an
// uploaded file is served by the site and by /asset at once. Paths with
// NUL bytes or that leave a site are refused; explicit FTPS (AUTH TLS) is
// offered when a TLS configuration is given. The package also owns the
// data channel (goftp's has no timeouts and no clean TLS close): passive
// and active data connections, transfers and listings, with idle and data
// timeouts on every connection and at most MaxClients clients.
package ftp
