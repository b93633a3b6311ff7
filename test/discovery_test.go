package test

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apiary/apiary/test/testserver"
)

// discoverySchema has every relation kind, a schema action and a state
// machine on a state-tracked table.
const discoverySchema = `
StateMachineDescriptions:
  - Name: todo_flow
    Label: Todo flow
    InitialState: open
    Events:
      - {Name: finish, Label: Finish, Src: [open], Dst: done}
Tables:
  - TableName: project
    Columns:
      - {Name: name, ColumnType: label}
  - TableName: tag
    Columns:
      - {Name: label, ColumnType: label}
  - TableName: todo
    IsStateTrackingEnabled: true
    Columns:
      - {Name: title, ColumnType: label, DataType: varchar(500), IsIndexed: true}
      - {Name: done, ColumnType: truefalse, DefaultValue: "false"}
Relations:
  - {Subject: todo, Relation: belongs_to, Object: project}
  - {Subject: todo, Relation: has_one, Object: user_account, ObjectName: assignee_id, SubjectName: assigned_todo}
  - {Subject: todo, Relation: has_many, Object: tag}
Actions:
  - Name: mark_done
    Label: Mark done
    OnType: todo
    InstanceOptional: false
    OutFields:
      - {Type: todo, Method: PATCH, Attributes: {reference_id: $.reference_id, done: "1"}}
`

// discoveryETag is Daptin's ETag for /meta?query=column_types; Apiary
// sends the same bytes, so the same tag.
const discoveryETag = `W/"3c7fb40e409572faad772694174f41120d2347c87fddffb70ab21dc57be045a2"`

func startDiscovery(t *testing.T) *testserver.Server {
	t.Helper()
	return testserver.Start(t, testserver.WithSchema("schema_discovery.yaml", discoverySchema))
}

func TestDiscoveryMeta(t *testing.T) {
	t.Parallel()
	s := startDiscovery(t)
	r := s.Do(t, http.MethodGet, "/meta?query=column_types", nil, "")
	if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Fatalf("%d %v", r.Status, r.Header)
	}
	if r.Header.Get("Cache-Control") != "public, max-age=86400, s-maxage=86400, immutable" || r.Header.Get("Pragma") != "cache" ||
		r.Header.Get("Expires") == "" || r.Header.Get("ETag") != discoveryETag {
		t.Errorf("headers %v", r.Header)
	}
	m := r.Map(t)
	label, _ := m["label"].(map[string]any)
	gql, _ := label["GraphqlType"].(map[string]any)
	if len(m) != 41 || label["BlueprintType"] != "string" || label["ReclineType"] != "string" || gql["name"] != "String" ||
		label["Validations"] != nil {
		t.Errorf("label entry: %v", label)
	}
	if email, _ := m["email"].(map[string]any); email["Conformations"].([]any)[0] != "email" {
		t.Errorf("email entry: %v", email)
	}

	req, _ := http.NewRequest(http.MethodGet, s.URL+"/meta?query=column_types", nil)
	req.Header.Set("If-None-Match", discoveryETag)
	resp, err := s.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotModified || resp.Header.Get("ETag") != discoveryETag {
		t.Errorf("If-None-Match: %d %v", resp.StatusCode, resp.Header)
	}

	if r := s.Do(t, http.MethodGet, "/meta", nil, ""); r.Status != http.StatusOK || len(r.Body) != 0 {
		t.Errorf("/meta without query: %d %q", r.Status, r.Body)
	}
}

// columnModel fetches /jsmodel/{path} and returns the document.
func jsModel(t *testing.T, s *testserver.Server, path, tok string) map[string]any {
	t.Helper()
	r := s.Do(t, http.MethodGet, "/jsmodel/"+path, nil, tok)
	if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Fatalf("/jsmodel/%s: %d %v %s", path, r.Status, r.Header, r.Body)
	}
	return r.Map(t)
}

