package db

// ColumnType spells a whitelisted data type for SQLite (type affinity:
// every whole number is INTEGER, times are TEXT).
func (sqliteDialect) ColumnType(base string, n, m int, unsigned bool) string {
	switch {
	case baseIsInt(base):
		return "INTEGER"
	case base == "varchar":
		return sized("VARCHAR", varcharLen(n))
	case base == "char":
		return sized("CHAR", varcharLen(n))
	case baseIsText(base), base == "time":
		return "TEXT"
	case base == "decimal", base == "numeric":
		return "NUMERIC"
	case baseIsFloat(base):
		return "REAL"
	case base == "bool", base == "boolean":
		return "BOOLEAN"
	case base == "timestamp", base == "datetime":
		return "TIMESTAMP"
	case base == "date":
		return "DATE"
	}
	return "BLOB"
}

// BoolLiteral is 1 or 0: SQLite has no boolean literals before 3.23.
func (sqliteDialect) BoolLiteral(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// CurrentTimestamp is the default of a time column set at insert.
func (sqliteDialect) CurrentTimestamp() string { return "CURRENT_TIMESTAMP" }
