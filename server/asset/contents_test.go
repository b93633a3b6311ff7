package asset

import (
	"context"
	"encoding/base64"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/schema"
	"github.com/apiary/apiary/server/filestore"
	"github.com/apiary/apiary/server/httperr"
)

// storeRes answers the cloud_store lookup of one local store "disk".
type storeRes struct {
	resource.Service // nil: only List is called
	root             string
}

func (s storeRes) List(_ context.Context, table string, q resource.Query) (resource.Page, error) {
	for _, c := range q.Conditions {
		if c.Value != "disk" {
			return resource.Page{}, nil
		}
	}
	return resource.Page{Rows: []resource.Row{{Attrs: map[string]any{"name": "disk", "store_provider": "local", "root_path": s.root}}}}, nil
}

func TestReadFiles(t *testing.T) {
	root := t.TempDir()
	write := func(rel string, data []byte) {
		p := filepath.Join(root, "avatars", filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a.txt", []byte("alpha"))
	write("sub/b.bin", []byte{0, 1, 2})
	big := filepath.Join(root, "avatars", "big.bin")
	f, _ := os.Create(big)
	_ = f.Truncate(MaxIncludedFile + 1)
	_ = f.Close()
	res := storeRes{root: root}
	files := &Files{Stores: filestore.New(func() resource.Service { return res }, "", slog.New(slog.DiscardHandler))}
	col := &schema.Column{ColumnName: "avatar", ColumnType: "file.*",
		ForeignKeyData: schema.ForeignKeyData{DataSource: "cloud_store", Namespace: "disk", KeyName: "avatars"}}
	in := []map[string]any{
		{"name": "a.txt", "src": "a.txt", "md5": "m"},
		{"name": "b.bin", "path": "sub", "src": "sub/b.bin"},
		{"name": "gone.txt", "src": "gone.txt"},
		{"name": "big.bin", "src": "big.bin"},
		{"name": "nosrc"},
		{"name": "x", "src": "../../etc/passwd"},
	}
	out, err := files.ReadFiles(context.Background(), "profile", col, in)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		name, contents string
		hasContents    bool
	}{
		{"a.txt", base64.StdEncoding.EncodeToString([]byte("alpha")), true},
		{"b.bin", base64.StdEncoding.EncodeToString([]byte{0, 1, 2}), true},
		{"big.bin", "", false},
	}
	if len(out) != len(want) {
		t.Fatalf("%d entries: %v", len(out), out)
	}
	for i, w := range want {
		e := out[i]
		c, has := e["contents"]
		if e["name"] != w.name || e["reference_id"] != w.name || has != w.hasContents || (has && c != w.contents) {
			t.Errorf("entry %d = %v", i, e)
		}
	}
	if out[0]["md5"] != "m" {
		t.Error("metadata was not kept")
	}
	if _, ok := in[0]["contents"]; ok {
		t.Error("the input entries were changed")
	}
	// A column whose store does not exist is a 502.
	bad := *col
	bad.ForeignKeyData.Namespace = "missing"
	if _, err := files.ReadFiles(context.Background(), "profile", &bad, in); httperr.Status(err) != http.StatusBadGateway {
		t.Fatalf("unknown store: %v", err)
	}
}
