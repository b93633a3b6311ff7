package store

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"io"
	"strings"
)

// Encode gzips raw and encodes it as base64 (the mail column's form).
func Encode(raw []byte) (string, error) { return newEncoder().encode(Raw{raw}) }

// Encode is the package's Encode with a reused compressor and buffer (a
// new compressor allocates about a megabyte, more than most messages).
func (s *Store) Encode(raw []byte) (string, error) { return s.encodeRaw(Raw{raw}) }

func (s *Store) encodeRaw(raw Raw) (string, error) {
	var e *encoder
	select {
	case e = <-s.encoders:
	default:
		e = newEncoder()
	}
	defer func() {
		select {
		case s.encoders <- e:
		default:
		}
	}()
	return e.encode(raw)
}

// keptEncoders is how many idle encoders a store keeps. They are kept in
// a channel, not a sync.Pool, which every second garbage collection
// empties: a new compressor allocates about a megabyte.
const keptEncoders = 4

// encoder compresses into buf, then writes the base64 string at its
// final size: the result is allocated once, at its length.
type encoder struct {
	zw  *gzip.Writer
	buf bytes.Buffer
}

// maxKeptBuffer bounds the compressed buffer an idle encoder keeps.
const maxKeptBuffer = 1 << 20

func newEncoder() *encoder {
	zw, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed)
	return &encoder{zw: zw}
}

func (e *encoder) encode(raw Raw) (string, error) {
	defer func() {
		if e.buf.Cap() > maxKeptBuffer {
			e.buf = bytes.Buffer{}
		}
	}()
	e.buf.Reset()
	e.zw.Reset(&e.buf)
	for _, piece := range raw {
		if _, err := e.zw.Write(piece); err != nil {
			return "", err
		}
	}
	if err := e.zw.Close(); err != nil {
		return "", err
	}
	var sb strings.Builder
	sb.Grow(base64.StdEncoding.EncodedLen(e.buf.Len()))
	b64 := base64.NewEncoder(base64.StdEncoding, &sb)
	_, _ = b64.Write(e.buf.Bytes()) // a strings.Builder does not fail
	_ = b64.Close()
	return sb.String(), nil
}

// Decode reverses Encode, decoding base64 and decompressing in one pass.
func Decode(s string) ([]byte, error) { return decodeSized(s, 0) }

// decodeSized is Decode into a buffer of the expected size (the size
// column), so a large message is not copied while the buffer grows.
func decodeSized(s string, size int64) ([]byte, error) {
	if s == "" {
		return nil, nil
	}
	zr, err := gzip.NewReader(base64.NewDecoder(base64.StdEncoding, strings.NewReader(strings.TrimSpace(s))))
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	if size <= 0 || size > 1<<30 {
		return io.ReadAll(zr)
	}
	buf := bytes.NewBuffer(make([]byte, 0, size+bytes.MinRead))
	_, err = buf.ReadFrom(zr)
	return buf.Bytes(), err
}
