package server

import (
	"errors"
	"net/http"
	"time"
)

// Timeouts bound how long one client may hold a connection of an HTTP
// listener (docs/security.md). Zero means the default.
type Timeouts struct {
	// Header is the time allowed to send the request headers.
	Header time.Duration
	// Read is the deadline for the whole request, headers and body, from
	// its first byte; a slow body cannot extend it.
	Read time.Duration
	// Write is the deadline for the response, from the end of the headers.
	Write time.Duration
	// Idle is how long a kept-alive connection may wait for its next request.
	Idle time.Duration
}

// DefaultTimeouts are generous for real clients (a 10 MB upload at 2 Mbit/s
// takes 40 s) and short enough that idle or trickling clients let go.
func DefaultTimeouts() Timeouts {
	return Timeouts{Header: 10 * time.Second, Read: 60 * time.Second, Write: 120 * time.Second, Idle: 120 * time.Second}
}

// withDefaults fills unset timeouts from DefaultTimeouts.
func (t Timeouts) withDefaults() Timeouts {
	d := DefaultTimeouts()
	for _, p := range []struct{ v, def *time.Duration }{{&t.Header, &d.Header}, {&t.Read, &d.Read}, {&t.Write, &d.Write}, {&t.Idle, &d.Idle}} {
		if *p.v <= 0 {
			*p.v = *p.def
		}
	}
	return t
}

// validate reports timeouts that cannot work together.
func (t Timeouts) validate() error {
	t = t.withDefaults()
	if t.Header > t.Read {
		return errors.New("http_header_timeout must not exceed http_read_timeout")
	}
	return nil
}

// applyTimeouts sets the timeouts on a listener's http.Server.
func applyTimeouts(srv *http.Server, t Timeouts) {
	t = t.withDefaults()
	srv.ReadHeaderTimeout = t.Header
	srv.ReadTimeout = t.Read
	srv.WriteTimeout = t.Write
	srv.IdleTimeout = t.Idle
}
