// Package resourcetest builds a real resource.Service on a fresh test
// database (the dialect APIARY_TEST_DB picks) for unit tests of the
// resource layer and of sidecars.
package resourcetest

import (
	"context"
	"log/slog"
	"testing"

	"github.com/apiary/apiary/migrations"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/resource/bootstrap"
	"github.com/apiary/apiary/schema"
	"github.com/apiary/apiary/storage/db"
	"github.com/apiary/apiary/storage/db/dbtest"
)

// New compiles the given schema text (YAML), migrates a fresh database,
// seeds it and returns the service.
func New(t testing.TB, schemaYAML string) resource.Service {
	t.Helper()
	svc, _ := NewDB(t, schemaYAML)
	return svc
}

// NewDB is New that also returns the database, for tests that need more
// of it than the service (the _config store, a second connection).
func NewDB(t testing.TB, schemaYAML string) (resource.Service, *db.DB) {
	t.Helper()
	f, err := schema.Parse("schema_test.yaml", []byte(schemaYAML))
	if err != nil {
		t.Fatal(err)
	}
	sc, err := schema.Compile(schema.Source{Path: "schema_test.yaml", File: f})
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
	return resource.New(resource.Options{DB: d, Schema: schema.NewHolder(sc), Log: log}), d
}
