package mail

import (
	"context"
	"strconv"
	"strings"
	"time"
)

// duration reads a _config duration: a Go duration ("90s", "31m") or a
// number of seconds; unset, unparsable or not positive gives def.
func (s *Service) duration(ctx context.Context, key string, def time.Duration) time.Duration {
	return parseDuration(s.o.Config(ctx, key), def)
}

func parseDuration(v string, def time.Duration) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return def
	}
	if n, err := strconv.ParseFloat(v, 64); err == nil {
		if n <= 0 {
			return def
		}
		return time.Duration(n * float64(time.Second))
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return def
	}
	return d
}

// number reads a positive _config integer; anything else gives def.
func (s *Service) number(ctx context.Context, key string, def int64) int64 {
	return parseNumber(s.o.Config(ctx, key), def)
}

func parseNumber(v string, def int64) int64 {
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || n <= 0 {
		return def
	}
	return n
}
