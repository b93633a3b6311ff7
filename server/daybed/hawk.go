package daybed

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"mime"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/hkdf"
)

// hawkKeyInfo is the HKDF info Daybed and requests-hawk derive credentials with.
const hawkKeyInfo = "identity.mozilla.com/picl/v1/sessionToken"

// hawkSkew is how far a Hawk timestamp may be from the server clock.
const hawkSkew = 60 * time.Second

// credentials are a Hawk id and key.
type credentials struct {
	ID        string `json:"id"`
	Key       string `json:"key"`
	Algorithm string `json:"algorithm"`
}

// deriveCredentials turns a hex session token into Hawk credentials: the
// 64 bytes of HKDF-SHA256(token, salt "", info hawkKeyInfo), id = the first
// 32 in hex, key = the last 32 in hex.
func deriveCredentials(tokenHex string) (credentials, error) {
	tok, err := hex.DecodeString(tokenHex)
	if err != nil {
		return credentials{}, err
	}
	out := make([]byte, 64)
	if _, err := io.ReadFull(hkdf.New(sha256.New, tok, nil, []byte(hawkKeyInfo)), out); err != nil {
		return credentials{}, err
	}
	return credentials{ID: hex.EncodeToString(out[:32]), Key: hex.EncodeToString(out[32:]), Algorithm: "sha256"}, nil
}

// hawkHeader is a parsed Authorization: Hawk header.
type hawkHeader struct {
	ID, TS, Nonce, MAC, Hash, Ext, App, Dlg string
}

// parseHawk reads the attributes of a Hawk Authorization header.
func parseHawk(h string) (hawkHeader, error) {
	scheme, rest, _ := strings.Cut(strings.TrimSpace(h), " ")
	if !strings.EqualFold(scheme, "Hawk") {
		return hawkHeader{}, errors.New("not a Hawk header")
	}
	var hh hawkHeader
	for rest = strings.TrimSpace(rest); rest != ""; rest = strings.TrimLeft(strings.TrimSpace(rest), ",") {
		rest = strings.TrimSpace(rest)
		name, after, ok := strings.Cut(rest, "=")
		if !ok || !strings.HasPrefix(after, `"`) {
			return hawkHeader{}, errors.New("malformed Hawk attribute")
		}
		end := strings.IndexByte(after[1:], '"')
		if end < 0 {
			return hawkHeader{}, errors.New("unterminated Hawk attribute")
		}
		val := after[1 : 1+end]
		rest = after[2+end:]
		switch strings.TrimSpace(name) {
		case "id":
			hh.ID = val
		case "ts":
			hh.TS = val
		case "nonce":
			hh.Nonce = val
		case "mac":
			hh.MAC = val
		case "hash":
			hh.Hash = val
		case "ext":
			hh.Ext = val
		case "app":
			hh.App = val
		case "dlg":
			hh.Dlg = val
		default:
			return hawkHeader{}, errors.New("unknown Hawk attribute " + name)
		}
	}
	if hh.ID == "" || hh.TS == "" || hh.Nonce == "" || hh.MAC == "" {
		return hawkHeader{}, errors.New("the Hawk header needs id, ts, nonce and mac")
	}
	return hh, nil
}

// hawkMAC computes the request MAC of the Hawk 1 header scheme.
func hawkMAC(key string, hh hawkHeader, method, resource, host, port string) string {
	var b strings.Builder
	for _, s := range []string{"hawk.1.header", hh.TS, hh.Nonce, strings.ToUpper(method), resource, strings.ToLower(host), port, hh.Hash, hh.Ext} {
		b.WriteString(s)
		b.WriteByte('\n')
	}
	if hh.App != "" {
		b.WriteString(hh.App + "\n" + hh.Dlg + "\n")
	}
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte(b.String()))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// payloadHash is the Hawk payload hash of a body.
func payloadHash(contentType string, body []byte) string {
	mt, _, _ := mime.ParseMediaType(contentType)
	h := sha256.New()
	h.Write([]byte("hawk.1.payload\n" + strings.ToLower(mt) + "\n"))
	h.Write(body)
	h.Write([]byte("\n"))
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// hostPort returns the host and port a Hawk client signed: the Host header
// with the scheme's default port.
func hostPort(r *http.Request) (string, string) {
	host, port, err := net.SplitHostPort(r.Host)
	if err != nil {
		host, port = r.Host, "80"
		if r.TLS != nil {
			port = "443"
		}
	}
	return host, port
}

// verifyHawk checks a Hawk request signed with key: the MAC, the payload
// hash when given, the clock skew and that the nonce is fresh.
func verifyHawk(hh hawkHeader, key string, r *http.Request, body []byte, now time.Time, nonces *nonceCache) error {
	host, port := hostPort(r)
	want := hawkMAC(key, hh, r.Method, r.URL.RequestURI(), host, port)
	if subtle.ConstantTimeCompare([]byte(want), []byte(hh.MAC)) != 1 {
		return errors.New("bad Hawk MAC")
	}
	if hh.Hash != "" && subtle.ConstantTimeCompare([]byte(payloadHash(r.Header.Get("Content-Type"), body)), []byte(hh.Hash)) != 1 {
		return errors.New("the Hawk payload hash does not match the body")
	}
	ts, err := strconv.ParseInt(hh.TS, 10, 64)
	if err != nil {
		return errors.New("the Hawk ts is not a number")
	}
	if d := now.Sub(time.Unix(ts, 0)); d > hawkSkew || d < -hawkSkew {
		return errors.New("stale Hawk timestamp")
	}
	if !nonces.fresh(hh.ID+"\x00"+hh.Nonce+"\x00"+hh.TS, now) {
		return errors.New("Hawk nonce already used (replay)")
	}
	return nil
}

// nonceCache remembers nonces seen within the skew window.
type nonceCache struct {
	mu   sync.Mutex
	seen map[string]time.Time
}

// fresh records key and reports whether it was not seen before.
func (c *nonceCache) fresh(key string, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.seen == nil {
		c.seen = map[string]time.Time{}
	}
	if len(c.seen) > 10000 {
		for k, t := range c.seen {
			if now.Sub(t) > 2*hawkSkew {
				delete(c.seen, k)
			}
		}
	}
	if _, ok := c.seen[key]; ok {
		return false
	}
	c.seen[key] = now
	return true
}
