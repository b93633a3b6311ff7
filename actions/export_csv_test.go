package actions

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"math/rand/v2"
	"testing"
	"time"
)

// TestCSVExportMatchesEncodingCSV checks the hand-built CSV writer against
// encoding/csv, field by field, for awkward text and for typed values,
// with the formula guard applied to every data cell.
func TestCSVExportMatchesEncodingCSV(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(9, 10))
	alphabet := []string{"a", "b", ",", "\"", "\r", "\n", " ", "\t", "\\", ".", "é", "\u00a0", "\u2003", "x"}
	records := [][]string{{""}, {"", ""}, {`\.`}, {" lead"}, {"\u00a0nbsp"}, {"a,b", `q"q`, "l\nf", "c\rr"}}
	for range 5000 {
		rec := make([]string, 1+r.IntN(4))
		for i := range rec {
			for range r.IntN(6) {
				rec[i] += alphabet[r.IntN(len(alphabet))]
			}
		}
		records = append(records, rec)
	}
	var want, got bytes.Buffer
	cw := csv.NewWriter(&want)
	ours := &csvExport{w: bufio.NewWriter(&got), headers: true}
	for _, rec := range records {
		guarded := make([]string, len(rec))
		for i, c := range rec {
			guarded[i] = neutraliseCell(c) // data rows carry the formula guard
		}
		if err := cw.Write(guarded); err != nil {
			t.Fatal(err)
		}
		if err := ours.row(nil, rec); err != nil {
			t.Fatal(err)
		}
	}
	when := time.Date(2024, 2, 3, 4, 5, 6, 7000, time.FixedZone("X", 3600))
	vals := []any{nil, "plain", "needs,quote", int64(-42), 7, 1.5, 1e21, true, when, when, []byte("by,tes"), map[string]any{"k": "v"}, []any{1.0, "x"}, uint8(3)}
	dateOnly := make([]bool, len(vals))
	dateOnly[9] = true
	cells := make([]string, len(vals))
	for i, v := range vals {
		cells[i] = neutraliseCell(cellText(v, dateOnly[i]))
	}
	if err := cw.Write(cells); err != nil {
		t.Fatal(err)
	}
	if err := ours.values(vals, dateOnly); err != nil {
		t.Fatal(err)
	}
	cw.Flush()
	if err := ours.finish(); err != nil {
		t.Fatal(err)
	}
	if got.String() != want.String() {
		t.Fatalf("CSV differs:\n got %q\nwant %q", got.String(), want.String())
	}
}
