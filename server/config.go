package server

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/apiary/apiary/server/graphql"
	"github.com/apiary/apiary/storage/db"
)

// Config is everything Apiary needs to start. DefaultConfig fills it;
// cmd/apiary overlays environment variables and flags.
type Config struct {
	HTTP             HTTPConfig
	DB               db.Config
	SchemaDir        string // folder scanned for schema_*.json|yaml|yml|toml
	LocalStoragePath string
	LogLevel         string
	Olric            OlricConfig
	Files            FilesConfig
	// PasswordCost is the bcrypt cost for password columns; 0 = 11.
	PasswordCost int
	// CalDAV serves /caldav and /carddav even when the _config key
	// caldav.enable is not "true".
	CalDAV bool
	// Mail configures the SMTP/IMAP listeners and the outbox (wire_mail.go).
	Mail MailConfig
	// Clock drives time-based codes (TOTP); nil means time.Now. Tests set it.
	Clock func() time.Time
	// GraphQLLimits bound one GraphQL request (docs/security.md); zero
	// fields take graphql.DefaultLimits.
	GraphQLLimits graphql.Limits

	// Integrations configures upstream calls and the Databite routes (wire_integrations.go).
	Integrations IntegrationsConfig
}

// HTTPConfig configures the HTTP listeners.
type HTTPConfig struct {
	Addr            string // e.g. ":6336" or "127.0.0.1:6336"
	HTTPSAddr       string
	MaxBodyBytes    int64
	ShutdownTimeout time.Duration
	// ReadCacheMB bounds the cache of read answers (docs/performance.md)
	// in MiB; 0 disables it.
	ReadCacheMB int
	// ActiveRequests bounds the JSON:API and aggregate reads running at
	// once (httpmw.Work); 0 picks 4 per core on SQLite and 16 per core on
	// a database over the network, a negative value means no bound.
	ActiveRequests int
	// Timeouts of every HTTP listener (docs/security.md).
	Timeouts Timeouts
}

// FilesConfig configures asset uploads and the FTP listener.
type FilesConfig struct {
	// MaxUploadBytes bounds one file sent to the chunked upload API.
	MaxUploadBytes int64
	// MultipartUploadBytes is the declared size above which the upload
	// API's init on an S3 store answers a multipart upload; 0 = 100 MiB.
	MultipartUploadBytes int64
}

// OlricConfig configures the embedded cluster member (docs/cluster.md).
// Without peers a node runs alone and starts no Olric member.
type OlricConfig struct {
	Peers []string // host:memberlistPort of the other nodes
	Port  int      // Olric port (memberlist: Port+1); 0 = HTTP port - 1000
	Bind  string   // address both ports bind to; "" = 127.0.0.1
	// Secret is shared by every node (Olric password and gossip key);
	// required as soon as there are peers. Never logged.
	Secret string
}

// DefaultConfig returns Apiary's defaults: SQLite in apiary.db, HTTP on :6336.
func DefaultConfig() Config {
	return Config{
		HTTP: HTTPConfig{
			Addr:            ":6336",
			HTTPSAddr:       ":6443",
			MaxBodyBytes:    10 << 20,
			ShutdownTimeout: 10 * time.Second,
			ReadCacheMB:     32,
			Timeouts:        DefaultTimeouts(),
		},
		DB:               db.Config{Type: "sqlite3", DSN: "apiary.db"},
		SchemaDir:        ".",
		LocalStoragePath: "./storage",
		Files:            FilesConfig{MaxUploadBytes: 4 << 30},
		LogLevel:         "info",
		GraphQLLimits:    graphql.DefaultLimits(),

		Integrations: DefaultIntegrationsConfig(),
	}
}

// NormalizeAddr turns a bare port ("8080") into ":8080", as Daptin does.
func NormalizeAddr(a string) string {
	a = strings.TrimSpace(a)
	if a == "" {
		return a
	}
	if _, err := strconv.Atoi(a); err == nil {
		return ":" + a
	}
	return a
}

// Validate reports every problem in the configuration at once.
func (c Config) Validate() error {
	var errs []error
	for name, addr := range map[string]string{"port": c.HTTP.Addr, "https_port": c.HTTP.HTTPSAddr} {
		if addr == "" {
			if name == "port" {
				errs = append(errs, errors.New("-port is empty: want [host]:port"))
			}
			continue
		}
		if _, port, err := net.SplitHostPort(addr); err != nil {
			errs = append(errs, fmt.Errorf("-%s %q: want [host]:port", name, addr))
		} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
			errs = append(errs, fmt.Errorf("-%s %q: bad port", name, addr))
		}
	}
	switch c.DB.Type {
	case "sqlite3", "sqlite", "postgres", "mysql":
	default:
		errs = append(errs, fmt.Errorf("-db_type %q: want sqlite3, postgres or mysql", c.DB.Type))
	}
	if c.DB.DSN == "" {
		errs = append(errs, errors.New("-db_connection_string is empty"))
	}
	switch strings.ToLower(c.LogLevel) {
	case "trace", "debug", "info", "warn", "warning", "error", "fatal":
	default:
		errs = append(errs, fmt.Errorf("-log_level %q: want debug, info, warn or error", c.LogLevel))
	}
	if err := c.HTTP.Timeouts.validate(); err != nil {
		errs = append(errs, err)
	}
	if c.HTTP.MaxBodyBytes <= 0 {
		errs = append(errs, errors.New("max body size must be positive"))
	}
	return errors.Join(errs...)
}

// validate checks the cluster settings: peers need a shared database and
// a secret. server.New calls it (flag parsing accepts peers alone).
func (o OlricConfig) validate(dbType string) error {
	var errs []error
	if o.Port < 0 || o.Port > 65534 {
		errs = append(errs, fmt.Errorf("-olric_port %d: want 1-65534 (memberlist uses the next port)", o.Port))
	}
	if len(o.Peers) == 0 {
		return errors.Join(errs...)
	}
	if dbType == "sqlite3" || dbType == "sqlite" {
		errs = append(errs, errors.New("-olric_peers: a cluster needs a shared PostgreSQL or MySQL database; SQLite serves one node only"))
	}
	if strings.TrimSpace(o.Secret) == "" {
		errs = append(errs, errors.New("-olric_peers: a cluster needs -cluster_secret (or APIARY_CLUSTER_SECRET) set to the same value on every node"))
	}
	for _, p := range o.Peers {
		if _, port, err := net.SplitHostPort(p); err != nil || port == "" {
			errs = append(errs, fmt.Errorf("-olric_peers %q: want host:port", p))
		}
	}
	return errors.Join(errs...)
}
