package resource

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/apiary/apiary/auth"
)

// principalsOnly is a Sidecar that knows one user.
type principalsOnly struct {
	Sidecar
	user auth.Principal
}

func (f principalsOnly) PrincipalByEmail(_ context.Context, email string) (auth.Principal, error) {
	if email != f.user.Email {
		return auth.Principal{}, &Error{Kind: ErrNotFound, Title: "not found"}
	}
	return f.user, nil
}

func TestPrincipalFromClaims(t *testing.T) {
	t.Parallel()
	user := auth.Principal{Email: "ann@example.com", Name: "Ann", AuthVersion: 3}
	res := principalsOnly{user: user}
	cases := []struct {
		name   string
		claims auth.Claims
		want   auth.Principal
		err    error
	}{
		{"user token", auth.Claims{Email: user.Email, AuthVersion: 3, Scopes: []string{"read"}},
			auth.Principal{Email: user.Email, Name: "Ann", AuthVersion: 3, Scopes: []string{"read"}}, nil},
		{"service token", auth.Claims{ClientID: "cli", Name: "robot", Scopes: []string{"w"}},
			auth.Principal{Email: "service:cli", Name: "robot", Scopes: []string{"w"}}, nil},
		{"client id with a user is the user", auth.Claims{ClientID: "cli", Email: user.Email, AuthVersion: 3},
			auth.Principal{Email: user.Email, Name: "Ann", AuthVersion: 3}, nil},
		{"revoked", auth.Claims{Email: user.Email, AuthVersion: 2}, auth.Principal{}, ErrTokenRevoked},
		{"unknown user", auth.Claims{Email: "bob@example.com"}, auth.Principal{}, ErrTokenUser},
	}
	for _, c := range cases {
		got, err := PrincipalFromClaims(context.Background(), res, c.claims)
		if !errors.Is(err, c.err) || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: got %+v, %v; want %+v, %v", c.name, got, err, c.want, c.err)
		}
	}
}
