package schema

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// observedTypeNames is the key list of Daptin's /meta?query=column_types
// (contract observed/10-discovery.txt).
var observedTypeNames = []string{"alias", "bcrypt", "color", "content", "date", "datetime", "day", "email", "encrypted", "enum", "file", "float", "gzip", "hidden", "hour", "html", "id", "image", "json", "label", "location", "location.altitude", "location.latitude", "location.longitude", "markdown", "md5", "md5-bcrypt", "measurement", "minute", "month", "name", "namespace", "password", "rating", "time", "timestamp", "truefalse", "url", "value", "video", "year"}

func TestTypesMatchObservedNames(t *testing.T) {
	t.Parallel()
	var names []string
	for _, ct := range Types() {
		names = append(names, ct.Name)
	}
	if !slices.Equal(names, observedTypeNames) {
		t.Fatalf("type names = %v\nwant %v", names, observedTypeNames)
	}
	if !slices.IsSortedFunc(columnTypes, func(a, b ColumnType) int { return strings.Compare(a.Name, b.Name) }) {
		t.Fatal("columnTypes is not sorted by Name")
	}
}

func TestTypesWellFormed(t *testing.T) {
	t.Parallel()
	for _, ct := range Types() {
		if len(ct.DataTypes) == 0 || ct.GraphQLType == "" || ct.GraphQLDescription == "" || ct.BlueprintType == "" {
			t.Errorf("%s: incomplete entry %+v", ct.Name, ct)
		}
		for _, d := range ct.DataTypes {
			if _, err := parseDataType(d); err != nil {
				t.Errorf("%s: DataType %q: %v", ct.Name, d, err)
			}
		}
	}
}

// TestTypesMetadata checks entries against the observed /meta output.
func TestTypesMetadata(t *testing.T) {
	t.Parallel()
	observed := map[string]string{
		"alias":    `{"BlueprintType":"string","Name":"alias","Validations":null,"Conformations":null,"ReclineType":"string","DataTypes":["varchar(100)","varchar(20)","varchar(10)"],"GraphqlType":"String"}`,
		"bcrypt":   `{"BlueprintType":"string","Name":"bcrypt","Validations":["required"],"Conformations":null,"ReclineType":"string","DataTypes":["varchar(200)"],"GraphqlType":"String"}`,
		"color":    `{"BlueprintType":"string","Name":"color","Validations":["iscolor"],"Conformations":null,"ReclineType":"string","DataTypes":["varchar(50)"],"GraphqlType":"String"}`,
		"content":  `{"BlueprintType":"string","Name":"content","Validations":null,"Conformations":null,"ReclineType":"string","DataTypes":["text"],"GraphqlType":"String"}`,
		"date":     `{"BlueprintType":"string","Name":"date","Validations":null,"Conformations":null,"ReclineType":"date","DataTypes":["timestamp"],"GraphqlType":"DateTime"}`,
		"datetime": `{"BlueprintType":"string","Name":"datetime","Validations":null,"Conformations":null,"ReclineType":"date-time","DataTypes":["timestamp"],"GraphqlType":"DateTime"}`,
		"day":      `{"BlueprintType":"string","Name":"day","Validations":null,"Conformations":null,"ReclineType":"string","DataTypes":["varchar(10)"],"GraphqlType":"String"}`,
		"email":    `{"BlueprintType":"string","Name":"email","Validations":["email"],"Conformations":["email"],"ReclineType":"string","DataTypes":["varchar(100)"],"GraphqlType":"String"}`,
		"label":    `{"BlueprintType":"string","Name":"label","Validations":null,"Conformations":null,"ReclineType":"string","DataTypes":["varchar(100)"],"GraphqlType":"String"}`,
		"id":       `{"BlueprintType":"string","Name":"id","Validations":[],"Conformations":null,"ReclineType":"string","DataTypes":["varchar(20)","varchar(10)"],"GraphqlType":"ID"}`,
	}
	for name, want := range observed {
		ct, ok := LookupType(name)
		if !ok {
			t.Fatalf("%s missing", name)
		}
		got, _ := json.Marshal(struct {
			BlueprintType string
			Name          string
			Validations   []string
			Conformations []string
			ReclineType   string
			DataTypes     []string
			GraphqlType   string
		}{ct.BlueprintType, ct.Name, ct.Validations, ct.Conformations, ct.ReclineType, ct.DataTypes, ct.GraphQLType})
		if string(got) != want {
			t.Errorf("%s:\n got %s\nwant %s", name, got, want)
		}
	}
	s, _ := LookupType("label")
	if s.GraphQLDescription != "The `String` scalar type represents textual data, represented as UTF-8 character sequences. The String type is most often used by GraphQL to represent free-form human-readable text." {
		t.Errorf("String description = %q", s.GraphQLDescription)
	}
}

