package main

import (
	"errors"
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

// newFlagSet defines every flag on its own FlagSet, bound to cfg and to the
// two values parseConfig converts afterwards.
func newFlagSet(cfg *server.Config, olricPeers *string, maxBody *int64) *flag.FlagSet {
	fs := flag.NewFlagSet("apiary", flag.ContinueOnError)
	// The flag package would print a parse error followed by the whole
	// usage; run reports the error on one line instead, and the usage is
	// printed only for -help.
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	fs.StringVar(&cfg.HTTP.Addr, "port", cfg.HTTP.Addr, "HTTP listen address: `[host]:port` or a bare port")
	fs.StringVar(&cfg.HTTP.HTTPSAddr, "https_port", cfg.HTTP.HTTPSAddr, "HTTPS listen `address` (used when enable_https is true)")
	fs.StringVar(&cfg.DB.Type, "db_type", cfg.DB.Type, "database `type`: sqlite3, postgres or mysql")
	fs.StringVar(&cfg.DB.DSN, "db_connection_string", cfg.DB.DSN, "SQLite file path, PostgreSQL key=value DSN or URL, or MySQL user:pass@tcp(host:port)/db")
	fs.StringVar(&cfg.LocalStoragePath, "local_storage_path", cfg.LocalStoragePath, "folder of the default local file store")
	fs.StringVar(&cfg.LogLevel, "log_level", cfg.LogLevel, "log `level`: debug, info, warn or error")
	fs.StringVar(&cfg.SchemaDir, "schema_folder", cfg.SchemaDir, "folder scanned for schema_*.json|yaml|yml|toml files")
	fs.StringVar(olricPeers, "olric_peers", *olricPeers, "comma-separated cluster peers `host:port` (their olric_port + 1)")
	fs.IntVar(&cfg.Olric.Port, "olric_port", cfg.Olric.Port, "cluster port; memberlist uses it + 1 (0 = HTTP port - 1000)")
	fs.StringVar(&cfg.Olric.Bind, "olric_bind", cfg.Olric.Bind, "`address` the cluster ports bind to (default 127.0.0.1)")
	fs.StringVar(&cfg.Olric.Secret, "cluster_secret", cfg.Olric.Secret, "`secret` shared by every cluster node (required with -olric_peers)")
	fs.Int64Var(maxBody, "max_body_bytes", *maxBody, "largest accepted request body in `bytes`")
	fs.DurationVar(&cfg.HTTP.Timeouts.Header, "http_header_timeout", cfg.HTTP.Timeouts.Header, "time a client has to send the request headers")
	fs.DurationVar(&cfg.HTTP.Timeouts.Read, "http_read_timeout", cfg.HTTP.Timeouts.Read, "deadline for a whole request (headers and body) from its first byte")
	fs.DurationVar(&cfg.HTTP.Timeouts.Write, "http_write_timeout", cfg.HTTP.Timeouts.Write, "deadline for writing a response")
	fs.DurationVar(&cfg.HTTP.Timeouts.Idle, "http_idle_timeout", cfg.HTTP.Timeouts.Idle, "how long a kept-alive connection may wait for its next request")
	gl := &cfg.GraphQLLimits
	fs.IntVar(&gl.MaxDepth, "graphql_max_depth", gl.MaxDepth, "deepest selection nesting of a GraphQL query")
	fs.IntVar(&gl.MaxArgumentDepth, "graphql_max_argument_depth", gl.MaxArgumentDepth, "deepest nesting of a GraphQL argument or variable value")
	fs.IntVar(&gl.MaxAliases, "graphql_max_aliases", gl.MaxAliases, "most aliased fields in one GraphQL request")
	fs.IntVar(&gl.MaxFields, "graphql_max_fields", gl.MaxFields, "most fields in one GraphQL request, fragments expanded")
	fs.IntVar(&gl.MaxAnswerBytes, "graphql_max_answer_bytes", gl.MaxAnswerBytes, "largest GraphQL answer in `bytes`")
	fs.DurationVar(&gl.Timeout, "graphql_timeout", gl.Timeout, "longest a GraphQL request may run")

	fs.BoolVar(&cfg.CalDAV, "caldav_enable", cfg.CalDAV, "serve CalDAV and CardDAV at /caldav and /carddav (also the _config key caldav.enable)")
	fs.IntVar(&cfg.HTTP.ReadCacheMB, "read_cache_mb", cfg.HTTP.ReadCacheMB, "memory for cached read answers in `MiB` (0 disables the cache)")
	fs.IntVar(&cfg.HTTP.ActiveRequests, "active_requests", cfg.HTTP.ActiveRequests, "JSON:API and aggregate reads (GET, HEAD) run at once, the rest queue (0 = 4 per core on SQLite, 16 per core otherwise; -1 = no bound)")
	fs.Int64Var(&cfg.Files.MaxUploadBytes, "max_upload_bytes", cfg.Files.MaxUploadBytes, "largest file accepted by the /asset upload API in `bytes`")
	fs.BoolVar(&cfg.Mail.DisableSMTP, "disable_smtp", cfg.Mail.DisableSMTP, "keep the SMTP listeners of the mail_server rows off")
	fs.StringVar(&cfg.Mail.Smarthost, "outbox_smarthost", cfg.Mail.Smarthost, "send all outgoing mail to this `host:port` instead of the recipients' MX hosts")
	fs.IntVar(&cfg.Mail.DeliveryPort, "outbox_port", cfg.Mail.DeliveryPort, "SMTP `port` of recipients' MX hosts (0 = 25)")

	fs.IntVar(&cfg.Integrations.ReadPerMinute, "databite_read_limit", cfg.Integrations.ReadPerMinute, "Databite read requests per minute per address (0 = unlimited)")
	fs.IntVar(&cfg.Integrations.WritePerMinute, "databite_write_limit", cfg.Integrations.WritePerMinute, "Databite writes and executions per minute per address (0 = unlimited)")
	fs.DurationVar(&cfg.Integrations.Timeout, "integration_timeout", cfg.Integrations.Timeout, "time limit of one upstream integration call (`duration`)")
	fs.StringVar(&cfg.Integrations.ACMEDirectory, "acme_directory", cfg.Integrations.ACMEDirectory, "ACME directory `URL` (empty: Let's Encrypt)")
	fs.StringVar(&cfg.Integrations.ACMEChallenge, "acme_challenge", cfg.Integrations.ACMEChallenge, "ACME challenge `type`: http-01 (default) or tls-alpn-01 (answered on the HTTPS listener)")
	return fs
}

// parseConfig builds the server configuration from defaults, environment
// and flags, in that order of precedence (lowest first).
func parseConfig(args []string, lookupEnv func(string) (string, bool), out io.Writer) (server.Config, error) {
	cfg := server.DefaultConfig()
	var olricPeers string
	maxBody := cfg.HTTP.MaxBodyBytes
	fs := newFlagSet(&cfg, &olricPeers, &maxBody)

	// Environment first, so flags parsed afterwards override it.
	var envErrs []string
	fs.VisitAll(func(f *flag.Flag) {
		for _, prefix := range envPrefixes {
			if v, ok := lookupEnv(prefix + strings.ToUpper(f.Name)); ok {
				if err := f.Value.Set(v); err != nil {
					envErrs = append(envErrs, fmt.Sprintf("%s%s=%q (flag -%s): %v", prefix, strings.ToUpper(f.Name), v, f.Name, err))
				}
			}
		}
	})
	if len(envErrs) > 0 {
		return cfg, fmt.Errorf("bad environment: %s", strings.Join(envErrs, "; "))
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printUsage(fs, out)
		}
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

// printUsage lists every flag with its environment variables.
func printUsage(fs *flag.FlagSet, out io.Writer) {
	fmt.Fprintf(out, "Usage: apiary [flags]\n\n")
	fmt.Fprintf(out, "Each flag can also be set with APIARY_<NAME> or DAPTIN_<NAME> (e.g. APIARY_DB_TYPE);\n")
	fmt.Fprintf(out, "a flag wins over APIARY_*, which wins over DAPTIN_*.\n\n")
	fs.SetOutput(out)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}
