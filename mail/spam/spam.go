package spam

import (
	"context"
	"io"
	"net"
	"strings"

	"github.com/emersion/go-msgauth/dkim"
)

// Resolver is the DNS the checks use (*net.Resolver implements it).
type Resolver interface {
	LookupTXT(ctx context.Context, name string) ([]string, error)
	LookupMX(ctx context.Context, name string) ([]*net.MX, error)
	LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error)
}

// Score weights.
const (
	DKIMFail     = 100
	DKIMError    = 50
	SPFFail      = 100
	SPFSoftFail  = 25
	maxDKIMSigns = 5
)

// Scorer implements smtpd.Scorer.
type Scorer struct {
	DNS Resolver
}

// Score rates one message from ip, whose client said helo and whose
// envelope sender is from.
func (s *Scorer) Score(ctx context.Context, ip net.IP, helo, from string, msg io.Reader) float64 {
	score := s.dkimScore(ctx, msg)
	domain := helo
	if i := strings.LastIndexByte(from, '@'); i >= 0 {
		domain = from[i+1:]
	}
	switch r := CheckSPF(ctx, s.DNS, ip, domain); r {
	case Fail:
		score += SPFFail
	case SoftFail:
		score += SPFSoftFail
	}
	return score
}

func (s *Scorer) dkimScore(ctx context.Context, msg io.Reader) float64 {
	vs, err := dkim.VerifyWithOptions(msg, &dkim.VerifyOptions{MaxVerifications: maxDKIMSigns,
		LookupTXT: func(name string) ([]string, error) { return s.DNS.LookupTXT(ctx, name) }})
	if err != nil {
		return DKIMError
	}
	score := 0.0
	for _, v := range vs {
		if v.Err != nil {
			score += DKIMFail
		}
	}
	return score
}
