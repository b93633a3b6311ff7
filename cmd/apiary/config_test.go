package main

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/apiary/apiary/server"
)

// envOf turns a map into a lookupEnv function.
func envOf(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestConfigPrecedence(t *testing.T) {
	t.Parallel()
	def := server.DefaultConfig()
	scenarios := []struct {
		name  string
		env   map[string]string
		args  []string
		check func(server.Config) (got, want any)
	}{
		// -port
		{"port default", nil, nil, func(c server.Config) (any, any) { return c.HTTP.Addr, def.HTTP.Addr }},
		{"port daptin env", map[string]string{"DAPTIN_PORT": "7001"}, nil,
			func(c server.Config) (any, any) { return c.HTTP.Addr, ":7001" }},
		{"port apiary env beats daptin", map[string]string{"DAPTIN_PORT": "7001", "APIARY_PORT": "7002"}, nil,
			func(c server.Config) (any, any) { return c.HTTP.Addr, ":7002" }},
		{"port flag beats env", map[string]string{"DAPTIN_PORT": "7001", "APIARY_PORT": "7002"}, []string{"-port", "8080"},
			func(c server.Config) (any, any) { return c.HTTP.Addr, ":8080" }},
		{"port host kept", nil, []string{"-port", "127.0.0.1:6336"},
			func(c server.Config) (any, any) { return c.HTTP.Addr, "127.0.0.1:6336" }},

		// -db_type
		{"db_type default", nil, nil, func(c server.Config) (any, any) { return c.DB.Type, "sqlite3" }},
		{"db_type daptin env", map[string]string{"DAPTIN_DB_TYPE": "mysql"}, nil,
			func(c server.Config) (any, any) { return c.DB.Type, "mysql" }},
		{"db_type apiary env", map[string]string{"DAPTIN_DB_TYPE": "mysql", "APIARY_DB_TYPE": "postgres"}, nil,
			func(c server.Config) (any, any) { return c.DB.Type, "postgres" }},
		{"db_type flag", map[string]string{"DAPTIN_DB_TYPE": "mysql", "APIARY_DB_TYPE": "postgres"}, []string{"-db_type", "sqlite3"},
			func(c server.Config) (any, any) { return c.DB.Type, "sqlite3" }},

		// -db_connection_string
		{"dsn default", nil, nil, func(c server.Config) (any, any) { return c.DB.DSN, "apiary.db" }},
		{"dsn daptin env", map[string]string{"DAPTIN_DB_CONNECTION_STRING": "d.db"}, nil,
			func(c server.Config) (any, any) { return c.DB.DSN, "d.db" }},
		{"dsn apiary env", map[string]string{"DAPTIN_DB_CONNECTION_STRING": "d.db", "APIARY_DB_CONNECTION_STRING": "a.db"}, nil,
			func(c server.Config) (any, any) { return c.DB.DSN, "a.db" }},
		{"dsn flag", map[string]string{"DAPTIN_DB_CONNECTION_STRING": "d.db", "APIARY_DB_CONNECTION_STRING": "a.db"},
			[]string{"-db_connection_string", "f.db"}, func(c server.Config) (any, any) { return c.DB.DSN, "f.db" }},

		// -log_level
		{"log_level default", nil, nil, func(c server.Config) (any, any) { return c.LogLevel, "info" }},
		{"log_level daptin env", map[string]string{"DAPTIN_LOG_LEVEL": "debug"}, nil,
			func(c server.Config) (any, any) { return c.LogLevel, "debug" }},
		{"log_level apiary env", map[string]string{"DAPTIN_LOG_LEVEL": "debug", "APIARY_LOG_LEVEL": "warn"}, nil,
			func(c server.Config) (any, any) { return c.LogLevel, "warn" }},
		{"log_level flag", map[string]string{"DAPTIN_LOG_LEVEL": "debug", "APIARY_LOG_LEVEL": "warn"}, []string{"-log_level", "error"},
			func(c server.Config) (any, any) { return c.LogLevel, "error" }},

		// -olric_peers
		{"olric_peers default", nil, nil, func(c server.Config) (any, any) { return len(c.Olric.Peers), 0 }},
		{"olric_peers daptin env", map[string]string{"DAPTIN_OLRIC_PEERS": "a:1"}, nil,
			func(c server.Config) (any, any) { return strings.Join(c.Olric.Peers, "|"), "a:1" }},
		{"olric_peers apiary env", map[string]string{"DAPTIN_OLRIC_PEERS": "a:1", "APIARY_OLRIC_PEERS": "b:2,c:3"}, nil,
			func(c server.Config) (any, any) { return strings.Join(c.Olric.Peers, "|"), "b:2|c:3" }},
		{"olric_peers flag, spaces and empties dropped", map[string]string{"APIARY_OLRIC_PEERS": "b:2"}, []string{"-olric_peers", " d:4 , ,e:5,"},
			func(c server.Config) (any, any) { return strings.Join(c.Olric.Peers, "|"), "d:4|e:5" }},

		// -olric_port
		{"olric_port default", nil, nil, func(c server.Config) (any, any) { return c.Olric.Port, 0 }},
		{"olric_port daptin env", map[string]string{"DAPTIN_OLRIC_PORT": "5001"}, nil,
			func(c server.Config) (any, any) { return c.Olric.Port, 5001 }},
		{"olric_port apiary env", map[string]string{"DAPTIN_OLRIC_PORT": "5001", "APIARY_OLRIC_PORT": "5002"}, nil,
			func(c server.Config) (any, any) { return c.Olric.Port, 5002 }},
		{"olric_port flag", map[string]string{"DAPTIN_OLRIC_PORT": "5001", "APIARY_OLRIC_PORT": "5002"}, []string{"-olric_port", "5003"},
			func(c server.Config) (any, any) { return c.Olric.Port, 5003 }},

		// -local_storage_path
		{"local_storage_path default", nil, nil, func(c server.Config) (any, any) { return c.LocalStoragePath, def.LocalStoragePath }},
		{"local_storage_path daptin env", map[string]string{"DAPTIN_LOCAL_STORAGE_PATH": "/d"}, nil,
			func(c server.Config) (any, any) { return c.LocalStoragePath, "/d" }},
		{"local_storage_path apiary env", map[string]string{"DAPTIN_LOCAL_STORAGE_PATH": "/d", "APIARY_LOCAL_STORAGE_PATH": "/a"}, nil,
			func(c server.Config) (any, any) { return c.LocalStoragePath, "/a" }},
		{"local_storage_path flag", map[string]string{"DAPTIN_LOCAL_STORAGE_PATH": "/d", "APIARY_LOCAL_STORAGE_PATH": "/a"},
			[]string{"-local_storage_path", "/f"}, func(c server.Config) (any, any) { return c.LocalStoragePath, "/f" }},

		// -schema_folder
		{"schema_folder default", nil, nil, func(c server.Config) (any, any) { return c.SchemaDir, def.SchemaDir }},
		{"schema_folder daptin env", map[string]string{"DAPTIN_SCHEMA_FOLDER": "/d"}, nil,
			func(c server.Config) (any, any) { return c.SchemaDir, "/d" }},
		{"schema_folder apiary env", map[string]string{"DAPTIN_SCHEMA_FOLDER": "/d", "APIARY_SCHEMA_FOLDER": "/a"}, nil,
			func(c server.Config) (any, any) { return c.SchemaDir, "/a" }},
		{"schema_folder flag", map[string]string{"DAPTIN_SCHEMA_FOLDER": "/d", "APIARY_SCHEMA_FOLDER": "/a"},
			[]string{"-schema_folder", "/f"}, func(c server.Config) (any, any) { return c.SchemaDir, "/f" }},
		{"schema_folder flag with = form", nil, []string{"-schema_folder=/g"},
			func(c server.Config) (any, any) { return c.SchemaDir, "/g" }},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			cfg, err := parseConfig(s.args, envOf(s.env), &out)
			if err != nil {
				t.Fatalf("parseConfig: %v", err)
			}
			if got, want := s.check(cfg); got != want {
				t.Errorf("got %#v, want %#v", got, want)
			}
			if out.Len() != 0 {
				t.Errorf("unexpected output: %q", out.String())
			}
		})
	}
}

