package migrations

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/apiary/apiary/schema"
	"github.com/apiary/apiary/storage/db"
)

// Report says what one Apply changed.
type Report struct {
	CreatedTables  []string
	AddedColumns   []string // table.column
	CreatedIndexes []string
	Skipped        []string // differences left alone on purpose (type changes)
}

// Changed reports whether anything was applied.
func (r Report) Changed() bool {
	return len(r.CreatedTables)+len(r.AddedColumns)+len(r.CreatedIndexes) > 0
}

// Apply brings the database in line with s. On dialects with transactional
// DDL (SQLite, PostgreSQL) the whole migration is one transaction, so a
// failure leaves the database as it was; on MySQL each statement commits on
// its own, and since Apply only adds what is missing, running it again
// finishes the job.
//
// Where the database counts its schema changes (SQLite), a restart whose
// schema and database are unchanged since the last Apply skips the
// catalogue check (see verified.go).
func Apply(ctx context.Context, d *db.DB, s *schema.Schema, log *slog.Logger) (Report, error) {
	var rep Report
	ver, versioned, err := d.Dialect.SchemaVersion(ctx, d.W)
	if err != nil {
		return rep, fmt.Errorf("read schema version: %w", err)
	}
	var fp string
	if versioned {
		fp = fingerprint(s)
		if verified(ctx, d.W, d.Dialect, mark(fp, ver)) {
			return rep, nil
		}
	}
	plan, err := Plan(ctx, d.W, d.Dialect, s, &rep)
	if err != nil {
		return rep, err
	}
	ins := d.Dialect.Rebind("INSERT INTO " + d.Dialect.Quote(ledgerTable) + " (applied_at, statement) VALUES (?, ?)")
	if len(plan) == 0 {
		if versioned {
			if _, err := d.W.ExecContext(ctx, ins, time.Now().UTC(), mark(fp, ver)); err != nil {
				return rep, fmt.Errorf("migration ledger: %w", err)
			}
		}
		return rep, nil
	}
	run := func(ex sqlx.ExtContext) error {
		for _, stmt := range plan {
			if _, err := ex.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("migration failed: %w\n  statement: %s", d.Dialect.MapError(err), firstLine(stmt))
			}
		}
		// One ledger row per migration, holding every statement it ran.
		now := time.Now().UTC()
		if _, err := ex.ExecContext(ctx, ins, now, strings.Join(plan, ";\n")); err != nil {
			return fmt.Errorf("migration ledger: %w", err)
		}
		if versioned {
			// The version after this migration's DDL, as it will commit.
			v, _, err := d.Dialect.SchemaVersion(ctx, ex)
			if err != nil {
				return fmt.Errorf("read schema version: %w", err)
			}
			if _, err := ex.ExecContext(ctx, ins, now, mark(fp, v)); err != nil {
				return fmt.Errorf("migration ledger: %w", err)
			}
		}
		return nil
	}
	if d.Dialect.TransactionalDDL() {
		err = d.InTx(ctx, func(tx *sqlx.Tx) error { return run(tx) })
	} else {
		err = run(d.W)
	}
	if err != nil {
		return Report{}, err
	}
	log.InfoContext(ctx, "migration applied", "tables_created", len(rep.CreatedTables),
		"columns_added", len(rep.AddedColumns), "indexes_created", len(rep.CreatedIndexes))
	return rep, nil
}

// Plan returns the statements that would bring the database in line with s,
// filling rep with what they do. It reads the live catalogue and writes
// nothing.
func Plan(ctx context.Context, q sqlx.QueryerContext, d db.Dialect, s *schema.Schema, rep *Report) ([]string, error) {
	existing, err := d.Tables(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("read tables: %w", err)
	}
	have := map[string]bool{}
	for _, t := range existing {
		have[strings.ToLower(t)] = true
	}
	// One catalogue read for every table: two queries, not two per table.
	var live map[string]*db.TableInfo
	if len(existing) > 0 {
		cat, err := d.Catalog(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("read catalogue: %w", err)
		}
		live = make(map[string]*db.TableInfo, len(cat))
		for name, info := range cat {
			live[strings.ToLower(name)] = info
		}
	}
	var plan []string
	if !have[ledgerTable] {
		plan = append(plan, ledgerDDL(d))
	}
	if !have[schema.ConfigTable] {
		plan = append(plan, configDDL(d))
		rep.CreatedTables = append(rep.CreatedTables, schema.ConfigTable)
	}
	for _, t := range s.Tables {
		var info *db.TableInfo
		if have[t.TableName] {
			if info = live[strings.ToLower(t.TableName)]; info == nil {
				info = &db.TableInfo{}
			}
		}
		stmts, err := planTable(d, t, info, rep)
		if err != nil {
			return nil, err
		}
		plan = append(plan, stmts...)
	}
	return plan, nil
}

