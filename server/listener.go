package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Listener is implemented by every socket owner: HTTP now, and HTTPS, IMAP,
// SMTP and FTP in later issues.
type Listener interface {
	Name() string
	Start(ctx context.Context) error // binds synchronously, serves in a goroutine
	Addr() net.Addr                  // the bound address (tests use port 0)
	Shutdown(ctx context.Context) error
}

// httpListener serves an http.Handler on one address.
type httpListener struct {
	name string
	addr string
	srv  *http.Server
	ln   net.Listener
	log  *slog.Logger
}

func newHTTPListener(name, addr string, h http.Handler, log *slog.Logger) *httpListener {
	return &httpListener{
		name: name,
		addr: addr,
		log:  log,
		srv: &http.Server{
			Handler:           h,
			ReadHeaderTimeout: 10 * time.Second,
			IdleTimeout:       120 * time.Second,
			ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		},
	}
}

func (l *httpListener) Name() string { return l.name }

func (l *httpListener) Start(ctx context.Context) error {
	ln, err := net.Listen("tcp", l.addr)
	if err != nil {
		return fmt.Errorf("%s listener cannot bind %s: %w", l.name, l.addr, err)
	}
	l.ln = ln
	go func() {
		if err := l.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			l.log.Error("listener stopped", "name", l.name, "err", err)
		}
	}()
	return nil
}

func (l *httpListener) Addr() net.Addr {
	if l.ln == nil {
		return nil
	}
	return l.ln.Addr()
}

func (l *httpListener) Shutdown(ctx context.Context) error { return l.srv.Shutdown(ctx) }
