package resource_test

import (
	"context"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/resource/resourcetest"
)

const textSchema = `
Tables:
  - TableName: item
    Columns:
      - {Name: title, ColumnType: label}
      - {Name: qty, ColumnType: measurement, DataType: bigint, IsNullable: true}
      - {Name: stars, ColumnType: rating, DefaultValue: "3"}
      - {Name: contact, ColumnType: email, IsNullable: true}
      - {Name: day, ColumnType: date, DataType: date, IsNullable: true}
      - {Name: seen, ColumnType: datetime, DataType: datetime, IsNullable: true}
      - {Name: flag, ColumnType: truefalse, DataType: boolean, IsNullable: true}
      - {Name: price, ColumnType: float, DataType: double, IsNullable: true}
  - TableName: part
    Columns:
      - {Name: label, ColumnType: label}
Relations:
  - {Subject: part, Relation: belongs_to, Object: item}
`

// textCols is the column plan of the test rows: cell 8 is the id.
var textCols = []string{"title", "qty", "contact", "day", "seen", "flag", "price", "", ""}

const textIDCol = 8

// textInput is the Input the row-by-row import path builds from cells.
func textInput(cells []string) resource.Input {
	in := resource.Input{ID: strings.TrimSpace(cells[textIDCol]), Attributes: map[string]any{}}
	for i, c := range textCols {
		if c == "" {
			continue
		}
		if cells[i] == "" {
			in.Attributes[c] = nil
		} else {
			in.Attributes[c] = cells[i]
		}
	}
	return in
}

// annService is a fresh service and the context of its user Ann.
func annService(t *testing.T) (resource.Service, context.Context, *recorder) {
	t.Helper()
	res := resourcetest.New(t, textSchema)
	u, err := res.Create(sys(), "user_account", resource.Input{Attributes: map[string]any{"name": "Ann", "email": "ann@example.test", "password": "ann-password"}})
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	t.Cleanup(res.Subscribe(rec.add))
	return res, auth.WithPrincipal(context.Background(), auth.Principal{UserID: u.ID, UserRef: u.RefID, Email: "ann@example.test"}), rec
}

// comparable drops what differs between two databases by design.
func comparable(m map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		switch k {
		case "reference_id", "created_at", "updated_at", "user_account_id":
			continue
		}
		out[k] = v
	}
	return out
}

