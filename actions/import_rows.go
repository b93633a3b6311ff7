package actions

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/apiary/apiary/resource"
)

// Import limits and defaults.
const (
	defaultImportBatch = 500
	maxImportBatch     = 10000
	maxReportedErrors  = 1000 // row errors listed in the answer; all are counted
	progressEvery      = 10000
)

// ImportResult is what an import did: rows written and rejected, the first
// maxReportedErrors row errors, and the schema changes it made.
type ImportResult struct {
	Table        string
	Imported     int
	Failed       int
	Errors       []RowError
	CreatedTable bool
	AddedColumns []string
}

// pendingRow is a row waiting for its batch.
type pendingRow struct {
	row int
	in  resource.Input
}

// rowSink writes rows in batches. Each batch is one transaction; when it
// fails, the batch is rolled back and retried row by row (each row in its
// own transaction), so one bad row never costs the good rows around it.
// In atomic mode the caller runs everything in one transaction and the
// first rejected row aborts it.
type rowSink struct {
	res     resource.Service
	table   string
	batch   int
	atomic  bool
	log     *slog.Logger
	pending []pendingRow
	result  *ImportResult
	start   time.Time
	seen    int
}

// errAtomicAbort ends an atomic import at its first rejected row.
type errAtomicAbort struct{ RowError }

func (e *errAtomicAbort) Error() string { return e.Reason }

func newRowSink(res resource.Service, table string, batch int, atomic bool, log *slog.Logger, result *ImportResult) *rowSink {
	if batch < 1 {
		batch = defaultImportBatch
	}
	return &rowSink{res: res, table: table, batch: batch, atomic: atomic, log: log, result: result, start: time.Now()}
}

// add queues a row and writes the batch when it is full.
func (s *rowSink) add(ctx context.Context, row int, in resource.Input) error {
	s.pending = append(s.pending, pendingRow{row: row, in: in})
	s.tick(ctx)
	if len(s.pending) >= s.batch {
		return s.flush(ctx)
	}
	return nil
}

// reject records a row that could not be read.
func (s *rowSink) reject(ctx context.Context, e RowError) error {
	s.tick(ctx)
	return s.fail(e)
}

func (s *rowSink) fail(e RowError) error {
	if s.atomic {
		return &errAtomicAbort{e}
	}
	s.result.Failed++
	if len(s.result.Errors) < maxReportedErrors {
		s.result.Errors = append(s.result.Errors, e)
	}
	return nil
}

func (s *rowSink) tick(ctx context.Context) {
	s.seen++
	if s.seen%progressEvery == 0 {
		s.log.InfoContext(ctx, "import progress", "table", s.table, "rows", s.seen,
			"imported", s.result.Imported, "failed", s.result.Failed)
	}
}

// flush writes the queued rows: with one bulk call (multi-row INSERTs)
// when the resource layer offers it, else one Create per row; either way
// one transaction per batch.
func (s *rowSink) flush(ctx context.Context) error {
	rows := s.pending
	s.pending = s.pending[:0]
	if len(rows) == 0 {
		return nil
	}
	err := s.writeBatch(ctx, rows)
	if err == nil || s.atomic {
		return err
	}
	if _, isRowErr := rowErrorOf(0, err); !isRowErr {
		return err
	}
	// The batch failed as a whole (say, a duplicate id): nothing of it was
	// written; retry its rows one by one so only the bad ones are lost.
	for _, p := range rows {
		if _, err := s.res.Create(ctx, s.table, p.in); err != nil {
			if ferr := s.rowFailure(p.row, err); ferr != nil {
				return ferr
			}
			continue
		}
		s.result.Imported++
	}
	return nil
}

// writeBatch writes one batch in one transaction. Rows rejected by
// validation are recorded and the others kept; an error means nothing of
// the batch was written.
func (s *rowSink) writeBatch(ctx context.Context, rows []pendingRow) error {
	ins := make([]resource.Input, len(rows))
	for i, p := range rows {
		ins[i] = p.in
	}
	rowErrs, err := s.res.CreateMany(ctx, s.table, ins)
	if err != nil {
		if s.atomic {
			if e, ok := rowErrorOf(rows[0].row, err); ok {
				e.Reason = fmt.Sprintf("rows %d to %d: %s", rows[0].row, rows[len(rows)-1].row, e.Reason)
				return &errAtomicAbort{e}
			}
		}
		return err
	}
	for i, e := range rowErrs {
		if e == nil {
			s.result.Imported++
			continue
		}
		if err := s.rowFailure(rows[i].row, e); err != nil {
			return err
		}
	}
	return nil
}

// rowFailure records a rejected row, or returns err when it is not about
// the row: a table the caller may not write (403) or a storage failure.
func (s *rowSink) rowFailure(row int, err error) error {
	var re *resource.Error
	if errors.As(err, &re) && re.Kind == resource.ErrForbidden && re.Title == resource.TitleTableGate {
		return err
	}
	e, ok := rowErrorOf(row, err)
	if !ok {
		return err
	}
	return s.fail(e)
}

// finish writes the last batch and logs the summary line.
func (s *rowSink) finish(ctx context.Context) error {
	if err := s.flush(ctx); err != nil {
		return err
	}
	secs := time.Since(s.start).Seconds()
	rate := 0.0
	if secs > 0 {
		rate = float64(s.seen) / secs
	}
	s.log.InfoContext(ctx, "import finished", "table", s.table, "rows", s.seen, "imported", s.result.Imported,
		"failed", s.result.Failed, "seconds", secs, "rows_per_second", int64(rate))
	return nil
}

// rowErrorOf turns a resource error about one row's values into a
// RowError; ok is false for anything else (storage failures).
func rowErrorOf(row int, err error) (RowError, bool) {
	var re *resource.Error
	if !errors.As(err, &re) {
		return RowError{}, false
	}
	switch re.Kind {
	case resource.ErrValidation, resource.ErrConflict, resource.ErrBadRequest, resource.ErrNotFound, resource.ErrForbidden:
	default:
		return RowError{}, false
	}
	reason := re.Title
	if re.Detail != "" {
		reason = re.Detail
	}
	return RowError{Row: row, Column: strings.TrimPrefix(re.Pointer, "/data/attributes/"), Reason: reason}, true
}

// atomicFailure is the 400 of an atomic import that wrote nothing.
func atomicFailure(err error) error {
	var ae *errAtomicAbort
	if !errors.As(err, &ae) {
		return err
	}
	where := ""
	if ae.Column != "" {
		where = ", column " + ae.Column
	}
	return Fail(http.StatusBadRequest, "row %d%s: %s; nothing was imported", ae.Row, where, ae.Reason)
}
