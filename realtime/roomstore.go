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
	// Save replaces a room's state.
	Save(room string, state []byte) error
}

// FileRoomStore keeps one file per room in a folder (by default
// <local storage>/yjs-documents), written atomically.
type FileRoomStore struct{ Dir string }

func (s FileRoomStore) path(room string) string {
	return filepath.Join(s.Dir, url.PathEscape(room)+".yjs")
}

// Load implements RoomStore.
func (s FileRoomStore) Load(room string) ([]byte, error) {
	b, err := os.ReadFile(s.path(room))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	return b, err
}

// Save implements RoomStore.
func (s FileRoomStore) Save(room string, state []byte) error {
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(s.Dir, ".tmp-*")
	if err != nil {
		return err
	}
	if _, err := f.Write(state); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return err
	}
	return os.Rename(f.Name(), s.path(room))
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
