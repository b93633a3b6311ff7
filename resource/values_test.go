package resource

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/schema"
	"github.com/apiary/apiary/storage/db"
)

func TestCheckTags(t *testing.T) {
	t.Parallel()
	attrs := map[string]any{"password": "s3cret"}
	scenarios := []struct {
		tags   string
		val    any
		failed string // "" = passes
	}{
		{"required", "x", ""},
		{"required", "  ", "required"},
		{"required", nil, "required"},
		{"omitempty,trim,lower", "Anything", ""},
		{"email", "ann@example.com", ""},
		{"email", "Ann <ann@example.com>", "email"},
		{"email", "not an email", "email"},
		{"url", "https://example.com/a", ""},
		{"url", "example.com", "url"},
		{"min=3", "abc", ""},
		{"min=3", "ab", "min"},
		{"max=3", "abcd", "max"},
		{"max=3", "äöü", ""}, // runes, not bytes
		{"len=2", "ab", ""},
		{"min=10", 12.0, ""}, // numbers compare by value
		{"max=10", 12.0, "max"},
		{"min=x", "a", ""}, // an unreadable bound is ignored
		{"oneof=red green", "green", ""},
		{"oneof=red green", "blue", "oneof"},
		{"eqfield=password", "s3cret", ""},
		{"eqfield=InnerStructField[password]", "other", "eqfield"},
		{"required,email", "", "required"},
		{"email,required", "x", "email"},
		{"unknowntag", "x", ""},
	}
	for _, s := range scenarios {
		t.Run(fmt.Sprintf("%s/%v", s.tags, s.val), func(t *testing.T) {
			tag, ok := CheckTags(s.tags, s.val, attrs)
			if ok != (s.failed == "") || tag != s.failed {
				t.Fatalf("CheckTags = %q, %v; want failing tag %q", tag, ok, s.failed)
			}
		})
	}
}

func TestValidateTagsOnlyChecksPresentAttributes(t *testing.T) {
	t.Parallel()
	tb := &schema.Table{TableName: "person", Validations: []schema.ColumnTag{{ColumnName: "email", Tags: "email"}, {ColumnName: "name", Tags: "required"}}}
	if err := validateTags(tb, map[string]any{"email": "a@b.io"}); err != nil {
		t.Fatalf("absent name was checked: %v", err)
	}
	err := validateTags(tb, map[string]any{"email": "nope"})
	var re *Error
	if !errors.As(err, &re) || !errors.Is(err, ErrValidation) || re.Pointer != "/data/attributes/email" {
		t.Fatalf("err = %#v, want a validation error pointing at email", err)
	}
}

func TestRefsOf(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		in   any
		want []Ref
		err  bool
	}{
		{nil, nil, false},
		{"a", []Ref{{Type: "tag", ID: "a"}}, false},
		{[]any{"a", "b"}, []Ref{{Type: "tag", ID: "a"}, {Type: "tag", ID: "b"}}, false},
		{[]any{map[string]any{"type": "label", "id": "c"}}, []Ref{{Type: "label", ID: "c"}}, false},
		{[]any{}, []Ref{}, false},
		{[]any{1.0}, nil, true},
		{3.0, nil, true},
	}
	for _, s := range scenarios {
		got, err := refsOf("tags", "tag", s.in)
		if (err != nil) != s.err || (!s.err && !reflect.DeepEqual(got, s.want)) {
			t.Errorf("refsOf(%v) = %v, %v; want %v (error %v)", s.in, got, err, s.want, s.err)
		}
		if s.err && !errors.Is(err, ErrValidation) {
			t.Errorf("refsOf(%v) error %v is not a validation error", s.in, err)
		}
	}
}

func TestRequireColumns(t *testing.T) {
	t.Parallel()
	tb := &schema.Table{TableName: "todo", Columns: []schema.Column{
		{ColumnName: schema.ColID, DataType: "int", IsPrimaryKey: true},
		{ColumnName: schema.ColReferenceID, DataType: "binary(16)"},
		{ColumnName: schema.ColCreatedAt, DataType: "timestamp"},
		{ColumnName: "due", DataType: "date"},
		{ColumnName: "notes", DataType: "text", IsNullable: true},
		{ColumnName: "status", DataType: "varchar(10)", DefaultValue: "open"},
		{ColumnName: "title", DataType: "varchar(100)"},
	}}
	if err := requireColumns(tb, &changes{set: map[string]bool{"title": true}}); err != nil {
		t.Fatalf("a complete row was refused: %v", err)
	}
	err := requireColumns(tb, &changes{set: map[string]bool{}})
	var re *Error
	if !errors.As(err, &re) || re.Pointer != "/data/attributes/title" || re.Detail != "title is required" {
		t.Fatalf("err = %#v, want title is required", err)
	}
}

