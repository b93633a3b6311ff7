// Package certs owns the certificate table (contract sidecars.md §11):
// self-signed certificates per hostname (RSA 2048 or ECDSA P-256, keys
// encrypted at rest by the resource layer), and a tls.Config whose
// GetCertificate picks a certificate by SNI from the table, so
// certificates added or renewed are served without a restart.
package certs
