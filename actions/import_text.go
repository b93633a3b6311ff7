package actions

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/apiary/apiary/internal/pipeline"
	"github.com/apiary/apiary/resource"
)

// The text import path: one goroutine reads the file and converts each row
// (resource.TextPlan.Add) while the caller's goroutine writes the batches
// before it (resource.TextImporter.CreateText), so parsing and
// normalising overlap with the INSERTs. Batches are the rowSink's: a batch
// closes after batch readable rows, and holds the unreadable rows met
// while it filled, so errors, progress lines and transactions come out as
// the row-by-row path makes them.

// textBatchesInFlight bounds the batches alive at once (being filled,
// queued, being written): memory stays a few batches whatever the file.
const textBatchesInFlight = 3

// textBatch is one batch of the text path.
type textBatch struct {
	items []textItem
	rows  resource.TextRows
	err   error // reading the file failed: the import ends with it
}

// textItem is one row of a batch, in file order.
type textItem struct {
	row   int
	cells []string  // readable rows: kept for the row-by-row retry
	bad   *RowError // unreadable row
	err   error     // the row's conversion error, reported when written
}

func (b *textBatch) reset() {
	clear(b.items)
	b.items = b.items[:0]
	b.rows.Reset()
	b.err = nil
}

// textColumns is the plan as PlanText takes it: the id cell apart.
func (p columnPlan) textColumns() (cols []string, idCol int) {
	cols, idCol = make([]string, len(p)), -1
	for i, c := range p {
		if c == refColumn {
			idCol = i
			continue
		}
		cols[i] = c
	}
	return cols, idCol
}

// importText runs the text path: it returns when every row is written or
// the first failure, and never leaves its reader goroutine behind.
func importText(ctx context.Context, w resource.TextImporter, tp *resource.TextPlan, src tableSource, plan columnPlan, sink *rowSink) error {
	batches := make([]*textBatch, textBatchesInFlight)
	for i := range batches {
		batches[i] = &textBatch{}
	}
	stopped, err := pipeline.Run(ctx, batches, func(p *pipeline.Producer[textBatch]) {
		readText(src, tp, sink.batch, p)
	}, func(b *textBatch) (bool, error) {
		if b.err != nil {
			return true, b.err
		}
		return false, sink.writeText(ctx, w, tp, plan, b)
	}, (*textBatch).reset)
	if stopped || err != nil {
		return err
	}
	return sink.finish(ctx)
}

// readText fills batches from src until the end of the file or the
// consumer stops.
func readText(src tableSource, tp *resource.TextPlan, batch int, p *pipeline.Producer[textBatch]) {
	b, ok := p.Take()
	if !ok {
		return
	}
	readable := 0
	for {
		rec, err := src.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			b.err = err
			p.Send(b)
			return
		}
		it := textItem{row: rec.row, bad: rec.bad}
		if rec.bad == nil {
			it.cells = rec.cells
			it.err = tp.Add(&b.rows, rec.cells)
			readable++
		}
		b.items = append(b.items, it)
		if readable == batch {
			if !p.Send(b) {
				return
			}
			if b, ok = p.Take(); !ok {
				return
			}
			readable = 0
		}
	}
	if len(b.items) > 0 {
		p.Send(b)
	}
}

// writeText records a batch's unreadable rows, writes its converted rows
// in one call and records the rows conversion rejected. When the call
// fails as a whole, it is retried row by row, as flush does.
func (s *rowSink) writeText(ctx context.Context, w resource.TextImporter, tp *resource.TextPlan, plan columnPlan, b *textBatch) error {
	first, last, readable := 0, 0, 0
	for _, it := range b.items {
		s.tick(ctx)
		if it.bad != nil {
			if err := s.fail(*it.bad); err != nil {
				return err
			}
			continue
		}
		if it.err != nil {
			if _, ok := rowErrorOf(it.row, it.err); !ok {
				return it.err
			}
		}
		if readable == 0 {
			first = it.row
		}
		last = it.row
		readable++
	}
	if readable == 0 {
		return nil
	}
	err := w.CreateText(ctx, tp, &b.rows)
	if err == nil {
		for _, it := range b.items {
			switch {
			case it.bad != nil:
			case it.err != nil:
				if err := s.rowFailure(it.row, it.err); err != nil {
					return err
				}
			default:
				s.result.Imported++
			}
		}
		return nil
	}
	if s.atomic {
		if e, ok := rowErrorOf(first, err); ok {
			e.Reason = fmt.Sprintf("rows %d to %d: %s", first, last, e.Reason)
			return &errAtomicAbort{e}
		}
		return err
	}
	if _, isRowErr := rowErrorOf(0, err); !isRowErr {
		return err
	}
	// Nothing of the batch was written (say, a duplicate id): retry its
	// rows one by one so only the bad ones are lost.
	for _, it := range b.items {
		if it.bad != nil {
			continue
		}
		if _, err := s.res.Create(ctx, s.table, plan.input(it.cells)); err != nil {
			if ferr := s.rowFailure(it.row, err); ferr != nil {
				return ferr
			}
			continue
		}
		s.result.Imported++
	}
	return nil
}
