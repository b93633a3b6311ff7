// Command apiary runs the Apiary server: a JSON:API backend generated from
// schema files, wire-compatible with Daptin.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/apiary/apiary/server"
)

func main() {
	os.Exit(run(os.Args[1:], os.LookupEnv, os.Stderr))
}

// run is the whole command: it stops on SIGINT or SIGTERM.
func run(args []string, lookupEnv func(string) (string, bool), stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return runContext(ctx, args, lookupEnv, stderr)
}

// runContext parses the configuration, builds the server and serves until
// ctx ends. It returns the exit code: 0 on a clean stop or -help, 2 for a
// bad configuration, 1 when the server cannot start. Every failure is one
// line on stderr.
func runContext(ctx context.Context, args []string, lookupEnv func(string) (string, bool), stderr io.Writer) int {
	cfg, err := parseConfig(args, lookupEnv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "apiary:", oneLine(err))
		return 2
	}
	tuneGC(lookupEnv, cfg.HTTP.ReadCacheMB).apply()
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level(cfg.LogLevel)}))
	srv, err := server.New(ctx, cfg, log)
	if err != nil {
		fmt.Fprintln(stderr, "apiary:", oneLine(err))
		return 1
	}
	if err := srv.Run(ctx); err != nil {
		fmt.Fprintln(stderr, "apiary:", oneLine(err))
		return 1
	}
	return 0
}

// oneLine keeps start-up failures to one clear line.
func oneLine(err error) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(err.Error(), "\n", "; ")), " ")
}

func level(s string) slog.Level {
	switch strings.ToLower(s) {
	case "trace", "debug":
		return slog.LevelDebug
	case "warn", "warning":
		return slog.LevelWarn
	case "error", "fatal":
		return slog.LevelError
	}
	return slog.LevelInfo
}
