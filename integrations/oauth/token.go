package oauth

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/apiary/apiary/resource"
)

// refreshMargin is how long before expiry a token is refreshed.
const refreshMargin = 2 * time.Minute

// AccessToken returns the access token of an oauth_token row the caller
// may read, refreshed first when it expires within refreshMargin.
func (c *Client) AccessToken(ctx context.Context, tokenRef string) (string, error) {
	row, err := c.o.Res().Get(ctx, TokenTable, tokenRef, resource.Query{})
	if err != nil {
		return "", err
	}
	return c.fresh(ctx, row)
}

func (c *Client) fresh(ctx context.Context, row resource.Row) (string, error) {
	s := func(k string) string { v, _ := row.Attrs[k].(string); return v }
	access, err := c.open(s("access_token"))
	if err != nil {
		return "", err
	}
	exp, _ := strconv.ParseInt(fmt.Sprint(row.Attrs["expires_in"]), 10, 64)
	refresh, err := c.open(s("refresh_token"))
	if err != nil || exp == 0 || refresh == "" || time.Unix(exp, 0).After(c.o.Now().Add(refreshMargin)) {
		return access, err
	}
	cn, err := c.loadConnect(ctx, s("oauth_connect_id"))
	if err != nil {
		return "", err
	}
	ans, err := c.token(ctx, cn, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}})
	if err != nil {
		return "", err
	}
	attrs := map[string]any{"access_token": ans.AccessToken, "expires_in": c.expiry(ans)}
	if ans.RefreshToken != "" {
		attrs["refresh_token"] = ans.RefreshToken
	}
	if ans.TokenType != "" {
		attrs["token_type"] = ans.TokenType
	}
	if _, err := c.o.Res().Update(system(ctx), TokenTable, row.RefID, resource.Input{Attributes: attrs}); err != nil {
		return "", err
	}
	return ans.AccessToken, nil
}

// RefreshDue refreshes every token that expires within refreshMargin and
// has a refresh token; it returns how many were refreshed and the first
// error.
func (c *Client) RefreshDue(ctx context.Context) (int, error) {
	limit := c.o.Now().Add(refreshMargin).Unix()
	p, err := c.o.Res().List(system(ctx), TokenTable, resource.Query{PageSize: resource.MaxPageSize, Conditions: []resource.Condition{
		{Column: "expires_in", Operator: "lt", Value: limit}, {Column: "expires_in", Operator: "gt", Value: 0}}})
	if err != nil {
		return 0, err
	}
	n := 0
	var first error
	for _, row := range p.Rows {
		if r, _ := row.Attrs["refresh_token"].(string); r == "" {
			continue
		}
		if _, err := c.fresh(system(ctx), row); err != nil {
			if first == nil {
				first = err
			}
			continue
		}
		n++
	}
	return n, first
}
