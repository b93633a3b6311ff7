package actions

import (
	"context"

	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/schema"
)

// tableExport writes the rows of one table of an export.
type tableExport struct {
	e         *Executor
	res       resource.Service
	ew        exportWriter
	vw        valueWriter // ew when it formats values itself, else nil
	table     *schema.Table
	cols      []string
	dateOnly  []bool // per column: a date column, written as YYYY-MM-DD
	size      int
	total     *int // rows written by the whole export
	cells     []string
	pagesOnly bool // read tabular formats through pages too (tests compare both paths)
}

// valueWriter is an exportWriter that formats values itself, with no
// string per cell (CSV).
type valueWriter interface {
	values(vals []any, dateOnly []bool) error
}

// run streams the table's rows: tabular formats read values straight from
// the resource layer's cursor (StreamRows); JSON, which writes whole API
// rows, reads pages of rows.
func (x *tableExport) run(ctx context.Context, format string) error {
	x.dateOnly = make([]bool, len(x.cols))
	for i, c := range x.cols {
		if col, ok := x.table.Column(c); ok {
			x.dateOnly[i] = col.ColumnType == "date"
		}
	}
	x.cells = make([]string, len(x.cols))
	if format != fmtJSON && !x.pagesOnly {
		vw, direct := x.vw, x.vw != nil
		return x.res.StreamRows(ctx, x.table.TableName, x.cols, x.size, func(vals []any) error {
			var err error
			if direct {
				err = vw.values(vals, x.dateOnly)
			} else {
				for i, v := range vals {
					x.cells[i] = cellText(v, x.dateOnly[i])
				}
				err = x.ew.row(nil, x.cells)
			}
			if err != nil {
				return err
			}
			x.counted(ctx)
			return nil
		})
	}
	return x.pages(ctx)
}

// pages reads the table a page at a time through ListRows, keyset-paged
// on the id.
func (x *tableExport) pages(ctx context.Context) error {
	after := ""
	for {
		rows, err := pageAfter(ctx, x.res, x.table.TableName, after, x.size)
		if err != nil {
			return err
		}
		for _, r := range rows {
			for i, c := range x.cols {
				x.cells[i] = cellText(r.Attrs[c], x.dateOnly[i])
			}
			if err := x.ew.row(r.Attrs, x.cells); err != nil {
				return err
			}
			x.counted(ctx)
		}
		if len(rows) < x.size {
			return nil
		}
		after = rows[len(rows)-1].RefID
	}
}

// counted counts one written row and logs progress.
func (x *tableExport) counted(ctx context.Context) {
	*x.total++
	if *x.total%progressEvery == 0 {
		x.e.o.Log.InfoContext(ctx, "export progress", "table", x.table.TableName, "rows", *x.total)
	}
}

// pageAfter reads the rows after the row `after` in id order, without a
// count.
func pageAfter(ctx context.Context, res resource.Service, table, after string, size int) ([]resource.Row, error) {
	q := resource.Query{PageSize: size, After: after, Sort: []resource.SortKey{{Column: schema.ColID}}}
	return res.ListRows(ctx, table, q)
}
