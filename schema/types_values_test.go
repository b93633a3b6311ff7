package schema

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestNormalizeValue(t *testing.T) {
	t.Parallel()
	enumOpts := []ColumnOption{{Value: "Draft", Label: "Draft"}, {Value: "published"}, {Value: 3}}
	ok := []struct {
		typ, dataType string
		in            any
		want          any
	}{
		{"label", "", nil, nil},
		{"label", "", "hello", "hello"},
		{"label", "", 12.5, "12.5"},
		{"label", "", 1e21, "1000000000000000000000"},
		{"label", "", json.Number("123"), "123"},
		{"label", "", true, "true"},
		{"name", "varchar(5)", "héllo", "héllo"},
		{"value", "", 7.0, "7"},
		{"value", "int(11)", "42", int64(42)},
		{"value", "float", "1.5", 1.5},
		{"id", "", "abc", "abc"},
		{"alias", "", "0190a1b2-0000-7000-8000-000000000000", "0190a1b2-0000-7000-8000-000000000000"},
		{"day", "", "Monday", "Monday"},
		{"namespace", "", "a.b", "a.b"},
		{"hidden", "", "x", "x"},
		{"color", "", "#ff0000", "#ff0000"},
		{"content", "", "long text", "long text"},
		{"html", "", "<p>x</p>", "<p>x</p>"},
		{"markdown", "", "# x", "# x"},
		{"location", "", []any{1.5, 2.5}, "[1.5,2.5]"},
		{"location", "", "[1, 2]", "[1, 2]"},
		{"year", "", 2020.0, int64(2020)},
		{"year", "", "1999", int64(1999)},
		{"year", "", json.Number("2001"), int64(2001)},
		{"month", "", "12.0", int64(12)},
		{"hour", "", 23, int64(23)},
		{"minute", "", int64(59), int64(59)},
		{"rating", "", "7", int64(7)},
		{"rating.10", "", 10.0, int64(10)},
		{"measurement", "", "", int64(0)},
		{"measurement", "", "-", int64(0)},
		{"measurement", "", "NA", int64(0)},
		{"measurement", "", "12.7", int64(12)},
		{"measurement", "", 99.9, int64(99)},
		{"float", "", "1.25", 1.25},
		{"float", "", 3.0, 3.0},
		{"float", "", json.Number("-2.5e1"), -25.0},
		{"location.latitude", "", "-33.8688", -33.8688},
		{"location.longitude", "", 151.2093, 151.2093},
		{"location.altitude", "", "100", 100.0},
		{"location.altitude", "int(11)", 100.0, int64(100)},
		{"truefalse", "", true, true},
		{"truefalse", "", "true", true},
		{"truefalse", "", " YES ", true},
		{"truefalse", "", "on", true},
		{"truefalse", "", "1", true},
		{"truefalse", "", 1.0, true},
		{"truefalse", "", false, false},
		{"truefalse", "", "", false},
		{"truefalse", "", "off", false},
		{"truefalse", "", "no", false},
		{"truefalse", "", 0.0, false},
		{"date", "", "2024-03-05", day(2024, 3, 5)},
		{"date", "", "2024-03-05T23:30:00-05:00", day(2024, 3, 5)},
		{"date", "", "2024/03/05", day(2024, 3, 5)},
		{"date", "", "03/05/2024", day(2024, 3, 5)},
		{"date", "", "Mar 5, 2024", day(2024, 3, 5)},
		{"date", "", "March 5, 2024", day(2024, 3, 5)},
		{"date", "", "5 Mar 2024", day(2024, 3, 5)},
		{"date", "", "2024-03-05 10:11:12", day(2024, 3, 5)},
		{"date", "", day(2024, 3, 5), day(2024, 3, 5)},
		{"datetime", "", "2024-03-05T10:11:12Z", time.Date(2024, 3, 5, 10, 11, 12, 0, time.UTC)},
		{"datetime", "", "2024-03-05T10:11:12.5+02:00", time.Date(2024, 3, 5, 8, 11, 12, 5e8, time.UTC)},
		{"datetime", "", "2024-03-05 10:11:12", time.Date(2024, 3, 5, 10, 11, 12, 0, time.UTC)},
		{"datetime", "", "2024-03-05T10:11", time.Date(2024, 3, 5, 10, 11, 0, 0, time.UTC)},
		{"datetime", "", 1700000000.0, time.Unix(1700000000, 0).UTC()},
		{"datetime", "", json.Number("1700000000"), time.Unix(1700000000, 0).UTC()},
		{"timestamp", "", 1700000000.0, time.Unix(1700000000, 0).UTC()},
		{"timestamp", "", "1700000000", time.Unix(1700000000, 0).UTC()},
		{"timestamp", "", "2024-03-05", day(2024, 3, 5)},
		{"timestamp", "int(11)", "2024-03-05", day(2024, 3, 5).Unix()},
		{"timestamp", "bigint", 1700000000.0, int64(1700000000)},
		{"time", "", "15:04:05", "15:04:05"},
		{"time", "", "15:04", "15:04:00"},
		{"time", "", "3:04 pm", "15:04:00"},
		{"time", "", "2024-03-05T10:11:12Z", "10:11:12"},
		{"enum", "", "DRAFT", "draft"},
		{"enum", "", "published", "published"},
		{"enum", "", 3.0, "3"},
		{"json", "", map[string]any{"b": 1.0, "a": []any{"x"}}, `{"a":["x"],"b":1}`},
		{"json", "", []any{1.0, 2.0}, "[1,2]"},
		{"json", "", "not json", "not json"},
		{"email", "", "bob@example.com", "bob@example.com"},
		{"email", "", "", ""},
		{"url", "", "https://example.com/x?y=1", "https://example.com/x?y=1"},
		{"url", "", "mailto:bob@example.com", "mailto:bob@example.com"},
		{"url", "", "", ""},
		{"file", "", []any{map[string]any{"name": "a.png"}}, `[{"name":"a.png"}]`},
		{"file.png", "", map[string]any{"name": "a.png"}, `{"name":"a.png"}`},
		{"image", "", "[]", "[]"},
		{"video", "", "x", "x"},
		{"gzip", "", "x", "x"},
		{"password", "", "secret", "secret"},
		{"bcrypt", "", "secret", "secret"},
		{"md5", "", "secret", "secret"},
		{"md5-bcrypt", "varchar(60)", "secret", "secret"},
		{"encrypted", "", "secret", "secret"},
		{"unknown-type", "", "anything", "anything"},
	}
	for _, c := range ok {
		col := &Column{Name: "c", ColumnName: "c", ColumnType: c.typ, DataType: c.dataType}
		if c.typ == "enum" {
			col.Options = enumOpts
		}
		got, err := NormalizeValue(col, c.in)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s/%s %#v: got %#v, %v; want %#v", c.typ, c.dataType, c.in, got, err, c.want)
		}
	}
	// An enum without options takes any string, lower-cased.
	if got, err := NormalizeValue(&Column{Name: "s", ColumnType: "enum"}, "Any"); err != nil || got != "any" {
		t.Errorf("enum without options: %v, %v", got, err)
	}
}

