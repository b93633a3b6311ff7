package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

// Observed on a live Daptin instance (contract/observed/03-signin.txt and
// 09-config-graphql.txt): alice's signin token and the instance's secrets.
const (
	observedSecret = "01a20779-8af7-7dfa-a866-0668c2c15390"
	observedIssuer = "daptin-01a207"
	observedToken  = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJhdXRoX3ZlcnNpb24iOjEsImVtYWlsIjoiYWxpY2VAZXhhbXBsZS5jb20iLCJleHAiOjE3OTU2ODA5NjQsImlhdCI6MTc5NTQyMTc2NCwiaXNzIjoiZGFwdGluLTAxYTIwNyIsImp0aSI6IjAxYTIwNzc5LWZhMmMtNzRlNy05M2FmLThhOGQwZmU2MjZjMSIsIm5hbWUiOiJBbGljZSBBZG1pbiIsIm5iZiI6MTc5NTQyMTc2NCwic3ViIjoiMDFhMjA3NzktZDk2Yy03ZWVhLTgxNTgtMTFmNDBjOGZhOWE1In0.PF2M7G5HlERujnZZPF92DMTceSkYNk-eP8Bl7iTgEWs"
)

var observedNow = time.Unix(1795421764, 0)

func fixedClock(t time.Time) func() time.Time { return func() time.Time { return t } }

func testIssuer(now time.Time) *Issuer {
	return NewIssuer([]byte("test-secret"), "apiary-test", 72*time.Hour, fixedClock(now))
}

func TestObservedDaptinToken(t *testing.T) {
	t.Parallel()
	iss := NewIssuer([]byte(observedSecret), observedIssuer, 0, fixedClock(observedNow.Add(time.Hour)))
	c, err := iss.Verify(observedToken)
	if err != nil {
		t.Fatalf("Verify(observed) = %v", err)
	}
	if c.Email != "alice@example.com" || c.Name != "Alice Admin" || c.AuthVersion != 1 ||
		c.Subject != "01a20779-d96c-7eea-8158-11f40c8fa9a5" || c.ID != "01a20779-fa2c-74e7-93af-8a8d0fe626c1" ||
		!c.IssuedAt.Equal(observedNow) || !c.NotBefore.Equal(observedNow) ||
		!c.ExpiresAt.Equal(observedNow.Add(72*time.Hour)) || c.Issuer != observedIssuer {
		t.Errorf("claims = %+v", c)
	}
	// Signing the same claims gives Daptin's token byte for byte.
	tok, err := iss.Sign(c)
	if err != nil {
		t.Fatal(err)
	}
	if tok != observedToken {
		t.Errorf("Sign(observed claims) =\n%s\nwant\n%s", tok, observedToken)
	}
}

func TestIssueRoundTrip(t *testing.T) {
	t.Parallel()
	now := time.Unix(1795421764, 500_000_000)
	iss := testIssuer(now)
	tok, c, err := iss.Issue("bob@example.com", "Bob", "01a20779-dcf7-78c4-931a-2d55f754f508", 3)
	if err != nil {
		t.Fatal(err)
	}
	id, err := uuid.Parse(c.ID)
	if err != nil || id.Version() != 7 {
		t.Errorf("jti %q is not a UUIDv7", c.ID)
	}
	sec := now.Truncate(time.Second)
	if !c.IssuedAt.Equal(sec) || !c.NotBefore.Equal(sec) || !c.ExpiresAt.Equal(sec.Add(72*time.Hour)) {
		t.Errorf("times = %v %v %v", c.IssuedAt, c.NotBefore, c.ExpiresAt)
	}
	got, err := iss.Verify(tok)
	if err != nil {
		t.Fatalf("Verify = %v", err)
	}
	if !reflect.DeepEqual(got, c) {
		t.Errorf("Verify = %+v\nwant %+v", got, c)
	}

	// The payload has exactly Daptin's claims, keys sorted.
	parts := strings.Split(tok, ".")
	head, _ := base64.RawURLEncoding.DecodeString(parts[0])
	if string(head) != `{"alg":"HS256","typ":"JWT"}` {
		t.Errorf("header = %s", head)
	}
	body, _ := base64.RawURLEncoding.DecodeString(parts[1])
	want := `{"auth_version":3,"email":"bob@example.com","exp":1795680964,"iat":1795421764,"iss":"apiary-test","jti":"` +
		c.ID + `","name":"Bob","nbf":1795421764,"sub":"01a20779-dcf7-78c4-931a-2d55f754f508"}`
	if string(body) != want {
		t.Errorf("payload =\n%s\nwant\n%s", body, want)
	}

	// Two tokens never share a jti.
	_, c2, _ := iss.Issue("bob@example.com", "Bob", "x", 3)
	if c2.ID == c.ID {
		t.Error("jti reused")
	}
}

