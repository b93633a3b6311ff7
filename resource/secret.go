package resource

import (
	"context"
	"database/sql"
	"slices"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/schema"
)

// VerifySecret finds the one row of table whose columns equal the values
// in match, as the caller sees the table (table gate and row permissions
// apply), and checks plaintext against its hashed column (a password,
// bcrypt or md5-bcrypt column). It returns the row and true only when the
// secret matches. An unknown row, an empty hash and a wrong secret all cost
// one full bcrypt comparison and give (Row{}, false, nil), so callers can
// answer them alike without revealing which rows exist. match must be
// non-empty and should name unique columns; more than one matching row is
// treated as no match.
func (s *svc) VerifySecret(ctx context.Context, tableName, column string, match map[string]any, plaintext string) (Row, bool, error) {
	sc := s.Schema()
	t, err := table(sc, tableName)
	if err != nil {
		return Row{}, false, err
	}
	if _, err := s.checkTable(ctx, t, auth.OpPeek); err != nil {
		return Row{}, false, err
	}
	v := s.views.get(s.d, t)
	cv, ok := v.col(column)
	if !ok || !isBcryptKind(cv.secret) {
		return Row{}, false, &Error{Kind: ErrBadRequest, Title: "not a secret column", Detail: "column " + column + " of " + tableName + " holds no bcrypt hash"}
	}
	if len(match) == 0 {
		return Row{}, false, &Error{Kind: ErrBadRequest, Title: "no row condition", Detail: "VerifySecret needs at least one column to match"}
	}
	keys := make([]string, 0, len(match))
	for k := range match {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	conds := make([]Condition, len(keys))
	for i, k := range keys {
		conds[i] = Condition{Column: k, Operator: "is", Value: match[k]}
	}
	w := &where{d: s.d, v: v, s: s}
	if err := w.conditions(conds); err != nil {
		return Row{}, false, err
	}
	w.rowPredicate(auth.PrincipalFrom(ctx), auth.OpRead)
	d := s.d
	sqlText, args := finish(d, "SELECT "+baseAlias+"."+d.Quote(schema.ColID)+", "+baseAlias+"."+d.Quote(cv.col.ColumnName)+v.from+w.String()+d.LimitOffset(2, 0), w.args)
	id, hash, n, err := s.hashRows(ctx, sqlText, args)
	if err != nil {
		return Row{}, false, err
	}
	found := n == 1 && hash != ""
	if cv.secret == schema.SecretMD5Bcrypt {
		plaintext = auth.MD5Hex(plaintext)
	}
	if !auth.CheckPasswordOrDummy(hash, found, plaintext) || !found {
		return Row{}, false, nil
	}
	r, err := s.loadByID(ctx, t, id)
	if err != nil {
		return Row{}, false, err
	}
	return r, true, nil
}

// hashRows runs the lookup of VerifySecret and returns the id and hash of
// the first row and how many rows (at most two) matched.
func (s *svc) hashRows(ctx context.Context, sqlText string, args []any) (id int64, hash string, n int, err error) {
	rows, err := s.reader().QueryContext(ctx, s.d.Rebind(sqlText), args...)
	if err != nil {
		return 0, "", 0, s.d.MapError(err)
	}
	defer rows.Close()
	for rows.Next() {
		var rid int64
		var h sql.NullString
		if err := rows.Scan(&rid, &h); err != nil {
			return 0, "", 0, err
		}
		if n == 0 {
			id, hash = rid, h.String
		}
		n++
	}
	return id, hash, n, rows.Err()
}

// isBcryptKind reports whether a column of this kind stores a bcrypt hash.
func isBcryptKind(k schema.SecretKind) bool {
	return k == schema.SecretPassword || k == schema.SecretBcrypt || k == schema.SecretMD5Bcrypt
}
