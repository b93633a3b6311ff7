// Package mail will own Apiary's SMTP and IMAP listeners, outgoing mail from
// the outbox table, and DKIM, reaching mailboxes only through
// resource.Service. It is built by its own issue; the outbox rows it will
// send are already written by the password-reset and mail.send actions.
package mail
