// Package mail owns Apiary's mail server: the SMTP listeners built from the
// mail_server rows (package smtpd), the IMAP listener (package imapd), the
// outbox that signs (DKIM) and delivers outgoing mail (package outbox), all
// over the mail rows of package store, which reaches data only through
// resource.Service. Service ties them together for the server's wiring.
package mail
