package realtime

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

func liveGuestIsRefused(t *testing.T, e env) {
	s := e.s
	conn, _, err := websocket.DefaultDialer.Dial(wsURL(s, "/live"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_, msg, err := conn.ReadMessage()
	if err != nil || string(msg) != `{"message": "unauthorized"}` {
		t.Fatalf("first frame %q, %v", msg, err)
	}
	_, _, err = conn.ReadMessage()
	if !websocket.IsCloseError(err, websocket.ClosePolicyViolation) {
		t.Fatalf("want close 1008, got %v", err)
	}
	// A value that is not a JWT at all ("null", as daptin-client sends
	// before sign-in) is a guest: the unauthorized frame, no 401.
	conn2, _, err := websocket.DefaultDialer.Dial(wsURL(s, "/live?token=null"), nil)
	if err != nil {
		t.Fatalf("non-JWT token: %v", err)
	}
	defer conn2.Close()
	if _, msg, err := conn2.ReadMessage(); err != nil || string(msg) != `{"message": "unauthorized"}` {
		t.Fatalf("non-JWT token: first frame %q, %v", msg, err)
	}
	// A JWT that does not verify (here: a forged signature) is a 401
	// before the upgrade.
	forged := e.admin[:len(e.admin)-4] + "AAAA"
	if forged == e.admin {
		forged = e.admin[:len(e.admin)-4] + "BBBB"
	}
	_, resp, err := websocket.DefaultDialer.Dial(wsURL(s, "/live?token="+forged), nil)
	if err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("forged token: want 401, got %v %v", resp, err)
	}
}

func liveRowEventsArePermissionFiltered(t *testing.T, e env) {
	s := e.s
	admin := e.admin
	bob := e.bob
	a, session := dial(t, s, admin)
	if session.Type != "session" || session.Status != "open" {
		t.Fatalf("session frame: %s", session.Raw)
	}
	sd := session.data(t)
	if sd["user"] == "" || sd["sessionId"] == nil || len(sd["groups"].([]any)) == 0 {
		t.Fatalf("session data: %v", sd)
	}
	b, _ := dial(t, s, bob)
	a.call("a-1", "subscribe", map[string]any{"topicName": "todo"})
	if got := a.expectOK("a-1", "subscribe").data(t)["topic"]; got != "todo" {
		t.Fatalf("subscribe data topic = %v", got)
	}
	b.call("b-1", "subscribe", map[string]any{"topicName": "todo"})
	b.expectOK("b-1", "subscribe")

	ref := createTodo(t, s, admin, map[string]any{"title": "Live event test", "pin": "secret-pin-1"})
	ev := a.next()
	if ev.Type != "event" || ev.Topic != "todo" || ev.Event != "create" || ev.Source != "database" {
		t.Fatalf("create event: %s", ev.Raw)
	}
	row := ev.data(t)
	if row["__type"] != "todo" || row["reference_id"] != ref || row["title"] != "Live event test" {
		t.Fatalf("create payload: %v", row)
	}
	for _, k := range []string{"pin", "id"} {
		if _, ok := row[k]; ok {
			t.Fatalf("event carries %q: %v", k, row)
		}
	}
	if strings.Contains(string(ev.Data), "secret-pin-1") {
		t.Fatal("secret in event")
	}
	api(t, s, http.MethodPatch, "/api/todo/"+ref, map[string]any{"data": map[string]any{"type": "todo", "id": ref, "attributes": map[string]any{"done": true}}}, admin, http.StatusOK)
	if ev := a.next(); ev.Event != "update" || ev.data(t)["reference_id"] != ref {
		t.Fatalf("update event: %s", ev.Raw)
	}
	api(t, s, http.MethodDelete, "/api/todo/"+ref, nil, admin, http.StatusOK)
	ev = a.next()
	if ev.Event != "delete" || string(ev.Data) != `{"reference_id":"`+ref+`"}` {
		t.Fatalf("delete event: %s", ev.Raw)
	}
	// Bob could never read the admin's row: no create, update or delete.
	b.quiet()

	// Bob's own row reaches bob and the administrator.
	mine := createTodo(t, s, bob, map[string]any{"title": "bob's"})
	if ev := b.next(); ev.Event != "create" || ev.data(t)["reference_id"] != mine {
		t.Fatalf("bob's create: %s", ev.Raw)
	}
	if ev := a.next(); ev.Event != "create" || ev.data(t)["reference_id"] != mine {
		t.Fatalf("admin sees bob's create: %s", ev.Raw)
	}
	// A write that fails publishes nothing.
	s.Do(t, http.MethodPost, "/api/todo", map[string]any{"data": map[string]any{"type": "todo", "attributes": map[string]any{"title": strings.Repeat("x", 300)}}}, bob)
	a.quiet()
	b.quiet()
}

func liveFiltersAndSubscriptions(t *testing.T, e env) {
	s := e.s
	admin := e.admin
	a, _ := dial(t, s, admin)
	a.call("f-1", "subscribe", map[string]any{"topicName": "todo", "filters": map[string]any{"EventType": "update", "title": "Filtered"}})
	a.expectOK("f-1", "subscribe")
	a.call("f-1again", "subscribe", map[string]any{"topicName": "todo"})
	a.call("t-6", "subscribe", map[string]any{})
	a.quiet() // re-subscribe and a missing topicName are silent
	other := createTodo(t, s, admin, map[string]any{"title": "Other"})
	ref := createTodo(t, s, admin, map[string]any{"title": "Filtered"})
	for _, r := range []string{other, ref} {
		api(t, s, http.MethodPatch, "/api/todo/"+r, map[string]any{"data": map[string]any{"type": "todo", "id": r, "attributes": map[string]any{"done": true}}}, admin, http.StatusOK)
	}
	if ev := a.next(); ev.Event != "update" || ev.data(t)["reference_id"] != ref {
		t.Fatalf("filtered update: %s", ev.Raw)
	}
	a.quiet()
	a.call("f-2", "unsubscribe", map[string]any{"topicName": "todo,usergroup"})
	a.expectOK("f-2", "unsubscribe")
	a.quiet() // usergroup was not subscribed: skipped silently
	createTodo(t, s, admin, map[string]any{"title": "after unsubscribe"})
	a.quiet()
	a.call("s-1", "subscribe", map[string]any{"topicName": "no_such_topic"})
	a.expectErr("s-1", "subscribe", "topic not found: no_such_topic")
	a.call("s-2", "subscribe", map[string]any{"topicName": "user_account,usergroup"})
	if f := a.expectOK("s-2", "subscribe"); f.data(t)["topic"] != "user_account" {
		t.Fatalf("first reply: %s", f.Raw)
	}
	if f := a.expectOK("s-2", "subscribe"); f.data(t)["topic"] != "usergroup" {
		t.Fatalf("second reply: %s", f.Raw)
	}
	a.send(map[string]any{"id": "p", "method": "ping"})
	if f := a.next(); f.Raw != `{"type":"pong"}` {
		t.Fatalf("pong: %s", f.Raw)
	}
	a.call("a-9", "no-such-method", map[string]any{})
	if f := a.next(); f.Raw != `{"type":"response","id":"a-9","method":"no-such-method","ok":false,"error":"no such method"}` {
		t.Fatalf("unknown method: %s", f.Raw)
	}
}

func liveUserTopicsAndPublish(t *testing.T, e env) {
	s := e.s
	admin := e.admin
	bob := e.bob
	a, as := dial(t, s, admin)
	b, bs := dial(t, s, bob)
	aliceRef, bobRef := as.data(t)["user"].(string), bs.data(t)["user"].(string)
	a.call("a-2", "create-topicName", map[string]any{"name": "chat-room-1"})
	if f := a.expectOK("a-2", "create-topicName"); string(f.Data) != `{"created":true,"topicName":"chat-room-1"}` {
		t.Fatalf("create: %s", f.Data)
	}
	a.call("a-2b", "create-topicName", map[string]any{"name": "chat-room-1"})
	a.expectErr("a-2b", "create-topicName", "topic already exists")
	a.call("a-2c", "create-topicName", map[string]any{"name": "todo"})
	a.expectErr("a-2c", "create-topicName", "cannot create topic with reserved name")
	a.call("a-4", "subscribe", map[string]any{"topicName": "chat-room-1"})
	a.expectOK("a-4", "subscribe")
	b.call("b-4", "subscribe", map[string]any{"topicName": "chat-room-1"})
	b.expectErr("b-4", "subscribe", "permission denied: chat-room-1")
	a.call("a-5", "new-message", map[string]any{"topicName": "chat-room-1", "message": map[string]any{"text": "hello room", "n": 1}})
	if f := a.next(); f.Event != "new-message" || f.Source != aliceRef || string(f.Data) != `{"n":1,"text":"hello room"}` {
		t.Fatalf("own message: %s", f.Raw)
	}
	b.call("b-5", "new-message", map[string]any{"topicName": "chat-room-1", "message": map[string]any{"text": "from bob"}})
	b.expectErr("b-5", "new-message", "permission denied: chat-room-1")
	b.call("b-5x", "new-message", map[string]any{"topicName": "chat-room-1", "message": "not an object"})
	b.expectErr("b-5x", "new-message", "missing or invalid message")
	b.call("b-5y", "new-message", map[string]any{"topicName": "nowhere", "message": map[string]any{}})
	b.expectErr("b-5y", "new-message", "topic does not exist: nowhere")
	a.call("a-6", "get-topic-permission", map[string]any{"topicName": "chat-room-1"})
	if f := a.expectOK("a-6", "get-topic-permission"); string(f.Data) != `{"owner":"`+aliceRef+`","permission":16256,"topicName":"chat-room-1","type":"user"}` {
		t.Fatalf("get perm: %s", f.Data)
	}
	a.call("a-6b", "get-topic-permission", map[string]any{"topicName": "todo"})
	if f := a.expectOK("a-6b", "get-topic-permission"); f.data(t)["type"] != "system" || f.data(t)["permission"] == nil {
		t.Fatalf("system perm: %s", f.Data)
	}
	b.call("b-7", "set-topic-permission", map[string]any{"topicName": "chat-room-1", "permission": 2097151})
	b.expectErr("b-7", "set-topic-permission", "only owner or admin can change permissions")
	a.call("a-7x", "set-topic-permission", map[string]any{"topicName": "chat-room-1", "permission": "lots"})
	a.expectErr("a-7x", "set-topic-permission", "invalid permission value")
	a.call("a-7", "set-topic-permission", map[string]any{"topicName": "chat-room-1", "permission": 16291})
	if f := a.expectOK("a-7", "set-topic-permission"); string(f.Data) != `{"permission":16291,"topicName":"chat-room-1"}` {
		t.Fatalf("set perm: %s", f.Data)
	}
	b.call("b-4b", "subscribe", map[string]any{"topicName": "chat-room-1"})
	b.expectOK("b-4b", "subscribe")
	b.call("b-5b", "new-message", map[string]any{"topicName": "chat-room-1", "message": map[string]any{"text": "from bob"}})
	for _, c := range []*client{a, b} {
		if f := c.next(); f.Event != "new-message" || f.Source != bobRef {
			t.Fatalf("bob's message: %s", f.Raw)
		}
	}
	// publish_to_topic over HTTP.
	r := s.Do(t, http.MethodPost, "/action/world/publish_to_topic", map[string]any{"attributes": map[string]any{"topicName": "chat-room-1", "message": map[string]any{"via": "http action"}}}, admin)
	want := `[{"ResponseType":"client.notify","Attributes":{"message":"Message published to chat-room-1","title":"Success","type":"success"}},{"ResponseType":"publish_to_topic","Attributes":{"message":"published","topic":"chat-room-1"}}]`
	if r.Status != http.StatusOK || strings.TrimSpace(string(r.Body)) != want {
		t.Fatalf("publish_to_topic: %d %s", r.Status, r.Body)
	}
	for _, c := range []*client{a, b} {
		if f := c.next(); f.Event != "new-message" || string(f.Data) != `{"via":"http action"}` || f.Source != aliceRef {
			t.Fatalf("http message: %s", f.Raw)
		}
	}
	for _, tc := range []struct {
		attrs map[string]any
		token string
		want  int
	}{
		{map[string]any{"topicName": "nowhere", "message": map[string]any{}}, admin, http.StatusNotFound},
		{map[string]any{"topicName": "chat-room-1"}, admin, http.StatusBadRequest},
		{map[string]any{"topicName": "chat-room-1", "message": map[string]any{}}, "", http.StatusForbidden},
	} {
		if r := s.Do(t, http.MethodPost, "/action/world/publish_to_topic", map[string]any{"attributes": tc.attrs}, tc.token); r.Status != tc.want && !(tc.token == "" && r.Status == http.StatusUnauthorized) {
			t.Fatalf("publish %v: %d %s", tc.attrs, r.Status, r.Body)
		}
	}
	a.call("l-1", "list-topicName", map[string]any{})
	if f := a.expectOK("l-1", "list-topicName"); !strings.Contains(string(f.Data), `"chat-room-1"`) || !strings.Contains(string(f.Data), `"todo"`) {
		t.Fatalf("list: %s", f.Data)
	}
	b.call("b-11", "destroy-topicName", map[string]any{"name": "chat-room-1"})
	b.expectErr("b-11", "destroy-topicName", "permission denied")
	a.call("a-11", "destroy-topicName", map[string]any{"name": "chat-room-1"})
	if f := a.expectOK("a-11", "destroy-topicName"); string(f.Data) != `{"destroyed":true,"topicName":"chat-room-1"}` {
		t.Fatalf("destroy: %s", f.Data)
	}
	a.call("a-12", "destroy-topicName", map[string]any{"name": "chat-room-1"})
	a.expectErr("a-12", "destroy-topicName", "topic not found")
	a.call("a-13", "destroy-topicName", map[string]any{"name": "todo"})
	a.expectErr("a-13", "destroy-topicName", "cannot delete system topic")
}

func liveBadInputCloses(t *testing.T, e env) {
	s := e.s
	admin := e.admin
	a, _ := dial(t, s, admin)
	if err := a.conn.WriteMessage(websocket.TextMessage, []byte("this is not json")); err != nil {
		t.Fatal(err)
	}
	_ = a.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, _, err := a.conn.ReadMessage(); !websocket.IsCloseError(err, websocket.CloseNormalClosure) {
		t.Fatalf("malformed JSON: want close 1000, got %v", err)
	}
	big, _ := dial(t, s, admin)
	huge := `{"method":"ping","pad":"` + strings.Repeat("x", 10<<20) + `"}`
	_ = big.conn.WriteMessage(websocket.TextMessage, []byte(huge))
	_ = big.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, _, err := big.conn.ReadMessage(); !websocket.IsCloseError(err, websocket.CloseMessageTooBig) {
		t.Fatalf("oversized: want close 1009, got %v", err)
	}
}

// TestLiveGroupSharedRows: a row shared with a group reaches the group's
// members on create/update (read as the subscriber) and on delete (the
// sharing groups travel with the delete event); others get nothing.
func liveGroupSharedRows(t *testing.T, e env) {
	s := e.s
	admin := e.admin
	bob := e.bob
	carol := s.User(t, "Carol", "carol@example.test", "carol-password")
	dave := s.User(t, "Dave", "dave@example.test", "dave-password")
	team := api(t, s, http.MethodPost, "/api/usergroup", map[string]any{"data": map[string]any{"type": "usergroup", "attributes": map[string]any{"name": "team"}}}, admin, http.StatusCreated)["data"].(map[string]any)["id"].(string)
	api(t, s, http.MethodPost, "/api/user_account_user_account_id_has_usergroup_usergroup_id", map[string]any{"data": map[string]any{"type": "user_account_user_account_id_has_usergroup_usergroup_id",
		"attributes": map[string]any{"user_account_id": userRef(t, s, carol), "usergroup_id": team}}}, admin, http.StatusCreated)
	carol = s.SignIn(t, "carol@example.test", "carol-password")
	c, _ := dial(t, s, carol)
	d, _ := dial(t, s, dave)
	for _, x := range []*client{c, d} {
		x.call("s", "subscribe", map[string]any{"topicName": "todo"})
		x.expectOK("s", "subscribe")
	}
	ref := createTodo(t, s, bob, map[string]any{"title": "shared later"})
	api(t, s, http.MethodPost, "/api/todo_todo_id_has_usergroup_usergroup_id", map[string]any{"data": map[string]any{"type": "todo_todo_id_has_usergroup_usergroup_id",
		"attributes": map[string]any{"todo_id": ref, "usergroup_id": team}}}, admin, http.StatusCreated)
	api(t, s, http.MethodPatch, "/api/todo/"+ref, map[string]any{"data": map[string]any{"type": "todo", "id": ref, "attributes": map[string]any{"title": "shared"}}}, admin, http.StatusOK)
	// The create may reach carol too: her read is checked at delivery,
	// and by then the row may already be shared with her group.
	ev := c.next()
	if ev.Event == "create" {
		ev = c.next()
	}
	if ev.Event != "update" || ev.data(t)["title"] != "shared" {
		t.Fatalf("member's update: %s", ev.Raw)
	}
	api(t, s, http.MethodDelete, "/api/todo/"+ref, nil, admin, http.StatusOK)
	if ev := c.next(); ev.Event != "delete" || ev.data(t)["reference_id"] != ref {
		t.Fatalf("member's delete: %s", ev.Raw)
	}
	c.quiet()
	d.quiet()
}

// liveUpdatesInCommitOrder: concurrent updates of one row reach a
// subscriber in commit order, so after each round of concurrent writers the
// last event shows the row as stored. On PostgreSQL and MySQL the writers
// commit on separate connections; without the resource layer's per-table
// commit lock a writer that committed first can publish after one that
// committed later.
func liveUpdatesInCommitOrder(t *testing.T, e env) {
	s, admin := e.s, e.admin
	a, _ := dial(t, s, admin)
	ref := createTodo(t, s, admin, map[string]any{"title": "race"})
	a.call("s", "subscribe", map[string]any{"topicName": "todo", "filters": map[string]any{"EventType": "update"}})
	a.expectOK("s", "subscribe")
	const rounds, n = 8, 24
	for round := 0; round < rounds; round++ {
		var wg sync.WaitGroup
		var okCount atomic.Int64
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				r := s.Do(t, http.MethodPatch, "/api/todo/"+ref, map[string]any{"data": map[string]any{"type": "todo", "id": ref,
					"attributes": map[string]any{"title": "r" + strconv.Itoa(round) + "-" + strconv.Itoa(i)}}}, admin)
				if r.Status == http.StatusOK {
					okCount.Add(1)
				} else {
					t.Logf("concurrent update refused: %d %s", r.Status, r.Body)
				}
			}(i)
		}
		wg.Wait()
		if okCount.Load() == 0 {
			t.Fatal("no update succeeded")
		}
		var last string
		for i := int64(0); i < okCount.Load(); i++ {
			last = a.next().data(t)["title"].(string)
		}
		stored := api(t, s, http.MethodGet, "/api/todo/"+ref, nil, admin, http.StatusOK)["data"].(map[string]any)["attributes"].(map[string]any)["title"]
		if last != stored {
			t.Fatalf("round %d: last update event %q, stored %q (%s)", round, last, stored, s.Config().DB.Type)
		}
	}
	a.quiet() // no event for a write that failed
}
