package spam

import (
	"context"
	"errors"
	"net"
	"strconv"
	"strings"
)

// Result is an SPF result (RFC 7208 §2.6).
type Result string

// SPF results.
const (
	None      Result = "none"
	Neutral   Result = "neutral"
	Pass      Result = "pass"
	Fail      Result = "fail"
	SoftFail  Result = "softfail"
	TempError Result = "temperror"
	PermError Result = "permerror"
)

// maxLookups bounds the DNS-querying terms of one check (RFC 7208 §4.6.4).
const maxLookups = 10

// CheckSPF evaluates the SPF record of domain for a client at ip. It
// supports all, ip4, ip6, a, mx, include, exists and redirect; ptr and
// macros are treated as not matching.
func CheckSPF(ctx context.Context, dns Resolver, ip net.IP, domain string) Result {
	if ip == nil || domain == "" || dns == nil {
		return None
	}
	c := &spfCheck{ctx: ctx, dns: dns, ip: ip}
	return c.check(strings.ToLower(strings.TrimSuffix(domain, ".")), 0)
}

type spfCheck struct {
	ctx     context.Context
	dns     Resolver
	ip      net.IP
	lookups int
}

func (c *spfCheck) record(domain string) (string, Result) {
	txts, err := c.dns.LookupTXT(c.ctx, domain)
	var dnsErr *net.DNSError
	if err != nil {
		if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
			return "", None
		}
		return "", TempError
	}
	found := ""
	for _, t := range txts {
		if t == "v=spf1" || strings.HasPrefix(strings.ToLower(t), "v=spf1 ") {
			if found != "" {
				return "", PermError
			}
			found = t
		}
	}
	if found == "" {
		return "", None
	}
	return found, ""
}

func (c *spfCheck) check(domain string, depth int) Result {
	if depth > maxLookups {
		return PermError
	}
	rec, res := c.record(domain)
	if res != "" {
		return res
	}
	redirect := ""
	for _, term := range strings.Fields(rec)[1:] {
		if k, v, ok := strings.Cut(term, "="); ok && !strings.Contains(k, ":") {
			if strings.EqualFold(k, "redirect") {
				redirect = v
			}
			continue
		}
		q := Pass
		switch term[0] {
		case '+':
			term = term[1:]
		case '-':
			q, term = Fail, term[1:]
		case '~':
			q, term = SoftFail, term[1:]
		case '?':
			q, term = Neutral, term[1:]
		}
		match, err := c.mechanism(term, domain, depth)
		if err != "" {
			return err
		}
		if match {
			return q
		}
	}
	if redirect != "" {
		if c.lookups++; c.lookups > maxLookups {
			return PermError
		}
		r := c.check(strings.ToLower(redirect), depth+1)
		if r == None {
			return PermError
		}
		return r
	}
	return Neutral
}

// mechanism reports whether one mechanism matches; a non-empty Result is
// an error that ends the check.
func (c *spfCheck) mechanism(term, domain string, depth int) (bool, Result) {
	name, arg, _ := strings.Cut(term, ":")
	name, cidr, _ := strings.Cut(strings.ToLower(name), "/")
	if i := strings.IndexByte(arg, '/'); i >= 0 {
		arg, cidr = arg[:i], arg[i+1:]
	}
	if arg == "" {
		arg = domain
	}
	switch name {
	case "all":
		return true, ""
	case "ip4", "ip6":
		return inNet(c.ip, arg, cidr), ""
	}
	if c.lookups++; c.lookups > maxLookups {
		return false, PermError
	}
	switch name {
	case "a":
		return c.hostMatch(arg, cidr)
	case "mx":
		mxs, err := c.dns.LookupMX(c.ctx, arg)
		if err != nil {
			return false, ""
		}
		for _, mx := range mxs {
			if ok, _ := c.hostMatch(strings.TrimSuffix(mx.Host, "."), cidr); ok {
				return true, ""
			}
		}
		return false, ""
	case "include":
		switch r := c.check(strings.ToLower(arg), depth+1); r {
		case Pass:
			return true, ""
		case TempError, PermError:
			return false, r
		case None:
			return false, PermError
		}
		return false, ""
	case "exists":
		addrs, err := c.dns.LookupIPAddr(c.ctx, arg)
		return err == nil && len(addrs) > 0, ""
	}
	return false, ""
}

func (c *spfCheck) hostMatch(host, cidr string) (bool, Result) {
	addrs, err := c.dns.LookupIPAddr(c.ctx, host)
	if err != nil {
		return false, ""
	}
	for _, a := range addrs {
		if inNet(c.ip, a.IP.String(), cidr) {
			return true, ""
		}
	}
	return false, ""
}

// inNet reports whether ip is in addr/bits (bits "" = the whole address).
func inNet(ip net.IP, addr, bits string) bool {
	n := net.ParseIP(addr)
	if n == nil {
		return false
	}
	size := 128
	if n4 := n.To4(); n4 != nil {
		n, size = n4, 32
		if ip = ip.To4(); ip == nil {
			return false
		}
	} else if ip.To4() != nil {
		return false
	}
	ones := size
	if bits != "" {
		b, err := strconv.Atoi(bits)
		if err != nil || b < 0 || b > size {
			return false
		}
		ones = b
	}
	mask := net.CIDRMask(ones, size)
	return n.Mask(mask).Equal(ip.Mask(mask))
}
