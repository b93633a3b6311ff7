// Package smtpd is the SMTP side of the mail server (go-smtp): it accepts
// mail for the local domains (the hostnames of all mail_server rows) into
// the recipients' mailboxes, refuses unknown local users at RCPT, and
// relays only for authenticated accounts, handing such mail to an
// Outbound (the outbox).
package smtpd