func TestBulkTextMatchesCreateMany(t *testing.T) {
	t.Parallel()
	text, tctx, trec := annService(t)
	bulk, bctx, brec := annService(t)
	id := "01a20000-0000-7000-8000-0000000000bb"
	rows := [][]string{
		{"plain", "4", "", "2024-02-29", "2024-01-01 10:00:00", "yes", "1.5", "x", ""},
		{"bad qty", "many", "", "", "", "", "", "", ""},
		{"bad day", "", "", "2024-02-30", "", "", "", "", ""},
		{"with id", "", "x@example.test", "", "2024-01-01T10:00:00+02:00", "0", "", "", " " + id + " "},
		{"bad mail", "", "not an email", "", "", "", "", "", ""},
		{"bad id", "", "", "", "", "", "", "", "nope"},
		{"nulls", "", "", "", "", "", "", "", ""},
	}
	ti := text.(resource.TextImporter)
	plan, ok, err := ti.PlanText(tctx, "item", textCols, textIDCol, 100)
	if err != nil || !ok {
		t.Fatalf("PlanText: %v %v", ok, err)
	}
	defer plan.Close()
	var batch resource.TextRows
	convErrs := make([]error, len(rows))
	ins := make([]resource.Input, len(rows))
	for i, cells := range rows {
		convErrs[i] = plan.Add(&batch, cells)
		ins[i] = textInput(cells)
	}
	if err := ti.CreateText(tctx, plan, &batch); err != nil {
		t.Fatal(err)
	}
	rowErrs, err := bulk.(resource.BulkCreator).CreateMany(bctx, "item", ins)
	if err != nil {
		t.Fatal(err)
	}
	for i := range rows {
		if (convErrs[i] == nil) != (rowErrs[i] == nil) || (convErrs[i] != nil && convErrs[i].Error() != rowErrs[i].Error()) {
			t.Errorf("row %d: text %v, CreateMany %v", i, convErrs[i], rowErrs[i])
		}
	}
	list := func(res resource.Service, ctx context.Context) []map[string]any {
		p, err := res.List(ctx, "item", resource.Query{PageSize: 100, Sort: []resource.SortKey{{Column: "title"}}})
		if err != nil {
			t.Fatal(err)
		}
		var out []map[string]any
		for _, r := range p.Rows {
			out = append(out, comparable(r.Attrs))
		}
		return out
	}
	if got, want := list(text, tctx), list(bulk, bctx); len(got) != 3 || !reflect.DeepEqual(got, want) {
		t.Errorf("rows:\n text %v\n bulk %v", got, want)
	}
	if _, err := text.Get(tctx, "item", id, resource.Query{}); err != nil {
		t.Errorf("client id kept: %v", err)
	}
	if trec.len() != brec.len() {
		t.Fatalf("change events: text %d, CreateMany %d", trec.len(), brec.len())
	}
	for i := range trec.got {
		tc, bc := trec.got[len(trec.got)-1-i], brec.got[len(brec.got)-1-i]
		if !reflect.DeepEqual(comparable(tc.Row), comparable(bc.Row)) || tc.Object.Permission != bc.Object.Permission || (tc.Object.OwnerID == 0) != (bc.Object.OwnerID == 0) {
			t.Errorf("event %d:\n text %+v\n bulk %+v", i, tc, bc)
		}
	}

	// A duplicate id fails the whole call, as CreateMany's does.
	batch.Reset()
	for _, cells := range [][]string{{"x", "", "", "", "", "", "", "", ""}, {"dup", "", "", "", "", "", "", "", id}} {
		if err := plan.Add(&batch, cells); err != nil {
			t.Fatal(err)
		}
	}
	if err := ti.CreateText(tctx, plan, &batch); !errors.Is(err, resource.ErrConflict) {
		t.Errorf("duplicate id: %v", err)
	}
	if got := list(text, tctx); len(got) != 3 {
		t.Errorf("rows after a failed call: %d", len(got))
	}
}

func TestBulkTextPlanFallsBack(t *testing.T) {
	t.Parallel()
	res, ctx, _ := annService(t)
	ti := res.(resource.TextImporter)
	for _, c := range []struct {
		table string
		cols  []string
	}{
		{"part", []string{"label", "item_id"}},      // a foreign key
		{"item", []string{"title", "title"}},        // a column twice
		{"item", []string{"title", "no_such"}},      // not a column
		{"user_account", []string{"name", "email"}}, // user accounts
	} {
		p, ok, err := ti.PlanText(ctx, c.table, c.cols, -1, 10)
		if err != nil || ok || p != nil {
			t.Errorf("%s %v: %v %v", c.table, c.cols, ok, err)
		}
	}
	if _, _, err := ti.PlanText(ctx, "nosuch", []string{"x"}, -1, 10); !errors.Is(err, resource.ErrNotFound) {
		t.Errorf("unknown table: %v", err)
	}
}

func TestBulkTextChunks(t *testing.T) {
	t.Parallel()
	res, ctx, rec := annService(t)
	ti := res.(resource.TextImporter)
	const n = 8000 // more rows than one statement may carry on any dialect
	plan, ok, err := ti.PlanText(ctx, "item", textCols, textIDCol, n)
	if err != nil || !ok {
		t.Fatalf("PlanText: %v %v", ok, err)
	}
	defer plan.Close()
	var batch resource.TextRows
	for i := range n {
		cells := []string{"row", strconv.Itoa(i), "", "2024-01-02", "", "", "", "", ""}
		if err := plan.Add(&batch, cells); err != nil {
			t.Fatal(err)
		}
	}
	if err := ti.CreateText(ctx, plan, &batch); err != nil {
		t.Fatal(err)
	}
	p, err := res.List(ctx, "item", resource.Query{PageSize: 1})
	if err != nil || p.Total != n || rec.len() != n {
		t.Fatalf("rows %d, events %d, %v", p.Total, rec.len(), err)
	}
}
