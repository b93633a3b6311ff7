package files

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/apiary/apiary/server"
	"github.com/apiary/apiary/test/testserver"
)

// multipartInit is the init answer for a file above the multipart threshold.
type multipartInit struct {
	UploadID    string `json:"upload_id"`
	S3UploadID  string `json:"s3_upload_id"`
	Type        string `json:"upload_type"`
	MinPartSize int    `json:"min_part_size"`
	MaxParts    int    `json:"max_parts"`
	PartURL     string `json:"get_part_url"`
	Complete    string `json:"complete_url"`
	Abort       string `json:"abort_url"`
}

type sentPart struct {
	Number int    `json:"part_number"`
	ETag   string `json:"etag"`
}

// call sends a request with extra headers to the server.
func call(t *testing.T, s *testserver.Server, method, path, tok string, body []byte, hdr map[string]string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, s.URL+path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tok)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func initMultipart(t *testing.T, s *testserver.Server, tok, id, name string, size int) multipartInit {
	t.Helper()
	st, b := call(t, s, http.MethodPost, "/asset/doc/"+id+"/body/upload?operation=init&filename="+name, tok, nil,
		map[string]string{"X-File-Size": strconv.Itoa(size), "X-File-Type": "application/octet-stream"})
	var in multipartInit
	if err := json.Unmarshal(b, &in); err != nil || st != 200 || in.Type != "multipart" || in.S3UploadID == "" ||
		in.UploadID == "" || in.MinPartSize != 5242880 || in.MaxParts != 10000 || in.PartURL == "" || in.Complete == "" || in.Abort == "" {
		t.Fatalf("multipart init: %d %s", st, b)
	}
	return in
}

// sendPart asks the server for part n's presigned URL and PUTs data there
// straight to S3, as a browser would.
func sendPart(t *testing.T, s *testserver.Server, tok string, in multipartInit, n int, data []byte) sentPart {
	t.Helper()
	st, b := call(t, s, http.MethodGet, in.PartURL+"&part_number="+strconv.Itoa(n), tok, nil, nil)
	var pu struct {
		URL     string `json:"presigned_url"`
		Number  int    `json:"part_number"`
		Expires int64  `json:"expires_at"`
	}
	if err := json.Unmarshal(b, &pu); err != nil || st != 200 || pu.Number != n || pu.Expires == 0 ||
		!strings.Contains(pu.URL, "partNumber="+strconv.Itoa(n)) || !strings.Contains(pu.URL, "X-Amz-Signature=") {
		t.Fatalf("get_part_url %d: %d %s", n, st, b)
	}
	req, _ := http.NewRequest(http.MethodPut, pu.URL, bytes.NewReader(data))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("ETag") == "" {
		t.Fatalf("part %d PUT to S3: %d", n, resp.StatusCode)
	}
	return sentPart{Number: n, ETag: resp.Header.Get("ETag")}
}

func complete(t *testing.T, s *testserver.Server, tok string, in multipartInit, parts []sentPart) (int, []byte) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"s3_upload_id": in.S3UploadID, "parts": parts})
	return call(t, s, http.MethodPost, in.Complete, tok, body, map[string]string{"Content-Type": "application/json"})
}

func multipartServer(t *testing.T) (*testserver.Server, string, *s3mem.Backend, string) {
	endpoint, be := fakeS3(t, "files")
	s := testserver.Start(t, testserver.WithSchema("schema_s3.yaml", s3Schema),
		testserver.WithConfig(func(c *server.Config) { c.Files.MultipartUploadBytes = 1 << 20 }))
	tok := s.Admin(t)
	addS3Store(t, s, tok, "s3store", endpoint, "files")
	return s, tok, be, createRow(t, s, tok, "doc", map[string]any{"title": "big"})
}

