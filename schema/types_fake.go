package schema

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

var (
	fakeFirst    = []string{"Alice", "Bruno", "Chen", "Dalia", "Emeka", "Fatima", "Goran", "Hana", "Ivan", "Julia", "Kofi", "Lena", "Mateo", "Nadia", "Oscar", "Priya", "Quinn", "Rosa", "Sven", "Tara"}
	fakeLast     = []string{"Anders", "Baker", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Hughes", "Ivanova", "Jensen", "Kowalski", "Lopez", "Moreau", "Nakamura", "Okafor", "Patel", "Rossi", "Schmidt", "Tanaka", "Weber"}
	fakeAdj      = []string{"Compact", "Deluxe", "Ergonomic", "Handmade", "Incredible", "Lightweight", "Rustic", "Sleek", "Smart", "Sturdy"}
	fakeMaterial = []string{"Bamboo", "Ceramic", "Cotton", "Granite", "Leather", "Oak", "Plastic", "Rubber", "Steel", "Wool"}
	fakeProduct  = []string{"Bag", "Chair", "Clock", "Desk", "Gloves", "Keyboard", "Lamp", "Mug", "Shoes", "Table"}
	fakeWords    = []string{"alpha", "breeze", "canyon", "delta", "ember", "forest", "garden", "harbor", "island", "jungle", "meadow", "river", "summit", "valley"}
	fakeDomains  = []string{"example.com", "example.org", "example.net", "mail.example.com"}
	fakeWeekdays = []string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}
)

func pick(r *rand.Rand, list []string) string { return list[r.IntN(len(list))] }

// fakeTime is a random instant in 1980–2050, whole seconds, UTC.
func fakeTime(r *rand.Rand) time.Time {
	lo := time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	hi := time.Date(2050, 12, 31, 23, 59, 59, 0, time.UTC).Unix()
	return time.Unix(lo+r.Int64N(hi-lo), 0).UTC()
}

func fakeSentence(r *rand.Rand) string {
	n := 4 + r.IntN(6)
	words := make([]string, n)
	for i := range words {
		words[i] = pick(r, fakeWords)
	}
	words[0] = strings.ToUpper(words[0][:1]) + words[0][1:]
	return strings.Join(words, " ") + "."
}

func fakeSentences(r *rand.Rand) string {
	n := 2 + r.IntN(3)
	out := make([]string, n)
	for i := range out {
		out[i] = fakeSentence(r)
	}
	return strings.Join(out, " ")
}

func fakePassword(r *rand.Rand) string {
	return fmt.Sprintf("%s%s%d", pick(r, fakeWords), strings.ToUpper(pick(r, fakeWords)[:1]), 10+r.IntN(90))
}

func fakeUUID(r *rand.Rand) string {
	var u uuid.UUID
	for i := range u {
		u[i] = byte(r.UintN(256))
	}
	u[6] = u[6]&0x0f | 0x70 // version 7
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	return u.String()
}

func round4(f float64) float64 { return math.Round(f*1e4) / 1e4 }