func TestSignPicture(t *testing.T) {
	t.Parallel()
	iss := testIssuer(observedNow)
	_, c, err := iss.Issue("a@example.com", "A", "ref", 1)
	if err != nil {
		t.Fatal(err)
	}
	c.Picture = "https://www.gravatar.com/avatar/" + MD5Hex("a@example.com")
	tok, err := iss.Sign(c)
	if err != nil {
		t.Fatal(err)
	}
	got, err := iss.Verify(tok)
	if err != nil || !reflect.DeepEqual(got, c) {
		t.Errorf("Verify = %+v, %v", got, err)
	}
}

// craft builds a token from a raw header and payload, signed with HMAC-SHA256
// under key (no signature when key is nil).
func craft(header, payload string, key []byte) string {
	enc := base64.RawURLEncoding
	s := enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString([]byte(payload))
	if key == nil {
		return s + "."
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(s))
	return s + "." + enc.EncodeToString(m.Sum(nil))
}

func payload(t *testing.T, over map[string]any) string {
	t.Helper()
	m := map[string]any{
		"auth_version": 1, "email": "a@example.com", "name": "A", "sub": "ref", "jti": "id",
		"iss": "apiary-test", "iat": observedNow.Unix(), "nbf": observedNow.Unix(),
		"exp": observedNow.Add(time.Hour).Unix(),
	}
	for k, v := range over {
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestVerifyRejects(t *testing.T) {
	t.Parallel()
	iss := testIssuer(observedNow)
	good, _, err := iss.Issue("a@example.com", "A", "ref", 1)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(good, ".")
	key := []byte("test-secret")
	hs := `{"alg":"HS256","typ":"JWT"}`
	tampered := payload(t, map[string]any{"email": "admin@example.com"})
	other, _, _ := NewIssuer([]byte("other-secret"), "apiary-test", time.Hour, fixedClock(observedNow)).
		Issue("a@example.com", "A", "ref", 1)

	scenarios := []struct {
		name  string
		token string
		want  error
	}{
		{"empty", "", ErrTokenMalformed},
		{"garbage", "not a token", ErrTokenMalformed},
		{"two dots garbage", "a.b.c", ErrTokenMalformed},
		{"four segments", good + ".x", ErrTokenMalformed},
		{"header not json", base64.RawURLEncoding.EncodeToString([]byte("{")) + "." + parts[1] + "." + parts[2], ErrTokenMalformed},
		{"payload not json", parts[0] + ".e30x." + parts[2], ErrTokenMalformed},
		{"signature not base64", parts[0] + "." + parts[1] + ".!!!", ErrTokenMalformed},
		{"tampered payload", parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(tampered)) + "." + parts[2], ErrTokenSignature},
		{"empty signature", parts[0] + "." + parts[1] + ".", ErrTokenSignature},
		{"wrong secret", other, ErrTokenSignature},
		{"alg none", craft(`{"alg":"none","typ":"JWT"}`, payload(t, nil), nil), ErrTokenAlgorithm},
		{"alg None", craft(`{"alg":"None","typ":"JWT"}`, payload(t, nil), nil), ErrTokenAlgorithm},
		{"alg missing", craft(`{"typ":"JWT"}`, payload(t, nil), key), ErrTokenAlgorithm},
		{"alg RS256", craft(`{"alg":"RS256","typ":"JWT"}`, payload(t, nil), key), ErrTokenAlgorithm},
		{"alg HS512", craft(`{"alg":"HS512","typ":"JWT"}`, payload(t, nil), key), ErrTokenAlgorithm},
		{"expired", craft(hs, payload(t, map[string]any{"exp": observedNow.Add(-31 * time.Second).Unix()}), key), ErrTokenExpired},
		{"no exp", craft(hs, payload(t, map[string]any{"exp": nil}), key), ErrTokenMalformed},
		{"nbf future", craft(hs, payload(t, map[string]any{"nbf": observedNow.Add(31 * time.Second).Unix()}), key), ErrTokenNotYetValid},
		{"iat future", craft(hs, payload(t, map[string]any{"iat": observedNow.Add(time.Minute).Unix()}), key), ErrTokenNotYetValid},
		{"wrong issuer", craft(hs, payload(t, map[string]any{"iss": "daptin-000000"}), key), ErrTokenIssuer},
		{"no issuer", craft(hs, payload(t, map[string]any{"iss": nil}), key), ErrTokenIssuer},
		{"auth_version not a number", craft(hs, payload(t, map[string]any{"auth_version": "1"}), key), ErrTokenMalformed},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			c, err := iss.Verify(s.token)
			if !errors.Is(err, s.want) {
				t.Errorf("Verify = %v, want %v", err, s.want)
			}
			if !reflect.DeepEqual(c, Claims{}) {
				t.Errorf("claims returned with an error: %+v", c)
			}
		})
	}
}

