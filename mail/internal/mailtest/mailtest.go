// Package mailtest builds what the mail packages' unit tests share: a
// resource layer with the built-in schema (the mail tables included) on a
// fresh test database, and mail accounts in it.
package mailtest

import (
	"context"
	"log/slog"
	"testing"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/migrations"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/resource/bootstrap"
	"github.com/apiary/apiary/schema"
	"github.com/apiary/apiary/storage/db/dbtest"
)

// Resource is a resource layer over a fresh database of the dialect
// APIARY_TEST_DB selects, with the built-in tables.
func Resource(t testing.TB) resource.Service {
	t.Helper()
	sc, err := schema.Compile()
	if err != nil {
		t.Fatal(err)
	}
	d := dbtest.Open(t)
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	if _, err := migrations.Apply(ctx, d, sc, log); err != nil {
		t.Fatal(err)
	}
	if err := bootstrap.Run(ctx, d, sc, bootstrap.Options{LocalStoragePath: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	return resource.New(resource.Options{DB: d, Schema: schema.NewHolder(sc), Log: log, PasswordCost: 4})
}

// System is a context acting as the system principal.
func System() context.Context { return auth.WithPrincipal(context.Background(), auth.System()) }

// Server creates a mail_server row for hostname and returns its
// reference id.
func Server(t testing.TB, res resource.Service, hostname string) string {
	t.Helper()
	r, err := res.Create(System(), "mail_server", resource.Input{Attributes: map[string]any{
		"hostname": hostname, "is_enabled": true, "listen_interface": "127.0.0.1:0", "max_size": 1 << 20, "max_clients": 5,
		"authentication_required": false}})
	if err != nil {
		t.Fatal(err)
	}
	return r.RefID
}

// Account creates a mail_account row on server with address and
// password, owned by a new user, and returns the account's reference id.
func Account(t testing.TB, res resource.Service, server, address, password string) string {
	t.Helper()
	u, err := res.Create(System(), "user_account", resource.Input{Attributes: map[string]any{
		"name": address, "email": "owner-" + address, "password": "owner-password"}})
	if err != nil {
		t.Fatal(err)
	}
	r, err := res.Create(System(), "mail_account", resource.Input{Attributes: map[string]any{
		"username": address, "password": password, "password_md5": password, "mail_server_id": server}, Owner: u.RefID})
	if err != nil {
		t.Fatal(err)
	}
	return r.RefID
}

// Log is a logger writing warnings and errors to the test's output.
func Log(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
}
