package resource_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/apiary/apiary/migrations"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/schema"
	"github.com/apiary/apiary/storage/db/dbtest"
)

func TestConfigStore(t *testing.T) {
	t.Parallel()
	f, err := schema.Parse("schema_cfg.yaml", []byte("Tables: []\n"))
	if err != nil {
		t.Fatal(err)
	}
	sc, err := schema.Compile(schema.Source{Path: "schema_cfg.yaml", File: f})
	if err != nil {
		t.Fatal(err)
	}
	d := dbtest.Open(t)
	ctx := context.Background()
	if _, err := migrations.Apply(ctx, d, sc, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	cs := resource.NewConfigStore(d)

	if _, err := cs.Get(ctx, resource.ConfigBackend, "missing"); !errors.Is(err, resource.ErrNoConfig) {
		t.Fatalf("Get(missing) err = %v, want ErrNoConfig", err)
	}
	if err := cs.Set(ctx, resource.ConfigBackend, resource.KeyLanguage, "en"); err != nil {
		t.Fatal(err)
	}
	if err := cs.Set(ctx, resource.ConfigBackend, resource.KeyLanguage, "de"); err != nil {
		t.Fatal(err)
	}
	if v, err := cs.Get(ctx, resource.ConfigBackend, resource.KeyLanguage); err != nil || v != "de" {
		t.Fatalf("Get after overwrite = %q, %v", v, err)
	}
	var prev string
	q := "SELECT previousvalue FROM " + d.Dialect.Quote(schema.ConfigTable) + " WHERE name = ?"
	if err := d.R.QueryRowxContext(ctx, d.Dialect.Rebind(q), resource.KeyLanguage).Scan(&prev); err != nil || prev != "en" {
		t.Fatalf("previousvalue = %q, %v; want en", prev, err)
	}
	// SeedConfig writes only what is missing.
	err = d.InTx(ctx, func(tx *sqlx.Tx) error {
		if err := resource.SeedConfig(ctx, tx, d.Dialect, resource.ConfigBackend, resource.KeyLanguage, "fr"); err != nil {
			return err
		}
		return resource.SeedConfig(ctx, tx, d.Dialect, resource.ConfigBackend, resource.KeyGzip, "true")
	})
	if err != nil {
		t.Fatal(err)
	}
	all, err := cs.All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if all[resource.KeyLanguage] != "de" || all[resource.KeyGzip] != "true" {
		t.Fatalf("All = %v, want language kept (de) and gzip seeded", all)
	}
	// Keys of another config type do not answer for the backend's.
	if err := cs.Set(ctx, "other", "only.other", "x"); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.Get(ctx, resource.ConfigBackend, "only.other"); !errors.Is(err, resource.ErrNoConfig) {
		t.Fatalf("a key of another type answered: %v", err)
	}
	if err := cs.Delete(ctx, resource.ConfigBackend, resource.KeyGzip); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.Get(ctx, resource.ConfigBackend, resource.KeyGzip); !errors.Is(err, resource.ErrNoConfig) {
		t.Fatalf("Get after Delete err = %v", err)
	}
	if !resource.SecretKeys[resource.KeyJWTSecret] || !resource.SecretKeys[resource.KeyEncryption] || resource.SecretKeys[resource.KeyLanguage] {
		t.Fatal("SecretKeys must hold exactly the write-only keys")
	}
}

func TestErrorText(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		err  *resource.Error
		text string
		kind error
	}{
		{&resource.Error{Kind: resource.ErrNotFound, Title: "not found"}, "not found", resource.ErrNotFound},
		{&resource.Error{Kind: resource.ErrValidation, Title: "invalid value for x", Detail: "x is required"}, "invalid value for x: x is required", resource.ErrValidation},
		{&resource.Error{Kind: resource.ErrForbidden, Title: resource.TitleTableGate}, resource.TitleTableGate, resource.ErrForbidden},
	}
	for _, s := range scenarios {
		if s.err.Error() != s.text || !errors.Is(s.err, s.kind) {
			t.Errorf("%#v: text %q, kind match %v", s.err, s.err.Error(), errors.Is(s.err, s.kind))
		}
		for _, other := range []error{resource.ErrConflict, resource.ErrBadRequest, resource.ErrUnauthenticated} {
			if errors.Is(s.err, other) {
				t.Errorf("%v is also %v", s.err, other)
			}
		}
	}
}