// typeFake is the realistic fake of a column type, before fitting.
func typeFake(col *Column, ct ColumnType, r *rand.Rand) any {
	switch ct.Name {
	case "id", "alias":
		return fakeUUID(r)
	case "enum":
		if len(col.Options) > 0 {
			return strings.ToLower(fmt.Sprint(col.Options[r.IntN(len(col.Options))].Value))
		}
		return strings.ToLower(pick(r, fakeWeekdays))
	case "date":
		t := fakeTime(r)
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	case "datetime", "timestamp":
		return fakeTime(r)
	case "time":
		return fakeTime(r).Format(time.TimeOnly)
	case "day":
		return pick(r, fakeWeekdays)
	case "month":
		return int64(1 + r.IntN(12))
	case "year":
		return int64(1990 + r.IntN(29))
	case "minute":
		return int64(r.IntN(60))
	case "hour":
		return int64(r.IntN(24))
	case "rating":
		return int64(r.IntN(11))
	case "measurement":
		return int64(r.IntN(5000))
	case "value":
		return fmt.Sprint(r.IntN(1000))
	case "email":
		return strings.ToLower(pick(r, fakeFirst)+"."+pick(r, fakeLast)) + fmt.Sprint(r.IntN(100)) + "@" + pick(r, fakeDomains)
	case "name":
		return pick(r, fakeFirst) + " " + pick(r, fakeLast)
	case "label":
		return pick(r, fakeAdj) + " " + pick(r, fakeMaterial) + " " + pick(r, fakeProduct)
	case "namespace", "hidden":
		return ""
	case "float":
		return round4(r.Float64() * 999)
	case "color":
		return fmt.Sprintf("#%06x", r.IntN(1<<24))
	case "truefalse":
		return r.IntN(2) == 1
	case "location":
		return fmt.Sprintf("[%.4f, %.4f]", r.Float64()*180-90, r.Float64()*360-180)
	case "location.latitude":
		return round4(r.Float64()*180 - 90)
	case "location.longitude":
		return round4(r.Float64()*360 - 180)
	case "location.altitude":
		return float64(r.IntN(10000))
	case "content":
		return fakeSentences(r)
	case "html":
		return "<p>" + fakeSentences(r) + "</p>"
	case "markdown":
		return "## " + strings.TrimSuffix(fakeSentence(r), ".") + "\n\n" + fakeSentences(r)
	case "json":
		return fmt.Sprintf(`{"%s":%d}`, pick(r, fakeWords), r.IntN(1000))
	case "url":
		return fmt.Sprintf("https://example.com/?q=%d", r.IntN(100000))
	case "password", "bcrypt", "md5", "md5-bcrypt", "encrypted":
		return fakePassword(r)
	case "file", "image", "video", "gzip":
		return "[]"
	}
	return pick(r, fakeWords)
}

// kindFake is a plain fallback per kind, used when the type's fake does not
// fit the column (a small varchar, a numeric DataType ...).
func kindFake(kind ValueKind, r *rand.Rand) any {
	switch kind {
	case KindInt:
		return int64(r.IntN(100))
	case KindFloat:
		return round4(r.Float64() * 99)
	case KindBool:
		return r.IntN(2) == 1
	case KindTime:
		return fakeTime(r)
	case KindJSON:
		return "{}"
	case KindBlob:
		return "[]"
	}
	return ""
}

// fitString shortens s to the column's varchar/char limit.
func fitString(col *Column, ct ColumnType, s string) string {
	dt, err := parseDataType(col.DataType)
	if err != nil {
		return s
	}
	limit := dt.maxChars()
	if limit < 0 || storedLen(ct.Secret, s) <= limit {
		return s
	}
	switch ct.Name {
	case "email":
		s = "a@a.io"
	case "url":
		s = "http://a.io"
	}
	for storedLen(ct.Secret, s) > limit && s != "" {
		_, size := utf8.DecodeLastRuneInString(s)
		s = strings.TrimSpace(s[:len(s)-size])
	}
	return s
}

// FakeValue returns a realistic random value for the column, already in the
// form NormalizeValue returns (int64, float64, bool, time.Time or string by
// kind) and valid for NormalizeValue and the column's DataType: enum picks
// one of Options, varchar lengths are respected, date is midnight UTC
// between 1980 and 2050. Secret columns get a plain password the resource
// layer hashes; file columns get "[]". The result depends only on the
// column and the state of r.
func FakeValue(col *Column, r *rand.Rand) any {
	ct := columnTypeOf(col)
	v := typeFake(col, ct, r)
	if s, ok := v.(string); ok {
		v = fitString(col, ct, s)
	}
	if n, err := NormalizeValue(col, v); err == nil && n != nil {
		return n
	}
	if n, err := NormalizeValue(col, kindFake(columnKind(col, ct), r)); err == nil && n != nil {
		return n
	}
	return nil
}
