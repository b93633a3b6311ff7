package db

// ColumnType spells a whitelisted data type for PostgreSQL.
func (postgresDialect) ColumnType(base string, n, m int, unsigned bool) string {
	switch {
	case base == "bigint":
		return "BIGINT"
	case baseIsInt(base):
		return "INTEGER"
	case base == "varchar", base == "char":
		// CHAR(n) pads with blanks on postgres only; VARCHAR keeps values
		// identical across dialects.
		return sized("VARCHAR", varcharLen(n))
	case baseIsText(base):
		return "TEXT"
	case base == "decimal", base == "numeric":
		return numericType("NUMERIC", n, m)
	case baseIsFloat(base):
		return "DOUBLE PRECISION"
	case base == "bool", base == "boolean":
		return "BOOLEAN"
	case base == "timestamp", base == "datetime":
		return "TIMESTAMP"
	case base == "date":
		return "DATE"
	case base == "time":
		return "TIME"
	}
	return "BYTEA"
}

// BoolLiteral is TRUE or FALSE.
func (postgresDialect) BoolLiteral(b bool) string { return boolWord(b) }

// CurrentTimestamp is the default of a time column set at insert.
func (postgresDialect) CurrentTimestamp() string { return "CURRENT_TIMESTAMP" }

func boolWord(b bool) string {
	if b {
		return "TRUE"
	}
	return "FALSE"
}
