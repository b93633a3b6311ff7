package realtime

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestLiveWithNodeWs runs the /live protocol with the 'ws' npm client.
func liveWithNodeWs(t *testing.T, e env) {
	s := e.s
	admin := e.admin
	bob := e.bob
	var out struct {
		Guest struct {
			Frame  string
			Closed int
		}
		AliceSession map[string]any
		Subscribed   []map[string]any
		Created      int
		AliceEvent   struct {
			Type, Topic, Event, Source string
			Row                        map[string]any
		}
		BobBeforePong []json.RawMessage
		CreateTopic   map[string]any
		SetPermission map[string]any
		BobMessage    struct {
			Event, Source string
			Data          map[string]any
		}
		Publish struct {
			Status int
			Body   string
		}
		Published       []map[string]any
		MalformedClosed int
	}
	node(t, "live-client.js", "session", map[string]any{"base": wsBase(s), "http": s.URL, "tokens": map[string]string{"alice": admin, "bob": bob}}, &out)
	if out.Guest.Frame != `{"message": "unauthorized"}` || out.Guest.Closed != 1008 {
		t.Errorf("guest: %+v", out.Guest)
	}
	if out.AliceSession["user"] == nil || out.AliceSession["sessionId"] == nil {
		t.Errorf("session: %v", out.AliceSession)
	}
	if len(out.Subscribed) != 2 || out.Subscribed[0]["topic"] != "todo" || out.Subscribed[1]["topic"] != "todo" {
		t.Errorf("subscribe: %v", out.Subscribed)
	}
	ev := out.AliceEvent
	if out.Created != http.StatusCreated || ev.Type != "event" || ev.Event != "create" || ev.Source != "database" || ev.Row["title"] != "from node" || ev.Row["__type"] != "todo" {
		t.Errorf("create event: %+v", ev)
	}
	if _, leaked := ev.Row["pin"]; leaked {
		t.Errorf("secret column in event: %v", ev.Row)
	}
	if len(out.BobBeforePong) != 0 {
		t.Errorf("bob saw a row he cannot read: %s", out.BobBeforePong)
	}
	if out.CreateTopic["created"] != true || out.SetPermission["permission"] != float64(16291) {
		t.Errorf("topic: %v %v", out.CreateTopic, out.SetPermission)
	}
	if out.BobMessage.Event != "new-message" || out.BobMessage.Data["text"] != "hi from bob" || out.BobMessage.Source == "" {
		t.Errorf("new-message: %+v", out.BobMessage)
	}
	if out.Publish.Status != http.StatusOK || !strings.Contains(out.Publish.Body, "Message published to node-room") {
		t.Errorf("publish_to_topic: %+v", out.Publish)
	}
	if len(out.Published) != 2 || out.Published[0]["via"] != "http" || out.Published[1]["via"] != "http" {
		t.Errorf("published: %v", out.Published)
	}
	if out.MalformedClosed != 1000 {
		t.Errorf("malformed JSON: closed %d", out.MalformedClosed)
	}
}
