package realtime

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/apiary/apiary/auth"
)

// methodTimeout bounds the storage work of one request.
const methodTimeout = rowCheckTimeout

func (s *session) dispatch(m inMsg) {
	ctx, cancel := context.WithTimeout(auth.WithPrincipal(context.Background(), s.p), methodTimeout)
	defer cancel()
	switch m.Method {
	case "ping":
		s.sendMsg(outMsg{Type: "pong"})
	case "subscribe":
		s.subscribe(ctx, m)
	case "unsubscribe":
		s.unsubscribe(m)
	case "create-topicName":
		s.createTopic(ctx, m)
	case "destroy-topicName":
		s.destroyTopic(ctx, m)
	case "new-message":
		s.newMessage(ctx, m)
	case "set-topic-permission":
		s.setTopicPermission(ctx, m)
	case "get-topic-permission":
		s.getTopicPermission(ctx, m)
	case "list-topicName":
		s.listTopics(ctx, m)
	default:
		s.fail(m, "no such method")
	}
}

func (s *session) ok(m inMsg, data any) {
	b, _ := json.Marshal(data)
	t := true
	s.sendMsg(outMsg{Type: "response", ID: m.ID, Method: m.Method, OK: &t, Data: b})
}

func (s *session) fail(m inMsg, msg string) {
	f := false
	s.sendMsg(outMsg{Type: "response", ID: m.ID, Method: m.Method, OK: &f, Error: msg})
}

func attrString(m inMsg, key string) (string, bool) {
	v, ok := m.Attributes[key].(string)
	return v, ok && v != ""
}

// subscribe answers once per comma-separated topic.
func (s *session) subscribe(ctx context.Context, m inMsg) {
	names, ok := attrString(m, "topicName")
	if !ok {
		return
	}
	filters, _ := m.Attributes["filters"].(map[string]any)
	for _, name := range strings.Split(names, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		s.mu.Lock()
		_, already := s.subs[name]
		s.mu.Unlock()
		if already {
			continue
		}
		if msg := s.h.checkSubscribe(ctx, s.p, name); msg != "" {
			s.fail(m, msg)
			continue
		}
		sub := &subscription{s: s, topic: name, filters: filters}
		sub.cancel = s.h.join(sub)
		s.mu.Lock()
		s.subs[name] = sub
		s.mu.Unlock()
		s.ok(m, map[string]any{"topic": name})
	}
}

func (s *session) unsubscribe(m inMsg) {
	names, ok := attrString(m, "topicName")
	if !ok {
		return
	}
	for _, name := range strings.Split(names, ",") {
		name = strings.TrimSpace(name)
		s.mu.Lock()
		sub, found := s.subs[name]
		delete(s.subs, name)
		s.mu.Unlock()
		if !found {
			continue
		}
		sub.cancel()
		s.ok(m, map[string]any{"topic": name})
	}
}

func (s *session) createTopic(ctx context.Context, m inMsg) {
	name, ok := attrString(m, "name")
	if !ok {
		return
	}
	if s.h.isTable(name) {
		s.fail(m, "cannot create topic with reserved name")
		return
	}
	created, err := s.h.o.Topics.Create(ctx, name, TopicMeta{Owner: s.p.UserRef, Permission: DefaultTopicPermission})
	switch {
	case err != nil:
		s.h.o.Log.Error("topic not created", "topic", name, "err", err)
		s.fail(m, "internal error")
	case !created:
		s.fail(m, "topic already exists")
	default:
		s.ok(m, map[string]any{"topicName": name, "created": true})
	}
}

func (s *session) destroyTopic(ctx context.Context, m inMsg) {
	name, ok := attrString(m, "name")
	if !ok {
		return
	}
	_, ok = s.userTopic(ctx, m, name, "cannot delete system topic", func(meta TopicMeta) string {
		if !auth.Can(s.p, auth.OpDelete, topicObject(s.p, meta)) {
			return "permission denied"
		}
		return ""
	})
	if !ok {
		return
	}
	if _, err := s.h.o.Topics.Delete(ctx, name); err != nil {
		s.fail(m, "internal error")
		return
	}
	s.ok(m, map[string]any{"topicName": name, "destroyed": true})
}

