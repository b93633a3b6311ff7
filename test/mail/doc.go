// Package mail holds the end-to-end tests of the mail sidecar: a whole
// server is booted, a mail server and accounts are configured over the API,
// and real clients (Python's smtplib and imaplib, swaks, mbsync, curl, and
// go-imap's client) deliver, read, flag, move and expunge mail.
package mail
