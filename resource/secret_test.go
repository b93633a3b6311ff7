package resource_test

import (
	"context"
	"errors"
	"testing"

	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/resource/resourcetest"
)

const keySchema = `
Tables:
  - TableName: api_key
    Columns:
      - {Name: name, ColumnType: label, IsUnique: true}
      - {Name: secret, ColumnType: password}
      - {Name: pin, ColumnType: md5-bcrypt, IsNullable: true}
      - {Name: note, ColumnType: label, IsNullable: true}
`

// secretVerifier is the part of the resource layer under test.
type secretVerifier interface {
	VerifySecret(ctx context.Context, table, column string, match map[string]any, plaintext string) (resource.Row, bool, error)
}

func TestVerifySecret(t *testing.T) {
	t.Parallel()
	res := resourcetest.New(t, keySchema)
	v, ok := res.(secretVerifier)
	if !ok {
		t.Fatal("the resource layer has no VerifySecret")
	}
	ctx := sys()
	created, err := res.Create(ctx, "api_key", resource.Input{Attributes: map[string]any{"name": "k1", "secret": "s3cret", "pin": "1234"}})
	if err != nil {
		t.Fatal(err)
	}
	if created.Attrs["secret"] != "" {
		t.Fatalf("password shown: %v", created.Attrs["secret"])
	}
	scenarios := []struct {
		name, column string
		match        map[string]any
		plain        string
		want         bool
	}{
		{"right secret", "secret", map[string]any{"name": "k1"}, "s3cret", true},
		{"wrong secret", "secret", map[string]any{"name": "k1"}, "s3cre", false},
		{"unknown row", "secret", map[string]any{"name": "k2"}, "s3cret", false},
		{"empty secret", "secret", map[string]any{"name": "k1"}, "", false},
		{"md5-bcrypt", "pin", map[string]any{"name": "k1"}, "1234", true},
		{"md5-bcrypt wrong", "pin", map[string]any{"name": "k1"}, "4321", false},
		{"two conditions", "secret", map[string]any{"name": "k1", "reference_id": created.RefID}, "s3cret", true},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			row, ok, err := v.VerifySecret(ctx, "api_key", sc.column, sc.match, sc.plain)
			if err != nil || ok != sc.want {
				t.Fatalf("VerifySecret = %v, %v; want %v", ok, err, sc.want)
			}
			if ok && (row.RefID != created.RefID || row.Attrs["secret"] != "" || row.Attrs["name"] != "k1") {
				t.Errorf("row = %+v", row)
			}
			if !ok && row.RefID != "" {
				t.Errorf("a failed check returned row %s", row.RefID)
			}
		})
	}
	for name, call := range map[string]func() error{
		"not a secret column": func() error {
			_, _, err := v.VerifySecret(ctx, "api_key", "note", map[string]any{"name": "k1"}, "x")
			return err
		},
		"no condition": func() error { _, _, err := v.VerifySecret(ctx, "api_key", "secret", nil, "x"); return err },
		"unknown column": func() error {
			_, _, err := v.VerifySecret(ctx, "api_key", "secret", map[string]any{"nope": 1}, "x")
			return err
		},
	} {
		if err := call(); !errors.Is(err, resource.ErrBadRequest) {
			t.Errorf("%s: %v, want ErrBadRequest", name, err)
		}
	}
	if _, _, err := v.VerifySecret(ctx, "no_table", "secret", map[string]any{"name": "k1"}, "x"); !errors.Is(err, resource.ErrNotFound) {
		t.Errorf("unknown table: %v", err)
	}
}
