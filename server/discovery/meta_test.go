package discovery

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// daptinETag is the ETag Daptin sent for /meta?query=column_types
// (contract observed/10-discovery.txt): equal bodies have equal hashes.
const daptinETag = `W/"3c7fb40e409572faad772694174f41120d2347c87fddffb70ab21dc57be045a2"`

// observedLabel is the label entry exactly as Daptin sent it.
const observedLabel = `{"BlueprintType":"string","Name":"label","Validations":null,"Conformations":null,"ReclineType":"string","DataTypes":["varchar(100)"],"GraphqlType":{"name":"String","description":"The ` + "`String`" + ` scalar type represents textual data, represented as UTF-8 character sequences. The String type is most often used by GraphQL to represent free-form human-readable text."}}`

// observedPrefix is the start of Daptin's body.
const observedPrefix = `{"alias":{"BlueprintType":"string","Name":"alias","Validations":null,"Conformations":null,"ReclineType":"string","DataTypes":["varchar(100)","varchar(20)","varchar(10)"],"GraphqlType":{"name":"String","description":"The ` + "`String`" + ` scalar type represents textual data, represented as UTF-8 character sequences. The String type is most often used by GraphQL to represent free-form human-readable text."}},"bcrypt":{"BlueprintType":"string","Name":"bcrypt","Validations":["required"],"Conformations":null,`

func serveMeta(t *testing.T, query, inm string) *httptest.ResponseRecorder {
	t.Helper()
	h := newHandlers(Deps{})
	req := httptest.NewRequest(http.MethodGet, "/meta"+query, nil)
	if inm != "" {
		req.Header.Set("If-None-Match", inm)
	}
	rec := httptest.NewRecorder()
	h.metaHandler(rec, req)
	return rec
}

func TestMetaColumnTypes(t *testing.T) {
	rec := serveMeta(t, "?query=column_types", "")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	hd := rec.Header()
	if got := hd.Get("Cache-Control"); got != "public, max-age=86400, s-maxage=86400, immutable" {
		t.Errorf("Cache-Control %q", got)
	}
	if hd.Get("Pragma") != "cache" || hd.Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Errorf("headers %v", hd)
	}
	exp, err := http.ParseTime(hd.Get("Expires"))
	if err != nil || time.Until(exp) < 23*time.Hour {
		t.Errorf("Expires %q", hd.Get("Expires"))
	}
	body := rec.Body.String()
	if !strings.HasPrefix(body, observedPrefix) {
		t.Errorf("body does not start as Daptin's:\n%.400s", body)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	if len(m) != 41 {
		t.Errorf("%d types, Daptin has 41", len(m))
	}
	if string(m["label"]) != observedLabel {
		t.Errorf("label entry:\n%s\nwant\n%s", m["label"], observedLabel)
	}
	if len(body) != 14899 {
		t.Errorf("body is %d bytes, Daptin's 14899", len(body))
	}
	if et := hd.Get("ETag"); !strings.HasPrefix(et, `W/"`) || et != daptinETag {
		t.Errorf("ETag %s, Daptin's %s", et, daptinETag)
	}
}

func TestMetaNotModified(t *testing.T) {
	etag := serveMeta(t, "?query=column_types", "").Header().Get("ETag")
	for _, inm := range []string{etag, `"other", ` + etag, strings.TrimPrefix(etag, "W/"), "*"} {
		rec := serveMeta(t, "?query=column_types", inm)
		if rec.Code != http.StatusNotModified || rec.Body.Len() != 0 {
			t.Errorf("If-None-Match %s: %d %q", inm, rec.Code, rec.Body.String())
		}
		if rec.Header().Get("ETag") != etag || rec.Header().Get("Cache-Control") == "" {
			t.Errorf("304 headers %v", rec.Header())
		}
	}
	if rec := serveMeta(t, "?query=column_types", `W/"nope"`); rec.Code != http.StatusOK {
		t.Errorf("stale tag: %d", rec.Code)
	}
}

func TestMetaWithoutQuery(t *testing.T) {
	for _, q := range []string{"", "?query=other"} {
		rec := serveMeta(t, q, "")
		if rec.Code != http.StatusOK || rec.Body.Len() != 0 || rec.Header().Get("Pragma") != "cache" {
			t.Errorf("/meta%s: %d %q %v", q, rec.Code, rec.Body.String(), rec.Header())
		}
	}
}
