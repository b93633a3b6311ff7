package files

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/apiary/apiary/test/testserver"
)

const templateSchema = fileSchema + `
Actions:
  - Name: render_page
    Label: Render a page
    OnType: profile
    InstanceOptional: true
    InFields:
      - {Name: who, ColumnName: who, ColumnType: label}
    OutFields:
      - {Type: template.render, Method: EXECUTE, Attributes: {template: greeting, who: "~who"}}
`

func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestTemplates(t *testing.T) {
	s := testserver.Start(t, testserver.WithSchema("schema_files.yaml", templateSchema))
	tok := s.Admin(t)
	createRow(t, s, tok, "template", map[string]any{"name": "post", "mime_type": "text/html; charset=utf-8",
		"content": "<h1>{{.slug}}</h1><p>{{.q}}</p>", "url_pattern": `["/blog/:slug"]`,
		"headers": `{"X-Template":"post"}`, "cache_config": `{"max_age":60}`})
	// Live: the route works without a restart; values are HTML-escaped.
	resp, body := get(t, s.URL+"/blog/hello?q=%3Cb%3Ex%3C/b%3E")
	if resp.StatusCode != 200 || body != "<h1>hello</h1><p>&lt;b&gt;x&lt;/b&gt;</p>" {
		t.Fatalf("template: %d %q", resp.StatusCode, body)
	}
	if resp.Header.Get("X-Template") != "post" || resp.Header.Get("Cache-Control") != "public, max-age=60" ||
		!strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("template headers: %v", resp.Header)
	}
	// action_config runs first; its responses feed the template.
	createRow(t, s, tok, "template", map[string]any{"name": "who", "mime_type": "text/plain",
		"content": `{{range .actionResponses}}{{.ResponseType}}{{end}}`, "url_pattern": `["/whoami"]`,
		"action_config": `{"Type":"profile","Action":"render_page","Attributes":{"who":"Bob"}}`})
	// The template.render outcome streams raw content from /action.
	createRow(t, s, tok, "template", map[string]any{"name": "greeting", "mime_type": "text/plain; charset=utf-8",
		"content": "Hello {{.who}}!", "url_pattern": `[]`})
	r := s.Do(t, http.MethodPost, "/action/profile/render_page", map[string]any{"attributes": map[string]any{"who": "Ada"}}, tok)
	if r.Status != 200 || string(r.Body) != "Hello Ada!" || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("template.render: %d %q %v", r.Status, r.Body, r.Header)
	}
	// action_config ran render_page for the caller (token in the query).
	if resp, body := get(t, s.URL+"/whoami?token="+tok); resp.StatusCode != 200 || body != "render" {
		t.Fatalf("action_config: %d %q", resp.StatusCode, body)
	}
	// API paths are never template routes; an unknown path is still 404.
	if resp, _ := get(t, s.URL+"/blog"); resp.StatusCode != 404 {
		t.Fatalf("/blog without slug: %d", resp.StatusCode)
	}
}
