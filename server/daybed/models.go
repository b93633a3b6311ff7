package daybed

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/schema"
)

// filePrefix names the schema files of Daybed models.
const filePrefix = "schema_daybed_"

// meta is what a model file keeps besides its table.
type meta struct {
	Definition  json.RawMessage     `json:"definition"`
	Permissions map[string][]string `json:"permissions"`
	Owner       string              `json:"owner,omitempty"`       // the creator's user reference id
	OwnerCreds  string              `json:"owner_creds,omitempty"` // the creator's credentials id
}

// modelFile is the JSON of schema_daybed_<name>.json: a schema file whose
// extra key Daybed the schema loader ignores.
type modelFile struct {
	Tables []schema.Table `json:"Tables"`
	Daybed *meta          `json:"Daybed"`
}

// definition is the parsed form of a model definition.
type definition struct {
	Title       string  `json:"title"`
	Description string  `json:"description"`
	Fields      []field `json:"fields"`
	Extra       any     `json:"extra,omitempty"`
}

func (h *handler) modelPath(name string) string {
	return filepath.Join(h.SchemaDir, filePrefix+name+".json")
}

// loadMeta reads a model's file; ok is false when there is no such model.
func (h *handler) loadMeta(name string) (*meta, bool, error) {
	if !validModelName(name) {
		return nil, false, nil
	}
	data, err := os.ReadFile(h.modelPath(name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	var f modelFile
	if err := json.Unmarshal(data, &f); err != nil || f.Daybed == nil {
		return nil, false, fmt.Errorf("model file %s: %v", name, err)
	}
	return f.Daybed, true, nil
}

// model loads the model named in the path, or answers 404.
func (h *handler) model(q *req) (string, *meta, definition, error) {
	name := chi.URLParam(q.r, "model")
	m, ok, err := h.loadMeta(name)
	if err != nil || !ok {
		if err == nil {
			err = notFound("model", fmt.Sprintf("model %q not found", name))
		}
		return "", nil, definition{}, err
	}
	var def definition
	if err := json.Unmarshal(m.Definition, &def); err != nil {
		return "", nil, definition{}, err
	}
	return name, m, def, nil
}

func validModelName(name string) bool {
	return schema.ValidIdentifier(name) && schema.SnakeCase(name) == name && !strings.HasSuffix(name, "_audit") && !strings.Contains(name, "_has_")
}

// modelBody is the body of PUT and POST /v1/models.
type modelBody struct {
	Definition  json.RawMessage `json:"definition"`
	Records     []map[string]any
	Permissions map[string][]string `json:"permissions"`
}

// parseDefinition validates a definition in Daybed's error style.
func parseDefinition(raw json.RawMessage) (definition, error) {
	var def definition
	if len(raw) == 0 || string(raw) == "null" {
		return def, badRequest("body", "definition", "Required")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&def); err != nil {
		return def, badRequest("body", "definition", "the definition is not a valid object: "+err.Error())
	}
	var errs []errorEntry
	if def.Title == "" {
		errs = append(errs, errorEntry{"body", "definition.title", "Required"})
	}
	if def.Description == "" {
		errs = append(errs, errorEntry{"body", "definition.description", "Required"})
	}
	if len(def.Fields) == 0 {
		errs = append(errs, errorEntry{"body", "definition.fields", "Shorter than minimum length 1"})
	}
	seen := map[string]bool{}
	for i, f := range def.Fields {
		for _, e := range validateField(i, f) {
			e.Name = "definition." + e.Name
			errs = append(errs, e)
		}
		if seen[f.Name] {
			errs = append(errs, errorEntry{"body", fmt.Sprintf("definition.fields.%d.name", i), "duplicate field name " + f.Name})
		}
		seen[f.Name] = true
	}
	if len(errs) > 0 {
		return def, validationErrors(errs)
	}
	return def, nil
}

// putModel answers PUT /v1/models/{model}: creates or redefines a model.
func (h *handler) putModel(q *req) error {
	return h.saveModel(q, chi.URLParam(q.r, "model"))
}

// postModel answers POST /v1/models: a model with a generated name.
func (h *handler) postModel(q *req) error {
	raw := make([]byte, 6)
	if _, err := rand.Read(raw); err != nil {
		return err
	}
	return h.saveModel(q, "m"+hex.EncodeToString(raw))
}

// saveModel writes a model's schema file, reloads the schema and applies
// its permissions; the answer is {"id": name}.
func (h *handler) saveModel(q *req, name string) error {
	if !validModelName(name) {
		return badRequest("path", "modelname", fmt.Sprintf("%q is not a valid model name (lower case letters, digits and _)", name))
	}
	var body modelBody
	if err := json.Unmarshal(q.body, &body); err != nil {
		return badRequest("body", "", "the body is not a JSON object: "+err.Error())
	}
	def, err := parseDefinition(body.Definition)
	if err != nil {
		return err
	}
	if q.p.IsGuest() && (h.SignupOpen == nil || !h.SignupOpen(q.ctx)) {
		// Anonymous models, like anonymous identities, need open signup.
		return denied(q)
	}
	h.modelMu.Lock()
	defer h.modelMu.Unlock()
	old, exists, err := h.loadMeta(name)
	if err != nil {
		return err
	}
	if !exists {
		if _, taken := q.res.Schema().Table(name); taken {
			return badRequest("path", "modelname", fmt.Sprintf("%q is a table that is not a Daybed model", name))
		}
	} else if !h.allowed(q, old, "update_definition") {
		return denied(q)
	}
	m := &meta{Definition: body.Definition}
	if exists {
		m.Permissions, m.Owner, m.OwnerCreds = old.Permissions, old.Owner, old.OwnerCreds
	} else {
		m.Owner, m.OwnerCreds = q.p.UserRef, q.credID
		m.Permissions = map[string][]string{principalEveryone: permissionNames()}
		if q.credID != "" {
			m.Permissions = map[string][]string{q.credID: permissionNames()}
		}
	}
	if body.Permissions != nil {
		perms, err := h.replacePermissions(q, m, body.Permissions)
		if err != nil {
			return err
		}
		m.Permissions = perms
	}
	if err := h.storeModel(q, name, def, m, !exists); err != nil {
		return err
	}
	for i, rec := range body.Records {
		if _, err := h.storeRecord(q, name, def, "", rec, false); err != nil {
			return fmt.Errorf("record %d: %w", i, err)
		}
	}
	writeJSON(q.w, http.StatusOK, map[string]string{"id": name})
	return nil
}

// writeModel writes the schema file and reloads; the old file comes back
// when the reload fails.
func (h *handler) writeModel(ctx context.Context, name string, def definition, m *meta) error {
	if h.Reload == nil || h.SchemaDir == "" {
		return &apiError{http.StatusNotImplemented, errorsBody{"error", []errorEntry{{"body", "", "this server cannot create models live"}}}}
	}
	t := schema.Table{TableName: name, TableDescription: def.Title, IsTopLevel: true}
	for _, f := range def.Fields {
		if c, ok := f.column(); ok {
			t.Columns = append(t.Columns, c)
		}
	}
	bits := derive(m)
	t.Permission, t.DefaultPermission = int64(bits.gate), int64(bits.row)
	t.DefaultGroups = bits.defaultGroups()
	data, err := json.MarshalIndent(modelFile{Tables: []schema.Table{t}, Daybed: m}, "", "  ")
	if err != nil {
		return err
	}
	return h.replaceFile(ctx, h.modelPath(name), data)
}

// replaceFile writes (or, with nil data, removes) a schema file and
// reloads, restoring the previous file when the reload fails.
func (h *handler) replaceFile(ctx context.Context, path string, data []byte) error {
	prev, prevErr := os.ReadFile(path)
	var err error
	if data == nil {
		err = os.Remove(path)
	} else {
		err = os.WriteFile(path, data, 0o600)
	}
	if err != nil {
		return err
	}
	if rerr := h.Reload(ctx); rerr != nil {
		if prevErr == nil {
			_ = os.WriteFile(path, prev, 0o600)
		} else {
			_ = os.Remove(path)
		}
		_ = h.Reload(ctx)
		return badRequest("body", "definition", "the model cannot be stored: "+rerr.Error())
	}
	return nil
}

// modelNames lists the models in the schema folder.
func (h *handler) modelNames() ([]string, error) {
	matches, err := filepath.Glob(filepath.Join(h.SchemaDir, filePrefix+"*.json"))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, p := range matches {
		out = append(out, strings.TrimSuffix(strings.TrimPrefix(filepath.Base(p), filePrefix), ".json"))
	}
	sort.Strings(out)
	return out, nil
}

// listModels answers GET /v1/models: the models whose definition the
// caller may read.
func (h *handler) listModels(q *req) error {
	names, err := h.modelNames()
	if err != nil {
		return err
	}
	out := []map[string]any{}
	for _, name := range names {
		m, ok, err := h.loadMeta(name)
		if err != nil || !ok || !h.allowed(q, m, "read_definition") {
			continue
		}
		var def definition
		_ = json.Unmarshal(m.Definition, &def)
		out = append(out, map[string]any{"id": name, "title": def.Title, "description": def.Description})
	}
	writeJSON(q.w, http.StatusOK, map[string]any{"models": out})
	return nil
}

// getModel answers GET /v1/models/{model}: definition, records and
// permissions.
func (h *handler) getModel(q *req) error {
	name, m, def, err := h.model(q)
	if err != nil {
		return err
	}
	if !h.allowed(q, m, "read_definition") || !h.allowed(q, m, "read_permissions") {
		return denied(q)
	}
	recs, err := h.records(q, name, def, q.ctx)
	if err != nil {
		return err
	}
	writeJSON(q.w, http.StatusOK, map[string]any{"definition": m.Definition, "records": recs, "permissions": m.Permissions})
	return nil
}

// getDefinition answers GET /v1/models/{model}/definition.
func (h *handler) getDefinition(q *req) error {
	return h.modelPart(q, "read_definition", func(m *meta) any { return m.Definition })
}

// modelPart answers one part of the model of the path to a caller holding
// perm on it.
func (h *handler) modelPart(q *req, perm string, part func(*meta) any) error {
	_, m, _, err := h.model(q)
	if err != nil {
		return err
	}
	if !h.allowed(q, m, perm) {
		return denied(q)
	}
	writeJSON(q.w, http.StatusOK, part(m))
	return nil
}

// deleteModel answers DELETE /v1/models/{model}: deletes the records and
// the model and answers what they were.
func (h *handler) deleteModel(q *req) error {
	h.modelMu.Lock()
	defer h.modelMu.Unlock()
	name, m, def, err := h.model(q)
	if err != nil {
		return err
	}
	if !h.allowed(q, m, "delete_model") {
		return denied(q)
	}
	sys := auth.WithPrincipal(q.ctx, auth.System())
	recs, err := h.records(q, name, def, sys)
	if err != nil {
		return err
	}
	err = q.res.InTx(sys, func(tx resource.Service) error {
		for _, r := range recs {
			if err := tx.Delete(sys, name, r["id"].(string)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := h.replaceFile(q.ctx, h.modelPath(name), nil); err != nil {
		return err
	}
	writeJSON(q.w, http.StatusOK, map[string]any{"definition": m.Definition, "records": recs, "permissions": m.Permissions})
	return nil
}
