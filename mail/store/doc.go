// Package store keeps mail accounts, mailboxes and messages as rows of the
// mail_server, mail_account, mail_box and mail tables, reached only through
// resource.Service: delivery and append allocate per-mailbox UIDs
// atomically, messages are parsed into the row's columns and the raw RFC 5322
// bytes are kept gzip-compressed in the mail column.
package store
