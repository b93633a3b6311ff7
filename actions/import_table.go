package actions

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/schema"
)

// ImportSpec describes the import of one tabular file (CSV or XLSX) into
// a table.
type ImportSpec struct {
	Table  string // target table, already snake-cased
	Format string // "csv" (default) or "xlsx"
	// CreateTable creates the table from the file when it does not exist;
	// AddColumns adds the file's columns the table lacks. Both need an
	// administrator and change the schema live.
	CreateTable, AddColumns bool
	// Atomic writes everything in one transaction: any rejected row
	// aborts the import and nothing is written.
	Atomic bool
	// Truncate deletes the rows the caller may delete before inserting.
	Truncate  bool
	BatchSize int
	// ExactHeaders matches headers to column names as written before the
	// header rule applies, and honours reference_id (import_data dumps).
	ExactHeaders bool
}

// ImportTable imports a CSV or XLSX stream into a table as the caller in
// ctx, through the resource layer (validation and permissions as the
// JSON:API). Rows are read one at a time and written in batches; memory
// holds a few batches (the text path reads and converts the next batch
// while the last one is written), plus the first 1,000 rows, for type
// inference, when the schema changes.
func (e *Executor) ImportTable(ctx context.Context, res resource.Service, spec ImportSpec, r io.Reader) (ImportResult, error) {
	result := ImportResult{Table: spec.Table}
	var src tableSource
	var err error
	if spec.Format == fmtXLSX {
		src, err = newXLSXSource(r, spec.Table)
	} else {
		src, err = newCSVSource(r)
	}
	if err != nil {
		return result, err
	}
	defer src.close()
	if spec.CreateTable || spec.AddColumns {
		sampled, err := newSampledSource(src)
		if err != nil {
			return result, err
		}
		src = sampled
		if err := e.ensureTable(ctx, res, spec, sampled.header(), sampled.sampleCells(), &result); err != nil {
			return result, err
		}
	}
	t, ok := res.Schema().Table(spec.Table)
	if !ok {
		return result, Fail(http.StatusNotFound, "no such entity %q (send create_if_not_exists: true to create it)", spec.Table)
	}
	plan, unknown := planColumns(t, src.header(), spec.ExactHeaders)
	if len(unknown) > 0 {
		return result, Fail(http.StatusBadRequest, "table %s has no column for %s (send add_missing_columns: true to add them)",
			t.TableName, strings.Join(unknown, ", "))
	}
	textPlan, err := planText(ctx, res, t.TableName, plan, spec.BatchSize)
	if err != nil {
		return result, err
	}
	defer textPlan.Close()
	run := func(res resource.Service) error {
		if spec.Truncate {
			if err := deleteVisible(ctx, res, t.TableName); err != nil {
				return err
			}
		}
		sink := newRowSink(res, t.TableName, spec.BatchSize, spec.Atomic, e.o.Log, &result)
		if textPlan != nil {
			return importText(ctx, res, textPlan, src, plan, sink)
		}
		for {
			rec, err := src.next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return err
			}
			if rec.bad != nil {
				err = sink.reject(ctx, *rec.bad)
			} else {
				err = sink.add(ctx, rec.row, plan.input(rec.cells))
			}
			if err != nil {
				return err
			}
		}
		return sink.finish(ctx)
	}
	warmPermissions(ctx, res, t.TableName)
	if spec.Atomic {
		err = res.InTx(ctx, func(tx resource.Service) error { return run(tx) })
	} else {
		err = run(res)
	}
	return result, atomicFailure(err)
}

// planText prepares the text import path when the table allows it; nil
// means rows go through Inputs.
func planText(ctx context.Context, res resource.Service, table string, plan columnPlan, batch int) (*resource.TextPlan, error) {
	if batch < 1 {
		batch = defaultImportBatch
	}
	cols, idCol := plan.textColumns()
	tp, ok, err := res.PlanText(ctx, table, cols, idCol, batch)
	if err != nil || !ok {
		return nil, err
	}
	return tp, nil
}

// warmPermissions reads one row outside any transaction, so the resource
// layer caches the table permission data it would otherwise load again
// for every row created inside the import's transactions.
func warmPermissions(ctx context.Context, res resource.Service, table string) {
	_, _ = res.List(ctx, table, resource.Query{PageSize: 1})
}

// columnPlan maps each file column to a table column: "" skips it, and
// refColumn makes the cell the row's reference id.
type columnPlan []string

const refColumn = "\x00ref"

// input builds a create from one row's cells; an empty cell is null.
func (p columnPlan) input(cells []string) resource.Input {
	in := resource.Input{Attributes: make(map[string]any, len(p))}
	for i, col := range p {
		if col == "" || i >= len(cells) {
			continue
		}
		v := cells[i]
		switch {
		case col == refColumn:
			in.ID = strings.TrimSpace(v)
		case v == "":
			in.Attributes[col] = nil
		default:
			in.Attributes[col] = v
		}
	}
	return in
}

