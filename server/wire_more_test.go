package server

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/apiary/apiary/actions"
	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
)

func TestHTTPListenerLifecycle(t *testing.T) {
	t.Parallel()
	l := newHTTPListener("unit", "127.0.0.1:0", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "hello")
	}), quietLog())
	if l.Name() != "unit" || l.Addr() != nil {
		t.Fatalf("before start: %q %v", l.Name(), l.Addr())
	}
	if err := l.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get("http://" + l.Addr().String() + "/")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "hello" {
		t.Errorf("body %q", b)
	}
	// A second listener on the same address fails with its name in the error.
	busy := newHTTPListener("second", l.Addr().String(), http.NotFoundHandler(), quietLog())
	if err := busy.Start(context.Background()); err == nil || !strings.Contains(err.Error(), "second listener cannot bind") {
		t.Errorf("busy address: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := l.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if c, err := net.DialTimeout("tcp", l.Addr().String(), time.Second); err == nil {
		c.Close()
		t.Error("listener still accepts after Shutdown")
	}
}

func TestRateLimitFollowsConfig(t *testing.T) {
	s := unitServer(t, nil)
	ctx := context.Background()
	if err := s.ConfigStore().Set(ctx, resource.ConfigBackend, "limit.rate", `{"version":"1","limits":{"/actions":2}}`); err != nil {
		t.Fatal(err)
	}
	s.ReloadConfig(ctx)
	codes := map[int]int{}
	for range 6 {
		codes[serve(s, "GET", "/actions", "", nil).Code]++
	}
	if codes[http.StatusTooManyRequests] == 0 || codes[http.StatusOK] == 0 {
		t.Errorf("status counts of /actions with a limit of 2/s: %v", codes)
	}
	// /ping is exempt from every limit.
	if w := serve(s, "GET", "/ping", "", nil); w.Code != http.StatusOK {
		t.Errorf("/ping limited: %d", w.Code)
	}
}

func TestACMEKeysRoundTrip(t *testing.T) {
	s := unitServer(t, nil)
	ctx := context.Background()
	k := acmeKeys{s: s}
	if v, err := k.Load(ctx, "ops@example.com"); err != nil || v != "" {
		t.Fatalf("no key yet: %q %v", v, err)
	}
	const pem = "-----BEGIN EC PRIVATE KEY-----\nabc\n-----END EC PRIVATE KEY-----\n"
	if err := k.Save(ctx, "ops@example.com", pem); err != nil {
		t.Fatal(err)
	}
	stored, err := s.ConfigStore().Get(ctx, resource.ConfigBackend, "encryption.private_key.ops@example.com")
	if err != nil || stored == "" {
		t.Fatalf("stored: %q %v", stored, err)
	}
	if s.integ().secret != "" && strings.Contains(stored, "PRIVATE KEY") {
		t.Error("the account key is stored in clear text although a secret exists")
	}
	if v, err := k.Load(ctx, "ops@example.com"); err != nil || v != pem {
		t.Errorf("loaded %q, %v", v, err)
	}
	if s.acmeIssuer() == nil {
		t.Error("no ACME issuer")
	}
}

func TestIntegrationActionFallsThrough(t *testing.T) {
	s := unitServer(t, nil)
	w := serve(s, "POST", "/action/integration/no_such_operation", "", strings.NewReader(`{}`))
	if w.Code != http.StatusNotFound || !strings.Contains(w.Body.String(), "no_such_operation") {
		t.Errorf("unknown operation: %d %s", w.Code, w.Body)
	}
	if w := serve(s, "GET", "/api/status", "", nil); w.Code == http.StatusOK && !strings.Contains(w.Body.String(), "scheduler") {
		t.Errorf("/api/status lacks the scheduler section: %s", w.Body)
	}
}

func TestDAVSwitchFollowsConfig(t *testing.T) {
	s := unitServer(t, nil)
	ctx := context.Background()
	if w := serve(s, "PROPFIND", "/caldav/", "", nil); w.Code != http.StatusNotFound {
		t.Errorf("caldav while off: %d", w.Code)
	}
	if err := s.ConfigStore().Set(ctx, resource.ConfigBackend, "caldav.enable", "true"); err != nil {
		t.Fatal(err)
	}
	s.ReloadConfig(ctx)
	if !s.davOn.Load() {
		t.Fatal("caldav.enable=true did not switch DAV on")
	}
	if w := serve(s, "PROPFIND", "/caldav/", "", nil); w.Code == http.StatusNotFound || w.Code == http.StatusMethodNotAllowed {
		t.Errorf("caldav while on: %d %s", w.Code, w.Body)
	}
	s.reloadDAV(map[string]string{})
	if s.davOn.Load() {
		t.Error("DAV stays on without the key")
	}
	s.cfg.CalDAV = true
	s.reloadDAV(map[string]string{})
	if !s.davOn.Load() {
		t.Error("-caldav_enable does not keep DAV on")
	}
}

func TestHTTPSListenerFollowsConfig(t *testing.T) {
	s := unitServer(t, nil)
	ctx := context.Background()
	if ls := s.httpsListeners(ctx); len(ls) != 0 {
		t.Errorf("https listener without enable_https: %v", ls)
	}
	if err := s.ConfigStore().Set(ctx, resource.ConfigBackend, "enable_https", "true"); err != nil {
		t.Fatal(err)
	}
	ls := s.httpsListeners(ctx)
	if len(ls) != 1 || ls[0].Name() != "https" {
		t.Fatalf("https listeners: %v", ls)
	}
	if s.certManager() != s.certManager() {
		t.Error("a second certificate manager was built")
	}
}

func TestCertificateDownloads(t *testing.T) {
	s := unitServer(t, nil)
	ctx := auth.WithPrincipal(context.Background(), auth.System())
	row, err := s.Resource().Create(ctx, "certificate", resource.Input{Attributes: map[string]any{"hostname": "example.test"}})
	if err != nil {
		t.Fatalf("certificate row: %v", err)
	}
	_, err = s.exec.Execute(ctx, "certificate", "download_certificate", map[string]any{"certificate_id": row.RefID})
	var ae *actions.Error
	if !errors.As(err, &ae) || ae.Status != http.StatusNotFound {
		t.Errorf("download before generation: %v", err)
	}
	if _, err := s.exec.Execute(ctx, "certificate", "generate_self_certificate", map[string]any{"certificate_id": row.RefID}); err != nil {
		t.Fatalf("generate: %v", err)
	}
	out, err := s.exec.Execute(ctx, "certificate", "download_certificate", map[string]any{"certificate_id": row.RefID})
	if err != nil || len(out) != 1 {
		t.Fatalf("download: %v %v", out, err)
	}
	a := out[0].Attributes.(map[string]any)
	pem, _ := base64.StdEncoding.DecodeString(a["content"].(string))
	if a["name"] != "example.test.pem.crt" || !strings.Contains(string(pem), "BEGIN CERTIFICATE") {
		t.Errorf("certificate download: %v %.40s", a["name"], pem)
	}
}
