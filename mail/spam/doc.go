// Package spam scores inbound mail: every DKIM signature that fails
// verification adds 100 (a verification that cannot run adds 50), and an
// SPF check of the envelope sender (RFC 7208) adds 100 for "fail" and 25
// for "softfail". The SMTP server files mail scoring over 299 in Spam and
// flags mail scoring over 50.
package spam
