package test

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/apiary/apiary/actions"
	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/test/testserver"
)

// benchRows is the size of the import/export benchmark table:
// APIARY_BENCH_ROWS, default 1,000,000.
func benchRows(b *testing.B) int {
	if v := os.Getenv("APIARY_BENCH_ROWS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			b.Fatalf("APIARY_BENCH_ROWS=%q", v)
		}
		return n
	}
	return 1_000_000
}

// writeBenchCSV writes a 10-column CSV of n rows.
func writeBenchCSV(b *testing.B, path string, n int) int64 {
	b.Helper()
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprintln(w, "Name,Code,Quantity,Price,Day,Seen At,Active,Email,City,Note")
	cities := []string{"Lisbon", "Oslo", "Quito", "Lagos", "Hanoi"}
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		d := base.Add(time.Duration(i%5000) * time.Hour)
		fmt.Fprintf(w, "Person %d,C%07d,%d,%d.%02d,%s,%s,%t,p%d@example.com,%s,row number %d of the benchmark\n",
			i, i, i%1000, i%500, i%100, d.Format(time.DateOnly), d.Format("2006-01-02 15:04:05"), i%3 == 0, i, cities[i%5], i)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	st, _ := f.Stat()
	_ = f.Close()
	return st.Size()
}

// peakRSS reads VmHWM (peak resident memory) in MiB; resetPeak starts a
// new measurement (Linux clear_refs 5).
func peakRSS() float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return -1
}

func resetPeak() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// cpuTime is the process's user plus system CPU time. On a shared machine
// CPU per row varies less than rows per second.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkImportExportCSV imports an APIARY_BENCH_ROWS-row, 10-column CSV
// into a new table (types inferred, table created live) through the same
// code as upload_csv_to_system_schema, then exports the table to CSV.
// Run: APIARY_BENCH_ROWS=1000000 go test ./test -run '^$' -bench ImportExportCSV -benchtime 1x
func BenchmarkImportExportCSV(b *testing.B) {
	n := benchRows(b)
	dir := b.TempDir()
	src := filepath.Join(dir, "bench.csv")
	size := writeBenchCSV(b, src, n)
	for i := 0; i < b.N; i++ {
		s := testserver.Start(b)
		s.Admin(b)
		res := s.Srv.Resource()
		ctx := context.Background()
		p, err := res.PrincipalByEmail(ctx, "admin@example.test")
		if err != nil {
			b.Fatal(err)
		}
		ctx = auth.WithPrincipal(ctx, p)
		log := slog.New(slog.NewTextHandler(testserver.NewLogWriter(b), nil))
		exec := actions.New(actions.Options{Res: s.Srv.Resource, Reload: s.Srv.Reload, SchemaDir: s.Dir, Log: log})

		f, err := os.Open(src)
		if err != nil {
			b.Fatal(err)
		}
		resetPeak()
		before := peakRSS()
		t0, c0 := time.Now(), cpuTime()
		r, err := exec.ImportTable(ctx, res, actions.ImportSpec{Table: "bench_rows", Format: "csv", CreateTable: true, BatchSize: 1000}, bufio.NewReaderSize(f, 1<<20))
		_ = f.Close()
		if err != nil {
			b.Fatal(err)
		}
		secs, cpu := time.Since(t0).Seconds(), (cpuTime() - c0).Seconds()
		if r.Imported != n || r.Failed != 0 {
			b.Fatalf("imported %d of %d, %d failed: %v", r.Imported, n, r.Failed, r.Errors[:min(len(r.Errors), 3)])
		}
		b.ReportMetric(float64(n)/secs, "import_rows/s")
		b.ReportMetric(peakRSS(), "import_peak_MiB")
		b.ReportMetric(cpu*1e6/float64(n), "import_cpu_us/row")
		b.Logf("import: %d rows (%.1f MiB CSV) in %.2fs = %.0f rows/s, %.1f µs CPU/row; VmHWM %.0f -> %.0f MiB",
			n, float64(size)/(1<<20), secs, float64(n)/secs, cpu*1e6/float64(n), before, peakRSS())

		out, err := os.Create(filepath.Join(dir, "export.csv"))
		if err != nil {
			b.Fatal(err)
		}
		resetPeak()
		t0, c0 = time.Now(), cpuTime()
		rows, err := exec.Export(ctx, res, actions.ExportSpec{Tables: []string{"bench_rows"}, Format: "csv"}, out)
		_ = out.Close()
		if err != nil || rows != n {
			b.Fatalf("export: %d rows, %v", rows, err)
		}
		secs, cpu = time.Since(t0).Seconds(), (cpuTime() - c0).Seconds()
		b.ReportMetric(float64(n)/secs, "export_rows/s")
		b.ReportMetric(peakRSS(), "export_peak_MiB")
		b.ReportMetric(cpu*1e6/float64(n), "export_cpu_us/row")
		b.Logf("export: %d rows in %.2fs = %.0f rows/s, %.1f µs CPU/row; VmHWM %.0f MiB", n, secs, float64(n)/secs, cpu*1e6/float64(n), peakRSS())
	}
}
