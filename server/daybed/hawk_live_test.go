package daybed

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestHawkMiddlewareRefusals(t *testing.T) {
	srv := liveDaybed(t)
	c := newIdentityClient(t, srv)
	get := func(authz string) (int, string, string) {
		req, _ := http.NewRequest("GET", srv.URL+"/v1/models", nil)
		req.Header.Set("Authorization", authz)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b strings.Builder
		buf := make([]byte, 4096)
		n, _ := resp.Body.Read(buf)
		b.Write(buf[:n])
		return resp.StatusCode, resp.Header.Get("WWW-Authenticate"), b.String()
	}
	for _, h := range []string{
		`Hawk id="x"`,
		`Hawk id="` + c.creds.ID + `", ts="1", nonce="n", mac="bad"`,
		`Hawk id="` + c.creds.ID + `", ts="` + strings.Repeat("9", 5) + `", nonce="n", mac="bad", evil="1"`,
	} {
		code, challenge, body := get(h)
		if code != http.StatusUnauthorized || challenge != "Hawk" || !strings.Contains(body, "401 Unauthorized") {
			t.Errorf("%s: %d %q %s", h, code, challenge, body)
		}
	}
	// A Bearer header is not Hawk: the request goes on as a guest.
	if code, _, body := get("Bearer whatever"); code != http.StatusOK || !strings.Contains(body, `"models"`) {
		t.Errorf("bearer: %d %s", code, body)
	}
	// A signed request passes.
	if code, _, body := c.do(t, "GET", "/v1/models", ""); code != http.StatusOK {
		t.Errorf("signed: %d %s", code, body)
	}
}

func TestSignupClosedAndStaleClock(t *testing.T) {
	srv, _ := liveDaybedRes(t, func(d *Deps) { d.SignupOpen = func(context.Context) bool { return false } })
	code, ans, body := hawkClient{srv: srv}.do(t, "POST", "/v1/tokens", "")
	if code != http.StatusForbidden || ans["error"] != "403 Forbidden" {
		t.Errorf("closed signup: %d %s", code, body)
	}
	// A server whose clock is an hour ahead refuses fresh signatures as stale.
	srv2, _ := liveDaybedRes(t, func(d *Deps) { d.Now = func() time.Time { return time.Now().Add(time.Hour) } })
	c := newIdentityClient(t, srv2)
	if code, _, body := c.do(t, "GET", "/v1/models", ""); code != http.StatusUnauthorized || !strings.Contains(body, "stale") {
		t.Errorf("stale timestamp: %d %s", code, body)
	}
}
