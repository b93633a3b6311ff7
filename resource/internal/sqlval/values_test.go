package sqlval

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/apiary/apiary/storage/db"
)

func TestKindOf(t *testing.T) {
	t.Parallel()
	scenarios := map[string]Kind{
		"int(11)": Int, "INTEGER": Int, "bigint(20) unsigned": Int, "tinyint(1)": Int, "serial": Int,
		"float(7,4)": Float, "double": Float, "decimal(10,2)": Float, "NUMERIC": Float, "real": Float,
		"bool": Bool, "boolean": Bool,
		"timestamp": Time, "datetime": Time, "date": Time, " DATE ": Time,
		"blob": Bytes, "binary(16)": Bytes, "varbinary(64)": Bytes, "longblob": Bytes, "bytea": Bytes,
		"varchar(100)": String, "text": String, "json": String, "time": String, "": String, "nonsense": String,
	}
	for in, want := range scenarios {
		if got := KindOf(in); got != want {
			t.Errorf("KindOf(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestFromDB(t *testing.T) {
	t.Parallel()
	at := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	scenarios := []struct {
		kind Kind
		in   any
		want any
	}{
		{Int, nil, nil},
		{Int, int64(7), int64(7)},
		{Int, int32(7), int64(7)},
		{Int, 7, int64(7)},
		{Int, 7.9, int64(7)},
		{Int, true, int64(1)},
		{Int, []byte("42"), int64(42)},
		{Int, "42", int64(42)},
		{Float, 1.5, 1.5},
		{Float, float32(0.5), 0.5},
		{Float, int64(2), 2.0},
		{Float, []byte("2.25"), 2.25},
		{Float, "2.25", 2.25},
		{Bool, true, true},
		{Bool, int64(0), false},
		{Bool, int64(3), true},
		{Bool, []byte("1"), true},
		{Bool, []byte("TRUE"), true},
		{Bool, "0", false},
		{Time, at.In(time.FixedZone("x", 3600)), at},
		{Time, []byte("2024-05-06 07:08:09"), at},
		{Time, "2024-05-06T07:08:09Z", at},
		{Time, "2024-05-06 09:08:09+02:00", at},
		{Time, "2024-05-06", time.Date(2024, 5, 6, 0, 0, 0, 0, time.UTC)},
		{Time, "not a time", "not a time"},
		{Bytes, []byte{1, 2}, []byte{1, 2}},
		{Bytes, "ab", []byte("ab")},
		{String, []byte("text"), "text"},
		{String, "text", "text"},
		{String, at.In(time.FixedZone("x", 3600)), at},
		{String, int64(5), int64(5)},
	}
	for _, s := range scenarios {
		t.Run(fmt.Sprintf("%v/%T/%v", s.kind, s.in, s.in), func(t *testing.T) {
			if got := FromDB(s.kind, s.in); !reflect.DeepEqual(got, s.want) {
				t.Fatalf("FromDB = %#v, want %#v", got, s.want)
			}
		})
	}
}

func TestFromDBCopiesBytes(t *testing.T) {
	t.Parallel()
	raw := []byte{1, 2, 3}
	got := FromDB(Bytes, raw).([]byte)
	raw[0] = 9
	if got[0] != 1 {
		t.Fatal("FromDB kept the driver's buffer, which the next row overwrites")
	}
}

func TestToDB(t *testing.T) {
	t.Parallel()
	at := time.Date(2024, 5, 6, 7, 8, 9, 0, time.FixedZone("x", 3600))
	scenarios := []struct {
		kind Kind
		in   any
		want any
		err  bool
	}{
		{Int, nil, nil, false},
		{Int, int64(3), int64(3), false},
		{Int, 3, int64(3), false},
		{Int, 3.0, int64(3), false},
		{Int, 3.5, nil, true},
		{Int, false, int64(0), false},
		{Int, " 12 ", int64(12), false},
		{Int, "twelve", nil, true},
		{Float, 1.25, 1.25, false},
		{Float, int64(2), 2.0, false},
		{Float, "1e3", 1000.0, false},
		{Float, "x", nil, true},
		{Bool, true, true, false},
		{Bool, int64(0), false, false},
		{Bool, 2.0, true, false},
		{Bool, "yes", nil, true},
		{Time, at, at.UTC(), false},
		{Time, "2024-05-06", nil, true},
		{Bytes, []byte("x"), []byte("x"), false},
		{Bytes, "x", []byte("x"), false},
		{String, "s", "s", false},
		{String, int64(-4), "-4", false},
		{String, 0.5, "0.5", false},
		{String, true, "true", false},
		{String, at, "2024-05-06T06:08:09Z", false},
		{String, map[string]any{"a": 1}, `{"a":1}`, false},
		{String, []any{1, "b"}, `[1,"b"]`, false},
		{String, struct{}{}, nil, true},
	}
	for _, s := range scenarios {
		t.Run(fmt.Sprintf("%v/%T/%v", s.kind, s.in, s.in), func(t *testing.T) {
			got, err := ToDB(s.kind, s.in)
			if (err != nil) != s.err || !reflect.DeepEqual(got, s.want) {
				t.Fatalf("ToDB = %#v, %v; want %#v, error %v", got, err, s.want, s.err)
			}
		})
	}
}

func TestRefIDs(t *testing.T) {
	t.Parallel()
	id, b := NewRefID()
	if len(b) != 16 || RefString(b) != id || RefString(id) != id || id[14] != '7' {
		t.Fatalf("NewRefID = %q %x (RefString %q)", id, b, RefString(b))
	}
	if got, ok := RefBytes(id); !ok || !reflect.DeepEqual(got, b) {
		t.Fatalf("RefBytes(%q) = %x, %v", id, got, ok)
	}
	for _, bad := range []string{"", "x", "0190f0b2-7c3e-7000-8000-00000000000", "0190f0b2-7c3e-7000-8000-00000000000g", "{0190f0b2-7c3e-7000-8000-000000000000}"} {
		if _, ok := RefBytes(bad); ok {
			t.Errorf("RefBytes(%q) accepted", bad)
		}
	}
	for _, v := range []any{nil, 42, []byte{1, 2}, "short"} {
		if got := RefString(v); got != "" {
			t.Errorf("RefString(%v) = %q, want empty", v, got)
		}
	}
}

func TestBoolArgAndPlaceholders(t *testing.T) {
	t.Parallel()
	if BoolArg(Bool, true) != true || BoolArg(Int, true) != int64(1) || BoolArg(String, false) != int64(0) {
		t.Fatal("BoolArg binds the wrong type")
	}
	for n, want := range map[int]string{0: "", 1: "?", 3: "?, ?, ?"} {
		if got := Placeholders(n); got != want {
			t.Errorf("Placeholders(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestFinish(t *testing.T) {
	t.Parallel()
	d, err := db.DialectFor("mysql")
	if err != nil {
		t.Fatal(err)
	}
	ref := []byte("0123456789abcdef")
	scenarios := []struct {
		name     string
		sql      string
		args     []any
		wantSQL  string
		wantArgs []any
	}{
		{"no subquery", "a = ? AND b = ?", []any{1, 2}, "a = ? AND b = ?", []any{1, 2}},
		{"one subquery", "a = ? AND fk = ? AND c = ?", []any{1, SubqueryArg{Table: "project", Ref: ref}, 3},
			"a = ? AND fk = (SELECT `id` FROM `project` WHERE `reference_id` = ?) AND c = ?", []any{1, ref, 3}},
		{"more marks than args", "a = ? OR ? IS NULL", []any{SubqueryArg{Table: "p", Ref: ref}},
			"a = (SELECT `id` FROM `p` WHERE `reference_id` = ?) OR ? IS NULL", []any{ref}},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			gotSQL, gotArgs := Finish(d, s.sql, s.args)
			if gotSQL != s.wantSQL || !reflect.DeepEqual(gotArgs, s.wantArgs) {
				t.Fatalf("Finish = %q %v\nwant %q %v", gotSQL, gotArgs, s.wantSQL, s.wantArgs)
			}
		})
	}
}
