package realtime

import (
	"errors"
	"net/url"
	"os"
	"path/filepath"
)

// RoomStore keeps the compacted state of each YJS room.
type RoomStore interface {
	// Load returns a room's state, or nil when it has none.
	Load(room string) ([]byte, error)
	// Save replaces a room's state and its plain-text snapshot.
	Save(room string, state []byte, text string) error
	// Flush writes whatever Save has deferred (at shutdown).
	Flush()
}

// FileRoomStore keeps one file per room in a folder (by default
// <local storage>/yjs-documents), written atomically: <room>.yjs holds the
// state (one Yjs v1 update), <room>.txt the document's text.
type FileRoomStore struct{ Dir string }

func (s FileRoomStore) path(room, ext string) string {
	return filepath.Join(s.Dir, url.PathEscape(room)+ext)
}

// Load implements RoomStore.
func (s FileRoomStore) Load(room string) ([]byte, error) {
	b, err := os.ReadFile(s.path(room, ".yjs"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	return b, err
}

// Save implements RoomStore.
func (s FileRoomStore) Save(room string, state []byte, text string) error {
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return err
	}
	if err := s.write(s.path(room, ".yjs"), state); err != nil {
		return err
	}
	return s.write(s.path(room, ".txt"), []byte(text))
}

// Flush implements RoomStore: a FileRoomStore defers nothing.
func (s FileRoomStore) Flush() {}

// write replaces a file atomically.
func (s FileRoomStore) write(path string, data []byte) error {
	f, err := os.CreateTemp(s.Dir, ".tmp-*")
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return err
	}
	return os.Rename(f.Name(), path)
}

// RoomPeers links the rooms of several nodes: a cluster transport sends
// each accepted update to the same room elsewhere. The single-node
// default, NoPeers, has nobody to tell.
type RoomPeers interface {
	Send(room string, update []byte)
	Listen(room string, fn func(update []byte)) (cancel func())
}

// NoPeers is the RoomPeers of a single node.
type NoPeers struct{}

// Send implements RoomPeers.
func (NoPeers) Send(string, []byte) {}

// Listen implements RoomPeers.
func (NoPeers) Listen(string, func([]byte)) func() { return func() {} }
