package actions

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/schema"
)

// registerImportExport adds the file import and export actions of world,
// export_data and import_data among them (contract core.md §6.7,
// sidecars.md §8).
func (e *Executor) registerImportExport() {
	for _, b := range []struct {
		action, performer string
		p                 Performer
	}{
		{"upload_csv_to_system_schema", "__upload_csv_file_to_entity", e.uploadCSVToEntity},
		{"upload_xls_to_system_schema", "__upload_xlsx_file_to_entity", e.uploadXLSToEntity},
		{"export_csv_data", "__csv_data_export", e.exportCSVData},
		{"export_data", "__data_export", e.exportData},
		{"import_data", "__data_import", e.importData},
	} {
		e.register(schema.TableWorld, b.action, b.p)
		e.registerPerformer(b.performer, b.p)
	}
}

// dumpTable is one table of a JSON export dump, in file order.
type dumpTable struct {
	name string
	rows []map[string]any
}

func (e *Executor) uploadCSVToEntity(ctx context.Context, req Request) ([]Response, error) {
	return e.uploadToEntity(ctx, req, "data_csv_file", fmtCSV)
}

func (e *Executor) uploadXLSToEntity(ctx context.Context, req Request) ([]Response, error) {
	return e.uploadToEntity(ctx, req, "data_xls_file", fmtXLSX)
}

// uploadToEntity imports CSV or XLSX files into entity_name, creating the
// table or adding columns first when asked (administrators only).
func (e *Executor) uploadToEntity(ctx context.Context, req Request, field, format string) ([]Response, error) {
	raw := strings.TrimSpace(str(req.Attributes["entity_name"]))
	entity, ok := EntityName(raw)
	if !ok {
		return nil, Fail(http.StatusBadRequest, "entity_name %q is not a valid table name (letters, digits and _, not starting with a digit)", raw)
	}
	batch, err := batchSize(req.Attributes["batch_size"])
	if err != nil {
		return nil, err
	}
	objs, err := fileObjects(field, req.Attributes[field])
	if err != nil {
		return nil, err
	}
	spec := ImportSpec{Table: entity, Format: format, CreateTable: attrFlag(req.Attributes["create_if_not_exists"]),
		AddColumns: attrFlag(req.Attributes["add_missing_columns"]), Atomic: attrFlag(req.Attributes["atomic"]), BatchSize: batch}
	var results []ImportResult
	changed := false
	for _, obj := range objs {
		_, data, err := decodeFile(obj)
		if err != nil {
			return nil, err
		}
		r, err := e.ImportTable(ctx, req.Res, spec, bytes.NewReader(data))
		if err != nil {
			return nil, err
		}
		changed = changed || r.CreatedTable || len(r.AddedColumns) > 0
		results = append(results, r)
	}
	out := importAnswer(results)
	if changed {
		out = append(out, Redirect("/", "self", 15000))
	}
	return out, nil
}

// batchSize reads the batch_size input (a JSON number, default 500).
func batchSize(v any) (int, error) {
	if v == nil || v == "" {
		return defaultImportBatch, nil
	}
	n, ok := attrWhole(v)
	if !ok || n < 1 || n > maxImportBatch {
		return 0, Fail(http.StatusBadRequest, "batch_size must be a whole number from 1 to %d", maxImportBatch)
	}
	return int(n), nil
}

// importAnswer is the answer of every import: a notify with the counts
// and an import.errors instruction listing rejected rows.
func importAnswer(results []ImportResult) []Response {
	imported, failed := 0, 0
	errs := []map[string]any{}
	var tables []string
	for _, r := range results {
		imported += r.Imported
		failed += r.Failed
		if len(tables) == 0 || tables[len(tables)-1] != r.Table {
			tables = append(tables, r.Table)
		}
		for _, e := range r.Errors {
			if len(errs) < maxReportedErrors {
				errs = append(errs, map[string]any{"table": r.Table, "row": e.Row, "column": e.Column, "reason": e.Reason})
			}
		}
	}
	kind, title := "success", "Success"
	if failed > 0 {
		kind, title = "warning", "Partly imported"
	}
	msg := fmt.Sprintf("Imported %d rows, %d failed", imported, failed)
	if len(tables) > 0 {
		msg = fmt.Sprintf("Imported %d rows into %s, %d failed", imported, strings.Join(tables, ", "), failed)
	}
	return []Response{Notify(kind, title, msg), {ResponseType: "import.errors", Attributes: map[string]any{
		"errors": errs, "imported": imported, "failed": failed}}}
}

