package actions

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strings"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/schema"
)

// registerSchemaData adds the schema administration actions of world
// (contract core.md §6.7) and their internal performer names, so
// schema-defined actions can EXECUTE them too. The data import and export
// actions are registerImportExport's.
func (e *Executor) registerSchemaData() {
	for _, b := range []struct {
		action, performer string
		p                 Performer
	}{
		{"download_system_schema", "__download_cms_config", e.downloadSchema},
		{"upload_system_schema", "", e.uploadSchema},
		{"restart_daptin", "__restart", e.restart},
		{"generate_random_data", "generate.random.data", e.generateRandomData},
		{"add_exchange", "", e.addExchange},
	} {
		e.register(schema.TableWorld, b.action, b.p)
		if b.performer != "" {
			e.registerPerformer(b.performer, b.p)
		}
	}
}

// GuestActions is the answer of the public GET /actions: the two actions a
// guest can run, keyed as Daptin keys them (contract core.md §6.1).
func (e *Executor) GuestActions() map[string]any {
	sc := e.res().Schema()
	out := map[string]any{}
	for key, name := range map[string]string{"user:signup": "signup", "user:signin": "signin"} {
		if a, ok := sc.Action(schema.TableUser, name); ok {
			out[key] = *a
		}
	}
	return out
}

// maxUploadBytes bounds one decoded file of an action input.
const maxUploadBytes = 50 << 20

// decodeFile reads one file object of an action input: {name, file, type}
// where file is a data URI ("data:<mime>;base64,...") or plain base64, or
// {name, contents} with contents in either form.
func decodeFile(obj map[string]any) (name string, data []byte, err error) {
	name = strings.TrimSpace(str(obj["name"]))
	payload := str(obj["file"])
	if payload == "" {
		payload = str(obj["contents"])
	}
	if payload == "" {
		return name, nil, Fail(http.StatusBadRequest, "file %q has no content (send file or contents)", name)
	}
	isBase64 := true
	if strings.HasPrefix(payload, "data:") {
		meta, rest, ok := strings.Cut(payload, ",")
		if !ok {
			return name, nil, Fail(http.StatusBadRequest, "file %q: malformed data URI", name)
		}
		isBase64 = strings.HasSuffix(meta, ";base64")
		payload = rest
	}
	if !isBase64 {
		if len(payload) > maxUploadBytes*3 {
			return name, nil, tooLarge(name)
		}
		s, err := url.PathUnescape(payload)
		if err != nil {
			return name, nil, Fail(http.StatusBadRequest, "file %q: malformed data URI", name)
		}
		if len(s) > maxUploadBytes {
			return name, nil, tooLarge(name)
		}
		return name, []byte(s), nil
	}
	payload = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\n' || r == '\r' || r == '\t' {
			return -1
		}
		return r
	}, payload)
	if base64.StdEncoding.DecodedLen(len(payload)) > maxUploadBytes+3 {
		return name, nil, tooLarge(name)
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if data, err = enc.DecodeString(payload); err == nil {
			if len(data) > maxUploadBytes {
				return name, nil, tooLarge(name)
			}
			return name, data, nil
		}
	}
	return name, nil, Fail(http.StatusBadRequest, "file %q is not valid base64", name)
}

func tooLarge(name string) error {
	return Fail(http.StatusRequestEntityTooLarge, "file %q is larger than %d MiB", name, maxUploadBytes>>20)
}

// fileObjects reads a file-list input: a list of file objects, one object,
// or either of them as a JSON string (form posts).
func fileObjects(field string, v any) ([]map[string]any, error) {
	if s, ok := v.(string); ok && strings.TrimSpace(s) != "" {
		var decoded any
		if err := json.Unmarshal([]byte(s), &decoded); err != nil {
			return nil, Fail(http.StatusBadRequest, "%s must be a list of file objects", field)
		}
		v = decoded
	}
	var out []map[string]any
	switch x := v.(type) {
	case map[string]any:
		out = append(out, x)
	case []any:
		for _, item := range x {
			m, ok := item.(map[string]any)
			if !ok {
				return nil, Fail(http.StatusBadRequest, "%s must be a list of file objects", field)
			}
			out = append(out, m)
		}
	}
	if len(out) == 0 {
		return nil, Fail(http.StatusBadRequest, "%s: no file given", field)
	}
	return out, nil
}

// fileDownload is the client.file.download instruction.
func fileDownload(content []byte, name, contentType, message string) Response {
	return Response{ResponseType: "client.file.download", Attributes: map[string]any{
		"content": base64.StdEncoding.EncodeToString(content), "name": name,
		"contentType": contentType, "message": message}}
}

// requireAdmin refuses callers that are not administrators, with the
// message Daptin gives for a permission failure.
func requireAdmin(ctx context.Context) error {
	if auth.PrincipalFrom(ctx).IsAdmin() {
		return nil
	}
	return Fail(http.StatusForbidden, "http error (403) forbidden and 0 more errors, forbidden")
}

// attrFlag reads a boolean input sent as true, "true", 1 or "1" (see
// resource.Truthy).
func attrFlag(v any) bool { return resource.Truthy(v) }

// attrWhole reads a whole-number input sent as a JSON number; ok is false
// for anything else (strings included).
func attrWhole(v any) (n int64, ok bool) {
	var f float64
	switch x := v.(type) {
	case float64:
		f = x
	case json.Number:
		var err error
		if f, err = x.Float64(); err != nil {
			return 0, false
		}
	case int:
		return int64(x), true
	case int64:
		return x, true
	default:
		return 0, false
	}
	if f != math.Trunc(f) || math.IsInf(f, 0) || f > math.MaxInt32 || f < math.MinInt32 {
		return 0, false
	}
	return int64(f), true
}

// asActionError keeps the status of err and prefixes its message.
func asActionError(err error, format string, a ...any) error {
	status, body := StatusAndBody(err)
	msg := err.Error()
	if m, ok := body[0].Attributes.(map[string]any)["message"].(string); ok && status < 500 {
		msg = m
	}
	return Fail(status, "%s: %s", fmt.Sprintf(format, a...), msg)
}

// addExchange records a Google-Sheets append exchange for the subject's
// table (contract core.md §6.7 add_exchange). Nothing is synchronised yet.
func (e *Executor) addExchange(ctx context.Context, req Request) ([]Response, error) {
	if req.Subject == nil {
		return nil, Fail(http.StatusBadRequest, "required reference id not provided or incorrect: send world_id")
	}
	tableName := str(req.Subject.Attrs["table_name"])
	name := strings.TrimSpace(str(req.Attributes["name"]))
	sheet := strings.TrimSpace(str(req.Attributes["sheet_id"]))
	if name == "" || sheet == "" {
		return nil, Fail(http.StatusBadRequest, "name and sheet_id are required")
	}
	in := resource.Input{Attributes: map[string]any{
		"name":              name,
		"source_type":       "self",
		"source_attributes": map[string]any{"name": tableName},
		"target_type":       "gsheet-append",
		"target_attributes": map[string]any{
			"sheetUrl": "https://content-sheets.googleapis.com/v4/spreadsheets/" + url.PathEscape(sheet) + "/values/A1:append",
			"appKey":   str(req.Attributes["app_key"]),
		},
		"attributes": []any{},
		"options":    map[string]any{"hasHeader": true},
	}}
	if _, err := req.Res.Create(ctx, "data_exchange", in); err != nil {
		return nil, err
	}
	return []Response{Notify("success", "Success", "Exchange added")}, nil
}
