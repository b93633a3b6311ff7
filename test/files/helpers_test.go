package files

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/apiary/apiary/test/testserver"
)

// fileSchema has a table with an asset column in the default localstore.
const fileSchema = `
Tables:
  - TableName: profile
    Columns:
      - {Name: title, ColumnType: label, DataType: varchar(200), IsNullable: true}
      - {Name: avatar, ColumnType: file.png|jpg, DataType: text, IsNullable: true, IsForeignKey: true,
         ForeignKeyData: {DataSource: cloud_store, Namespace: localstore, KeyName: avatars}}
      - {Name: notes, ColumnType: markdown, DataType: text, IsNullable: true}
`

func start(t *testing.T) (*testserver.Server, string) {
	t.Helper()
	s := testserver.Start(t, testserver.WithSchema("schema_files.yaml", fileSchema))
	return s, s.Admin(t)
}

// needTool fails the test when an external client is missing, unless
// APIARY_SKIP_CLIENTS=1 lets it skip.
func needTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("APIARY_SKIP_CLIENTS") == "1" {
			t.Skipf("%s not installed (APIARY_SKIP_CLIENTS=1)", name)
		}
		t.Fatalf("%s is not installed: run test/deps.sh", name)
	}
	return p
}

// pngBytes encodes a w×h image.
func pngBytes(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := 0; x < w; x++ {
		for y := 0; y < h; y++ {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 100, 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func dataURI(mime string, b []byte) string {
	return "data:" + mime + ";base64," + base64.StdEncoding.EncodeToString(b)
}

func doc(typ string, attrs map[string]any) map[string]any {
	return map[string]any{"data": map[string]any{"type": typ, "attributes": attrs}}
}

func patchDoc(typ, id string, attrs map[string]any) map[string]any {
	return map[string]any{"data": map[string]any{"type": typ, "id": id, "attributes": attrs}}
}

// createRow posts a row and returns its id.
func createRow(t *testing.T, s *testserver.Server, tok, typ string, attrs map[string]any) string {
	t.Helper()
	r := s.Do(t, http.MethodPost, "/api/"+typ, doc(typ, attrs), tok)
	if r.Status != http.StatusCreated {
		t.Fatalf("create %s: %d %s", typ, r.Status, r.Body)
	}
	return r.Map(t)["data"].(map[string]any)["id"].(string)
}

// curl runs curl with args and returns its stdout.
func curl(t *testing.T, args ...string) string {
	t.Helper()
	bin := needTool(t, "curl")
	out, err := exec.Command(bin, append([]string{"-sS"}, args...)...).Output()
	if err != nil {
		t.Fatalf("curl %s: %v", strings.Join(args, " "), err)
	}
	return string(out)
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// toString shows an attribute as JSON text whatever its decoded shape.
func toString(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	js, _ := json.Marshal(v)
	return string(js)
}
