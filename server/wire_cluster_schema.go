package server

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/apiary/apiary/storage/cluster"
)

// schemaChannel carries schema files from the node that reloaded to the
// others.
const schemaChannel = "apiary.schema"

// configChannel tells the other nodes to re-read the live settings.
const configChannel = "apiary.config"

// schemaApplyWait bounds how long a reload waits for the other nodes to
// apply the same schema.
const schemaApplyWait = 60 * time.Second

// schemaFiles is the announcement: every schema_* file of the sender's
// folder by base name.
type schemaFiles map[string][]byte

// listenSchema makes this node apply the schema files other nodes announce.
func (s *Server) listenSchema() {
	if s.peers == nil {
		return
	}
	s.peers.config = cluster.NewAcked(s.cluster, configChannel, func([]byte) { s.reloadSettings(context.Background()) })
	s.peers.schema = cluster.NewAcked(s.cluster, schemaChannel, func(b []byte) {
		var files schemaFiles
		if err := json.Unmarshal(b, &files); err != nil {
			return
		}
		for name, data := range files {
			name = filepath.Base(name)
			if !strings.HasPrefix(name, "schema_") {
				continue
			}
			if err := os.WriteFile(filepath.Join(s.cfg.SchemaDir, name), data, 0o600); err != nil {
				s.log.Error("cluster schema file not written", "component", "cluster", "file", name, "err", err.Error())
				return
			}
		}
		ctx := context.Background()
		if err := s.reloadLocal(ctx); err != nil {
			s.log.Error("cluster schema not applied", "component", "cluster", "err", err.Error())
		}
	})
}

// announceSchema sends this node's schema files to the other nodes after
// a reload and waits until they have applied them.
func (s *Server) announceSchema(ctx context.Context) {
	if s.peers == nil || s.peers.schema == nil {
		return
	}
	matches, _ := filepath.Glob(filepath.Join(s.cfg.SchemaDir, "schema_*"))
	files := schemaFiles{}
	for _, m := range matches {
		if data, err := os.ReadFile(m); err == nil {
			files[filepath.Base(m)] = data
		}
	}
	b, _ := json.Marshal(files)
	others := len(s.cluster.Members(ctx)) - 1
	n, err := s.peers.schema.Send(context.WithoutCancel(ctx), b, schemaApplyWait)
	if err != nil || n < others {
		s.log.Warn("cluster schema not acknowledged by every member", "component", "cluster", "acked", n, "members", others+1, "err", errString(err))
	}
}

// announceConfig makes the other nodes re-read the live settings after a
// _config write on this one, and waits until they have.
func (s *Server) announceConfig(key string) {
	if s.peers == nil || s.peers.config == nil {
		return
	}
	b, _ := json.Marshal(key)
	if _, err := s.peers.config.Send(context.Background(), b, invalidationWait); err != nil {
		s.log.Warn("cluster config change not sent", "component", "cluster", "err", err.Error())
	}
}