// importData imports export dumps: JSON ({"table": [rows...]}, every table
// in the file, or only the subject world row's table), CSV or XLSX (into
// the subject's table, or table_name). Reference ids are kept. Rows that
// fail are reported, the others kept, unless atomic is true.
func (e *Executor) importData(ctx context.Context, req Request) ([]Response, error) {
	objs, err := fileObjects("dump_file", req.Attributes["dump_file"])
	if err != nil {
		return nil, err
	}
	batch, err := batchSize(req.Attributes["batch_size"])
	if err != nil {
		return nil, err
	}
	target := strings.TrimSpace(str(req.Attributes["table_name"]))
	if req.Subject != nil {
		if tn := str(req.Subject.Attrs["table_name"]); tn != "" {
			target = tn
		}
	}
	atomic := attrFlag(req.Attributes["atomic"])
	truncate := attrFlag(req.Attributes["truncate_before_insert"])
	var results []ImportResult
	for _, obj := range objs {
		name, data, err := decodeFile(obj)
		if err != nil {
			return nil, err
		}
		format := importFormat(name, str(obj["type"]), data[:min(len(data), 64)])
		if format == fmtJSON {
			rs, err := e.importJSON(ctx, req.Res, name, data, target, batch, atomic, truncate)
			if err != nil {
				return nil, err
			}
			results = append(results, rs...)
			continue
		}
		if _, err := dataTable(req.Res.Schema(), target); err != nil {
			return nil, err
		}
		spec := ImportSpec{Table: target, Format: format, Atomic: atomic, Truncate: truncate, BatchSize: batch, ExactHeaders: true}
		r, err := e.ImportTable(ctx, req.Res, spec, bytes.NewReader(data))
		if err != nil {
			return nil, err
		}
		results = append(results, r)
	}
	return importAnswer(results), nil
}

// importJSON imports one JSON dump; only table `only` when given.
func (e *Executor) importJSON(ctx context.Context, res resource.Service, name string, data []byte, only string, batch int, atomic, truncate bool) ([]ImportResult, error) {
	dump, err := parseDump(data)
	if err != nil {
		return nil, Fail(http.StatusBadRequest, "%s: %v", name, err)
	}
	sc := res.Schema()
	var tables []dumpTable
	for _, d := range dump {
		if _, err := dataTable(sc, d.name); err != nil {
			return nil, err
		}
		if only != "" && d.name != only {
			continue
		}
		tables = append(tables, d)
	}
	results := make([]ImportResult, len(tables))
	run := func(res resource.Service) error {
		for i, d := range tables {
			t, _ := sc.Table(d.name)
			results[i] = ImportResult{Table: d.name}
			if truncate {
				if err := deleteVisible(ctx, res, d.name); err != nil {
					return asActionError(err, "empty %s", d.name)
				}
			}
			sink := newRowSink(res, d.name, batch, atomic, e.o.Log, &results[i])
			for j, row := range d.rows {
				if err := sink.add(ctx, j+1, importInput(t, row)); err != nil {
					return err
				}
			}
			if err := sink.finish(ctx); err != nil {
				return err
			}
		}
		return nil
	}
	for _, d := range tables {
		warmPermissions(ctx, res, d.name)
	}
	if atomic {
		err = res.InTx(ctx, func(tx resource.Service) error { return run(tx) })
	} else {
		err = run(res)
	}
	if err != nil {
		return nil, atomicFailure(err)
	}
	return results, nil
}
