package actions

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/resource/resourcetest"
)

func statusOf(err error) int {
	var ae *Error
	if errors.As(err, &ae) {
		return ae.Status
	}
	return 0
}

func TestDecodeFile(t *testing.T) {
	b64 := base64.StdEncoding.EncodeToString([]byte(`{"a":1}`))
	for _, c := range []struct {
		obj  map[string]any
		want string
		code int
	}{
		{map[string]any{"name": "x.json", "file": "data:application/json;base64," + b64}, `{"a":1}`, 0},
		{map[string]any{"name": "x.json", "file": b64}, `{"a":1}`, 0},
		{map[string]any{"name": "x.json", "contents": b64}, `{"a":1}`, 0},
		{map[string]any{"name": "x.json", "contents": strings.TrimRight(b64, "=")}, `{"a":1}`, 0},
		{map[string]any{"name": "x.txt", "file": "data:text/plain,hello%20world"}, "hello world", 0},
		{map[string]any{"name": "x.json"}, "", http.StatusBadRequest},
		{map[string]any{"name": "x.json", "file": "data:application/json;base64"}, "", http.StatusBadRequest},
		{map[string]any{"name": "x.json", "file": "!!not base64!!"}, "", http.StatusBadRequest},
		{map[string]any{"name": "big", "file": strings.Repeat("A", maxUploadBytes/3*4+400)}, "", http.StatusRequestEntityTooLarge},
	} {
		name, data, err := decodeFile(c.obj)
		if c.code != 0 {
			if statusOf(err) != c.code {
				t.Errorf("%v: err %v, want status %d", c.obj["name"], err, c.code)
			}
			continue
		}
		if err != nil || string(data) != c.want || name != c.obj["name"] {
			t.Errorf("%v: %q %q %v", c.obj["name"], name, data, err)
		}
	}
}

func TestFileObjectsAndNames(t *testing.T) {
	if _, err := fileObjects("f", nil); statusOf(err) != http.StatusBadRequest {
		t.Errorf("empty input: %v", err)
	}
	if l, err := fileObjects("f", `[{"name":"a.json"}]`); err != nil || len(l) != 1 {
		t.Errorf("JSON string input: %v %v", l, err)
	}
	if l, err := fileObjects("f", map[string]any{"name": "a"}); err != nil || len(l) != 1 {
		t.Errorf("single object: %v %v", l, err)
	}
	for in, want := range map[string]string{
		"schema_todo.json": "schema_todo", "../../etc/passwd": "passwd", `C:\x\my file.yaml`: "my_file",
		"": "file", "ünï.json": "_n_", strings.Repeat("a", 300): strings.Repeat("a", 100),
	} {
		if got := safeBaseName(in); got != want {
			t.Errorf("safeBaseName(%q) = %q, want %q", in, got, want)
		}
	}
	for _, c := range [][3]string{
		{"a.JSON", "", ".json"}, {"a.yml", "", ".yml"}, {"a.toml", "", ".toml"}, {"a", "application/x-yaml", ".yaml"},
		{"a", "", ".json"}, {"a.hcl", "", ""}, {"a", "text/csv", ""},
	} {
		if got := schemaExt(c[0], c[1]); got != c[2] {
			t.Errorf("schemaExt(%q, %q) = %q, want %q", c[0], c[1], got, c[2])
		}
	}
}

const gadgetJSON = `{"Tables":[{"TableName":"gadget","Columns":[{"Name":"title","ColumnType":"label"}]}]}`

func fileAttr(name, content string) map[string]any {
	return map[string]any{"schema_file": []any{map[string]any{"name": name,
		"file": "data:application/json;base64," + base64.StdEncoding.EncodeToString([]byte(content)), "type": "application/json"}}}
}

