package main

import (
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/apiary/apiary/server"
)

// envPrefixes are read in increasing precedence: DAPTIN_ (compatibility
// alias), then APIARY_; an explicit flag wins over both.
var envPrefixes = []string{"DAPTIN_", "APIARY_"}

// parseConfig builds the server configuration from defaults, environment
// and flags, in that order of precedence (lowest first).
func parseConfig(args []string, lookupEnv func(string) (string, bool), out io.Writer) (server.Config, error) {
	cfg := server.DefaultConfig()
	fs := flag.NewFlagSet("apiary", flag.ContinueOnError)
	fs.SetOutput(out)
	var olricPeers string
	fs.StringVar(&cfg.HTTP.Addr, "port", cfg.HTTP.Addr, "HTTP listen address: `[host]:port` or a bare port")
	fs.StringVar(&cfg.HTTP.HTTPSAddr, "https_port", cfg.HTTP.HTTPSAddr, "HTTPS listen `address` (used when enable_https is true)")
	fs.StringVar(&cfg.DB.Type, "db_type", cfg.DB.Type, "database `type`: sqlite3, postgres or mysql")
	fs.StringVar(&cfg.DB.DSN, "db_connection_string", cfg.DB.DSN, "SQLite file path, PostgreSQL key=value DSN or URL, or MySQL user:pass@tcp(host:port)/db")
	fs.StringVar(&cfg.LocalStoragePath, "local_storage_path", cfg.LocalStoragePath, "folder of the default local file store")
	fs.StringVar(&cfg.LogLevel, "log_level", cfg.LogLevel, "log `level`: debug, info, warn or error")
	fs.StringVar(&cfg.SchemaDir, "schema_folder", cfg.SchemaDir, "folder scanned for schema_*.json|yaml|yml|toml files")
	fs.StringVar(&olricPeers, "olric_peers", "", "comma-separated cluster peers `host:port` (clustering issue)")
	fs.IntVar(&cfg.Olric.Port, "olric_port", 0, "cluster cache port (0 = derive from the HTTP port)")
	var maxBody int64 = cfg.HTTP.MaxBodyBytes
	fs.Int64Var(&maxBody, "max_body_bytes", maxBody, "largest accepted request body in `bytes`")

	// Environment first, so flags parsed afterwards override it.
	var envErrs []string
	fs.VisitAll(func(f *flag.Flag) {
		for _, prefix := range envPrefixes {
			if v, ok := lookupEnv(prefix + strings.ToUpper(f.Name)); ok {
				if err := f.Value.Set(v); err != nil {
					envErrs = append(envErrs, fmt.Sprintf("%s%s=%q: %v", prefix, strings.ToUpper(f.Name), v, err))
				}
			}
		}
	})
	if len(envErrs) > 0 {
		return cfg, fmt.Errorf("bad environment: %s", strings.Join(envErrs, "; "))
	}
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	cfg.HTTP.Addr = server.NormalizeAddr(cfg.HTTP.Addr)
	cfg.HTTP.HTTPSAddr = server.NormalizeAddr(cfg.HTTP.HTTPSAddr)
	cfg.HTTP.MaxBodyBytes = maxBody
	if cfg.DB.Type == "sqlite3" && cfg.DB.DSN == "" {
		cfg.DB.DSN = "apiary.db"
	}
	for _, p := range strings.Split(olricPeers, ",") {
		if p = strings.TrimSpace(p); p != "" {
			cfg.Olric.Peers = append(cfg.Olric.Peers, p)
		}
	}
	if cfg.Olric.Port < 0 || cfg.Olric.Port > 65535 {
		return cfg, fmt.Errorf("-olric_port %s: out of range", strconv.Itoa(cfg.Olric.Port))
	}
	return cfg, cfg.Validate()
}
