// Package imapd is the IMAP side of the mail server (go-imap v2's
// imapserver): mail_account logins, mailboxes as mail_box rows, messages as
// mail rows, and IDLE that pushes EXISTS, EXPUNGE and FLAGS for changes made
// through any surface (it follows the resource layer's change events).
package imapd