func uploadedFiles(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "*upload*"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestUploadSchema(t *testing.T) {
	dir := t.TempDir()
	reloads := 0
	var reloadErr error
	e := New(Options{SchemaDir: dir, Reload: func(context.Context) error { reloads++; return reloadErr }})
	admin := auth.WithPrincipal(context.Background(), auth.System())
	user := auth.WithPrincipal(context.Background(), auth.Principal{UserID: 7, Email: "u@x"})

	if _, err := e.uploadSchema(user, Request{Attributes: fileAttr("g.json", gadgetJSON)}); statusOf(err) != http.StatusForbidden {
		t.Fatalf("non-admin upload: %v", err)
	}
	for _, bad := range []struct{ name, content string }{
		{"g.json", `{"Tables": [`},
		{"g.json", `{"Tables":[{"TableName":"gadget","Columns":[{"Name":"x","ColumnType":"nosuchtype"}]}]}`},
		{"g.hcl", gadgetJSON},
	} {
		_, err := e.uploadSchema(admin, Request{Attributes: fileAttr(bad.name, bad.content)})
		if statusOf(err) != http.StatusBadRequest {
			t.Errorf("broken upload %s: %v", bad.content, err)
		}
	}
	if f := uploadedFiles(t, dir); len(f) != 0 || reloads != 0 {
		t.Fatalf("broken uploads wrote %v / reloaded %d times", f, reloads)
	}

	out, err := e.uploadSchema(admin, Request{Attributes: fileAttr("schema_gadget.json", gadgetJSON)})
	if err != nil || len(out) != 2 || out[1].ResponseType != "client.redirect" || reloads != 1 {
		t.Fatalf("upload: %v %v reloads=%d", out, err, reloads)
	}
	path := filepath.Join(dir, "schema_uploaded_schema_gadget.json")
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("written file: %v %v", st, err)
	}

	// A second file that adds to the first validates against it.
	more := `{"Tables":[{"TableName":"part","Columns":[{"Name":"n","ColumnType":"label"}]}],"Relations":[{"Subject":"part","Relation":"belongs_to","Object":"gadget"}]}`
	if _, err := e.uploadSchema(admin, Request{Attributes: fileAttr("part.json", more)}); err != nil {
		t.Fatalf("second upload: %v", err)
	}

	// A failed reload takes the new file away and restores a replaced one.
	reloadErr = errors.New("migration failed")
	changed := `{"Tables":[{"TableName":"gadget","Columns":[{"Name":"title","ColumnType":"label"},{"Name":"size","ColumnType":"measurement"}]}]}`
	if _, err := e.uploadSchema(admin, Request{Attributes: fileAttr("schema_gadget.json", changed)}); err == nil {
		t.Fatal("reload failure not reported")
	}
	if _, err := e.uploadSchema(admin, Request{Attributes: fileAttr("new.json", `{"Tables":[{"TableName":"other"}]}`)}); err == nil {
		t.Fatal("reload failure not reported")
	}
	if b, _ := os.ReadFile(path); string(b) != gadgetJSON {
		t.Errorf("replaced file not restored: %s", b)
	}
	if f := uploadedFiles(t, dir); len(f) != 2 {
		t.Errorf("files after failed reloads: %v", f)
	}
}

func TestRestartAndDownloadAndGuestActions(t *testing.T) {
	svc := resourcetest.New(t, `Tables: [{TableName: gadget, Columns: [{Name: title, ColumnType: label}]}]`)
	reloads := 0
	e := New(Options{Res: func() resource.Service { return svc }, Reload: func(context.Context) error { reloads++; return nil }})
	ctx := auth.WithPrincipal(context.Background(), auth.System())
	out, err := e.restart(ctx, Request{Res: svc})
	if err != nil || reloads != 1 || len(out) != 2 {
		t.Fatalf("restart: %v %v", out, err)
	}
	if m := out[0].Attributes.(map[string]any)["message"]; m != "Initiating system update." {
		t.Errorf("restart message %v", m)
	}

	out, err = e.downloadSchema(ctx, Request{Res: svc})
	if err != nil || len(out) != 1 || out[0].ResponseType != "client.file.download" {
		t.Fatalf("download: %v %v", out, err)
	}
	a := out[0].Attributes.(map[string]any)
	if a["name"] != "schema.json" || a["contentType"] != "application/json" || a["message"] != "Downloading system schema" {
		t.Errorf("download attributes %v", a)
	}
	raw, _ := base64.StdEncoding.DecodeString(a["content"].(string))
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"Tables", "Relations", "Actions", "StateMachineDescriptions"} {
		if _, ok := doc[k].([]any); !ok {
			t.Errorf("schema dump lacks list %s", k)
		}
	}
	if !strings.Contains(string(raw), `"TableName":"gadget"`) || !strings.Contains(string(raw), `"TableName":"user_account"`) {
		t.Error("schema dump lacks tables")
	}

	g := e.GuestActions()
	b, _ := json.Marshal(g)
	if len(g) != 2 || !strings.Contains(string(b), `"Name":"signup"`) || !strings.Contains(string(b), `"Name":"signin"`) {
		t.Errorf("guest actions: %s", b)
	}
}
