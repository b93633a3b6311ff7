package actions

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/storage/blob"
)

// oneStore resolves every cloud_store id to one local store ("down": an
// unavailable one).
type oneStore struct {
	st   *blob.Store
	down bool
}

func (o oneStore) ByRef(context.Context, string) (*blob.Store, resource.Row, error) {
	if o.down {
		return nil, resource.Row{}, errors.New("unreachable")
	}
	return o.st, resource.Row{}, nil
}

func (o oneStore) ByName(context.Context, string) (*blob.Store, error) { return o.st, nil }

func dataURL(name, content string) []any {
	return []any{map[string]any{"name": name, "file": "data:application/octet-stream;base64," + base64.StdEncoding.EncodeToString([]byte(content))}}
}

func TestStoreActions(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	st, err := blob.Open(context.Background(), blob.Spec{Provider: "local", Root: root})
	if err != nil {
		t.Fatal(err)
	}
	e := New(Options{Stores: oneStore{st: st}})
	ctx := sysCtx()
	subject := &resource.Row{RefID: "store-1"}
	run := func(fn Performer, attrs map[string]any) error {
		_, err := fn(ctx, Request{Subject: subject, Attributes: attrs})
		return err
	}
	if err := run(e.storeUpload, map[string]any{"path": "docs", "file": dataURL("a.txt", "hello")}); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(root, "docs", "a.txt")); err != nil || string(b) != "hello" {
		t.Fatalf("uploaded file: %q %v", b, err)
	}
	zipped := base64.StdEncoding.EncodeToString(zipOf(t, map[string]string{"x/y.txt": "zip"}))
	if err := run(e.storeUpload, map[string]any{"file": []any{map[string]any{"name": "site.zip", "file": zipped}}}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(root, "x", "y.txt")); string(b) != "zip" {
		t.Errorf("zip entry: %q", b)
	}
	if err := run(e.storeMkdir, map[string]any{"path": "docs", "name": "new"}); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Join(root, "docs", "new")); err != nil || !fi.IsDir() {
		t.Errorf("folder: %v", err)
	}
	if err := run(e.storeMove, map[string]any{"source": "docs/a.txt", "destination": "docs/new/b.txt"}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "docs", "new", "b.txt")); err != nil {
		t.Errorf("moved file: %v", err)
	}
	if err := run(e.storeDelete, map[string]any{"path": "docs/new/b.txt"}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "docs", "new", "b.txt")); !os.IsNotExist(err) {
		t.Errorf("deleted file still there: %v", err)
	}
	for _, c := range []struct {
		name   string
		fn     Performer
		attrs  map[string]any
		status int
	}{
		{"upload a path as name", e.storeUpload, map[string]any{"file": dataURL("../x", "a")}, 400},
		{"upload escaping base", e.storeUpload, map[string]any{"path": "../..", "file": dataURL("a", "a")}, 400},
		{"mkdir bad name", e.storeMkdir, map[string]any{"name": "a/b"}, 400},
		{"move from root", e.storeMove, map[string]any{"source": "", "destination": "x"}, 400},
		{"move missing", e.storeMove, map[string]any{"source": "nope", "destination": "x2"}, 404},
		{"delete root", e.storeDelete, map[string]any{"path": ""}, 400},
		{"delete missing", e.storeDelete, map[string]any{"path": "nope"}, 404},
	} {
		if err := run(c.fn, c.attrs); statusOf(err) != c.status {
			t.Errorf("%s: %v, want %d", c.name, err, c.status)
		}
	}
	down := New(Options{Stores: oneStore{down: true}})
	if _, err := down.storeDelete(ctx, Request{Subject: subject, Attributes: map[string]any{"path": "x"}}); statusOf(err) != http.StatusBadGateway {
		t.Errorf("unavailable store: %v", err)
	}
}

func TestUploadToEntityAndImportData(t *testing.T) {
	t.Parallel()
	e, svc, ctx := dataExecutor(t)
	out, err := e.uploadCSVToEntity(ctx, Request{Res: svc, Attributes: map[string]any{
		"entity_name": "gadget", "data_csv_file": dataURL("g.csv", "title,size\na,1\nb,x\n")}})
	if err != nil {
		t.Fatal(err)
	}
	if n := out[0].Attributes.(map[string]any)["message"]; n != "Imported 1 rows into gadget, 1 failed" {
		t.Errorf("upload answer: %v", n)
	}
	for _, bad := range []map[string]any{
		{"entity_name": "1bad", "data_csv_file": dataURL("g.csv", "title\nx\n")},
		{"entity_name": "gadget", "batch_size": 0.0, "data_csv_file": dataURL("g.csv", "title\nx\n")},
		{"entity_name": "gadget"},
	} {
		if _, err := e.uploadCSVToEntity(ctx, Request{Res: svc, Attributes: bad}); statusOf(err) != http.StatusBadRequest {
			t.Errorf("%v: %v", bad, err)
		}
	}
	// import_data: a JSON dump of several tables, and a CSV into table_name.
	dump := `{"gadget":[{"title":"from dump","size":4}],"part":[]}`
	if _, err := e.importData(ctx, Request{Res: svc, Attributes: map[string]any{"dump_file": dataURL("d.json", dump)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.importData(ctx, Request{Res: svc, Attributes: map[string]any{"table_name": "gadget",
		"dump_file": dataURL("d.csv", "title,size\nfrom csv,5\n")}}); err != nil {
		t.Fatal(err)
	}
	p, err := svc.List(ctx, "gadget", resource.Query{PageSize: 10})
	if err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, r := range p.Rows {
		titles = append(titles, str(r.Attrs["title"]))
	}
	got := strings.Join(titles, ",")
	if !strings.Contains(got, "from dump") || !strings.Contains(got, "from csv") || len(titles) != 3 {
		t.Errorf("gadgets after imports: %v", titles)
	}
	if _, err := e.importData(ctx, Request{Res: svc, Attributes: map[string]any{"dump_file": dataURL("d.csv", "title\nx\n")}}); statusOf(err) != http.StatusBadRequest {
		t.Errorf("CSV without table_name: %v", err)
	}
}
