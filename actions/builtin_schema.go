package actions

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/apiary/apiary/schema"
)

// schemaDump is the merged schema as download_system_schema returns it.
type schemaDump struct {
	Tables                   []schemaDumpTable     `json:"Tables"`
	Relations                []schema.Relation     `json:"Relations"`
	Actions                  []schemaDumpAction    `json:"Actions"`
	StateMachineDescriptions []schema.StateMachine `json:"StateMachineDescriptions"`
	ExchangeContracts        []map[string]any      `json:"ExchangeContracts"`
	Imports                  []schema.Import       `json:"Imports,omitempty"`
	Streams                  []map[string]any      `json:"Streams,omitempty"`
	Tasks                    []map[string]any      `json:"Tasks,omitempty"`
	EnableGraphQL            *bool                 `json:"EnableGraphQL,omitempty"`
}

// downloadSchema answers the live merged schema as a schema.json download.
func (e *Executor) downloadSchema(_ context.Context, req Request) ([]Response, error) {
	sc := req.Res.Schema()
	d := schemaDump{
		Tables: schemaDumpTables(sc.Tables), Relations: orEmpty(sc.Relations), Actions: schemaDumpActions(sc.Actions),
		StateMachineDescriptions: orEmpty(sc.StateMachines), ExchangeContracts: orEmpty(sc.Exchanges),
		Imports: sc.Imports, Streams: sc.Streams, Tasks: sc.Tasks, EnableGraphQL: sc.EnableGraphQL,
	}
	b, err := json.Marshal(d)
	if err != nil {
		return nil, err
	}
	return []Response{fileDownload(b, "schema.json", "application/json", "Downloading system schema")}, nil
}

// schemaDumpTable writes Permission and DefaultPermission only when the schema
// set them, so that uploading a download again gives the same tables (an
// explicit 0 means nobody; an absent one means the instance default).
type schemaDumpTable struct {
	*schema.Table
	Permission        *int64 `json:"Permission,omitempty"`
	DefaultPermission *int64 `json:"DefaultPermission,omitempty"`
}

func schemaDumpTables(ts []*schema.Table) []schemaDumpTable {
	out := make([]schemaDumpTable, len(ts))
	for i, t := range ts {
		out[i].Table = t
		if t.ExplicitPermission {
			out[i].Permission = &t.Permission
		}
		if t.ExplicitDefaultPermission {
			out[i].DefaultPermission = &t.DefaultPermission
		}
	}
	return out
}

// schemaDumpAction writes an explicit Permission, 0 included.
type schemaDumpAction struct {
	schema.Action
	Permission *int64 `json:"Permission,omitempty"`
}

