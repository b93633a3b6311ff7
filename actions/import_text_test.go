package actions

import (
	"bytes"
	"context"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/apiary/apiary/resource"
)

// inputsOnly refuses every text import plan, so ImportTable takes its
// Input path (CreateMany).
type inputsOnly struct{ resource.Service }

func (inputsOnly) PlanText(context.Context, string, []string, int, int) (*resource.TextPlan, bool, error) {
	return nil, false, nil
}

// gadgetRows lists the gadget table as comparable text, sorted, marking
// the row whose id is id.
func gadgetRows(t *testing.T, svc resource.Service, ctx context.Context, id string) []string {
	t.Helper()
	p, err := svc.List(ctx, "gadget", resource.Query{PageSize: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range p.Rows {
		line := cellText(r.Attrs["title"], false) + "|" + cellText(r.Attrs["size"], false) + "|" +
			cellText(r.Attrs["color"], false) + "|" + cellText(r.Attrs["born"], true) + "|" + cellText(r.Attrs["permission"], false)
		if r.RefID == id {
			line += "|" + id
		}
		out = append(out, line)
	}
	sort.Strings(out)
	return out
}

func TestImportTextPathMatchesInputPath(t *testing.T) {
	t.Parallel()
	id := "01a20000-0000-7000-8000-0000000000cc"
	lines := []string{
		",one,1,#ff0000,2024-01-02", ",two,x,,", "ragged", ",three,3,,2024-02-30", id + ",four,4,,",
		",\"fi,ve\",5,,1999-12-31", ",six,,,", id + ",dup,6,,", "bad-id,seven,7,,", ",eight,8,,",
		",nine\xff,9,,", ",ten,10,,", ",,11,,", ",twelve,12,,2024-02-29",
	}
	exact := "reference_id,title,size,color,born\n"
	named := "Title,Size,Colour Name,Born\n"
	for _, l := range lines {
		exact += l + "\n"
		_, rest, _ := strings.Cut(l, ",")
		named += rest + "\n"
	}
	named = strings.Replace(named, "Colour Name", "Color", 1)
	for _, c := range []struct {
		name string
		spec ImportSpec
	}{
		{"exact headers", ImportSpec{Table: "gadget", BatchSize: 3, ExactHeaders: true}},
		{"header rule", ImportSpec{Table: "gadget", BatchSize: 4}},
		{"one batch", ImportSpec{Table: "gadget", BatchSize: 500, ExactHeaders: true}},
		{"atomic", ImportSpec{Table: "gadget", BatchSize: 3, ExactHeaders: true, Atomic: true}},
	} {
		t.Run(c.name, func(t *testing.T) {
			e1, text, ctx := dataExecutor(t)
			e2, plain, _ := dataExecutor(t)
			data := []byte(exact)
			if !c.spec.ExactHeaders {
				data = []byte(named)
			}
			got, gerr := e1.ImportTable(ctx, text, c.spec, bytes.NewReader(data))
			want, werr := e2.ImportTable(ctx, inputsOnly{plain}, c.spec, bytes.NewReader(data))
			if (gerr == nil) != (werr == nil) || (gerr != nil && gerr.Error() != werr.Error()) {
				t.Fatalf("errors: text %v, inputs %v", gerr, werr)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("results:\n text   %+v\n inputs %+v", got, want)
			}
			if !c.spec.Atomic && (got.Imported < 6 || got.Failed < 4) {
				t.Errorf("the file should import in part: %+v", got)
			}
			tp, err := planText(ctx, text, "gadget", columnPlan{"title"}, c.spec.BatchSize)
			if err != nil || tp == nil {
				t.Fatalf("gadget should take the text path: %v", err)
			}
			tp.Close()
			if a, b := gadgetRows(t, text, ctx, id), gadgetRows(t, plain, ctx, id); !reflect.DeepEqual(a, b) {
				t.Errorf("rows:\n text   %q\n inputs %q", a, b)
			}
		})
	}
}

func TestExportStreamMatchesPages(t *testing.T) {
	t.Parallel()
	e, svc, ctx := dataExecutor(t)
	csv := "title,size,color,born\nlamp,1,#ff0000,2024-01-02\n\"chair, big\",2,,\n\" lead\",,,1999-12-31\n\"multi\nline\",4,,\n"
	for range 3 {
		if _, err := e.ImportTable(ctx, svc, ImportSpec{Table: "gadget", BatchSize: 2}, strings.NewReader(csv)); err != nil {
			t.Fatal(err)
		}
	}
	for _, spec := range []ExportSpec{
		{Tables: []string{"gadget"}, Format: fmtCSV, PageSize: 5},
		{Tables: []string{"gadget"}, Format: fmtCSV, Columns: []string{"born", "__type", "title", "size"}},
		{Tables: []string{"gadget", "part"}, Format: fmtHTML, PageSize: 2},
		{Tables: []string{"gadget"}, Format: fmtCSV, NoHeaders: true},
		{Tables: []string{"gadget", "part"}, Format: fmtJSON},
	} {
		var got, want bytes.Buffer
		n1, err1 := e.Export(ctx, svc, spec, &got)
		n2, err2 := e.export(ctx, svc, spec, &want, true)
		if err1 != nil || err2 != nil || n1 != n2 || n1 != 12 {
			t.Fatalf("%+v: %d %v, %d %v", spec, n1, err1, n2, err2)
		}
		if got.String() != want.String() {
			t.Errorf("%+v:\n stream %q\n pages  %q", spec, got.String(), want.String())
		}
	}
}

// panickySource fails hard after its header.
type panickySource struct{}

func (panickySource) header() []string      { return []string{"title"} }
func (panickySource) next() (record, error) { panic("source broke") }
func (panickySource) close()                {}

func TestImportTextReRaisesReaderPanic(t *testing.T) {
	t.Parallel()
	e, svc, ctx := dataExecutor(t)
	tp, err := planText(ctx, svc, "gadget", columnPlan{"title"}, 10)
	if err != nil || tp == nil {
		t.Fatalf("plan: %v", err)
	}
	defer tp.Close()
	var result ImportResult
	sink := newRowSink(svc, "gadget", 10, false, e.o.Log, &result)
	defer func() {
		if r := recover(); r != "source broke" {
			t.Errorf("recovered %v", r)
		}
	}()
	_ = importText(ctx, svc, tp, panickySource{}, columnPlan{"title"}, sink)
	t.Error("importText returned instead of panicking")
}
