package bootstrap

import (
	"os"
	"strings"

	"github.com/google/uuid"

	"github.com/apiary/apiary/resource"
)

// defaults are the _config values written on first boot; existing values
// are kept.
func defaults(storagePath string) map[string]string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "localhost"
	}
	v7 := func() string { u, _ := uuid.NewV7(); return u.String() }
	return map[string]string{
		resource.KeyHostname:       host,
		resource.KeyGzip:           "true",
		resource.KeyLanguage:       "en",
		resource.KeyMaxConnections: "100",
		resource.KeyRateLimit:      `{"version":"1","limits":{}}`,
		resource.KeyCORS:           `{"version":"1","allowed_origins":[],"allowed_methods":[],"allowed_headers":[],"exposed_headers":[],"allow_credentials":false,"max_age":0}`,
		resource.KeyJWTSecret:      v7(),
		resource.KeyGraphQL:        "false",
		resource.KeyEncryption:     strings.ReplaceAll(v7(), "-", ""),
		resource.KeyJWTIssuer:      "apiary-" + v7()[:6],
		resource.KeyJWTLifeHours:   "72",
		"yjs.enabled":              "true",
		"yjs.storage.path":         strings.TrimSuffix(storagePath, "/") + "/yjs-documents",
		"rclone.retries":           "5",
		"imap.enabled":             "false",
		"caldav.enable":            "false",
		"ftp.enable":               "false",
		"enable_https":             "false",
		resource.KeySignupEnabled:  "true",
	}
}
