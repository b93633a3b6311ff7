package migrations

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/apiary/apiary/schema"
	"github.com/apiary/apiary/storage/db"
)

// A verified mark lets a restart skip the catalogue check. Where the
// database counts its schema changes (SQLite's schema cookie), Apply writes
// a ledger row "-- schema <fingerprint> verified at schema_version <n>"
// once the database matches the schema. At the next start the same
// fingerprint at the same counter means nothing was created, altered or
// dropped since, by Apiary or anyone else, so the database still matches
// and Plan is not needed: reading the columns and indexes of ~90 tables
// costs a restart more than everything else migrations do. Any change to
// the schema or to the database falls back to the full check, which writes
// a new mark.

const markPrefix = "-- schema "

// fingerprint hashes what Plan compares: the tables, their columns and the
// names of their indexes.
func fingerprint(s *schema.Schema) string {
	h := sha256.New()
	for _, t := range s.Tables {
		h.Write([]byte(t.TableName))
		for _, c := range t.Columns {
			h.Write([]byte{0})
			h.Write([]byte(c.ColumnName))
		}
		h.Write([]byte{1})
		for _, ix := range wantedIndexes(t) {
			h.Write([]byte(ix.name))
			h.Write([]byte{0})
		}
		h.Write([]byte{'\n'})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// mark is the ledger statement saying the database matched fingerprint fp
// at schema version v.
func mark(fp string, v int64) string {
	return markPrefix + fp + " verified at schema_version " + strconv.FormatInt(v, 10)
}

// verified reports whether the ledger's latest mark is want. A missing
// ledger (a new database) is no mark.
func verified(ctx context.Context, q sqlx.QueryerContext, d db.Dialect, want string) bool {
	var last string
	query := "SELECT statement FROM " + d.Quote(ledgerTable) + " WHERE statement LIKE '" + markPrefix + "%' ORDER BY id DESC" + d.LimitOffset(1, 0)
	if err := q.QueryRowxContext(ctx, query).Scan(&last); err != nil {
		return false
	}
	return strings.TrimSpace(last) == want
}