// TestS3BrowserMultipartUpload: init above the threshold answers an S3
// multipart upload, the parts go straight to S3 through presigned URLs,
// complete assembles them and records the file; a wrong ETag records
// nothing.
func TestS3BrowserMultipartUpload(t *testing.T) {
	s, tok, be, id := multipartServer(t)
	chunks := [][]byte{bytes.Repeat([]byte("A"), 5<<20), bytes.Repeat([]byte("b"), 5<<20), []byte("the last, short part")}
	chunks[1][7] = 'Z'
	want := bytes.Join(chunks, nil)
	in := initMultipart(t, s, tok, id, "big.bin", len(want))
	var parts []sentPart
	for i, c := range chunks {
		parts = append(parts, sendPart(t, s, tok, in, i+1, c))
	}
	if _, err := be.HeadObject("files", "apiary/docs/big.bin"); err == nil {
		t.Fatal("object exists before complete")
	}

	wrong := append([]sentPart(nil), parts...)
	wrong[1].ETag = `"00000000000000000000000000000000"`
	if st, b := complete(t, s, tok, in, wrong); st != http.StatusBadRequest || !strings.Contains(string(b), "InvalidPart") {
		t.Fatalf("complete with a wrong ETag: %d %s", st, b)
	}
	if _, err := be.HeadObject("files", "apiary/docs/big.bin"); err == nil {
		t.Fatal("object exists after a refused complete")
	}
	if g := s.Do(t, http.MethodGet, "/asset/doc/"+id+"/body?file=big.bin", nil, tok); g.Status != http.StatusNotFound {
		t.Fatalf("asset after a refused complete: %d", g.Status)
	}
	if st, b := complete(t, s, tok, in, nil); st != http.StatusBadRequest {
		t.Fatalf("complete without parts: %d %s", st, b)
	}

	st, b := complete(t, s, tok, in, parts)
	var done struct {
		Status, FileName string
		Size             int
		Multipart        bool
	}
	if err := json.Unmarshal(b, &done); err != nil || st != 200 || done.Status != "completed" || done.FileName != "big.bin" ||
		done.Size != len(want) || !done.Multipart {
		t.Fatalf("complete: %d %s", st, b)
	}
	g := s.Do(t, http.MethodGet, "/asset/doc/"+id+"/body?file=big.bin", nil, tok)
	if g.Status != 200 || !bytes.Equal(g.Body, want) {
		t.Fatalf("asset: %d, %d bytes (want %d)", g.Status, len(g.Body), len(want))
	}
	row := s.Do(t, http.MethodGet, "/api/doc/"+id, nil, tok)
	if !strings.Contains(string(row.Body), `"name":"big.bin"`) || !strings.Contains(string(row.Body), `"size":`+strconv.Itoa(len(want))) {
		t.Fatalf("row after complete: %s", row.Body)
	}
}

// TestS3BrowserMultipartAbort: abort discards the S3 upload and its parts;
// nothing is stored or recorded and the upload cannot be completed later.
func TestS3BrowserMultipartAbort(t *testing.T) {
	s, tok, be, id := multipartServer(t)
	in := initMultipart(t, s, tok, id, "gone.bin", 3<<20)
	// GET defaults to get_part_url, which also takes the id init answered.
	alt := in
	alt.PartURL = "/asset/doc/" + id + "/body/upload?filename=gone.bin&upload_id=" + in.UploadID
	p := sendPart(t, s, tok, alt, 1, []byte("a part that is thrown away"))
	st, b := call(t, s, http.MethodDelete, in.Abort, tok, nil, nil)
	var ab struct {
		Status   string
		UploadID string `json:"upload_id"`
	}
	if err := json.Unmarshal(b, &ab); err != nil || st != 200 || ab.Status != "aborted" || ab.UploadID != in.S3UploadID {
		t.Fatalf("abort: %d %s", st, b)
	}
	if st, b := complete(t, s, tok, in, []sentPart{p}); st != http.StatusBadRequest {
		t.Fatalf("complete after abort: %d %s", st, b)
	}
	if _, err := be.HeadObject("files", "apiary/docs/gone.bin"); err == nil {
		t.Fatal("aborted object exists")
	}
	if list, err := be.ListBucket("files", nil, gofakes3.ListBucketPage{}); err == nil && len(list.Contents) != 0 {
		t.Fatalf("bucket not empty after abort: %+v", list.Contents)
	}
	row := s.Do(t, http.MethodGet, "/api/doc/"+id, nil, tok)
	if strings.Contains(string(row.Body), "gone.bin") {
		t.Fatalf("aborted file recorded: %s", row.Body)
	}
	// A bad part request is a clear 400.
	if st, _ := call(t, s, http.MethodGet, in.PartURL+"&part_number=0", tok, nil, nil); st != http.StatusBadRequest {
		t.Fatalf("part 0: %d", st)
	}
}

// TestLocalLargeInitStreams: above the threshold a local store still
// answers a stream upload, and get_part_url is refused with 400.
func TestLocalLargeInitStreams(t *testing.T) {
	s, tok := start(t)
	id := createRow(t, s, tok, "profile", map[string]any{"title": "p"})
	base := "/asset/profile/" + id + "/avatar/upload"
	st, b := call(t, s, http.MethodPost, base+"?operation=init&filename=huge.png", tok, nil,
		map[string]string{"X-File-Size": strconv.Itoa(200 << 20)})
	if st != 200 || !strings.Contains(string(b), `"upload_type":"stream"`) {
		t.Fatalf("init on a local store: %d %s", st, b)
	}
	st, b = call(t, s, http.MethodGet, base+"?filename=huge.png&upload_id=x&part_number=1", tok, nil, nil)
	if st != http.StatusBadRequest || !strings.Contains(string(b), "S3") {
		t.Fatalf("get_part_url on a local store: %d %s", st, b)
	}
}
