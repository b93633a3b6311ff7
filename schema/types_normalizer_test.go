package schema

import (
	"encoding/json"
	"math/rand/v2"
	"net/mail"
	"reflect"
	"regexp"
	"testing"
	"time"
)

// decimalPattern is the grammar isDecimal implements.
var decimalPattern = regexp.MustCompile(`^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$`)

// randomText builds strings from a small alphabet so that interesting
// shapes (signs, dots, exponents, separators) come up often.
func randomText(r *rand.Rand, alphabet string, maxLen int) string {
	b := make([]byte, r.IntN(maxLen+1))
	for i := range b {
		b[i] = alphabet[r.IntN(len(alphabet))]
	}
	return string(b)
}

func TestIsDecimalMatchesGrammar(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", "1", "-1", "+1", "1.", ".5", ".", "-.5", "1e5", "1e", "1e+", "1E-3", "1.5e10", " 1", "1 ", "1x", "--1", "0x10", "1.2.3", "e5"} {
		if got, want := isDecimal(s), decimalPattern.MatchString(s); got != want {
			t.Errorf("isDecimal(%q) = %v, want %v", s, got, want)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 200000 {
		s := randomText(r, "0123456789+-.eE x", 8)
		if got, want := isDecimal(s), decimalPattern.MatchString(s); got != want {
			t.Fatalf("isDecimal(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestQuickDateTimeMatchesParse(t *testing.T) {
	t.Parallel()
	check := func(s string) {
		t.Helper()
		got, ok := quickDateTime(s)
		if !ok {
			return
		}
		layout := time.DateOnly
		if len(s) == 19 {
			layout = "2006-01-02 15:04:05.999999999"
		}
		want, err := time.Parse(layout, s)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("quickDateTime(%q) = %v, time.Parse = %v, %v", s, got, want, err)
		}
	}
	for _, s := range []string{"2024-01-01", "2024-02-29", "2023-02-29", "2024-13-01", "2024-00-10", "2024-04-31",
		"0000-01-01", "2024-01-01 00:00:00", "2024-01-01 23:59:59", "2024-01-01 24:00:00", "2024-01-01 12:60:00",
		"2024-01-01 12:00:60", "2024-01-01T12:00:00", "2024-1-01", "+024-01-01"} {
		check(s)
	}
	for _, s := range []string{"2023-02-29", "2024-13-01", "2024-01-01 24:00:00", "2024-01-01T12:00:00"} {
		if _, ok := quickDateTime(s); ok {
			t.Errorf("quickDateTime(%q) accepted", s)
		}
	}
	r := rand.New(rand.NewPCG(3, 4))
	base := []byte("2024-06-15 12:34:56")
	for range 200000 {
		b := append([]byte(nil), base...)
		for range 1 + r.IntN(3) {
			b[r.IntN(len(b))] = "0123456789 -:T+"[r.IntN(15)]
		}
		s := string(b)
		if r.IntN(2) == 0 {
			s = s[:10]
		}
		check(s)
	}
}

func TestSimpleEmailAgreesWithNetMail(t *testing.T) {
	t.Parallel()
	check := func(s string) {
		t.Helper()
		if !simpleEmail(s) {
			return
		}
		a, err := mail.ParseAddress(s)
		if err != nil || a.Address != s {
			t.Fatalf("simpleEmail(%q) accepted, net/mail: %v %v", s, a, err)
		}
	}
	for _, s := range []string{"p1@example.com", "a.b@c.d", "a..b@c.d", ".a@b.c", "a.@b.c", "a@b..c", "a@.b", "a@b.", "@b.c", "a@", "a@@b",
		"a b@c.d", "first+tag@sub.example.org", "x_y%z@host-1.example", "é@example.com", "\"q\"@x.y", "a@[1.2.3.4]"} {
		check(s)
	}
	for _, s := range []string{"a..b@c.d", ".a@b.c", "a@b.", "a@@b", "a b@c.d"} {
		if simpleEmail(s) {
			t.Errorf("simpleEmail(%q) accepted", s)
		}
	}
	r := rand.New(rand.NewPCG(5, 6))
	for range 200000 {
		check(randomText(r, "ab1.@_-+%\" <>()[],;:\\é", 8))
	}
}

func TestNormalizerFastPaths(t *testing.T) {
	t.Parallel()
	cols := map[string]Column{
		"q": {ColumnName: "q", ColumnType: "measurement", DataType: "bigint"},
		"p": {ColumnName: "p", ColumnType: "float", DataType: "double"},
		"d": {ColumnName: "d", ColumnType: "date", DataType: "date"},
		"s": {ColumnName: "s", ColumnType: "datetime", DataType: "datetime"},
		"e": {ColumnName: "e", ColumnType: "email", DataType: "varchar(20)"},
		"y": {ColumnName: "y", ColumnType: "year", DataType: "int(11)"},
	}
	ok := []struct {
		col  string
		in   any
		want any
	}{
		{"q", " 12 ", int64(12)},
		{"q", "NA", int64(0)},
		{"y", json.Number("2001"), int64(2001)},
		{"p", "1e3", 1000.0},
		{"p", ".5", 0.5},
		{"d", "2024-02-29", day(2024, 2, 29)},
		{"d", " 2024-02-29 ", day(2024, 2, 29)},
		{"s", "2024-01-01 10:00:00", time.Date(2024, 1, 1, 10, 0, 0, 0, time.UTC)},
		{"s", "2024-01-01 10:00:00.5", time.Date(2024, 1, 1, 10, 0, 0, 5e8, time.UTC)},
		{"e", "p1@example.com", "p1@example.com"},
	}
	for _, c := range ok {
		col := cols[c.col]
		n := NewNormalizer(&col)
		got, err := n.Value(c.in)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s %#v: %#v %v, want %#v", c.col, c.in, got, err, c.want)
		}
	}
	for _, c := range []struct{ col, in string }{{"q", "12.5x"}, {"p", "1e"}, {"d", "2024-02-30"}, {"s", "2024-01-01 24:00:00"},
		{"e", "bad email"}, {"e", "a..b@example.com"}, {"y", "99999999999"}} {
		col := cols[c.col]
		n := NewNormalizer(&col)
		if got, err := n.Value(c.in); err == nil {
			t.Errorf("%s %q: %#v, want an error", c.col, c.in, got)
		}
	}
}
