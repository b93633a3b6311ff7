package server

import (
	"context"
	"fmt"
	"time"

	"github.com/apiary/apiary/migrations"
	"github.com/apiary/apiary/resource/bootstrap"
)

// Reload re-reads the schema files and the configuration, migrates the
// database and swaps the live schema, without a restart and without
// dropping a request: requests in flight finish on the snapshot they took,
// the next ones see the new schema. On any failure the old schema stays
// live and the error is returned. In a cluster the other nodes apply the
// same schema files before Reload returns (wire_cluster_schema.go).
func (s *Server) Reload(ctx context.Context) error {
	if err := s.reloadLocal(ctx); err != nil {
		return err
	}
	s.announceSchema(ctx)
	return nil
}

// reloadLocal is Reload on this node only.
func (s *Server) reloadLocal(ctx context.Context) error {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	t0 := time.Now()
	sc, err := loadSchema(s.cfg.SchemaDir)
	if err != nil {
		return fmt.Errorf("reload: %w", err)
	}
	sc = s.operationsOn(sc) // wire_integration_actions.go
	var rep migrations.Report
	if err := s.withMigrationLock(ctx, func() (err error) {
		if rep, err = migrations.Apply(ctx, s.db, sc, s.log.With("component", "migrations")); err != nil {
			return err
		}
		return bootstrap.Run(ctx, s.db, sc, bootstrap.Options{LocalStoragePath: s.cfg.LocalStoragePath})
	}); err != nil {
		return fmt.Errorf("reload: %w", err)
	}
	s.schema.Store(sc)
	s.res.Invalidate()
	s.reloadSettings(ctx)
	// A stream added to (or changed in) a schema file is served at once,
	// as at start-up.
	if err := s.seedStreams(ctx); err != nil {
		s.log.ErrorContext(ctx, "stream rows not written", "component", "streams", "err", err)
	}
	s.log.InfoContext(ctx, "schema reloaded", "tables", len(sc.Tables), "tables_created", len(rep.CreatedTables),
		"columns_added", len(rep.AddedColumns), "elapsed_ms", time.Since(t0).Milliseconds())
	return nil
}
