package spam

import (
	"context"
	"net"
	"testing"
)

// fakeDNS answers from maps; a missing name is NXDOMAIN.
type fakeDNS struct {
	txt map[string][]string
	mx  map[string][]*net.MX
	ip  map[string][]string
}

func notFound(name string) error {
	return &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}

func (f fakeDNS) LookupTXT(_ context.Context, name string) ([]string, error) {
	if v, ok := f.txt[name]; ok {
		return v, nil
	}
	return nil, notFound(name)
}

func (f fakeDNS) LookupMX(_ context.Context, name string) ([]*net.MX, error) {
	if v, ok := f.mx[name]; ok {
		return v, nil
	}
	return nil, notFound(name)
}

func (f fakeDNS) LookupIPAddr(_ context.Context, host string) ([]net.IPAddr, error) {
	v, ok := f.ip[host]
	if !ok {
		return nil, notFound(host)
	}
	out := make([]net.IPAddr, len(v))
	for i, s := range v {
		out[i] = net.IPAddr{IP: net.ParseIP(s)}
	}
	return out, nil
}

func TestCheckSPF(t *testing.T) {
	dns := fakeDNS{
		txt: map[string][]string{
			"pass.test":     {"google-site-verification=x", "v=spf1 ip4:192.0.2.0/24 -all"},
			"soft.test":     {"v=spf1 ~all"},
			"neutral.test":  {"v=spf1 ?all"},
			"inc.test":      {"v=spf1 include:pass.test -all"},
			"mx.test":       {"v=spf1 mx -all"},
			"a.test":        {"v=spf1 a:host.a.test/24 -all"},
			"ip6.test":      {"v=spf1 ip6:2001:db8::/32 -all"},
			"redir.test":    {"v=spf1 redirect=pass.test"},
			"two.test":      {"v=spf1 -all", "v=spf1 +all"},
			"loop.test":     {"v=spf1 include:loop.test -all"},
			"badinc.test":   {"v=spf1 include:missing.test -all"},
			"norecord.test": {"hello"},
		},
		mx: map[string][]*net.MX{"mx.test": {{Host: "mail.mx.test.", Pref: 10}}},
		ip: map[string][]string{"mail.mx.test": {"198.51.100.7"}, "host.a.test": {"203.0.113.1"}},
	}
	cases := []struct {
		ip, domain string
		want       Result
	}{
		{"192.0.2.9", "pass.test", Pass},
		{"198.51.100.1", "pass.test", Fail},
		{"198.51.100.1", "soft.test", SoftFail},
		{"198.51.100.1", "neutral.test", Neutral},
		{"192.0.2.9", "inc.test", Pass},
		{"10.0.0.1", "inc.test", Fail},
		{"198.51.100.7", "mx.test", Pass},
		{"198.51.100.8", "mx.test", Fail},
		{"203.0.113.200", "a.test", Pass},
		{"203.0.114.1", "a.test", Fail},
		{"2001:db8::1", "ip6.test", Pass},
		{"192.0.2.9", "ip6.test", Fail},
		{"192.0.2.9", "redir.test", Pass},
		{"192.0.2.9", "two.test", PermError},
		{"192.0.2.9", "loop.test", PermError},
		{"192.0.2.9", "badinc.test", PermError},
		{"192.0.2.9", "norecord.test", None},
		{"192.0.2.9", "unknown.test", None},
	}
	for _, c := range cases {
		if got := CheckSPF(context.Background(), dns, net.ParseIP(c.ip), c.domain); got != c.want {
			t.Errorf("CheckSPF(%s, %s) = %s, want %s", c.ip, c.domain, got, c.want)
		}
	}
}

func TestInNet(t *testing.T) {
	cases := []struct {
		ip, addr, bits string
		want           bool
	}{
		{"192.0.2.1", "192.0.2.1", "", true},
		{"192.0.2.1", "192.0.2.2", "", false},
		{"192.0.2.1", "192.0.2.0", "24", true},
		{"192.0.2.1", "2001:db8::", "32", false},
		{"2001:db8::5", "2001:db8::", "32", true},
		{"192.0.2.1", "192.0.2.0", "33", false},
		{"192.0.2.1", "not-an-ip", "", false},
	}
	for _, c := range cases {
		if got := inNet(net.ParseIP(c.ip), c.addr, c.bits); got != c.want {
			t.Errorf("inNet(%s, %s/%s) = %v", c.ip, c.addr, c.bits, got)
		}
	}
}
