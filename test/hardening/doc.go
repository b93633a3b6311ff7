// Package hardening holds the end-to-end tests of issue 13: slow clients,
// parser limits, the sign-in lock-out, private data and admin-only actions,
// each against a real server on the database APIARY_TEST_DB picks.
package hardening