// planTable plans one table; live is what the database has of it, nil
// when the table does not exist yet.
func planTable(d db.Dialect, t *schema.Table, live *db.TableInfo, rep *Report) ([]string, error) {
	var plan []string
	haveIdx := map[string]bool{}
	if live == nil {
		var inline []index
		if d.InlineIndexes() {
			inline = wantedIndexes(t)
			for _, ix := range inline {
				haveIdx[strings.ToLower(ix.name)] = true
				rep.CreatedIndexes = append(rep.CreatedIndexes, ix.name)
			}
		}
		stmt, err := createTable(d, t, inline)
		if err != nil {
			return nil, err
		}
		plan = append(plan, stmt)
		rep.CreatedTables = append(rep.CreatedTables, t.TableName)
	} else {
		haveCol := map[string]bool{}
		for _, c := range live.Columns {
			haveCol[strings.ToLower(c.Name)] = true
		}
		for _, col := range t.Columns {
			if haveCol[col.ColumnName] {
				continue
			}
			def, err := columnDef(d, col, true)
			if err != nil {
				return nil, fmt.Errorf("table %s: %w", t.TableName, err)
			}
			plan = append(plan, "ALTER TABLE "+d.Quote(t.TableName)+" ADD COLUMN "+def)
			rep.AddedColumns = append(rep.AddedColumns, t.TableName+"."+col.ColumnName)
		}
		for _, name := range live.Indexes {
			haveIdx[strings.ToLower(name)] = true
		}
	}
	for _, ix := range wantedIndexes(t) {
		if haveIdx[strings.ToLower(ix.name)] {
			continue
		}
		stmt, err := createIndex(d, t, ix)
		if err != nil {
			return nil, err
		}
		plan = append(plan, stmt)
		rep.CreatedIndexes = append(rep.CreatedIndexes, ix.name)
	}
	return plan, nil
}

func ledgerDDL(d db.Dialect) string {
	ts, _ := schema.SQLType(d, "timestamp")
	txt, _ := schema.SQLType(d, "longtext")
	return "CREATE TABLE " + d.Quote(ledgerTable) + " (" + d.AutoIncrementPK("id") + ", applied_at " + ts + " NOT NULL, statement " + txt + " NOT NULL)" + d.CreateTableSuffix()
}

// configDDL creates _config, a plain table (not a JSON:API resource) with
// the columns of contract core.md §9.2.
func configDDL(d db.Dialect) string {
	vc := func(n string) string { t, _ := schema.SQLType(d, n); return t }
	cols := []string{
		d.AutoIncrementPK("id"),
		d.Quote("name") + " " + vc("varchar(100)") + " NOT NULL",
		d.Quote("configtype") + " " + vc("varchar(100)") + " NOT NULL",
		d.Quote("configstate") + " " + vc("varchar(100)") + " NOT NULL",
		d.Quote("configenv") + " " + vc("varchar(100)") + " NOT NULL",
		d.Quote("value") + " " + vc("mediumtext"),
		d.Quote("valuetype") + " " + vc("varchar(100)"),
		d.Quote("previousvalue") + " " + vc("mediumtext"),
		d.Quote("created_at") + " " + vc("timestamp"),
		d.Quote("updated_at") + " " + vc("timestamp"),
	}
	return "CREATE TABLE " + d.Quote(schema.ConfigTable) + " (" + strings.Join(cols, ", ") + ")" + d.CreateTableSuffix()
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " …"
	}
	return s
}
