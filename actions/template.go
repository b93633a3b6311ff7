package actions

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	htmltemplate "html/template"
	"net/http"
	"strings"
	texttemplate "text/template"
	"unicode/utf8"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
)

// TemplateTable holds server-rendered templates (contract sidecars.md §7.8).
const TemplateTable = "template"

// Rendered is a template's output.
type Rendered struct {
	Body     []byte
	MimeType string
	Headers  map[string]string
	// Cache is the row's cache_config (keys max_age, no_store, private, …).
	Cache map[string]any
}

// templateFuncs are the helpers templates may call.
var templateFuncs = map[string]any{
	"json": func(v any) (string, error) {
		b, err := json.Marshal(v)
		return string(b), err
	},
	"lower": strings.ToLower, "upper": strings.ToUpper, "join": strings.Join, "contains": strings.Contains,
}

// RenderTemplate renders the template row called name with data. text/html
// templates use html/template (values are escaped); other MIME types use
// text/template.
func (e *Executor) RenderTemplate(ctx context.Context, name string, data map[string]any) (Rendered, error) {
	sys := auth.WithPrincipal(ctx, auth.System())
	page, err := e.res().List(sys, TemplateTable, resource.Query{PageSize: 1,
		Conditions: []resource.Condition{{Column: "name", Operator: "is", Value: name}}})
	if err != nil {
		return Rendered{}, err
	}
	if len(page.Rows) == 0 {
		return Rendered{}, Fail(http.StatusNotFound, "no template %q", name)
	}
	row := page.Rows[0].Attrs
	str := func(k string) string { v, _ := row[k].(string); return v }
	out := Rendered{MimeType: str("mime_type"), Headers: map[string]string{}, Cache: jsonObject(row["cache_config"])}
	if out.MimeType == "" {
		out.MimeType = "text/html; charset=utf-8"
	}
	for k, v := range jsonObject(row["headers"]) {
		if s, ok := v.(string); ok {
			out.Headers[k] = s
		}
	}
	content := templateText(str("content"))
	if data == nil {
		data = map[string]any{}
	}
	data["template"] = name
	var buf bytes.Buffer
	if strings.HasPrefix(out.MimeType, "text/html") {
		t, err := htmltemplate.New(name).Funcs(templateFuncs).Parse(content)
		if err != nil {
			return Rendered{}, Fail(http.StatusInternalServerError, "template %q does not parse: %v", name, err)
		}
		err = t.Execute(&buf, data)
		if err != nil {
			return Rendered{}, Fail(http.StatusInternalServerError, "template %q failed: %v", name, err)
		}
	} else {
		t, err := texttemplate.New(name).Funcs(templateFuncs).Parse(content)
		if err != nil {
			return Rendered{}, Fail(http.StatusInternalServerError, "template %q does not parse: %v", name, err)
		}
		if err := t.Execute(&buf, data); err != nil {
			return Rendered{}, Fail(http.StatusInternalServerError, "template %q failed: %v", name, err)
		}
	}
	out.Body = buf.Bytes()
	return out, nil
}

// templateText accepts template content as text or as base64 of text.
func templateText(s string) string {
	if s == "" || strings.ContainsAny(s, " <{\n") {
		return s
	}
	if b, err := base64.StdEncoding.DecodeString(s); err == nil && utf8.Valid(b) {
		return string(b)
	}
	return s
}

// jsonObject reads a json column holding an object.
func jsonObject(v any) map[string]any {
	switch x := v.(type) {
	case map[string]any:
		return x
	case string:
		var m map[string]any
		if json.Unmarshal([]byte(x), &m) == nil {
			return m
		}
	}
	return nil
}

// renderPerformer is the template.render outcome: it renders the template
// named by attribute "template" with every attribute as data and answers a
// render response, which /action streams as the raw body.
func (e *Executor) renderPerformer(ctx context.Context, req Request) ([]Response, error) {
	name := str(req.Attributes["template"])
	if name == "" {
		return nil, Fail(http.StatusBadRequest, "template.render needs the template name in attribute template")
	}
	data := make(map[string]any, len(req.Attributes))
	for k, v := range req.Attributes {
		data[k] = v
	}
	r, err := e.RenderTemplate(ctx, name, data)
	if err != nil {
		return nil, err
	}
	return []Response{{ResponseType: "render", Attributes: map[string]any{
		"content": string(r.Body), "mime_type": r.MimeType, "headers": r.Headers}}}, nil
}

// TemplateAction reads a template row's action_config
// ({"Type","Action","Attributes"}): the action to run before rendering.
func (e *Executor) TemplateAction(ctx context.Context, name string) (typ, action string, attrs map[string]any, ok bool) {
	sys := auth.WithPrincipal(ctx, auth.System())
	page, err := e.res().List(sys, TemplateTable, resource.Query{PageSize: 1,
		Conditions: []resource.Condition{{Column: "name", Operator: "is", Value: name}}})
	if err != nil || len(page.Rows) == 0 {
		return "", "", nil, false
	}
	cfg := jsonObject(page.Rows[0].Attrs["action_config"])
	typ, _ = cfg["Type"].(string)
	action, _ = cfg["Action"].(string)
	attrs = map[string]any{}
	if a, ok := cfg["Attributes"].(map[string]any); ok {
		for k, v := range a {
			attrs[k] = v
		}
	}
	return typ, action, attrs, typ != "" && action != ""
}