func schemaDumpActions(as []schema.Action) []schemaDumpAction {
	out := make([]schemaDumpAction, len(as))
	for i := range as {
		out[i].Action = as[i]
		if as[i].ExplicitPermission || as[i].Permission != 0 {
			out[i].Permission = &as[i].Permission
		}
	}
	return out
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// restart reloads schema files and configuration in process.
func (e *Executor) restart(ctx context.Context, _ Request) ([]Response, error) {
	if e.o.Reload != nil {
		if err := e.o.Reload(ctx); err != nil {
			return nil, err
		}
	}
	return []Response{Notify("success", "Success", "Initiating system update."), Redirect("/", "self", 5000)}, nil
}

// schemaUpload is one uploaded file ready to be written.
type schemaUpload struct {
	target string
	data   []byte
	src    schema.Source
}

// uploadSchema validates uploaded schema files against everything already
// in the schema folder, writes them and applies them live. Administrators
// only, whatever the action row allows (Daptin accepts anyone).
func (e *Executor) uploadSchema(ctx context.Context, req Request) ([]Response, error) {
	if err := requireAdmin(ctx); err != nil {
		return nil, err
	}
	objs, err := fileObjects("schema_file", req.Attributes["schema_file"])
	if err != nil {
		return nil, err
	}
	dir := e.o.SchemaDir
	var ups []schemaUpload
	seen := map[string]bool{}
	for _, obj := range objs {
		name, data, err := decodeFile(obj)
		if err != nil {
			return nil, err
		}
		ext := schemaExt(name, str(obj["type"]))
		if ext == "" {
			return nil, Fail(http.StatusBadRequest, "%s: unsupported schema format (want .json, .yaml, .yml or .toml)", name)
		}
		parseName := name
		if strings.ToLower(filepath.Ext(name)) != ext {
			parseName = name + ext
		}
		f, err := schema.Parse(parseName, data)
		if err != nil {
			return nil, Fail(http.StatusBadRequest, "%v", err)
		}
		target := filepath.Join(dir, "schema_uploaded_"+safeBaseName(name)+ext)
		if seen[target] {
			return nil, Fail(http.StatusBadRequest, "two uploaded files are both named %s", filepath.Base(target))
		}
		seen[target] = true
		ups = append(ups, schemaUpload{target: target, data: data, src: schema.Source{Path: name, File: f}})
	}

	e.schemaMu.Lock()
	defer e.schemaMu.Unlock()
	existing, err := schema.LoadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read existing schema files: %w", err)
	}
	var sources []schema.Source
	for _, s := range existing {
		if !seen[filepath.Join(dir, filepath.Base(s.Path))] {
			sources = append(sources, s)
		}
	}
	for _, u := range ups {
		sources = append(sources, u.src)
	}
	if _, err := schema.Compile(sources...); err != nil {
		return nil, Fail(http.StatusBadRequest, "%v", err)
	}
	undo, err := writeSchemaFiles(ups)
	if err != nil {
		undo()
		return nil, err
	}
	msg := "Schema uploaded; applied without a restart"
	if e.o.Reload == nil {
		msg = "Schema uploaded; applied at the next start"
	} else if err := e.o.Reload(ctx); err != nil {
		undo()
		return nil, err
	}
	return []Response{Notify("success", "Success", msg), Redirect("/", "self", 5000)}, nil
}

// writeSchemaFiles writes every upload atomically; undo puts back what was
// there before (removes new files, restores replaced ones).
func writeSchemaFiles(ups []schemaUpload) (undo func(), err error) {
	var undos []func()
	undo = func() {
		for i := len(undos) - 1; i >= 0; i-- {
			undos[i]()
		}
	}
	for _, u := range ups {
		old, readErr := os.ReadFile(u.target)
		if err := writeFileAtomic(u.target, u.data); err != nil {
			return undo, err
		}
		target := u.target
		if readErr == nil {
			undos = append(undos, func() { _ = writeFileAtomic(target, old) })
		} else if errors.Is(readErr, fs.ErrNotExist) {
			undos = append(undos, func() { _ = os.Remove(target) })
		}
	}
	return undo, nil
}

// writeFileAtomic writes data to a temporary file in the same folder and
// renames it over path, so a reader never sees half a file.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".upload-*.tmp")
	if err != nil {
		return err
	}
	name := tmp.Name()
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Chmod(0o600)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(name, path)
	}
	if err != nil {
		_ = os.Remove(name)
	}
	return err
}

// schemaExt picks the format of an uploaded schema file: the extension of
// its name, else its MIME type; "" when neither is a schema format.
func schemaExt(name, mime string) string {
	switch ext := strings.ToLower(filepath.Ext(name)); ext {
	case ".json", ".yaml", ".yml", ".toml":
		return ext
	case "":
	default:
		return ""
	}
	mime = strings.ToLower(mime)
	switch {
	case mime == "" || strings.Contains(mime, "json"):
		return ".json"
	case strings.Contains(mime, "yaml"):
		return ".yaml"
	case strings.Contains(mime, "toml"):
		return ".toml"
	}
	return ""
}

// safeBaseName is the file name without folders and extension, reduced to
// letters, digits, '-' and '_'.
func safeBaseName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.TrimSuffix(name, filepath.Ext(name))
	var b strings.Builder
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
		if b.Len() >= 100 {
			break
		}
	}
	if b.Len() == 0 {
		return "file"
	}
	return b.String()
}
