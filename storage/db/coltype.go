package db

import (
	"strconv"
	"strings"
)

// The column types of DDL. The schema package checks a DataType against
// its whitelist grammar and hands its parts (a lower-case base name such
// as "varchar", the (n) and (n,m) arguments or -1, "unsigned") to
// ColumnType; each dialect spells the column type in coltype_<db>.go,
// built from those parts only, never from the text a schema gave.

func baseIsInt(base string) bool {
	switch base {
	case "int", "integer", "tinyint", "smallint", "mediumint", "bigint":
		return true
	}
	return false
}

func baseIsFloat(base string) bool {
	switch base {
	case "float", "double", "real", "decimal", "numeric":
		return true
	}
	return false
}

func baseIsText(base string) bool {
	switch base {
	case "text", "tinytext", "mediumtext", "longtext", "json":
		return true
	}
	return false
}

func sized(name string, n int) string { return name + "(" + strconv.Itoa(n) + ")" }

func numericType(name string, n, m int) string {
	switch {
	case n > 0 && m >= 0:
		return name + "(" + strconv.Itoa(n) + "," + strconv.Itoa(m) + ")"
	case n > 0:
		return sized(name, n)
	}
	return name
}

func varcharLen(n int) int {
	if n > 0 {
		return n
	}
	return 255
}

func upper(s string) string { return strings.ToUpper(s) }