func TestConfigErrors(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		name string
		env  map[string]string
		args []string
		want []string // substrings of the error
	}{
		{"unknown db type", nil, []string{"-db_type", "oracle"}, []string{"-db_type", "oracle"}},
		{"unknown db type from env", map[string]string{"APIARY_DB_TYPE": "oracle"}, nil, []string{"-db_type", "oracle"}},
		{"bad port", nil, []string{"-port", "abc"}, []string{"-port", "abc"}},
		{"port out of range", nil, []string{"-port", "70000"}, []string{"-port", "70000"}},
		{"olric port out of range", nil, []string{"-olric_port", "70000"}, []string{"-olric_port", "70000"}},
		{"olric port negative", nil, []string{"-olric_port", "-1"}, []string{"-olric_port"}},
		{"olric port not a number", nil, []string{"-olric_port", "abc"}, []string{"-olric_port", "abc"}},
		{"bad log level", nil, []string{"-log_level", "loud"}, []string{"-log_level", "loud"}},
		{"bad env for int flag", map[string]string{"APIARY_OLRIC_PORT": "many"}, nil, []string{"APIARY_OLRIC_PORT", "-olric_port", "many"}},
		{"bad daptin env for int flag", map[string]string{"DAPTIN_MAX_BODY_BYTES": "big"}, nil, []string{"DAPTIN_MAX_BODY_BYTES", "-max_body_bytes"}},
		{"bad env wins over good flag", map[string]string{"APIARY_OLRIC_PORT": "x"}, []string{"-olric_port", "1"}, []string{"-olric_port"}},
		{"empty connection string", nil, []string{"-db_type", "postgres", "-db_connection_string", ""}, []string{"-db_connection_string"}},
		{"several problems at once", nil, []string{"-db_type", "oracle", "-log_level", "loud"}, []string{"-db_type", "-log_level"}},
		{"unexpected positional argument", nil, []string{"-port", "1", "serve"}, []string{"unexpected argument", "serve"}},
		{"unknown flag", nil, []string{"-nosuchflag"}, []string{"-nosuchflag"}},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			_, err := parseConfig(s.args, envOf(s.env), &out)
			if err == nil {
				t.Fatal("want an error")
			}
			for _, w := range s.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if out.Len() != 0 {
				t.Errorf("parse errors must not print usage, got %q", out.String())
			}
		})
	}
}

