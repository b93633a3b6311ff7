package files

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/apiary/apiary/test/testserver"
)

const s3Schema = `
Tables:
  - TableName: doc
    Columns:
      - {Name: title, ColumnType: label, DataType: varchar(200), IsNullable: true}
      - {Name: body, ColumnType: file.*, DataType: text, IsNullable: true, IsForeignKey: true,
         ForeignKeyData: {DataSource: cloud_store, Namespace: s3store, KeyName: docs}}
`

// fakeS3 starts an S3 API on 127.0.0.1 with one bucket.
func fakeS3(t *testing.T, bucket string) (string, *s3mem.Backend) {
	t.Helper()
	be := s3mem.New()
	if err := be.CreateBucket(bucket); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(gofakes3.New(be).Server())
	t.Cleanup(ts.Close)
	return ts.URL, be
}

// addS3Store creates the credential and cloud_store rows of an S3 store.
func addS3Store(t *testing.T, s *testserver.Server, tok, name, endpoint, bucket string) string {
	t.Helper()
	cred := `{"type":"s3","provider":"Other","access_key_id":"AKID","secret_access_key":"SK-very-secret","endpoint":"` + endpoint + `","region":"us-east-1"}`
	createRow(t, s, tok, "credential", map[string]any{"name": name + "-cred", "content": cred})
	return createRow(t, s, tok, "cloud_store", map[string]any{"name": name, "store_type": "s3", "store_provider": "s3",
		"root_path": name + ":" + bucket + "/apiary", "credential_name": name + "-cred", "store_parameters": "{}"})
}

