package actions

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/resource/resourcetest"
	"github.com/apiary/apiary/schema"
)

const dataSchema = `
Tables:
  - TableName: gadget
    Columns:
      - {Name: title, ColumnType: label}
      - {Name: size, ColumnType: measurement, DataType: int(11), IsNullable: true}
      - {Name: color, ColumnType: color, IsNullable: true}
      - {Name: born, ColumnType: date, IsNullable: true}
  - TableName: part
    Columns:
      - {Name: label, ColumnType: label}
Relations:
  - {Subject: part, Relation: belongs_to, Object: gadget}
`

func dataExecutor(t *testing.T) (*Executor, resource.Service, context.Context) {
	t.Helper()
	svc := resourcetest.New(t, dataSchema)
	e := New(Options{Res: func() resource.Service { return svc }})
	return e, svc, auth.WithPrincipal(context.Background(), auth.System())
}

func count(t *testing.T, svc resource.Service, ctx context.Context, table string) int64 {
	t.Helper()
	p, err := svc.List(ctx, table, resource.Query{PageSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	return p.Total
}

func TestAttrWhole(t *testing.T) {
	for _, c := range []struct {
		v  any
		n  int64
		ok bool
	}{{float64(25), 25, true}, {json.Number("7"), 7, true}, {2.5, 0, false}, {"25", 0, false}, {nil, 0, false}, {1e12, 0, false}} {
		if n, ok := attrWhole(c.v); n != c.n || ok != c.ok {
			t.Errorf("attrWhole(%v) = %d %v", c.v, n, ok)
		}
	}
}

func TestGenerateRandomData(t *testing.T) {
	e, svc, ctx := dataExecutor(t)
	gen := func(table string, n any) ([]Response, error) {
		return e.generateRandomData(ctx, Request{Res: svc, Attributes: map[string]any{"table_name": table, "count": n}})
	}
	if _, err := gen("part", float64(3)); statusOf(err) != http.StatusBadRequest {
		t.Errorf("part without gadgets: %v", err)
	}
	for _, bad := range []any{float64(0), float64(10001), 2.5, "25", nil} {
		if _, err := gen("gadget", bad); statusOf(err) != http.StatusBadRequest {
			t.Errorf("count %v: %v", bad, err)
		}
	}
	if _, err := gen("nosuch", float64(1)); statusOf(err) != http.StatusNotFound {
		t.Errorf("unknown table: %v", err)
	}
	out, err := gen("gadget", float64(25))
	if err != nil || out == nil || len(out) != 0 {
		t.Fatalf("generate: %v %v", out, err)
	}
	if n := count(t, svc, ctx, "gadget"); n != 25 {
		t.Errorf("gadget rows %d", n)
	}
	if _, err := gen("part", float64(10)); err != nil {
		t.Fatal(err)
	}
	p, _ := svc.List(ctx, "part", resource.Query{PageSize: 100})
	for _, r := range p.Rows {
		if ref, _ := r.Attrs["gadget_id"].(string); ref == "" {
			t.Errorf("part without gadget: %v", r.Attrs)
		}
	}
}

func exportOf(t *testing.T, out []Response) (string, map[string][]map[string]any) {
	t.Helper()
	if len(out) != 1 || out[0].ResponseType != "client.file.download" {
		t.Fatalf("export answer %v", out)
	}
	a := out[0].Attributes.(map[string]any)
	raw, err := base64.StdEncoding.DecodeString(a["content"].(string))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string][]map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("export is not JSON: %v\n%s", err, raw)
	}
	return a["name"].(string), doc
}

