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
func Apply(ctx context.Context, d *db.DB, s *schema.Schema, log *slog.Logger) (Report, error) {
	var rep Report
	plan, err := Plan(ctx, d.W, d.Dialect, s, &rep)
	if err != nil {
		return rep, err
	}
	if len(plan) == 0 {
		return rep, nil
	}
	run := func(ex sqlx.ExtContext) error {
		for _, stmt := range plan {
			if _, err := ex.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("migration failed: %w\n  statement: %s", d.Dialect.MapError(err), firstLine(stmt))
			}
		}
		// One ledger row per migration, holding every statement it ran.
		ins := d.Dialect.Rebind("INSERT INTO " + d.Dialect.Quote(ledgerTable) + " (applied_at, statement) VALUES (?, ?)")
		if _, err := ex.ExecContext(ctx, ins, time.Now().UTC(), strings.Join(plan, ";\n")); err != nil {
			return fmt.Errorf("migration ledger: %w", err)
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
	var plan []string
	if !have[ledgerTable] {
		plan = append(plan, ledgerDDL(d))
	}
	if !have[schema.ConfigTable] {
		plan = append(plan, configDDL(d))
		rep.CreatedTables = append(rep.CreatedTables, schema.ConfigTable)
	}
	for _, t := range s.Tables {
		stmts, err := planTable(ctx, q, d, t, have[t.TableName], rep)
		if err != nil {
			return nil, err
		}
		plan = append(plan, stmts...)
	}
	return plan, nil
}

func planTable(ctx context.Context, q sqlx.QueryerContext, d db.Dialect, t *schema.Table, exists bool, rep *Report) ([]string, error) {
	var plan []string
	haveIdx := map[string]bool{}
	if !exists {
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
		cols, err := d.Columns(ctx, q, t.TableName)
		if err != nil {
			return nil, fmt.Errorf("read columns of %s: %w", t.TableName, err)
		}
		haveCol := map[string]bool{}
		for _, c := range cols {
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
		idx, err := d.Indexes(ctx, q, t.TableName)
		if err != nil {
			return nil, fmt.Errorf("read indexes of %s: %w", t.TableName, err)
		}
		for _, name := range idx {
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
	ts, _ := schema.SQLType(d.Name(), "timestamp")
	txt, _ := schema.SQLType(d.Name(), "longtext")
	return "CREATE TABLE " + d.Quote(ledgerTable) + " (" + d.AutoIncrementPK("id") + ", applied_at " + ts + " NOT NULL, statement " + txt + " NOT NULL)" + d.CreateTableSuffix()
}

// configDDL creates _config, a plain table (not a JSON:API resource) with
// the columns of contract core.md §9.2.
func configDDL(d db.Dialect) string {
	vc := func(n string) string { t, _ := schema.SQLType(d.Name(), n); return t }
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