func TestS3AssetsAndActions(t *testing.T) {
	endpoint, be := fakeS3(t, "files")
	s := testserver.Start(t, testserver.WithSchema("schema_s3.yaml", s3Schema))
	tok := s.Admin(t)
	ref := addS3Store(t, s, tok, "s3store", endpoint, "files")

	body := bytes.Repeat([]byte("hello s3 "), 5000)
	id := createRow(t, s, tok, "doc", map[string]any{"title": "t",
		"body": []any{map[string]any{"name": "notes.txt", "contents": b64(body), "type": "text/plain"}}})
	obj, err := be.HeadObject("files", "apiary/docs/notes.txt")
	if err != nil || obj.Size != int64(len(body)) {
		t.Fatalf("object in S3: %v %+v", err, obj)
	}
	g := s.Do(t, http.MethodGet, "/asset/doc/"+id+"/body", nil, tok)
	if g.Status != 200 || !bytes.Equal(g.Body, body) || g.Header.Get("Vary") != "Authorization, Accept-Encoding" {
		t.Fatalf("asset from S3: %d %d bytes %v", g.Status, len(g.Body), g.Header)
	}
	url := s.URL + "/asset/doc/" + id + "/body?token=" + tok
	if part := curl(t, "-r", "9-16", url); part != string(body[9:17]) {
		t.Fatalf("Range from S3 = %q", part)
	}
	// The upload API on S3: init answers a presigned PUT, the client sends
	// the file straight to S3, complete adds it to the column.
	r0 := s.Do(t, http.MethodPost, "/asset/doc/"+id+"/body/upload?operation=init&filename=direct.txt", nil, tok)
	var init struct {
		Type      string `json:"upload_type"`
		Complete  string `json:"complete_url"`
		Presigned struct {
			URL     string            `json:"presigned_url"`
			Method  string            `json:"method"`
			Headers map[string]string `json:"headers"`
			Expires string            `json:"expires_at"`
		} `json:"presigned_data"`
	}
	if err := json.Unmarshal(r0.Body, &init); err != nil || init.Type != "presigned" || init.Presigned.Method != http.MethodPut || init.Complete == "" {
		t.Fatalf("init on S3: %d %s", r0.Status, r0.Body)
	}
	put, _ := http.NewRequest(init.Presigned.Method, init.Presigned.URL, strings.NewReader("straight to s3"))
	for k, v := range init.Presigned.Headers {
		put.Header.Set(k, v)
	}
	if resp, err := http.DefaultClient.Do(put); err != nil || resp.StatusCode != 200 {
		t.Fatalf("presigned PUT: %v %v", err, resp)
	}
	if obj, err := be.HeadObject("files", "apiary/docs/direct.txt"); err != nil || obj.Size != 14 {
		t.Fatalf("presigned object: %v %+v", err, obj)
	}
	if c := s.Do(t, http.MethodPost, init.Complete, nil, tok); c.Status != 200 || !strings.Contains(string(c.Body), `"completed"`) {
		t.Fatalf("complete: %d %s", c.Status, c.Body)
	}
	if g := s.Do(t, http.MethodGet, "/asset/doc/"+id+"/body?file=direct.txt", nil, tok); g.Status != 200 || string(g.Body) != "straight to s3" {
		t.Fatalf("presigned file through /asset: %d %q", g.Status, g.Body)
	}
	// Store actions on S3.
	if st, b := action(t, s, tok, "cloud_store", "upload_file", map[string]any{"cloud_store_id": ref, "path": "site",
		"file": fileArg("w.zip", zipOf(t, map[string][]byte{"index.html": []byte("<p>s3</p>")}))}); st != 200 {
		t.Fatalf("upload_file to S3: %d %s", st, b)
	}
	if _, err := be.HeadObject("files", "apiary/site/index.html"); err != nil {
		t.Fatalf("unzipped object: %v", err)
	}
	if st, b := action(t, s, tok, "cloud_store", "move_path", map[string]any{"cloud_store_id": ref, "source": "site/index.html", "destination": "site/home.html"}); st != 200 {
		t.Fatalf("move on S3: %d %s", st, b)
	}
	if st, b := action(t, s, tok, "cloud_store", "delete_path", map[string]any{"cloud_store_id": ref, "path": "site"}); st != 200 {
		t.Fatalf("delete on S3: %d %s", st, b)
	}
	if _, err := be.HeadObject("files", "apiary/site/home.html"); err == nil {
		t.Fatal("delete_path left the object")
	}
	// A store whose S3 endpoint is down fails the write: no row. The
	// changed credential applies at once (no restart).
	credRef := s.Do(t, http.MethodGet, "/api/credential", nil, tok).Map(t)["data"].([]any)[0].(map[string]any)["id"].(string)
	down := `{"type":"s3","provider":"Other","access_key_id":"AKID","secret_access_key":"x","endpoint":"http://127.0.0.1:1","region":"us-east-1"}`
	if r := s.Do(t, http.MethodPatch, "/api/credential/"+credRef, patchDoc("credential", credRef, map[string]any{"content": down}), tok); r.Status != 200 {
		t.Fatalf("patch credential: %d", r.Status)
	}
	r := s.Do(t, http.MethodPost, "/api/doc", doc("doc", map[string]any{"title": "fails",
		"body": []any{map[string]any{"name": "x.txt", "contents": b64([]byte("x"))}}}), tok)
	if r.Status != http.StatusBadGateway {
		t.Fatalf("upload to a missing bucket: %d %s", r.Status, r.Body)
	}
	if list := s.Do(t, http.MethodGet, "/api/doc", nil, tok).Map(t)["data"].([]any); len(list) != 1 {
		t.Fatalf("rows after a failed upload: %d", len(list))
	}
	// The credential is encrypted at rest (checked in the SQLite file).
	if strings.HasSuffix(s.Config().DB.DSN, ".db") || strings.Contains(s.Config().DB.DSN, ".db?") {
		for _, f := range []string{"apiary.db", "apiary.db-wal"} {
			raw, _ := os.ReadFile(filepath.Join(s.Dir, f))
			if bytes.Contains(raw, []byte("SK-very-secret")) {
				t.Fatalf("the S3 secret is stored in clear in %s", f)
			}
		}
	}
}