// newMessage publishes; success sends no response (as Daptin).
func (s *session) newMessage(ctx context.Context, m inMsg) {
	name, _ := m.Attributes["topicName"].(string)
	msg, _ := m.Attributes["message"].(map[string]any)
	err := s.h.Publish(ctx, s.p, name, msg)
	var pe *PublishError
	switch {
	case err == nil:
	case errors.As(err, &pe) && pe.Status == http.StatusNotFound:
		s.fail(m, "topic does not exist: "+name)
	default:
		s.fail(m, err.Error())
	}
}

func (s *session) setTopicPermission(ctx context.Context, m inMsg) {
	name, ok := attrString(m, "topicName")
	if !ok {
		s.fail(m, "missing or invalid topicName")
		return
	}
	raw, present := m.Attributes["permission"]
	if !present || raw == nil {
		s.fail(m, "missing permission value")
		return
	}
	f, isNum := raw.(float64)
	if !isNum || f != float64(int64(f)) || f < 0 || f > float64(auth.AllowAll|auth.AuthenticatedExecute) {
		s.fail(m, "invalid permission value")
		return
	}
	meta, ok := s.userTopic(ctx, m, name, "cannot modify system topic permissions", func(meta TopicMeta) string {
		if !s.p.IsAdmin() && meta.Owner != s.p.UserRef {
			return "only owner or admin can change permissions"
		}
		return ""
	})
	if !ok {
		return
	}
	meta.Permission = int64(f)
	if err := s.h.o.Topics.Put(ctx, name, meta); err != nil {
		s.fail(m, "internal error")
		return
	}
	s.ok(m, map[string]any{"topicName": name, "permission": meta.Permission})
}

func (s *session) getTopicPermission(ctx context.Context, m inMsg) {
	name, ok := attrString(m, "topicName")
	if !ok {
		s.fail(m, "missing or invalid topicName")
		return
	}
	if s.h.isTable(name) {
		obj, err := s.h.o.Res().TablePermission(ctx, name)
		if err != nil {
			s.fail(m, "internal error")
			return
		}
		if !s.p.IsAdmin() && !auth.Can(s.p, auth.OpPeek, obj) {
			s.fail(m, "permission denied")
			return
		}
		s.ok(m, map[string]any{"topicName": name, "permission": int64(obj.Permission), "type": "system"})
		return
	}
	meta, ok := s.userTopic(ctx, m, name, "", func(meta TopicMeta) string {
		if !auth.Can(s.p, auth.OpPeek, topicObject(s.p, meta)) {
			return "permission denied"
		}
		return ""
	})
	if ok {
		s.ok(m, map[string]any{"topicName": name, "owner": meta.Owner, "permission": meta.Permission, "type": "user"})
	}
}

// userTopic loads the user topic name for method m and answers its
// failures with Daptin's messages: systemMsg when name is a table (unless
// ""), then internal error, topic not found, or what refuse returns for the
// caller ("" lets it through). ok is false when m has been answered.
func (s *session) userTopic(ctx context.Context, m inMsg, name, systemMsg string, refuse func(TopicMeta) string) (TopicMeta, bool) {
	if systemMsg != "" && s.h.isTable(name) {
		s.fail(m, systemMsg)
		return TopicMeta{}, false
	}
	meta, found, err := s.h.o.Topics.Get(ctx, name)
	msg := ""
	switch {
	case err != nil:
		msg = "internal error"
	case !found:
		msg = "topic not found"
	default:
		msg = refuse(meta)
	}
	if msg != "" {
		s.fail(m, msg)
		return TopicMeta{}, false
	}
	return meta, true
}

// listTopics is an extension: the topics the caller may peek.
func (s *session) listTopics(ctx context.Context, m inMsg) {
	topics := []string{}
	for _, t := range s.h.o.Res().Schema().Tables {
		if ok, err := s.h.canTable(ctx, s.p, t.TableName, auth.OpPeek); err == nil && ok {
			topics = append(topics, t.TableName)
		}
	}
	names, err := s.h.o.Topics.Names(ctx)
	if err != nil {
		s.fail(m, "internal error")
		return
	}
	for _, n := range names {
		if meta, found, err := s.h.o.Topics.Get(ctx, n); err == nil && found && auth.Can(s.p, auth.OpPeek, topicObject(s.p, meta)) {
			topics = append(topics, n)
		}
	}
	s.ok(m, map[string]any{"topics": topics})
}