func TestDiscoveryJSModel(t *testing.T) {
	t.Parallel()
	s := startDiscovery(t)
	admin := s.Admin(t)

	ua := jsModel(t, s, "user_account.js", "")
	cm := ua["ColumnModel"].(map[string]any)
	if email, _ := cm["email"].(map[string]any); email["ColumnType"] != "email" || email["ColumnName"] != "email" {
		t.Errorf("user_account email: %v", cm["email"])
	}
	if pw, ok := cm["password"].(map[string]any); ok && pw["ExcludeFromApi"] == true {
		t.Errorf("excluded column shown: %v", cm["password"])
	}
	if _, ok := ua["Actions"].([]any); !ok {
		t.Errorf("user_account Actions is not an array: %v", ua["Actions"])
	}

	todo := jsModel(t, s, "todo.js", "")
	cm = todo["ColumnModel"].(map[string]any)
	for name, kind := range map[string]string{"project_id": "hasOne", "assignee_id": "hasOne", "user_account_id": "hasOne",
		"tag_id": "hasMany", "usergroup_id": "hasMany", "todo_has_state": "hasMany"} {
		e, _ := cm[name].(map[string]any)
		if e["jsonApi"] != kind || e["columnType"] != "entity" || e["ColumnName"] != name || e["type"] == nil {
			t.Errorf("relation %s: %v", name, cm[name])
		}
	}
	if title, _ := cm["title"].(map[string]any); title["DataType"] != "varchar(500)" || title["IsIndexed"] != true {
		t.Errorf("title: %v", cm["title"])
	}
	if cm["__type"].(map[string]any)["ColumnType"] != "hidden" || cm["relation_reference_id"] == nil {
		t.Errorf("__type / relation_reference_id: %v %v", cm["__type"], cm["relation_reference_id"])
	}
	acts, _ := todo["Actions"].([]any)
	if len(acts) != 1 || acts[0].(map[string]any)["Name"] != "mark_done" || acts[0].(map[string]any)["OutFields"] != nil {
		t.Errorf("todo Actions: %v", todo["Actions"])
	}
	if todo["IsStateMachineEnabled"] != true || len(todo["StateMachines"].([]any)) != 0 {
		t.Errorf("state machines before linking: %v %v", todo["IsStateMachineEnabled"], todo["StateMachines"])
	}
	if proj := jsModel(t, s, "project.json", ""); proj["IsStateMachineEnabled"] != false || len(proj["Actions"].([]any)) != 0 {
		t.Errorf("project: %v %v", proj["IsStateMachineEnabled"], proj["Actions"])
	}

	smd := smdID(t, s, admin, "todo_flow")
	world := worldID(t, s, admin, "todo")
	r := s.Do(t, http.MethodPatch, "/api/world/"+world+"/relationships/smd_id",
		map[string]any{"data": []any{map[string]any{"type": "smd", "id": smd}}}, admin)
	if r.Status != http.StatusNoContent && r.Status != http.StatusOK {
		t.Fatalf("link smd: %d %s", r.Status, r.Body)
	}
	todo = jsModel(t, s, "todo", "") // a guest sees the same model
	sm, _ := todo["StateMachines"].([]any)
	if len(sm) != 1 {
		t.Fatalf("StateMachines after linking: %v", todo["StateMachines"])
	}
	if row := sm[0].(map[string]any); row["name"] != "todo_flow" || row["initial_state"] != "open" || row["reference_id"] != smd {
		t.Errorf("smd row: %v", row)
	}

	if r := s.Do(t, http.MethodGet, "/jsmodel/nosuchtable.js", nil, ""); r.Status != http.StatusNotFound || !strings.Contains(string(r.Body), `"errors"`) {
		t.Errorf("unknown entity: %d %s", r.Status, r.Body)
	}
}

func TestDiscoveryHealthAndStatus(t *testing.T) {
	t.Parallel()
	s := startDiscovery(t)
	h := s.Do(t, http.MethodGet, "/api/health", nil, "").Map(t)
	if _, err := time.Parse(time.RFC3339, h["timestamp"].(string)); h["status"] != "healthy" || err != nil {
		t.Errorf("health: %v", h)
	}
	st := s.Do(t, http.MethodGet, "/api/status", nil, "").Map(t)
	if st["tables"] != float64(len(s.Srv.Resource().Schema().Tables)) || st["database"] != s.Config().DB.Type ||
		st["version"] == "" || st["go_version"] == "" {
		t.Errorf("status: %v", st)
	}
	if up, ok := st["uptime"].(float64); !ok || up < 0 || up > 600 {
		t.Errorf("uptime: %v", st["uptime"])
	}
	// HEAD is answered for GET routes, without a body.
	resp, err := s.Client.Head(s.URL + "/ping")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("HEAD /ping: %d", resp.StatusCode)
	}
}