func TestLookupType(t *testing.T) {
	t.Parallel()
	for _, name := range observedTypeNames {
		ct, ok := LookupType(name)
		if !ok || ct.Name != name {
			t.Errorf("LookupType(%q) = %q, %v", name, ct.Name, ok)
		}
	}
	cases := []struct {
		in, want string
		ok       bool
	}{
		{"file.png", "file", true},
		{"file.*", "file", true},
		{"file.json|yaml", "file", true},
		{"file.ical", "file", true},
		{"image.png|jpg", "image", true},
		{"image.jpg", "image", true},
		{"rating.10", "rating", true},
		{"location.latitude", "location.latitude", true},
		{"location.other", "location", true},
		{"video.mp4", "video", true},
		{"integer", "", false},
		{"int", "", false},
		{"number", "", false},
		{"text", "", false},
		{"boolean", "", false},
		{"string", "", false},
		{"Label", "", false},
		{"", "", false},
		{".png", "", false},
		{"nope.file", "", false},
	}
	for _, c := range cases {
		ct, ok := LookupType(c.in)
		if ok != c.ok || ct.Name != c.want {
			t.Errorf("LookupType(%q) = %q, %v; want %q, %v", c.in, ct.Name, ok, c.want, c.ok)
		}
	}
}

func TestTypesKindsAndSecrets(t *testing.T) {
	t.Parallel()
	want := map[string][2]int{
		"date": {int(KindTime), 0}, "datetime": {int(KindTime), 0}, "timestamp": {int(KindTime), 0},
		"truefalse": {int(KindBool), 0}, "json": {int(KindJSON), 0}, "file": {int(KindBlob), 0},
		"year": {int(KindInt), 0}, "float": {int(KindFloat), 0}, "time": {int(KindString), 0},
		"password": {int(KindString), int(SecretPassword)}, "bcrypt": {int(KindString), int(SecretBcrypt)},
		"md5": {int(KindString), int(SecretMD5)}, "md5-bcrypt": {int(KindString), int(SecretMD5Bcrypt)},
		"encrypted": {int(KindString), int(SecretEncrypted)},
	}
	for name, w := range want {
		ct, _ := LookupType(name)
		if int(ct.Kind) != w[0] || int(ct.Secret) != w[1] {
			t.Errorf("%s: kind %v secret %v, want %v %v", name, ct.Kind, ct.Secret, ValueKind(w[0]), w[1])
		}
	}
}

func TestTypesReturnsCopies(t *testing.T) {
	t.Parallel()
	a := Types()
	a[0].DataTypes[0] = "mutated"
	ct, _ := LookupType(a[0].Name)
	ct.DataTypes[0] = "mutated too"
	if Types()[0].DataTypes[0] == "mutated" || columnTypes[0].DataTypes[0] != "varchar(100)" {
		t.Fatal("registry was mutated through a returned value")
	}
}

func TestValueErrorMessage(t *testing.T) {
	t.Parallel()
	err := &ValueError{Column: "status", Reason: "bad"}
	if err.Error() != "invalid value for status: bad" {
		t.Fatal(err.Error())
	}
}
