package jsonapi

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/apiary/apiary/resource"
)

// fastValues is every kind of value a row's attributes or relationships
// carry, and the awkward ones: strings that need escaping, HTML-unsafe
// characters, invalid UTF-8, line separators, floats at the format
// boundaries, and types the fast path hands to encoding/json.
var fastValues = []any{
	nil, "", "plain text", "quote \" back \\ slash", "<b>&amp;</b>", "tab\tnew\nline\r\x00\x1f\x7f",
	"ünïcödé ✓ 日本", "bad \xff\xfe utf8", "sep \u2028 and \u2029", "\b\f",
	true, false, int64(0), int64(-42), int64(math.MaxInt64), int64(math.MinInt64), 7, int32(-3),
	0.0, math.Copysign(0, -1), 1.5, -2.25, 1e20, 1e21, 123456789e15, 1e-6, 9.99e-7, 1e-9, -3e-10, 0.1, 1.0 / 3, math.MaxFloat64, math.SmallestNonzeroFloat64,
	json.RawMessage(`{"a": [1, 2]}`), []byte("bytes"), map[string]any{"z": 1, "a": "x"}, []any{1, "two", nil},
	time.Date(2027, 5, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 5, 1, 13, 4, 5, 120000000, time.UTC), time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
	time.Date(2027, 5, 1, 0, 0, 0, 7, time.FixedZone("x", 3600)), uint64(18), float32(0.1),
	resource.Ref{Type: "user_account", ID: "0190a0e0-0000-7000-8000-000000000001"},
	[]resource.Ref{}, []resource.Ref(nil), []resource.Ref{{Type: "t", ID: "1"}, {Type: "t<", ID: "2"}},
}

func fastObject(i int) resourceObject {
	attrs := map[string]any{"__type": "todo", "reference_id": "0190a0e0-0000-7000-8000-00000000000a"}
	for j, v := range fastValues {
		attrs[string(rune('a'+j%26))+string(rune('A'+j/26))] = v
	}
	attrs["key <&> \u00e9"] = i
	rels := map[string]relationship{
		"user_account_id": {Data: resource.Ref{Type: "user_account", ID: "x"}},
		"tags":            {Data: []resource.Ref{}},
		"none":            {Data: nil},
		"many":            {Data: []resource.Ref{{Type: "tag", ID: "1"}}},
	}
	return resourceObject{Type: "todo", ID: "0190a0e0-0000-7000-8000-00000000000a", Attributes: attrs, Relationships: rels}
}

func TestFastDocumentsEqualEncodingJSON(t *testing.T) {
	one, two := fastObject(1), fastObject(2)
	empty := []resourceObject{}
	inc := []resourceObject{two, {Type: "x", ID: "y"}}
	docs := []any{
		singleDoc{Data: &one},
		singleDoc{},
		singleDoc{Data: &one, Included: &empty},
		singleDoc{Data: &one, Included: &inc},
		singleDoc{Data: &resourceObject{Type: "a\"b", ID: ""}},
		listDoc{Data: []resourceObject{one, two}},
		listDoc{Data: []resourceObject{}},
		listDoc{},
		listDoc{Links: map[string]any{"current_page": 1, "total": int64(10), "last": "/api/todo?page[number]=3&x=<>", "per": 2.5}, Data: empty, Included: &inc},
	}
	for i, d := range docs {
		want, err := json.Marshal(d)
		if err != nil {
			t.Fatalf("doc %d: encoding/json: %v", i, err)
		}
		got, ok, err := appendDoc(nil, d)
		if !ok || err != nil {
			t.Fatalf("doc %d: ok %v, err %v", i, ok, err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("doc %d differs:\n got %s\nwant %s", i, got, want)
		}
	}
	// every value alone, so that a difference names its value
	for i, v := range fastValues {
		want, _ := json.Marshal(v)
		got, err := appendValue(nil, v)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("value %d (%#v): got %s (%v), want %s", i, v, got, err, want)
		}
	}
}

func TestFastDocumentsRejectWhatEncodingJSONRejects(t *testing.T) {
	for _, v := range []any{math.NaN(), math.Inf(1), math.Inf(-1), func() {},
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)} {
		o := resourceObject{Type: "t", ID: "i", Attributes: map[string]any{"v": v}}
		if _, err := json.Marshal(singleDoc{Data: &o}); err == nil {
			t.Fatalf("encoding/json accepted %T", v)
		}
		if _, _, err := appendDoc(nil, singleDoc{Data: &o}); err == nil {
			t.Errorf("fast path accepted %T %v", v, v)
		}
	}
	if _, ok, _ := appendDoc(nil, metaDoc{}); ok {
		t.Error("a document without rows took the fast path")
	}
}

func TestFastStringsFuzzLike(t *testing.T) {
	// every single byte and a few multi-byte sequences, alone and in text
	for c := range 256 {
		for _, s := range []string{string([]byte{byte(c)}), "a" + string([]byte{byte(c)}) + "z"} {
			want, _ := json.Marshal(s)
			if got := appendString(nil, s); !bytes.Equal(got, want) {
				t.Fatalf("byte %#x: got %q want %q", c, got, want)
			}
		}
	}
}

func BenchmarkEncodeSingleDoc(b *testing.B) {
	o := resourceObject{Type: "todo", ID: "0190a0e0-0000-7000-8000-00000000000a",
		Attributes: map[string]any{"__type": "todo", "title": "a title", "notes": "some notes here", "due": "2027-05-01 00:00:00+00:00",
			"done": int64(0), "created_at": "2026-12-07 00:00:00+00:00", "updated_at": nil, "permission": int64(2097151),
			"reference_id": "0190a0e0-0000-7000-8000-00000000000a", "user_account_id": "0190a0e0-0000-7000-8000-00000000000b"},
		Relationships: map[string]relationship{"user_account_id": {Data: resource.Ref{Type: "user_account", ID: "0190a0e0-0000-7000-8000-00000000000b"}}}}
	d := singleDoc{Data: &o}
	b.Run("encoding/json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _ = json.Marshal(d)
		}
	})
	b.Run("append", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _, _ = appendDoc(make([]byte, 0, 1024), d)
		}
	})
}