func TestNormalizeValueErrors(t *testing.T) {
	t.Parallel()
	bad := []struct {
		typ, dataType string
		in            any
	}{
		{"label", "", map[string]any{"a": 1.0}},
		{"label", "", []any{1.0}},
		{"label", "varchar(3)", "abcd"},
		{"label", "", "\xff"},
		{"name", "char(2)", "abc"},
		{"year", "", "abc"},
		{"year", "", 1.5},
		{"year", "", ""},
		{"year", "", true},
		{"year", "", map[string]any{}},
		{"year", "tinyint", 300.0},
		{"year", "int(4)", 1e10},
		{"year", "int unsigned", -1.0},
		{"month", "", "NaN"},
		{"hour", "", "0x10"},
		{"measurement", "", "twelve"},
		{"value", "int(11)", "abc"},
		{"float", "", "abc"},
		{"float", "", "Inf"},
		{"float", "", true},
		{"float", "decimal(5,2)", 1000.0},
		{"location.latitude", "", []any{}},
		{"truefalse", "", "maybe"},
		{"truefalse", "", 2.0},
		{"truefalse", "", map[string]any{}},
		{"date", "", "not a date"},
		{"date", "", "2024-13-45"},
		{"date", "", ""},
		{"date", "", true},
		{"datetime", "", "yesterday"},
		{"datetime", "", 1e300},
		{"timestamp", "", "soon"},
		{"time", "", "25:00"},
		{"time", "", "noon"},
		{"enum", "", "archived"},
		{"enum", "", true},
		{"enum", "varchar(3)", "draft"},
		{"email", "", "not-an-email"},
		{"email", "", "Bob <bob@example.com>"},
		{"url", "", "example.com/x"},
		{"url", "", "http:///x"},
		{"url", "", "https://exa mple.com"},
		{"password", "", strings.Repeat("x", 73)},
		{"password", "varchar(20)", "short"},
		{"encrypted", "varchar(100)", strings.Repeat("x", 100)},
		{"md5", "varchar(10)", "x"},
	}
	for _, c := range bad {
		col := &Column{Name: "c", ColumnName: "c", ColumnType: c.typ, DataType: c.dataType,
			Options: []ColumnOption{{Value: "draft"}, {Value: "published"}}}
		got, err := NormalizeValue(col, c.in)
		var ve *ValueError
		if err == nil || !errors.As(err, &ve) || ve.Column != "c" {
			t.Errorf("%s/%s %#v: got %#v, %v; want a *ValueError", c.typ, c.dataType, c.in, got, err)
		}
	}
	_, err := NormalizeValue(&Column{Name: "Status", ColumnType: "enum", Options: []ColumnOption{{Value: "a"}}}, "b")
	if err == nil || !strings.HasPrefix(err.Error(), "invalid value for Status") {
		t.Errorf("enum error = %v", err)
	}
}

func TestParseDateTimeNeverZero(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", "0", "garbage", "2024-02-30", "31/12/2024"} {
		if tm, err := parseDateTime(s); err == nil {
			t.Errorf("parseDateTime(%q) = %v, want error", s, tm)
		}
	}
}
