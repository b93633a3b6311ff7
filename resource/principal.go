package resource

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/schema"
)

// GuestEmail is the email of the built-in guest account (seeded by
// resource/bootstrap).
const GuestEmail = "guest@cms.go"

// errBadCredentials is the one answer for an unknown email and a wrong
// password, so neither reveals which accounts exist.
var errBadCredentials = &Error{Kind: ErrUnauthenticated, Title: "Invalid username or password"}

// Authenticate checks an email and password. Unknown emails cost one
// bcrypt comparison too, so both failures take the same time.
func (s *svc) Authenticate(ctx context.Context, email, password string) (auth.Principal, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	d := s.d
	var hash sql.NullString
	q := "SELECT password FROM " + d.Quote(schema.TableUser) + " WHERE LOWER(email) = ?"
	err := s.reader().QueryRowxContext(ctx, d.Rebind(q), email).Scan(&hash)
	found := err == nil && hash.Valid && hash.String != ""
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return auth.Principal{}, d.MapError(err)
	}
	if !auth.CheckPasswordOrDummy(hash.String, found, password) || !found {
		return auth.Principal{}, errBadCredentials
	}
	return s.principal(ctx, email, false)
}

// PrincipalByEmail loads a user and their groups, cached for a few seconds
// and dropped as soon as users, groups or memberships change.
func (s *svc) PrincipalByEmail(ctx context.Context, email string) (auth.Principal, error) {
	return s.principal(ctx, strings.ToLower(strings.TrimSpace(email)), true)
}

func (s *svc) principal(ctx context.Context, email string, useCache bool) (auth.Principal, error) {
	now := s.now()
	if useCache && s.tx == nil {
		if p, ok := s.cache.principal(email, now); ok {
			return p, nil
		}
	}
	d := s.d
	var p auth.Principal
	var ref []byte
	var name sql.NullString
	var authVersion sql.NullInt64
	var deactivated any
	q := "SELECT " + d.Quote(schema.ColID) + ", " + d.Quote(schema.ColReferenceID) + ", name, email, auth_version, deactivated FROM " + d.Quote(schema.TableUser) + " WHERE LOWER(email) = ?"
	err := s.reader().QueryRowxContext(ctx, d.Rebind(q), email).Scan(&p.UserID, &ref, &name, &p.Email, &authVersion, &deactivated)
	if errors.Is(err, sql.ErrNoRows) {
		return auth.Principal{}, &Error{Kind: ErrUnauthenticated, Title: "unknown user"}
	}
	if err != nil {
		return auth.Principal{}, d.MapError(err)
	}
	if deactivated != nil {
		// A deactivated account (Dexie /users) signs in and uses tokens no more.
		return auth.Principal{}, &Error{Kind: ErrUnauthenticated, Title: "account deactivated"}
	}
	p.UserRef, p.Name, p.AuthVersion = refString(ref), name.String, authVersion.Int64
	groups, err := s.userGroups(ctx, p.UserID)
	if err != nil {
		return auth.Principal{}, err
	}
	p.Groups = groups
	for _, g := range groups {
		if g.Name == schema.GroupAdmins {
			p.Admin = true
		}
	}
	if s.tx == nil {
		s.cache.storePrincipal(email, p, now)
	}
	return p, nil
}

func (s *svc) userGroups(ctx context.Context, userID int64) ([]auth.Group, error) {
	d := s.d
	q := "SELECT g." + d.Quote(schema.ColID) + ", g." + d.Quote(schema.ColReferenceID) + ", g.name FROM " + d.Quote(schema.TableMembership) + " m JOIN " +
		d.Quote(schema.TableUsergroup) + " g ON g." + d.Quote(schema.ColID) + " = m." + d.Quote(schema.ColUsergroup) + " WHERE m." + d.Quote(schema.ColOwner) + " = ?"
	rows, err := s.reader().QueryContext(ctx, d.Rebind(q), userID)
	if err != nil {
		return nil, d.MapError(err)
	}
	defer rows.Close()
	var out []auth.Group
	for rows.Next() {
		var g auth.Group
		var ref []byte
		if err := rows.Scan(&g.ID, &ref, &g.Name); err != nil {
			return nil, err
		}
		g.Ref = refString(ref)
		out = append(out, g)
	}
	return out, rows.Err()
}
