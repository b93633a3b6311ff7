package server

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/storage/db"
)

// configView makes _config a view over cfg whose encryption.secret row
// fails to read when broken (json() of text that is not JSON is an error).
func configView(t *testing.T, broken, withSecret bool) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), db.Config{Type: "sqlite", DSN: t.TempDir() + "/c.db"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	enc := "value"
	if broken {
		enc = "json('not json')"
	}
	stmts := []string{
		`CREATE TABLE cfg (name TEXT, configtype TEXT, configstate TEXT, configenv TEXT, value TEXT)`,
		`INSERT INTO cfg VALUES ('jwt.secret', 'backend', 'enabled', 'release', 's3cret'), ('jwt.token.issuer', 'backend', 'enabled', 'release', 'apiary')`,
		`CREATE VIEW _config AS SELECT name, configtype, configstate, configenv,
			CASE WHEN name = 'encryption.secret' THEN ` + enc + ` ELSE value END AS value FROM cfg`,
	}
	if withSecret {
		stmts = append(stmts, `INSERT INTO cfg VALUES ('encryption.secret', 'backend', 'enabled', 'release', 'abc')`)
	}
	for _, q := range stmts {
		if _, err := d.W.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

func TestLoadSecrets(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name               string
		broken, withSecret bool
		want, wantErr      string
	}{
		{"secret read", false, true, "abc", ""},
		{"secret absent", false, false, "", ""},
		{"secret unreadable fails start-up", true, true, "", "read encryption.secret: "},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			d := configView(t, c.broken, c.withSecret)
			s := &Server{log: slog.New(slog.DiscardHandler)}
			enc, err := s.loadSecrets(context.Background(), resource.NewConfigStore(d))
			if c.wantErr == "" && err != nil || c.wantErr != "" && (err == nil || !strings.HasPrefix(err.Error(), c.wantErr)) {
				t.Fatalf("err %v, want prefix %q", err, c.wantErr)
			}
			if enc != c.want {
				t.Errorf("secret %q, want %q", enc, c.want)
			}
			if err == nil && s.issuer == nil {
				t.Error("no issuer built")
			}
			if err != nil && strings.Contains(err.Error(), "\n") {
				t.Errorf("error is more than one line: %q", err)
			}
		})
	}
}
