package dialects

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/hkdf"

	"github.com/apiary/apiary/test/testserver"
)

// hawkCreds are Hawk credentials from /v1/tokens.
type hawkCreds struct{ id, key string }

// credsFromToken derives Hawk credentials from a Daybed token the way
// requests-hawk does (HKDF-SHA256, info identity.mozilla.com/picl/v1/sessionToken).
func credsFromToken(t testing.TB, tok string) hawkCreds {
	t.Helper()
	raw, err := hex.DecodeString(tok)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]byte, 64)
	if _, err := io.ReadFull(hkdf.New(sha256.New, raw, nil, []byte("identity.mozilla.com/picl/v1/sessionToken")), out); err != nil {
		t.Fatal(err)
	}
	return hawkCreds{id: hex.EncodeToString(out[:32]), key: hex.EncodeToString(out[32:])}
}

// hawkAuth builds an Authorization: Hawk header (with a payload hash when
// body is not nil) for a request at ts.
func hawkAuth(c hawkCreds, method, rawURL string, body []byte, ctype string, ts time.Time, nonce string) string {
	u, _ := url.Parse(rawURL)
	port := u.Port()
	hash := ""
	if body != nil {
		h := sha256.New()
		fmt.Fprintf(h, "hawk.1.payload\n%s\n", ctype)
		h.Write(body)
		h.Write([]byte("\n"))
		hash = base64.StdEncoding.EncodeToString(h.Sum(nil))
	}
	norm := strings.Join([]string{"hawk.1.header", fmt.Sprint(ts.Unix()), nonce, method, u.RequestURI(), u.Hostname(), port, hash, ""}, "\n") + "\n"
	m := hmac.New(sha256.New, []byte(c.key))
	m.Write([]byte(norm))
	mac := base64.StdEncoding.EncodeToString(m.Sum(nil))
	h := fmt.Sprintf(`Hawk id="%s", ts="%d", nonce="%s", mac="%s"`, c.id, ts.Unix(), nonce, mac)
	if hash != "" {
		h += fmt.Sprintf(`, hash="%s"`, hash)
	}
	return h
}

func randomNonce() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// hawkDo sends a Hawk-signed JSON request; authz overrides the header when
// not empty (for replays and forgeries).
func hawkDo(t *testing.T, s *testserver.Server, c *hawkCreds, method, path string, body any, hdr map[string]string) testserver.Response {
	t.Helper()
	var raw []byte
	switch b := body.(type) {
	case nil:
	case string:
		raw = []byte(b)
	default:
		raw = mustJSON(t, b)
	}
	req, err := http.NewRequest(method, s.URL+path, bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if raw != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c != nil {
		var payload []byte
		if raw != nil {
			payload = raw
		}
		req.Header.Set("Authorization", hawkAuth(*c, method, s.URL+path, payload, "application/json", time.Now(), randomNonce()))
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := s.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return testserver.Response{Status: resp.StatusCode, Header: resp.Header, Body: data}
}
