// Package outbox composes, DKIM-signs and queues outgoing mail as outbox
// rows (with a copy in the sender's Sent mailbox), and delivers the queue:
// MX lookup, STARTTLS when offered, retries after 2^n minutes, at most five
// tries, the last error kept on the row.
package outbox
