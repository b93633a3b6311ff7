package tokenapi

import (
	"errors"
	"github.com/apiary/apiary/resource"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
)

func TestParseRequest(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		name, ctype, body string
		basic             [2]string
		want              request
		status            int // 0: success
	}{
		{name: "json", ctype: "application/json",
			body: `{"grant_type":"client_credentials","client_id":"c","client_secret":"s","scopes":["access_db","GLOBAL_READ","ACCESS_DB"]}`,
			want: request{GrantType: "client_credentials", ClientID: "c", ClientSecret: "s", Scopes: []string{"ACCESS_DB", "GLOBAL_READ"}}},
		{name: "json scope string and claims", ctype: "application/json; charset=utf-8",
			body: `{"grant_type":"client_credentials","client_id":"c","client_secret":"s","scope":"ACCESS_DB,IMPERSONATE","claims":{"email":" a@b.c ","name":"A"}}`,
			want: request{GrantType: "client_credentials", ClientID: "c", ClientSecret: "s", Scopes: []string{"ACCESS_DB", "IMPERSONATE"}, Email: "a@b.c", Impersonate: true}},
		{name: "no content type is JSON", body: `{"grant_type":"client_credentials"}`,
			want: request{GrantType: "client_credentials"}},
		{name: "form", ctype: "application/x-www-form-urlencoded",
			body: "grant_type=client_credentials&client_id=c&client_secret=s&scope=ACCESS_DB+GLOBAL_READ&claims=%7B%22sub%22%3A%22u%22%7D",
			want: request{GrantType: "client_credentials", ClientID: "c", ClientSecret: "s", Scopes: []string{"ACCESS_DB", "GLOBAL_READ"}, Sub: "u", Impersonate: true}},
		{name: "basic auth", ctype: "application/json", body: `{"grant_type":"client_credentials"}`, basic: [2]string{"c", "s"},
			want: request{GrantType: "client_credentials", ClientID: "c", ClientSecret: "s"}},
		{name: "basic and body disagree", ctype: "application/json", body: `{"client_id":"x"}`, basic: [2]string{"c", "s"}, status: 400},
		{name: "bad json", ctype: "application/json", body: `{`, status: 400},
		{name: "bad scopes", ctype: "application/json", body: `{"scopes":7}`, status: 400},
		{name: "claims not an object", ctype: "application/json", body: `{"claims":"bob"}`, status: 400},
		{name: "claims without user", ctype: "application/json", body: `{"claims":{"name":"Bob"}}`, status: 400},
		{name: "unknown claim", ctype: "application/json", body: `{"claims":{"sub":"u","admin":true}}`, status: 400},
		{name: "xml", ctype: "application/xml", body: `<x/>`, status: 415},
		{name: "too large", ctype: "application/json", body: `{"client_id":"` + strings.Repeat("x", maxRequestBytes) + `"}`, status: 413},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest(http.MethodPost, "/token", strings.NewReader(sc.body))
			if sc.ctype != "" {
				r.Header.Set("Content-Type", sc.ctype)
			}
			if sc.basic[0] != "" {
				r.SetBasicAuth(sc.basic[0], sc.basic[1])
			}
			got, err := parseRequest(httptest.NewRecorder(), r)
			if sc.status != 0 {
				var te *tokenError
				if !errors.As(err, &te) || te.Status != sc.status {
					t.Fatalf("err = %v, want status %d", err, sc.status)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, sc.want) {
				t.Fatalf("parseRequest = %+v, %v; want %+v", got, err, sc.want)
			}
		})
	}
}

func TestChooseScopes(t *testing.T) {
	t.Parallel()
	granted := []string{"ACCESS_DB", "GLOBAL_READ", "CUSTOM"}
	scenarios := []struct {
		name    string
		req     request
		granted []string
		want    []string
		code    string
	}{
		{"all granted known scopes by default", request{}, granted, []string{"ACCESS_DB", "GLOBAL_READ"}, ""},
		{"subset", request{Scopes: []string{"GLOBAL_READ"}}, granted, []string{"GLOBAL_READ"}, ""},
		{"not granted", request{Scopes: []string{"GLOBAL_WRITE"}}, granted, nil, codeInvalidScope},
		{"unknown", request{Scopes: []string{"CUSTOM"}}, granted, nil, codeInvalidScope},
		{"nothing granted", request{}, []string{"CUSTOM"}, nil, codeInvalidScope},
		{"impersonation not granted", request{Impersonate: true}, granted, nil, codeUnauthorizedClient},
		{"impersonation granted", request{Impersonate: true, Scopes: []string{"ACCESS_DB"}}, []string{"ACCESS_DB", "IMPERSONATE"}, []string{"ACCESS_DB"}, ""},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			got, err := chooseScopes(sc.req, sc.granted)
			if sc.code != "" {
				var te *tokenError
				if !errors.As(err, &te) || te.Code != sc.code {
					t.Fatalf("err = %v, want %s", err, sc.code)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, sc.want) {
				t.Fatalf("chooseScopes = %v, %v; want %v", got, err, sc.want)
			}
		})
	}
}

func TestTruthy(t *testing.T) {
	t.Parallel()
	for v, want := range map[any]bool{int64(1): true, int64(0): false, true: true, false: false, "1": true, "true": true, "0": false, nil: false, 1.0: true} {
		if resource.Truthy(v) != want {
			t.Errorf("resource.Truthy(%#v) = %v", v, !want)
		}
	}
}
