package yjs

import (
	"bytes"
	"errors"
	"math"
	"reflect"
	"testing"
)

func TestUintRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		v    uint64
		want []byte
	}{
		{0, []byte{0}},
		{1, []byte{1}},
		{127, []byte{0x7f}},
		{128, []byte{0x80, 1}},
		{300, []byte{0xac, 2}},
		{1 << 21, []byte{0x80, 0x80, 0x80, 1}},
		{math.MaxUint32, []byte{0xff, 0xff, 0xff, 0xff, 0x0f}},
		{math.MaxUint64, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}},
	} {
		b := appendUint(nil, tc.v)
		if !bytes.Equal(b, tc.want) {
			t.Errorf("%d encodes as %v, want %v", tc.v, b, tc.want)
		}
		d := &decoder{b: b}
		if got, err := d.uint(); err != nil || got != tc.v || !d.done() {
			t.Errorf("%v decodes as %d %v", b, got, err)
		}
	}
}

func TestDecoderErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		b    []byte
		read func(d *decoder) error
	}{
		{"empty uint", nil, func(d *decoder) error { _, err := d.uint(); return err }},
		{"unterminated uint", []byte{0x80, 0x80}, func(d *decoder) error { _, err := d.uint(); return err }},
		{"uint over 64 bits", bytes.Repeat([]byte{0xff}, 11), func(d *decoder) error { _, err := d.uint(); return err }},
		{"bytes longer than input", []byte{5, 1, 2}, func(d *decoder) error { _, err := d.bytes(); return err }},
		{"skip past end", []byte{1}, func(d *decoder) error { return d.skip(2) }},
		{"raw string cut", []byte{3, 'a'}, func(d *decoder) error { _, err := d.rawString(); return err }},
		{"unknown any tag", []byte{1}, func(d *decoder) error { _, err := d.rawAny(); return err }},
		{"any float cut", []byte{123, 1, 2}, func(d *decoder) error { _, err := d.rawAny(); return err }},
		{"any object cut", []byte{118, 1, 1, 'k'}, func(d *decoder) error { _, err := d.rawAny(); return err }},
		{"any array cut", []byte{117, 2, 120}, func(d *decoder) error { _, err := d.rawAny(); return err }},
		{"any nested too deep", append(bytes.Repeat([]byte{117, 1}, maxAnyDepth+2), 120), func(d *decoder) error { _, err := d.rawAny(); return err }},
		{"any signed varint cut", []byte{125, 0x80}, func(d *decoder) error { _, err := d.rawAny(); return err }},
	} {
		if err := tc.read(&decoder{b: tc.b}); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

// TestRawAny: each lib0 "any" value is read whole, leaving what follows.
func TestRawAny(t *testing.T) {
	for _, tc := range []struct {
		name string
		b    []byte
	}{
		{"undefined", []byte{127}},
		{"null", []byte{126}},
		{"true", []byte{120}},
		{"false", []byte{121}},
		{"int", []byte{125, 0x81, 0x01}},
		{"float32", []byte{124, 1, 2, 3, 4}},
		{"float64", []byte{123, 1, 2, 3, 4, 5, 6, 7, 8}},
		{"bigint", []byte{122, 1, 2, 3, 4, 5, 6, 7, 8}},
		{"string", []byte{119, 2, 'h', 'i'}},
		{"bytes", []byte{116, 1, 9}},
		{"object", []byte{118, 2, 1, 'a', 120, 1, 'b', 119, 1, 'x'}},
		{"array", []byte{117, 3, 126, 125, 1, 117, 0}},
	} {
		d := &decoder{b: append(append([]byte(nil), tc.b...), 0xee)}
		got, err := d.rawAny()
		if err != nil || !bytes.Equal(got, tc.b) {
			t.Errorf("%s: %v %v", tc.name, got, err)
		}
		if rest, _ := d.byte(); rest != 0xee {
			t.Errorf("%s: read past the value", tc.name)
		}
	}
}

func TestUTF16(t *testing.T) {
	for _, tc := range []struct {
		in    string
		units int
		back  string
	}{
		{"abc", 3, "abc"},
		{"é", 1, "é"},
		{"😀", 2, "😀"},
		{"a😀b", 4, "a😀b"},
		{"\xff", 1, "\ufffd"}, // invalid UTF-8 reads as U+FFFD, as TextDecoder does
	} {
		u := toUTF16([]byte(tc.in))
		if len(u) != tc.units {
			t.Errorf("%q: %d units", tc.in, len(u))
		}
		if got := string(fromUTF16(u)); got != tc.back {
			t.Errorf("%q back as %q", tc.in, got)
		}
	}
	// Half a surrogate pair becomes U+FFFD.
	if got := string(fromUTF16(toUTF16([]byte("😀"))[:1])); got != "\ufffd" {
		t.Errorf("lone surrogate: %q", got)
	}
}

func TestStateVectorRoundTrip(t *testing.T) {
	for _, sv := range []StateVector{
		{},
		{1: 1},
		{1001: 2, 7: 300, math.MaxUint32: 1 << 40},
	} {
		b := EncodeStateVector(sv)
		got, err := DecodeStateVector(b)
		if err != nil || !reflect.DeepEqual(got, sv) {
			t.Errorf("%v: %v %v", sv, got, err)
		}
	}
	for _, bad := range [][]byte{nil, {2, 1, 1}, {1, 1}, {1, 1, 1, 9}, {0xff, 0xff, 0xff, 0xff, 0x7f}} {
		if _, err := DecodeStateVector(bad); err == nil {
			t.Errorf("%v decoded", bad)
		}
	}
}
