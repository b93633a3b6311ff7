package store

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"io"
	"strings"
)

// Len returns the length of the raw message without decoding it: that of
// Raw, or the one the gzip trailer of Enc records (its last four bytes,
// the length modulo 2^32; messages are far smaller). ok is false when
// neither tells.
func (m *Message) Len() (int64, bool) {
	if m.Raw != nil {
		return int64(len(m.Raw)), true
	}
	enc := strings.TrimSpace(m.Enc)
	if len(enc) < 16 || len(enc)%4 != 0 {
		return 0, false
	}
	// The last 16 characters decode to 10 to 12 bytes, the trailer's 8
	// among them.
	tail, err := base64.StdEncoding.DecodeString(enc[len(enc)-16:])
	if err != nil || len(tail) < 8 {
		return 0, false
	}
	return int64(binary.LittleEndian.Uint32(tail[len(tail)-4:])), true
}

// Open reads the raw message, decoding Enc as it goes: no copy of the
// whole message is made. A stored value that is not a compressed message
// fails here, before anything is read.
func (m *Message) Open() (io.ReadCloser, error) {
	if m.Raw != nil || m.Enc == "" {
		return io.NopCloser(bytes.NewReader(m.Raw)), nil
	}
	zr, err := gzip.NewReader(base64.NewDecoder(base64.StdEncoding, strings.NewReader(strings.TrimSpace(m.Enc))))
	if err != nil {
		return nil, fmt.Errorf("message %s: %w", m.RefID, err)
	}
	return zr, nil
}

// WriteTo writes the raw message to w as Open reads it.
func (m *Message) WriteTo(w io.Writer) (int64, error) {
	rc, err := m.Open()
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	n, err := io.Copy(w, rc)
	if err != nil {
		return n, fmt.Errorf("message %s: %w", m.RefID, err)
	}
	return n, nil
}
