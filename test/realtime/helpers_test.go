package realtime

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/apiary/apiary/test/testserver"
)

// todoSchema has a secret column (never in an event) and a file column
// (a YJS document per row); page has an asset column (files in the
// default localstore) whose rooms are saved into the row.
const todoSchema = `
Tables:
  - TableName: todo
    Columns:
      - {Name: title, ColumnType: label, DataType: varchar(200)}
      - {Name: done, ColumnType: truefalse, DefaultValue: "false"}
      - {Name: pin, ColumnType: password, IsNullable: true}
      - {Name: notes, ColumnType: file.document, IsNullable: true}
  - TableName: page
    Columns:
      - {Name: title, ColumnType: label, DataType: varchar(200), IsNullable: true}
      - {Name: body, ColumnType: file.document, DataType: text, IsNullable: true, IsForeignKey: true,
         ForeignKeyData: {DataSource: cloud_store, Namespace: localstore, KeyName: pages}}
`

func start(t *testing.T, opts ...testserver.Option) *testserver.Server {
	t.Helper()
	return testserver.Start(t, append([]testserver.Option{testserver.WithSchema("schema_todo.yaml", todoSchema)}, opts...)...)
}

// frame is a decoded server message.
type frame struct {
	Type   string `json:"type"`
	ID     string `json:"id"`
	Method string `json:"method"`
	OK     *bool  `json:"ok"`
	Error  string `json:"error"`
	Topic  string `json:"topic"`
	Event  string `json:"event"`
	Source string `json:"source"`
	Status string `json:"status"`
	Data   []byte `json:"data"`
	Raw    string `json:"-"`
}

func (f frame) data(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(f.Data, &m); err != nil {
		t.Fatalf("data of %s is not JSON: %v", f.Raw, err)
	}
	return m
}

type client struct {
	t    *testing.T
	conn *websocket.Conn
}

func wsURL(s *testserver.Server, path string) string {
	return "ws" + strings.TrimPrefix(s.URL, "http") + path
}

// dial opens /live with the token in ?token= and reads the session frame.
func dial(t *testing.T, s *testserver.Server, token string) (*client, frame) {
	t.Helper()
	conn, resp, err := websocket.DefaultDialer.Dial(wsURL(s, "/live?token="+token), nil)
	if err != nil {
		t.Fatalf("dial /live: %v (%v)", err, resp)
	}
	t.Cleanup(func() { _ = conn.Close() })
	c := &client{t: t, conn: conn}
	return c, c.next()
}

func (c *client) send(v any) {
	c.t.Helper()
	if err := c.conn.WriteJSON(v); err != nil {
		c.t.Fatalf("send: %v", err)
	}
}

func (c *client) call(id, method string, attrs map[string]any) {
	c.t.Helper()
	c.send(map[string]any{"id": id, "method": method, "attributes": attrs})
}

// next reads one frame within 5 s.
func (c *client) next() frame {
	c.t.Helper()
	_ = c.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, raw, err := c.conn.ReadMessage()
	if err != nil {
		c.t.Fatalf("read: %v", err)
	}
	var f frame
	if err := json.Unmarshal(raw, &f); err != nil {
		c.t.Fatalf("frame %s: %v", raw, err)
	}
	f.Raw = string(raw)
	return f
}

// quiet asserts that nothing arrives for d, using a ping as a fence: the
// pong must be the next frame.
func (c *client) quiet() {
	c.t.Helper()
	c.send(map[string]any{"method": "ping"})
	if f := c.next(); f.Type != "pong" {
		c.t.Fatalf("expected nothing before the pong, got %s", f.Raw)
	}
}

func (c *client) expectOK(id, method string) frame {
	c.t.Helper()
	f := c.next()
	if f.Type != "response" || f.ID != id || f.Method != method || f.OK == nil || !*f.OK {
		c.t.Fatalf("want ok response %s/%s, got %s", id, method, f.Raw)
	}
	return f
}

func (c *client) expectErr(id, method, msg string) {
	c.t.Helper()
	f := c.next()
	if f.Type != "response" || f.ID != id || f.OK == nil || *f.OK || f.Error != msg {
		c.t.Fatalf("want error %q for %s, got %s", msg, id, f.Raw)
	}
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// api sends a JSON:API request and checks the status.
func api(t *testing.T, s *testserver.Server, method, path string, body any, token string, want int) map[string]any {
	t.Helper()
	r := s.Do(t, method, path, body, token)
	if r.Status != want {
		t.Fatalf("%s %s: %d %s", method, path, r.Status, r.Body)
	}
	if len(r.Body) == 0 || r.Status == http.StatusNoContent {
		return nil
	}
	m, _ := r.JSON(t).(map[string]any)
	return m
}

func createTodo(t *testing.T, s *testserver.Server, token string, attrs map[string]any) string {
	t.Helper()
	m := api(t, s, http.MethodPost, "/api/todo", map[string]any{"data": map[string]any{"type": "todo", "attributes": attrs}}, token, http.StatusCreated)
	return m["data"].(map[string]any)["id"].(string)
}

// worldRef returns the reference id of a table's world row.
func worldRef(t *testing.T, s *testserver.Server, admin, table string) string {
	t.Helper()
	r := s.Do(t, http.MethodGet, `/api/world?query=`+url.QueryEscape(`[{"column":"table_name","operator":"is","value":"`+table+`"}]`), nil, admin)
	var doc struct {
		Data []struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	if err := json.Unmarshal(r.Body, &doc); err != nil || len(doc.Data) != 1 {
		t.Fatalf("world row of %s: %s", table, r.Body)
	}
	return doc.Data[0].ID
}

// openTable lets every signed-in user use table (only row permissions decide).
func openTable(t *testing.T, s *testserver.Server, admin, table string) {
	t.Helper()
	id := worldRef(t, s, admin, table)
	api(t, s, http.MethodPatch, "/api/world/"+id, map[string]any{"data": map[string]any{"type": "world", "id": id,
		"attributes": map[string]any{"permission": 2097151}}}, admin, http.StatusOK)
}

// userRef returns the reference id of the token's user.
func userRef(t *testing.T, s *testserver.Server, token string) string {
	t.Helper()
	m := api(t, s, http.MethodGet, "/api/user_account/mine", nil, token, http.StatusOK)
	return m["data"].(map[string]any)["id"].(string)
}
