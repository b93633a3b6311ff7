package db

// ColumnType spells a whitelisted data type for MySQL and MariaDB.
func (mysqlDialect) ColumnType(base string, n, m int, unsigned bool) string {
	switch base {
	case "int", "integer", "tinyint", "smallint", "mediumint", "bigint":
		name := map[string]string{"int": "INT", "integer": "INT", "tinyint": "TINYINT", "smallint": "SMALLINT", "mediumint": "MEDIUMINT", "bigint": "BIGINT"}[base]
		if unsigned {
			name += " UNSIGNED"
		}
		return name
	case "varchar":
		if n > 16000 {
			return "TEXT"
		}
		return sized("VARCHAR", varcharLen(n))
	case "char":
		if n > 255 {
			return sized("VARCHAR", n)
		}
		return sized("CHAR", varcharLen(n))
	case "text", "tinytext", "mediumtext", "longtext", "blob", "tinyblob", "mediumblob", "longblob":
		return upper(base)
	case "binary", "varbinary":
		if n <= 0 {
			n = 255
		}
		if base == "binary" && n > 255 {
			return "BLOB"
		}
		return sized(upper(base), n)
	case "float", "double", "real":
		return "DOUBLE"
	case "decimal", "numeric":
		return numericType("DECIMAL", n, m)
	case "bool", "boolean":
		return "BOOLEAN"
	case "timestamp", "datetime":
		return "DATETIME(6)"
	case "date":
		return "DATE"
	case "time":
		return "TIME"
	}
	return "LONGTEXT" // json
}

// BoolLiteral is TRUE or FALSE.
func (mysqlDialect) BoolLiteral(b bool) string { return boolWord(b) }

// CurrentTimestamp matches the microseconds of DATETIME(6).
func (mysqlDialect) CurrentTimestamp() string { return "CURRENT_TIMESTAMP(6)" }
