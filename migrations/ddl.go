package migrations

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"github.com/apiary/apiary/schema"
	"github.com/apiary/apiary/storage/db"
)

// ledgerTable records what migrations applied.
const ledgerTable = "_apiary_migration"

// columnDef renders one column definition. adding is true for ALTER TABLE
// ADD COLUMN, where NOT NULL without a constant default cannot be added to a
// table that may already hold rows.
func columnDef(d db.Dialect, col schema.Column, adding bool) (string, error) {
	if col.IsPrimaryKey && col.IsAutoIncrement {
		return d.AutoIncrementPK(col.ColumnName), nil
	}
	typ, err := schema.SQLType(d, col.DataType)
	if err != nil {
		return "", fmt.Errorf("column %s: %w", col.ColumnName, err)
	}
	ct, _ := schema.LookupType(col.ColumnType)
	var def string
	if col.DefaultValue != "" {
		def, err = schema.SQLDefault(d, ct.Kind, col.DefaultValue)
		if err != nil {
			return "", fmt.Errorf("column %s: %w", col.ColumnName, err)
		}
		def = d.ColumnDefault(typ, def, adding)
	}
	var b strings.Builder
	b.WriteString(d.Quote(col.ColumnName))
	b.WriteByte(' ')
	b.WriteString(typ)
	notNull := !col.IsNullable && !(isTimestamp(typ) && def == "")
	if adding && def == "" {
		notNull = false
	}
	if notNull {
		b.WriteString(" NOT NULL")
	}
	if def != "" {
		b.WriteString(" DEFAULT ")
		b.WriteString(def)
	}
	return b.String(), nil
}

func isTimestamp(typ string) bool {
	t := strings.ToUpper(typ)
	return strings.HasPrefix(t, "TIMESTAMP") || strings.HasPrefix(t, "DATETIME")
}

// createTable renders CREATE TABLE for every column of t, with the given
// indexes declared inline (only on dialects that allow it).
func createTable(d db.Dialect, t *schema.Table, inline []index) (string, error) {
	defs := make([]string, 0, len(t.Columns)+len(inline))
	for _, col := range t.Columns {
		def, err := columnDef(d, col, false)
		if err != nil {
			return "", fmt.Errorf("table %s: %w", t.TableName, err)
		}
		defs = append(defs, def)
	}
	for _, ix := range inline {
		cols, err := indexColumns(d, t, ix)
		if err != nil {
			return "", err
		}
		kw := "INDEX "
		if ix.unique {
			kw = "UNIQUE KEY "
		}
		defs = append(defs, kw+d.Quote(ix.name)+" ("+cols+")")
	}
	return "CREATE TABLE " + d.Quote(t.TableName) + " (\n  " + strings.Join(defs, ",\n  ") + "\n)" + d.CreateTableSuffix(), nil
}

// index is one wanted index on a table.
type index struct {
	name    string
	table   string
	columns []string
	unique  bool
}

// wantedIndexes lists the indexes a table must have: unique columns,
// indexed columns, composite keys (unique) and composite indexes.
func wantedIndexes(t *schema.Table) []index {
	var out []index
	for _, col := range t.Columns {
		switch {
		case col.IsPrimaryKey:
		case col.IsUnique:
			out = append(out, index{name: indexName("u", t.TableName, col.ColumnName), table: t.TableName, columns: []string{col.ColumnName}, unique: true})
		case col.IsIndexed:
			out = append(out, index{name: indexName("i", t.TableName, col.ColumnName), table: t.TableName, columns: []string{col.ColumnName}})
		}
	}
	for _, key := range t.CompositeKeys {
		if len(key) == 0 {
			continue
		}
		out = append(out, index{name: indexName("u", t.TableName, strings.Join(key, "_")), table: t.TableName, columns: key, unique: true})
	}
	// Non-unique composite indexes; one equal to an index above (the
	// same name: a one-column index of an indexed column) is not repeated.
	for _, cols := range t.Indexes {
		if len(cols) == 0 {
			continue
		}
		ix := index{name: indexName("i", t.TableName, strings.Join(cols, "_")), table: t.TableName, columns: cols}
		if !slices.ContainsFunc(out, func(have index) bool { return have.name == ix.name }) {
			out = append(out, ix)
		}
	}
	return out
}

// indexName makes a name unique across the database (PostgreSQL and SQLite
// index names are per schema) and within the 63-byte limit.
func indexName(prefix, table, cols string) string {
	name := prefix + "_" + table + "_" + cols
	if len(name) <= 60 {
		return name
	}
	sum := sha1.Sum([]byte(name))
	return name[:50] + "_" + hex.EncodeToString(sum[:4])
}

// createIndex renders CREATE [UNIQUE] INDEX.
func createIndex(d db.Dialect, t *schema.Table, ix index) (string, error) {
	cols, err := indexColumns(d, t, ix)
	if err != nil {
		return "", err
	}
	kw := "CREATE INDEX "
	if ix.unique {
		kw = "CREATE UNIQUE INDEX "
	}
	return kw + d.Quote(ix.name) + " ON " + d.Quote(ix.table) + " (" + cols + ")", nil
}

// indexColumns renders an index's column list; MySQL needs a prefix length
// on TEXT and BLOB columns and on very long VARCHARs.
func indexColumns(d db.Dialect, t *schema.Table, ix index) (string, error) {
	cols := make([]string, 0, len(ix.columns))
	for _, name := range ix.columns {
		col, ok := t.Column(name)
		if !ok {
			return "", fmt.Errorf("table %s: index %s names unknown column %q", t.TableName, ix.name, name)
		}
		typ, err := schema.SQLType(d, col.DataType)
		if err != nil {
			return "", err
		}
		cols = append(cols, d.IndexColumn(d.Quote(name), typ))
	}
	return strings.Join(cols, ", "), nil
}
