package asset

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/apiary/apiary/server/httperr"
)

func TestReadCompletion(t *testing.T) {
	cases := []struct {
		body   string
		parts  int
		status int
	}{
		{"", 0, 0},
		{"upload_id=abc", 0, 0}, // a form body carries no parts
		{`{"s3_upload_id":"x","parts":[{"part_number":2,"etag":"\"e2\""},{"part_number":1,"etag":"e1"}]}`, 2, 0},
		{`{"parts":[{"part_number":"one"}]}`, 0, http.StatusBadRequest},
		{`{"parts":`, 0, http.StatusBadRequest},
		{"{" + strings.Repeat(" ", maxCompletionBody) + "}", 0, http.StatusBadRequest},
	}
	for _, c := range cases {
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(c.body))
		got, err := readCompletion(httptest.NewRecorder(), r)
		if c.status != 0 {
			if err == nil || httperr.Status(err) != c.status {
				t.Errorf("%.30q: err %v", c.body, err)
			}
			continue
		}
		if err != nil || len(got.Parts) != c.parts {
			t.Errorf("%.30q: %+v %v", c.body, got, err)
		}
	}
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(cases[2].body))
	got, _ := readCompletion(httptest.NewRecorder(), r)
	if got.S3UploadID != "x" || got.Parts[0].PartNumber != 2 || got.Parts[1].ETag != "e1" {
		t.Fatalf("decoded %+v", got)
	}
}

func TestThresholdDefault(t *testing.T) {
	if (&handler{}).threshold() != 100<<20 {
		t.Fatal("default threshold is not 100 MiB")
	}
	if (&handler{d: Deps{MultipartThreshold: 5}}).threshold() != 5 {
		t.Fatal("configured threshold ignored")
	}
}
