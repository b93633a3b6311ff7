package resource

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/apiary/apiary/schema"
	"github.com/apiary/apiary/storage/db"
)

// Config keys Apiary reads (contract core.md §9.2).
const (
	KeyHostname       = "hostname"
	KeyGzip           = "gzip.enable"
	KeyLanguage       = "language.default"
	KeyMaxConnections = "limit.max_connections"
	KeyRateLimit      = "limit.rate"
	KeyCORS           = "cors.config"
	KeyJWTSecret      = "jwt.secret"
	KeyGraphQL        = "graphql.enable"
	KeyEncryption     = "encryption.secret"
	KeyJWTIssuer      = "jwt.token.issuer"
	KeyJWTLifeHours   = "jwt.token.life.hours"
	KeySignupEnabled  = "signup.enable"
	ConfigBackend     = "backend"
)

// SecretKeys are write-only through the config API.
var SecretKeys = map[string]bool{KeyJWTSecret: true, KeyEncryption: true}

// ConfigStore reads and writes the _config table.
type ConfigStore struct {
	db *db.DB
}

// NewConfigStore returns a store over d.
func NewConfigStore(d *db.DB) *ConfigStore { return &ConfigStore{db: d} }

// ErrNoConfig is returned for an absent key.
var ErrNoConfig = errors.New("no such config key")

// Get returns one value.
func (c *ConfigStore) Get(ctx context.Context, configType, key string) (string, error) {
	d := c.db.Dialect
	var v sql.NullString
	q := "SELECT " + d.Quote("value") + " FROM " + d.Quote(schema.ConfigTable) + " WHERE name = ? AND configtype = ? AND configstate = 'enabled' AND configenv = 'release'"
	err := c.db.R.QueryRowxContext(ctx, d.Rebind(q), key, configType).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNoConfig
	}
	if err != nil {
		return "", d.MapError(err)
	}
	return v.String, nil
}

// All returns every enabled key of every type, merged (later types win).
func (c *ConfigStore) All(ctx context.Context) (map[string]string, error) {
	d := c.db.Dialect
	rows, err := c.db.R.QueryContext(ctx, "SELECT name, "+d.Quote("value")+" FROM "+d.Quote(schema.ConfigTable)+" WHERE configstate = 'enabled' ORDER BY configtype, name")
	if err != nil {
		return nil, d.MapError(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k string
		var v sql.NullString
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		out[k] = v.String
	}
	return out, rows.Err()
}

// Set stores a value, keeping the old one in previousvalue.
func (c *ConfigStore) Set(ctx context.Context, configType, key, value string) error {
	return c.db.InTx(ctx, func(tx *sqlx.Tx) error { return setConfig(ctx, tx, c.db.Dialect, configType, key, value, true) })
}

// Delete removes a key.
func (c *ConfigStore) Delete(ctx context.Context, configType, key string) error {
	d := c.db.Dialect
	_, err := c.db.W.ExecContext(ctx, d.Rebind("DELETE FROM "+d.Quote(schema.ConfigTable)+" WHERE name = ? AND configtype = ?"), key, configType)
	return d.MapError(err)
}

// SeedConfig writes key of configType inside tx unless it is there already
// (start-up seeding, resource/bootstrap).
func SeedConfig(ctx context.Context, tx sqlx.ExtContext, d db.Dialect, configType, key, value string) error {
	return setConfig(ctx, tx, d, configType, key, value, false)
}

func setConfig(ctx context.Context, tx sqlx.ExtContext, d db.Dialect, configType, key, value string, overwrite bool) error {
	var old sql.NullString
	var id int64
	q := "SELECT id, " + d.Quote("value") + " FROM " + d.Quote(schema.ConfigTable) + " WHERE name = ? AND configtype = ?"
	err := tx.QueryRowxContext(ctx, d.Rebind(q), key, configType).Scan(&id, &old)
	now := nowUTC()
	switch {
	case errors.Is(err, sql.ErrNoRows):
		ins := "INSERT INTO " + d.Quote(schema.ConfigTable) + " (name, configtype, configstate, configenv, " + d.Quote("value") + ", valuetype, created_at, updated_at) VALUES (?, ?, 'enabled', 'release', ?, 'string', ?, ?)"
		_, err = tx.ExecContext(ctx, d.Rebind(ins), key, configType, value, now, now)
		return d.MapError(err)
	case err != nil:
		return d.MapError(err)
	case !overwrite:
		return nil
	}
	up := "UPDATE " + d.Quote(schema.ConfigTable) + " SET " + d.Quote("value") + " = ?, previousvalue = ?, updated_at = ? WHERE id = ?"
	_, err = tx.ExecContext(ctx, d.Rebind(up), value, old.String, now, id)
	return d.MapError(err)
}

func nowUTC() time.Time { return time.Now().UTC() }
