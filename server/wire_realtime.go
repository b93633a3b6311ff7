package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/apiary/apiary/actions"
	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/realtime"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/schema"
	"github.com/apiary/apiary/storage/blob"
)

// wireRealtime builds the /live hub and the YJS rooms, registers the publish_to_topic action
// and returns next wrapped so that /live and the YJS routes are served
// before the router: a WebSocket lives for hours, so it must not hold a
// limit.max_connections slot or pass the per-request rate limiter.
func (s *Server) wireRealtime(next http.Handler) http.Handler {
	s.hub = realtime.NewHub(realtime.Options{Res: func() resource.Service { return s.res }, Log: s.log.With("component", "realtime"),
		Broker: s.realtimeBroker(), Topics: s.topicStore()})
	s.exec.Register("world", "publish_to_topic", s.publishToTopic)
	s.rooms = realtime.NewRooms(realtime.RoomOptions{Res: func() resource.Service { return s.res }, Log: s.log.With("component", "yjs"),
		Store: realtime.RowRoomStore{Local: realtime.FileRoomStore{Dir: filepath.Join(s.cfg.LocalStoragePath, "yjs-documents")},
			Res: func() resource.Service { return s.res }, Read: s.readAssetEntry, Log: s.log.With("component", "yjs"),
			Rows: &realtime.RowSaves{Every: 2 * time.Second}},
		Peers: s.roomPeers()})
	live := s.recoverer(s.authenticate(s.hub))
	rooms := s.recoverer(s.authenticate(s.rooms))
	// yjs.enabled is read at start-up, as Daptin does: "false" turns the
	// YJS routes off (they answer 404 like any unknown route).
	yjsOn := true
	if v, err := s.conf.Get(context.Background(), resource.ConfigBackend, "yjs.enabled"); err == nil && v == "false" {
		yjsOn = false
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method != http.MethodGet:
		case r.URL.Path == "/live":
			live.ServeHTTP(w, r)
			return
		case yjsOn && realtime.IsRoute(r.URL.Path):
			rooms.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// closeRealtime ends every realtime connection.
func (s *Server) closeRealtime() {
	if s.hub != nil {
		s.hub.Close()
	}
	if s.rooms != nil {
		s.rooms.Close()
	}
}

// publishToTopic is the publish_to_topic action (contract sidecars.md §1.8).
func (s *Server) publishToTopic(ctx context.Context, req actions.Request) ([]actions.Response, error) {
	topic, _ := req.Attributes["topicName"].(string)
	msg, _ := req.Attributes["message"].(map[string]any)
	err := s.hub.Publish(ctx, auth.PrincipalFrom(ctx), strings.TrimSpace(topic), msg)
	var pe *realtime.PublishError
	switch {
	case errors.As(err, &pe):
		return nil, actions.Fail(pe.Status, "%s", pe.Msg)
	case err != nil:
		return nil, err
	}
	return []actions.Response{
		{ResponseType: "client.notify", Attributes: map[string]any{"type": "success", "title": "Success", "message": "Message published to " + topic}},
		{ResponseType: "publish_to_topic", Attributes: map[string]any{"message": "published", "topic": topic}},
	}, nil
}

// readAssetEntry reads one file of an asset column from its cloud store
// (a YJS room loading its row's x-crdt/yjs entry), at most
// realtime.MaxRoomState bytes.
func (s *Server) readAssetEntry(ctx context.Context, col *schema.Column, e map[string]any) ([]byte, error) {
	st, err := s.files.stores.ByName(ctx, col.ForeignKeyData.Namespace)
	if err != nil {
		return nil, err
	}
	dir, _ := e["path"].(string)
	name, _ := e["name"].(string)
	p, err := blob.Join(col.ForeignKeyData.KeyName, dir, name)
	if err != nil {
		return nil, err
	}
	rc, _, err := st.Open(ctx, p)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, realtime.MaxRoomState+1))
	if err == nil && len(b) > realtime.MaxRoomState {
		err = fmt.Errorf("%s is larger than %d bytes", p, realtime.MaxRoomState)
	}
	return b, err
}
