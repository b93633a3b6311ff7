package schema

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
)

func TestParseBool(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		in   any
		want bool
		err  bool
	}{
		{true, true, false}, {false, false, false},
		{"true", true, false}, {" YES ", true, false}, {"on", true, false}, {"1", true, false},
		{"false", false, false}, {"", false, false}, {"Off", false, false}, {"no", false, false}, {"0", false, false},
		{1.0, true, false}, {int64(0), false, false}, {json.Number("1"), true, false},
		{"maybe", false, true}, {2.0, false, true}, {nil, false, true}, {[]any{}, false, true},
	}
	for _, s := range scenarios {
		got, err := ParseBool(s.in)
		if got != s.want || (err != nil) != s.err {
			t.Errorf("ParseBool(%#v) = %v, %v; want %v, error %v", s.in, got, err, s.want, s.err)
		}
	}
}

func TestToFloat(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		in   any
		want float64
		err  string
	}{
		{1.5, 1.5, ""}, {float32(0.5), 0.5, ""}, {3, 3, ""}, {int64(-2), -2, ""}, {int32(7), 7, ""},
		{" 2.25 ", 2.25, ""}, {"-1e3", -1000, ""}, {json.Number("4"), 4, ""},
		{"1,5", 0, "is not a number"}, {"0x10", 0, "is not a number"}, {"NaN", 0, "is not a number"}, {"", 0, "is not a number"},
		{math.Inf(1), 0, "not finite"}, {math.NaN(), 0, "not finite"}, {true, 0, "a number is required"},
	}
	for _, s := range scenarios {
		got, err := toFloat(s.in)
		if s.err != "" {
			if err == nil || !strings.Contains(err.Error(), s.err) {
				t.Errorf("toFloat(%#v) err = %v, want %q", s.in, err, s.err)
			}
			continue
		}
		if err != nil || got != s.want {
			t.Errorf("toFloat(%#v) = %v, %v; want %v", s.in, got, err, s.want)
		}
	}
}

func TestToInt(t *testing.T) {
	t.Parallel()
	at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	scenarios := []struct {
		typ  string
		kind ValueKind
		in   any
		want int64
		err  string
	}{
		{"value", KindInt, int64(5), 5, ""},
		{"value", KindInt, 5, 5, ""},
		{"value", KindInt, " 12 ", 12, ""},
		{"value", KindInt, json.Number("-3"), -3, ""},
		{"value", KindInt, 4.0, 4, ""},
		{"value", KindInt, 4.5, 0, "is not a whole number"},
		{"value", KindInt, 1e20, 0, "is out of range"},
		{"value", KindInt, "", 0, "is not a number"},
		{"measurement", KindInt, "", 0, ""},
		{"measurement", KindInt, "NA", 0, ""},
		{"measurement", KindInt, "-", 0, ""},
		{"measurement", KindInt, 9.9, 9, ""},
		{"measurement", KindInt, "-2.5", -2, ""},
		{"timestamp", KindTime, at, at.Unix(), ""},
		{"timestamp", KindTime, "2024-01-01", at.Unix(), ""},
		{"timestamp", KindTime, "1704067200", at.Unix(), ""},
		{"timestamp", KindTime, 1704067200.9, at.Unix(), ""},
		{"value", KindInt, at, 0, "a number is required"},
		{"timestamp", KindTime, "someday", 0, "not"},
	}
	for _, s := range scenarios {
		t.Run(fmt.Sprintf("%s/%v", s.typ, s.in), func(t *testing.T) {
			got, err := toInt(s.typ, s.kind, s.in)
			if s.err != "" {
				if err == nil || !strings.Contains(err.Error(), s.err) {
					t.Fatalf("toInt err = %v, want %q", err, s.err)
				}
				return
			}
			if err != nil || got != s.want {
				t.Fatalf("toInt = %d, %v; want %d", got, err, s.want)
			}
		})
	}
}

func TestCheckEnum(t *testing.T) {
	t.Parallel()
	col := &Column{Options: []ColumnOption{{Value: "Draft"}, {Value: 3}}}
	for in, want := range map[string]string{"draft": "draft", "DRAFT": "draft", "3": "3"} {
		if got, err := checkEnum(col, in); err != nil || got != want {
			t.Errorf("checkEnum(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := checkEnum(col, "published"); err == nil || !strings.Contains(err.Error(), "is not one of the options") {
		t.Errorf("an unknown option was accepted: %v", err)
	}
	if got, err := checkEnum(&Column{}, "Any"); err != nil || got != "any" {
		t.Errorf("without options anything goes, lower-cased: %q, %v", got, err)
	}
}

func TestDataTypeParts(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		in       string
		lo, hi   int64
		maxChars int
		kinds    string // i f t b (int, float, text, blob)
	}{
		{"tinyint", -128, 127, -1, "i"},
		{"tinyint unsigned", 0, 255, -1, "i"},
		{"smallint", -32768, 32767, -1, "i"},
		{"mediumint unsigned", 0, 1<<24 - 1, -1, "i"},
		{"int(11)", math.MinInt32, math.MaxInt32, -1, "i"},
		{"int unsigned", 0, math.MaxUint32, -1, "i"},
		{"bigint", math.MinInt64, math.MaxInt64, -1, "i"},
		{"varchar(20)", math.MinInt32, math.MaxInt32, 20, ""},
		{"char", math.MinInt32, math.MaxInt32, -1, ""},
		{"tinytext", math.MinInt32, math.MaxInt32, 255, "t"},
		{"json", math.MinInt32, math.MaxInt32, -1, "t"},
		{"decimal(10,2)", math.MinInt32, math.MaxInt32, -1, "f"},
		{"varbinary(16)", math.MinInt32, math.MaxInt32, -1, "b"},
	}
	for _, s := range scenarios {
		dt, err := parseDataType(s.in)
		if err != nil {
			t.Fatalf("parseDataType(%q): %v", s.in, err)
		}
		lo, hi := dt.intRange()
		var kinds string
		for k, on := range map[string]bool{"i": dt.isInt(), "f": dt.isFloat(), "t": dt.isText(), "b": dt.isBlob()} {
			if on {
				kinds += k
			}
		}
		if (dt.isInt() && (lo != s.lo || hi != s.hi)) || dt.maxChars() != s.maxChars || kinds != s.kinds {
			t.Errorf("%s: range %d..%d max %d kinds %q; want %d..%d %d %q", s.in, lo, hi, dt.maxChars(), kinds, s.lo, s.hi, s.maxChars, s.kinds)
		}
	}
}

func TestStoredLenAndFormatNumber(t *testing.T) {
	t.Parallel()
	if storedLen(SecretNone, "héllo") != 5 || storedLen(SecretPassword, "x") != 60 || storedLen(SecretMD5, "x") != 32 {
		t.Error("storedLen: runes for plain text, the hash length for hashed kinds")
	}
	if got := storedLen(SecretEncrypted, "abcd"); got != 28 { // base64 of nonce and text: (16+4+2)/3*4
		t.Errorf("storedLen(encrypted, 4 bytes) = %d, want 28", got)
	}
	for _, s := range []struct {
		v    any
		f    float64
		want string
	}{
		{json.Number("123456789012345678"), 0, "123456789012345678"},
		{7, 7, "7"},
		{int64(-9), -9, "-9"},
		{1e21, 1e21, "1000000000000000000000"},
		{0.1, 0.1, "0.1"},
		{json.Number("1.5"), 1.5, "1.5"},
	} {
		if got := formatNumber(s.v, s.f); got != s.want {
			t.Errorf("formatNumber(%#v) = %q, want %q", s.v, got, s.want)
		}
	}
}