func TestNumberOf(t *testing.T) {
	t.Parallel()
	if numberOf(" 12 ") != "12" || numberOf(3.0) != 3.0 || numberOf(nil) != nil {
		t.Fatal("numberOf changes more than the spaces of text")
	}
}

func TestBuildViewAndAPIValue(t *testing.T) {
	t.Parallel()
	file, err := schema.Parse("view.yaml", []byte(fuzzSchema))
	if err != nil {
		t.Fatal(err)
	}
	sc, err := schema.Compile(schema.Source{Path: "view.yaml", File: file})
	if err != nil {
		t.Fatal(err)
	}
	todo, _ := sc.Table("todo")
	d, err := db.DialectFor("postgres")
	if err != nil {
		t.Fatal(err)
	}
	v := buildView(d, todo)
	if v.from != ` FROM "todo" t` {
		t.Errorf("from = %q", v.from)
	}
	fk, ok := v.col("project_id")
	if !ok || fk.fk < 0 || v.fks[fk.fk].target != "project" {
		t.Fatalf("project_id is not a foreign key of the view: %+v", fk)
	}
	want := ` LEFT JOIN "project" f` + itoa(fk.fk) + ` ON f` + itoa(fk.fk) + `."id" = t."project_id"`
	if !strings.Contains(v.sel, want) {
		t.Errorf("sel %s\nlacks %s", v.sel, want)
	}
	if id, _ := v.col(schema.ColID); id.api {
		t.Error("id is shown in attributes")
	}
	if title, _ := v.col("title"); !title.api || title.sk != skString {
		t.Errorf("title = %+v", title)
	}
	if _, ok := v.col("nope"); ok {
		t.Error("unknown column resolved")
	}
	for n, want := range map[int]string{0: "0", 7: "7", 10: "10", 123: "123"} {
		if got := itoa(n); got != want {
			t.Errorf("itoa(%d) = %q", n, got)
		}
	}
	pw := colView{secret: schema.SecretPassword}
	plain := colView{}
	if apiValue(pw, "$2a$hash") != "" || apiValue(plain, true) != int64(1) || apiValue(plain, []byte("x")) != "x" || apiValue(plain, 2.5) != 2.5 {
		t.Error("apiValue: hashes must be blank, booleans 0/1, bytes text")
	}
}

func TestProtect(t *testing.T) {
	t.Parallel()
	s := &svc{core: &core{cost: 4, secret: "0123456789abcdef0123456789abcdef"}}
	if v, err := s.protect(schema.SecretNone, "x"); v != "x" || err != nil {
		t.Fatalf("plain value changed: %v %v", v, err)
	}
	if v, err := s.protect(schema.SecretPassword, ""); v != nil || err != nil {
		t.Fatalf("empty password = %v, %v; want nil", v, err)
	}
	h, err := s.protect(schema.SecretPassword, "pw")
	if err != nil || !auth.CheckPassword(h.(string), "pw") {
		t.Fatalf("password hash %v does not verify: %v", h, err)
	}
	if v, _ := s.protect(schema.SecretMD5, "pw"); v != auth.MD5Hex("pw") {
		t.Fatalf("md5 = %v", v)
	}
	enc, err := s.protect(schema.SecretEncrypted, "secret text")
	if err != nil || enc == "secret text" {
		t.Fatalf("encrypted = %v, %v", enc, err)
	}
	if dec, err := auth.Decrypt(s.secret, enc.(string)); err != nil || dec != "secret text" {
		t.Fatalf("decrypt = %q, %v", dec, err)
	}
	if v, _ := s.protect(schema.SecretPassword, 5.0); v != 5.0 {
		t.Fatalf("non-text values pass through, got %v", v)
	}
}
