package actions

import (
	"encoding/base64"
	"encoding/csv"
	"net/http"
	"os"
	"strings"
	"testing"
)

func TestExportCSVDataAction(t *testing.T) {
	t.Parallel()
	e, svc := seedGadgets(t, 5)
	out, err := e.exportCSVData(sysCtx(), Request{Res: svc, Attributes: map[string]any{"table_name": "gadget"}})
	if err != nil {
		t.Fatal(err)
	}
	a := out[0].Attributes.(map[string]any)
	if a["name"] != "daptin_dump_gadget.csv" || a["contentType"] != "application/csv" {
		t.Errorf("download: %v %v", a["name"], a["contentType"])
	}
	raw, err := base64.StdEncoding.DecodeString(a["content"].(string))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(string(raw))).ReadAll()
	if err != nil || len(rows) != 6 || rows[0][0] != "reference_id" {
		t.Fatalf("csv: %v %v", rows, err)
	}
	for _, r := range rows[1:] {
		if len(r) != len(rows[0]) || len(r[0]) != 36 {
			t.Errorf("row %v", r)
		}
	}
	if _, err := e.exportCSVData(sysCtx(), Request{Res: svc, Attributes: map[string]any{"table_name": "nosuch"}}); statusOf(err) != http.StatusNotFound {
		t.Errorf("unknown table: %v", err)
	}
	if _, err := e.exportCSVData(guestCtx(), Request{Res: svc, Attributes: map[string]any{"table_name": "gadget"}}); err == nil {
		t.Error("guest export succeeded")
	}
}

func TestLimitedFileRefusesBeyondTheCap(t *testing.T) {
	t.Parallel()
	f, err := os.CreateTemp(t.TempDir(), "cap")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	l := &limitedFile{f: f, n: MaxExportBytes - 4}
	if n, err := l.Write([]byte("abcd")); n != 4 || err != nil {
		t.Fatalf("write up to the cap: %d %v", n, err)
	}
	if n, err := l.Write([]byte("e")); n != 0 || statusOf(err) != http.StatusRequestEntityTooLarge {
		t.Errorf("write past the cap: %d %v", n, err)
	}
	if fi, _ := f.Stat(); fi.Size() != 4 {
		t.Errorf("file holds %d bytes", fi.Size())
	}
}