// planColumns matches headers to columns of t; unknown lists the headers
// that match none.
func planColumns(t *schema.Table, headers []string, exact bool) (columnPlan, []string) {
	names := ColumnNames(headers)
	plan := make(columnPlan, len(headers))
	var unknown []string
	for i, h := range headers {
		if exact {
			switch h {
			case schema.ColReferenceID:
				plan[i] = refColumn
				continue
			case "__type", schema.ColID, schema.ColVersion, schema.ColCreatedAt, schema.ColUpdatedAt, schema.ColPermission:
				continue
			}
			if col, ok := t.Column(h); ok {
				if ct, known := schema.LookupType(col.ColumnType); !known || ct.Secret == schema.SecretNone {
					plan[i] = h
				}
				continue
			}
		}
		if _, ok := t.Column(names[i]); ok && !reservedColumns[names[i]] {
			plan[i] = names[i]
			continue
		}
		unknown = append(unknown, fmt.Sprintf("%q", h))
	}
	return plan, unknown
}

// ensureTable creates the table or adds missing columns, as the spec asks,
// by writing schema_uploaded_<table>.json and reloading the schema live.
func (e *Executor) ensureTable(ctx context.Context, res resource.Service, spec ImportSpec, headers []string, sample [][]string, result *ImportResult) error {
	cols := InferColumns(headers, sample)
	t, exists := res.Schema().Table(spec.Table)
	var add []schema.Column
	switch {
	case !exists && !spec.CreateTable:
		return Fail(http.StatusNotFound, "no such entity %q (send create_if_not_exists: true to create it)", spec.Table)
	case !exists:
		add = cols
	case spec.AddColumns:
		for _, c := range cols {
			if _, ok := t.Column(c.ColumnName); !ok {
				add = append(add, c)
			}
		}
	}
	if len(add) == 0 {
		return nil
	}
	if err := requireAdmin(ctx); err != nil {
		return err
	}
	if exists && t.System {
		return Fail(http.StatusBadRequest, "columns cannot be added to the system table %s", t.TableName)
	}
	if e.o.Reload == nil || e.o.SchemaDir == "" {
		return Fail(http.StatusNotImplemented, "this server cannot change its schema live")
	}
	if err := e.writeUploadedTable(ctx, spec.Table, add); err != nil {
		return err
	}
	result.CreatedTable = !exists
	if exists {
		for _, c := range add {
			result.AddedColumns = append(result.AddedColumns, c.ColumnName)
		}
	}
	return nil
}

// writeUploadedTable adds columns to the table's entry in
// schema_uploaded_<table>.json (creating the file or the entry), checks
// the whole schema folder still compiles, writes the file and reloads.
func (e *Executor) writeUploadedTable(ctx context.Context, table string, add []schema.Column) error {
	e.schemaMu.Lock()
	defer e.schemaMu.Unlock()
	dir := e.o.SchemaDir
	path := filepath.Join(dir, "schema_uploaded_"+table+".json")
	var f schema.File
	if old, err := os.ReadFile(path); err == nil {
		if err := json.Unmarshal(old, &f); err != nil {
			return fmt.Errorf("read %s: %w", path, err)
		}
	}
	i := -1
	for j := range f.Tables {
		if f.Tables[j].TableName == table {
			i = j
		}
	}
	if i < 0 {
		f.Tables = append(f.Tables, schema.Table{TableName: table})
		i = len(f.Tables) - 1
	}
	f.Tables[i].Columns = append(f.Tables[i].Columns, add...)
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	parsed, err := schema.Parse(filepath.Base(path), data)
	if err != nil {
		return Fail(http.StatusBadRequest, "%v", err)
	}
	existing, err := schema.LoadDir(dir)
	if err != nil {
		return fmt.Errorf("read existing schema files: %w", err)
	}
	sources := []schema.Source{{Path: path, File: parsed}}
	for _, s := range existing {
		if filepath.Base(s.Path) != filepath.Base(path) {
			sources = append(sources, s)
		}
	}
	if _, err := schema.Compile(sources...); err != nil {
		return Fail(http.StatusBadRequest, "%v", err)
	}
	undo, err := writeSchemaFiles([]schemaUpload{{target: path, data: data}})
	if err != nil {
		undo()
		return err
	}
	if err := e.o.Reload(ctx); err != nil {
		undo()
		return err
	}
	e.o.Log.InfoContext(ctx, "table schema uploaded", "table", table, "columns", len(add), "file", filepath.Base(path))
	return nil
}

// looksLikeJSON reports data whose first non-blank byte opens JSON.
func looksLikeJSON(data []byte) bool {
	data = bytes.TrimLeft(data, " \t\r\n\ufeff")
	return len(data) > 0 && (data[0] == '{' || data[0] == '[')
}
