package dexie

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/schema"
)

// user_account columns behind the Dexie user model.
const (
	colUserType     = "user_type"
	colValidUntil   = "valid_until"
	colEvalDaysLeft = "eval_days_left"
	colLastLogin    = "last_login"
	colUserData     = "user_data"
	colDeactivated  = "deactivated"
)

// maxUsers is the largest /users page (and the default).
const maxUsers = 1000

// evalDays is the evaluation period Dexie reports for eval users.
const evalDays = 30

// sortColumns maps the sort= keys onto user_account columns.
var sortColumns = map[string]string{
	"created": schema.ColCreatedAt, "validUntil": colValidUntil, "updated": schema.ColUpdatedAt, "evalDaysLeft": colEvalDaysLeft,
	"lastLogin": colLastLogin, "userId": "email", "type": colUserType, "displayName": "name",
}

// userTypes are the values of type.
var userTypes = []string{"eval", "prod", "demo"}

// users wraps a /users handler: a token is required; the handlers check
// the scopes they need.
func (d Deps) users(fn func(c *call) error) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		p := auth.PrincipalFrom(r.Context())
		if p.IsGuest() && len(p.Scopes) == 0 {
			writeError(w, r, d.Log, &apiError{http.StatusUnauthorized, codeUnauthorized, "a Bearer token from POST /token is required"})
			return
		}
		c := &call{w: w, r: r, ctx: r.Context(), p: p, res: d.Res()}
		if err := fn(c); err != nil {
			writeError(w, r, d.Log, err)
		}
	}
}

// needScopes refuses a caller lacking ACCESS_DB or scope.
func needScopes(p auth.Principal, scope string) error {
	if !p.HasScope(ScopeAccessDB) || !p.HasScope(scope) {
		return forbidden("this needs the ACCESS_DB and " + scope + " scopes")
	}
	return nil
}

// userJSON turns a user_account row into Dexie's DBUserJsonModel.
func userJSON(row resource.Row) map[string]any {
	a := row.Attrs
	typ, _ := a[colUserType].(string)
	if typ == "" {
		typ = "prod"
	}
	out := map[string]any{"userId": a["email"], "created": isoTime(a[schema.ColCreatedAt]), "updated": isoTime(a[schema.ColUpdatedAt]),
		"lastLogin": isoTime(a[colLastLogin]), "type": typ, "deactivated": isoTime(a[colDeactivated]), "data": jsonValue(a[colUserData])}
	if v := isoTime(a[colValidUntil]); v != nil {
		out["validUntil"] = v
	}
	if v, ok := a[colEvalDaysLeft]; ok && v != nil {
		out["evalDaysLeft"] = v
	}
	if typ == "eval" {
		out["maxAllowedEvalDaysLeft"] = evalDays
	}
	return out
}

// isoTime shows a time attribute as an ISO 8601 UTC string, nil when unset.
func isoTime(v any) any {
	switch t := v.(type) {
	case time.Time:
		return t.UTC().Format("2006-01-02T15:04:05.000Z")
	case string:
		if t == "" {
			return nil
		}
		if tt, err := time.Parse(time.RFC3339Nano, t); err == nil {
			return tt.UTC().Format("2006-01-02T15:04:05.000Z")
		}
		return t
	}
	return nil
}

// jsonValue decodes a JSON column value.
func jsonValue(v any) any {
	s, ok := v.(string)
	if !ok {
		return v
	}
	var out any
	if s == "" || json.Unmarshal([]byte(s), &out) != nil {
		return nil
	}
	return out
}

// allUsers loads every user the caller may read, but the guest seed user.
func allUsers(ctx context.Context, res resource.Service) ([]resource.Row, error) {
	var out []resource.Row
	for n := 1; ; n++ {
		page, err := res.List(ctx, schema.TableUser, resource.Query{PageNumber: n, PageSize: resource.MaxPageSize})
		if err != nil {
			return nil, err
		}
		for _, r := range page.Rows {
			if r.Attrs["email"] != resource.GuestEmail { // the built-in guest pseudo-user
				out = append(out, r)
			}
		}
		if len(page.Rows) < resource.MaxPageSize {
			return out, nil
		}
	}
}

// getUser answers GET /users/{userId}: the caller itself, or anyone with
// GLOBAL_READ.
func (d Deps) getUser(c *call) error {
	id, err := pathParam(c.r, "user")
	if err != nil {
		return err
	}
	row, ok, err := findUser(systemCtx(c.ctx), c.res, id)
	if err != nil {
		return err
	}
	if !ok || row.RefID != c.p.UserRef {
		if err := needScopes(c.p, ScopeGlobalRead); err != nil {
			return err
		}
	}
	if !ok {
		return notFound("no user " + id)
	}
	writeJSON(c.w, http.StatusOK, userJSON(row))
	return nil
}

// randomPassword is the password of users created through /users: they
// sign in another way (OTP, tokens), never with it.
func randomPassword() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// encodePagingKey and decodePagingKey turn the last (sort value, userId)
// of a page into the opaque pagingKey and back.
func encodePagingKey(v any, userID string) string {
	b, _ := json.Marshal([]any{v, userID})
	return base64.StdEncoding.EncodeToString(b)
}

func decodePagingKey(s string) (any, string, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	var pair []any
	if err != nil || json.Unmarshal(b, &pair) != nil || len(pair) != 2 {
		return nil, "", badRequest("pagingKey is not a key this server gave out")
	}
	id, ok := pair[1].(string)
	if !ok {
		return nil, "", badRequest("pagingKey is not a key this server gave out")
	}
	return pair[0], id, nil
}

// parseLimit reads limit=N (1..1000, default 1000).
func parseLimit(s string) (int, error) {
	if s == "" {
		return maxUsers, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > maxUsers {
		return 0, badRequest(fmt.Sprintf("limit must be a number from 1 to %d", maxUsers))
	}
	return n, nil
}

// parseBool reads true/false query values ("" counts as true for desc).
func parseBool(name, s string) (bool, error) {
	switch strings.ToLower(s) {
	case "", "true", "1":
		return true, nil
	case "false", "0":
		return false, nil
	}
	return false, badRequest(name + " must be true or false")
}

// hasUnknown returns the first key of m not in allowed.
func hasUnknown(m map[string]any, allowed ...string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !slices.Contains(allowed, k) {
			return k
		}
	}
	return ""
}