func TestConfigHelp(t *testing.T) {
	t.Parallel()
	for _, arg := range []string{"-help", "-h", "--help"} {
		t.Run(arg, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			_, err := parseConfig([]string{arg}, envOf(nil), &out)
			if !errors.Is(err, flag.ErrHelp) {
				t.Fatalf("err = %v, want flag.ErrHelp", err)
			}
			help := out.String()
			var names []string
			cfg := server.DefaultConfig()
			var peers string
			var maxBody int64
			newFlagSet(&cfg, &peers, &maxBody).VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
			for _, want := range []string{"port", "https_port", "db_type", "db_connection_string", "local_storage_path",
				"log_level", "schema_folder", "olric_peers", "olric_port", "max_body_bytes", "read_cache_mb"} {
				if !slices.Contains(names, want) {
					t.Errorf("flag -%s is not defined", want)
				}
			}
			for _, name := range names {
				if !strings.Contains(help, "-"+name+" ") && !strings.Contains(help, "-"+name+"\n") {
					t.Errorf("help does not list -%s:\n%s", name, help)
				}
			}
			if !strings.Contains(help, "APIARY_") || !strings.Contains(help, "DAPTIN_") {
				t.Errorf("help does not mention the environment variables:\n%s", help)
			}
		})
	}
}

func TestReadCacheSize(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		env  map[string]string
		want int
	}{
		{nil, nil, 32},
		{[]string{"-read_cache_mb", "0"}, nil, 0},
		{nil, map[string]string{"APIARY_READ_CACHE_MB": "64"}, 64},
		{[]string{"-read_cache_mb", "8"}, map[string]string{"APIARY_READ_CACHE_MB": "64"}, 8},
	} {
		cfg, err := parseConfig(tc.args, envOf(tc.env), io.Discard)
		if err != nil || cfg.HTTP.ReadCacheMB != tc.want {
			t.Errorf("%v %v: ReadCacheMB = %d, %v; want %d", tc.args, tc.env, cfg.HTTP.ReadCacheMB, err, tc.want)
		}
	}
}
