package dialects

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/apiary/apiary/test/testserver"
)

// liveFrame is the part of a /live frame these tests read.
type liveFrame struct {
	Type  string `json:"type"`
	ID    string `json:"id"`
	OK    *bool  `json:"ok"`
	Topic string `json:"topic"`
	Event string `json:"event"`
	Data  []byte `json:"data"`
}

// liveSubscribe opens /live as token and subscribes to topic.
func liveSubscribe(t *testing.T, s *testserver.Server, token, topic string) *websocket.Conn {
	t.Helper()
	conn, resp, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(s.URL, "http")+"/live?token="+token, nil)
	if err != nil {
		t.Fatalf("dial /live: %v (%v)", err, resp)
	}
	t.Cleanup(func() { _ = conn.Close() })
	if f := liveNext(t, conn); f.Type != "session" {
		t.Fatalf("first frame %+v", f)
	}
	if err := conn.WriteJSON(map[string]any{"id": "s1", "method": "subscribe", "attributes": map[string]any{"topicName": topic}}); err != nil {
		t.Fatal(err)
	}
	if f := liveNext(t, conn); f.Type != "response" || f.ID != "s1" || f.OK == nil || !*f.OK {
		t.Fatalf("subscribe answer %+v", f)
	}
	return conn
}

func liveNext(t *testing.T, conn *websocket.Conn) liveFrame {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, raw, err := conn.ReadMessage()
	if err != nil {
		t.Fatalf("read /live: %v", err)
	}
	var f liveFrame
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatalf("frame %s: %v", raw, err)
	}
	return f
}

// liveExpect reads the next frame and checks it is event on topic with
// the attribute key set to want.
func liveExpect(t *testing.T, conn *websocket.Conn, topic, event, key, want string) {
	t.Helper()
	f := liveNext(t, conn)
	var data map[string]any
	_ = json.Unmarshal(f.Data, &data)
	if f.Type != "event" || f.Topic != topic || f.Event != event || data[key] != want {
		t.Fatalf("want %s event on %s with %s=%s, got %+v (data %v)", event, topic, key, want, f, data)
	}
}

// TestDialectWritesReachLiveAndExports: a record written through Daybed
// produces the same /live events as a JSON:API write (create, update,
// delete with only its reference_id) and is in the administrator's export.
func TestDialectWritesReachLiveAndExports(t *testing.T) {
	t.Parallel()
	e := newDaybedEnv(t)
	s, c := e.s, &e.creds
	must(t, hawkDo(t, s, c, http.MethodPut, "/v1/models/todo", map[string]any{"definition": todoDefinition}, nil), 200)
	conn := liveSubscribe(t, s, e.alice, "todo")

	id := must(t, hawkDo(t, s, c, http.MethodPost, "/v1/models/todo/records", map[string]any{"item": "live", "status": "todo"}, nil), 201).Map(t)["id"].(string)
	liveExpect(t, conn, "todo", "create", "reference_id", id)
	must(t, hawkDo(t, s, c, http.MethodPatch, "/v1/models/todo/records/"+id, map[string]any{"status": "done"}, nil), 200)
	liveExpect(t, conn, "todo", "update", "status", "done")

	r := must(t, s.Do(t, http.MethodPost, "/action/world/export_data", map[string]any{"attributes": map[string]any{"table_name": "todo", "format": "json"}}, e.admin), 200)
	var answer []map[string]any
	if err := json.Unmarshal(r.Body, &answer); err != nil || len(answer) != 1 || answer[0]["ResponseType"] != "client.file.download" {
		t.Fatalf("export answer: %s", r.Body)
	}
	content, err := base64.StdEncoding.DecodeString(answer[0]["Attributes"].(map[string]any)["content"].(string))
	if err != nil || !strings.Contains(string(content), id) || !strings.Contains(string(content), `"done"`) {
		t.Fatalf("export does not hold the Daybed record %s: %v %.300s", id, err, content)
	}

	must(t, hawkDo(t, s, c, http.MethodDelete, "/v1/models/todo/records/"+id, nil, nil), 200)
	f := liveNext(t, conn)
	var data map[string]any
	_ = json.Unmarshal(f.Data, &data)
	if f.Type != "event" || f.Event != "delete" || data["reference_id"] != id || len(data) != 1 {
		t.Fatalf("delete event %+v (data %v)", f, data)
	}
}