func TestExportImportRoundTrip(t *testing.T) {
	e, svc, ctx := dataExecutor(t)
	g, err := svc.Create(ctx, "gadget", resource.Input{Attributes: map[string]any{"title": "lamp", "size": 3}})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range []string{"bulb", "shade"} {
		if _, err := svc.Create(ctx, "part", resource.Input{Attributes: map[string]any{"label": l, "gadget_id": g.RefID}}); err != nil {
			t.Fatal(err)
		}
	}
	user := auth.WithPrincipal(context.Background(), auth.Principal{UserID: 9})
	if _, err := e.exportData(user, Request{Res: svc, Attributes: map[string]any{}}); statusOf(err) != http.StatusForbidden {
		t.Errorf("export by a user: %v", err)
	}
	if _, err := e.exportData(ctx, Request{Res: svc, Attributes: map[string]any{"format": "csv"}}); statusOf(err) != http.StatusBadRequest {
		t.Errorf("csv export: %v", err)
	}
	out, err := e.exportData(ctx, Request{Res: svc, Attributes: map[string]any{"table_name": "part", "format": "json"}})
	if err != nil {
		t.Fatal(err)
	}
	name, doc := exportOf(t, out)
	if name != "daptin_export_part.json" || len(doc) != 1 || len(doc["part"]) != 2 {
		t.Fatalf("part export %s %v", name, doc)
	}
	out, err = e.exportData(ctx, Request{Res: svc, Attributes: map[string]any{}})
	if err != nil {
		t.Fatal(err)
	}
	name, all := exportOf(t, out)
	if name != "daptin_export_complete.json" || len(all["gadget"]) != 1 || len(all["world"]) == 0 {
		t.Fatalf("complete export %s: %d tables", name, len(all))
	}
	for table, rows := range all {
		for _, r := range rows {
			if _, ok := r["id"]; ok {
				t.Fatalf("%s row carries an internal id: %v", table, r)
			}
		}
	}

	// Round trip: gadget first, then its parts, into an emptied database.
	dump, _ := json.Marshal(map[string]any{"gadget": all["gadget"]})
	dump = append(dump[:len(dump)-1], []byte(`,"part":`+mustJSON(t, doc["part"])+"}")...)
	for _, p := range doc["part"] {
		if err := svc.Delete(ctx, "part", p["reference_id"].(string)); err != nil {
			t.Fatal(err)
		}
	}
	if err := svc.Delete(ctx, "gadget", g.RefID); err != nil {
		t.Fatal(err)
	}
	bad := `{"gadget":[{"title":"ok one"},{"size":4}]}`
	imp := func(content string, truncate bool) ([]Response, error) {
		return e.importData(ctx, Request{Res: svc, Attributes: map[string]any{"truncate_before_insert": truncate, "atomic": content == bad,
			"dump_file": []any{map[string]any{"name": "dump.json", "file": base64.StdEncoding.EncodeToString([]byte(content))}}}})
	}
	out, err = imp(string(dump), false)
	if err != nil || !strings.Contains(out[0].Attributes.(map[string]any)["message"].(string), "Imported 3 rows into gadget, part") {
		t.Fatalf("import: %v %v", out, err)
	}
	back, err := svc.Get(ctx, "part", doc["part"][0]["reference_id"].(string), resource.Query{})
	if err != nil || back.Attrs["label"] != doc["part"][0]["label"] || back.Attrs["gadget_id"] != g.RefID {
		t.Fatalf("imported part: %v %v", back.Attrs, err)
	}
	out, err = imp(string(dump), false)
	if err != nil || len(out) != 2 || out[1].ResponseType != "import.errors" || out[1].Attributes.(map[string]any)["failed"] != 3 {
		t.Errorf("importing the same ids twice: %v %v", out, err)
	}
	if _, err := imp(`{"part":`+mustJSON(t, doc["part"])+`}`, true); err != nil {
		t.Errorf("import with truncate: %v", err)
	}
	if n := count(t, svc, ctx, "part"); n != 2 {
		t.Errorf("parts after truncate+import: %d", n)
	}

	// A bad row rolls the whole atomic import back.
	if _, err := imp(bad, false); statusOf(err) != http.StatusBadRequest {
		t.Errorf("bad row: %v", err)
	}
	if n := count(t, svc, ctx, "gadget"); n != 1 {
		t.Errorf("gadgets after a failed import: %d", n)
	}
	if _, err := imp(`{"nosuch":[]}`, false); statusOf(err) != http.StatusNotFound {
		t.Errorf("unknown table: %v", err)
	}
	if _, err := imp(`[1,2]`, false); statusOf(err) != http.StatusBadRequest {
		t.Errorf("not an object: %v", err)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestParseDumpKeepsOrder(t *testing.T) {
	d, err := parseDump([]byte(`{"zeta":[{"a":1}],"alpha":[],"mid":[{},{}]}`))
	if err != nil || len(d) != 3 || d[0].name != "zeta" || d[1].name != "alpha" || len(d[2].rows) != 2 {
		t.Fatalf("parseDump: %+v %v", d, err)
	}
	if _, err := parseDump([]byte(`{"a": 5}`)); err == nil {
		t.Error("a non-list table accepted")
	}
}

func TestImportInputDropsManagedAndSecretAttributes(t *testing.T) {
	f, err := schema.Parse("s.yaml", []byte(`
Tables:
  - TableName: box
    Columns:
      - {Name: title, ColumnType: label}
      - {Name: pin, ColumnType: bcrypt, IsNullable: true}
      - {Name: note, ColumnType: encrypted, IsNullable: true}
Relations:
  - {Subject: box, Relation: has_many, Object: usergroup, ObjectName: shared_with}
`))
	if err != nil {
		t.Fatal(err)
	}
	sc, err := schema.Compile(schema.Source{Path: "s.yaml", File: f})
	if err != nil {
		t.Fatal(err)
	}
	box, _ := sc.Table("box")
	in := importInput(box, map[string]any{"__type": "box", "reference_id": "0190c3a4-0000-7000-8000-000000000001",
		"permission": 1, "created_at": "x", "updated_at": "y", "title": "t", "pin": "$2a$...", "note": "cipher",
		"shared_with": []any{}, "usergroup_id": []any{}})
	if in.ID != "0190c3a4-0000-7000-8000-000000000001" || len(in.Attributes) != 1 || in.Attributes["title"] != "t" {
		t.Errorf("importInput: %q %v", in.ID, in.Attributes)
	}
}