func TestVerifyLeewayAndMissingAuthVersion(t *testing.T) {
	t.Parallel()
	iss := testIssuer(observedNow)
	key := []byte("test-secret")
	hs := `{"alg":"HS256","typ":"JWT"}`
	for name, over := range map[string]map[string]any{
		"exp 29s ago":          {"exp": observedNow.Add(-29 * time.Second).Unix()},
		"nbf in 29s":           {"nbf": observedNow.Add(29 * time.Second).Unix()},
		"iat in 29s":           {"iat": observedNow.Add(29 * time.Second).Unix()},
		"no auth_version":      {"auth_version": nil},
		"no iat nor nbf":       {"iat": nil, "nbf": nil},
		"unknown extra claims": {"scope": "x", "aud": "y"},
	} {
		c, err := iss.Verify(craft(hs, payload(t, over), key))
		if err != nil {
			t.Errorf("%s: Verify = %v", name, err)
			continue
		}
		if _, gone := over["auth_version"]; gone && c.AuthVersion != 0 {
			t.Errorf("%s: AuthVersion = %d, want 0", name, c.AuthVersion)
		}
	}
}

func TestEmptySecret(t *testing.T) {
	t.Parallel()
	iss := NewIssuer(nil, "apiary-test", time.Hour, nil)
	if _, _, err := iss.Issue("a@example.com", "A", "ref", 1); err == nil {
		t.Error("Issue with an empty secret succeeded")
	}
	tok := craft(`{"alg":"HS256","typ":"JWT"}`, payload(t, nil), []byte{})
	if _, err := iss.Verify(tok); !errors.Is(err, ErrTokenSignature) {
		t.Errorf("Verify with an empty secret = %v", err)
	}
}

func TestTokenErrorMessages(t *testing.T) {
	t.Parallel()
	for err, want := range map[error]string{
		ErrTokenMalformed: "token malformed", ErrTokenSignature: "token signature invalid",
		ErrTokenExpired: "token expired", ErrTokenNotYetValid: "token not valid yet",
		ErrTokenIssuer: "token issuer invalid", ErrTokenAlgorithm: "token algorithm not allowed",
	} {
		if err.Error() != want {
			t.Errorf("%q, want %q", err.Error(), want)
		}
	}
}

func TestIssueForServiceToken(t *testing.T) {
	t.Parallel()
	now := time.Unix(1795421764, 250_000_000)
	iss := testIssuer(now)
	tok, c, err := iss.IssueFor(Claims{Name: "reports", Scopes: []string{"ACCESS_DB", "GLOBAL_READ"}, ClientID: "reports-client",
		ID: "ignored", IssuedAt: time.Unix(1, 0)}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	want := now.Truncate(time.Second)
	if !c.IssuedAt.Equal(want) || !c.NotBefore.Equal(want) || !c.ExpiresAt.Equal(want.Add(time.Hour)) ||
		c.ID == "ignored" || c.ID == "" || c.Issuer != "apiary-test" {
		t.Errorf("claims = %+v", c)
	}
	got, err := iss.Verify(tok)
	if err != nil || !reflect.DeepEqual(got, c) {
		t.Errorf("Verify = %+v, %v; want %+v", got, err, c)
	}
	// A service token names no user: no empty email, sub or auth_version.
	raw, err := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"email", "sub", "auth_version"} {
		if _, ok := m[k]; ok {
			t.Errorf("service token has claim %q: %s", k, raw)
		}
	}
	if m["client_id"] != "reports-client" || m["name"] != "reports" {
		t.Errorf("payload = %s", raw)
	}
}

func TestIssueForImpersonation(t *testing.T) {
	t.Parallel()
	iss := testIssuer(observedNow)
	tok, c, err := iss.IssueFor(Claims{Email: "bob@example.com", Name: "Bob", Subject: "ref", AuthVersion: 2,
		Scopes: []string{"ACCESS_DB"}, ClientID: "sync"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !c.ExpiresAt.Equal(observedNow.Add(72 * time.Hour)) {
		t.Errorf("life <= 0 must use the issuer's lifetime; exp = %v", c.ExpiresAt)
	}
	got, err := iss.Verify(tok)
	if err != nil || got.Email != "bob@example.com" || got.Subject != "ref" || got.AuthVersion != 2 ||
		!reflect.DeepEqual(got.Scopes, []string{"ACCESS_DB"}) || got.ClientID != "sync" {
		t.Errorf("Verify = %+v, %v", got, err)
	}
}

func TestIssueHasNoServiceClaims(t *testing.T) {
	t.Parallel()
	tok, _, err := testIssuer(observedNow).Issue("a@example.com", "A", "ref", 1)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[1])
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), "scopes") || strings.Contains(string(raw), "client_id") {
		t.Errorf("signin token carries service claims: %s", raw)
	}
}
