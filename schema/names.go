package schema

import (
	"strings"
	"unicode"
)

// SnakeCase turns a display name into an identifier the way Daptin does:
// "ProductItem" -> "product_item", "Budget Amount" -> "budget_amount".
func SnakeCase(s string) string {
	s = strings.TrimSpace(s)
	var b strings.Builder
	runes := []rune(s)
	for i, r := range runes {
		switch {
		case r == ' ' || r == '-' || r == '.':
			if b.Len() > 0 && !strings.HasSuffix(b.String(), "_") {
				b.WriteByte('_')
			}
		case unicode.IsUpper(r):
			if i > 0 && b.Len() > 0 && !strings.HasSuffix(b.String(), "_") {
				prev := runes[i-1]
				nextLower := i+1 < len(runes) && unicode.IsLower(runes[i+1])
				if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower) {
					b.WriteByte('_')
				}
			}
			b.WriteRune(unicode.ToLower(r))
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// ValidIdentifier reports whether s is safe to use as a table or column name:
// lower-case ASCII letters, digits and underscores, starting with a letter or
// underscore, at most 64 bytes (MySQL's limit).
func ValidIdentifier(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r == '_':
		case r >= '0' && r <= '9':
			if i == 0 {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// JoinTableName is the name of the join table of a has_many relation.
func JoinTableName(subject, subjectName, object, objectName string) string {
	return subject + "_" + subjectName + joinInfix + object + "_" + objectName
}

// IsJoinTableName reports whether a table name is a join table's.
func IsJoinTableName(name string) bool { return strings.Contains(name, joinInfix) }

// IsAuditTableName reports whether a table name is an audit table's.
func IsAuditTableName(name string) bool { return strings.HasSuffix(name, auditSuffix) }