func TestDiscoveryStatistics(t *testing.T) {
	t.Parallel()
	s := startDiscovery(t)
	admin := s.Admin(t)
	user := s.User(t, "Bob", "bob@example.test", "bob-password")
	for tok, want := range map[string]int{"": http.StatusUnauthorized, user: http.StatusForbidden} {
		if r := s.Do(t, http.MethodGet, "/statistics", nil, tok); r.Status != want || !strings.Contains(string(r.Body), `"errors"`) {
			t.Errorf("statistics: %d %s, want %d", r.Status, r.Body, want)
		}
	}
	r := s.Do(t, http.MethodGet, "/statistics", nil, admin)
	if r.Status != http.StatusOK {
		t.Fatalf("admin statistics: %d %s", r.Status, r.Body)
	}
	st := r.Map(t)
	for _, k := range []string{"web", "db", "cpu", "memory", "host", "process"} {
		if _, ok := st[k].(map[string]any); !ok {
			t.Errorf("missing %s", k)
		}
	}
	if web := st["web"].(map[string]any); web["total_count"].(float64) < 3 {
		t.Errorf("web: %v", web)
	}
	if db := st["db"].(map[string]any); db["writer"] == nil {
		t.Errorf("db: %v", db)
	}
}

// expoSample is the text exposition grammar of a sample line.
var expoSample = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*")*\})? (?:[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|[-+]Inf|NaN)$`)

// expoComment is a HELP or TYPE line.
var expoComment = regexp.MustCompile(`^# (HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*|TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (counter|gauge|histogram|summary|untyped))$`)

// scrape reads /metrics (the test client is on loopback, so no token is
// needed), checks every line against the grammar and returns the samples.
func scrape(t *testing.T, s *testserver.Server) map[string]float64 {
	t.Helper()
	r := s.Do(t, http.MethodGet, "/metrics", nil, "")
	if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/plain; version=0.0.4") {
		t.Fatalf("/metrics: %d %v", r.Status, r.Header)
	}
	out := map[string]float64{}
	for _, line := range strings.Split(strings.TrimSuffix(string(r.Body), "\n"), "\n") {
		if strings.HasPrefix(line, "#") {
			if !expoComment.MatchString(line) {
				t.Errorf("bad comment line %q", line)
			}
			continue
		}
		if !expoSample.MatchString(line) {
			t.Errorf("bad sample line %q", line)
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, _ := strconv.ParseFloat(line[i+1:], 64)
		out[line[:i]] = v
	}
	return out
}

func TestDiscoveryMetrics(t *testing.T) {
	t.Parallel()
	s := startDiscovery(t)
	admin := s.Admin(t)
	const ping = `apiary_http_requests_total{method="GET",route="/ping",code="200"}`
	before := scrape(t, s)[ping]
	for range 3 {
		s.Do(t, http.MethodGet, "/ping", nil, "")
	}
	create(t, s, admin, "project", map[string]any{"name": "metrics"}, nil)
	m := scrape(t, s)
	if m[ping] != before+3 {
		t.Errorf("%s = %v, want %v", ping, m[ping], before+3)
	}
	if m[`apiary_http_request_duration_seconds_count{method="GET",route="/ping"}`] < 3 ||
		m[`apiary_http_request_duration_seconds_bucket{method="GET",route="/ping",le="+Inf"}`] < 3 {
		t.Errorf("/ping histogram missing")
	}
	if m["apiary_change_events_total"] < 1 || m["go_goroutines"] < 1 || m[`apiary_db_open_connections{pool="writer"}`] < 1 {
		t.Errorf("gauges: events %v goroutines %v open %v", m["apiary_change_events_total"], m["go_goroutines"],
			m[`apiary_db_open_connections{pool="writer"}`])
	}
	if _, ok := m["process_resident_memory_bytes"]; !ok {
		t.Log("process_resident_memory_bytes not available on this system")
	}
}
