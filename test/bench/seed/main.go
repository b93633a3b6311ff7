// Command seed is the helper of the load script (test/bench/load.sh). It
// talks only to 127.0.0.1.
//
//	seed freeport                   print a free loopback TCP port
//	seed wait -url U -since NS      poll U/ping every millisecond until it
//	                                answers; print the milliseconds since
//	                                the Unix time NS (nanoseconds)
//	seed data -url U -out DIR ...   lock the instance down (admin), sign up a
//	                                plain user and create projects and items
//	                                as that user over HTTP, concurrently;
//	                                write admin.tok, user.tok, projects.txt
//	                                and items.txt into DIR
//	seed clone -db F -items N -out DIR
//	                                with the server stopped: copy item rows
//	                                in SQL (fresh reference ids, same owner,
//	                                permission and project) until the table
//	                                holds N rows; write every item id to
//	                                DIR/items.txt
package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"github.com/apiary/apiary/test/apiclient"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	_ "modernc.org/sqlite" // the "sqlite" driver, for clone
)

func main() {
	if len(os.Args) < 2 {
		fail(errors.New("usage: seed freeport | wait | data | clone"))
	}
	var err error
	switch os.Args[1] {
	case "freeport":
		err = freePort()
	case "wait":
		err = wait(os.Args[2:])
	case "data":
		err = data(os.Args[2:])
	case "clone":
		err = clone(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "seed:", err)
	os.Exit(1)
}

func freePort() error {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer l.Close()
	fmt.Println(l.Addr().(*net.TCPAddr).Port)
	return nil
}

// loopback refuses any address that is not 127.0.0.1.
func loopback(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	if u.Hostname() != "127.0.0.1" {
		return fmt.Errorf("%s: only 127.0.0.1 is allowed", raw)
	}
	return nil
}

func wait(args []string) error {
	fs := flag.NewFlagSet("wait", flag.ExitOnError)
	base := fs.String("url", "", "server base URL")
	since := fs.Int64("since", 0, "start time, Unix nanoseconds (0 = now)")
	timeout := fs.Duration("timeout", 15*time.Second, "give up after")
	_ = fs.Parse(args)
	if err := loopback(*base); err != nil {
		return err
	}
	start := time.Now()
	if *since != 0 {
		start = time.Unix(0, *since)
	}
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(*timeout)
	for time.Now().Before(deadline) {
		resp, err := client.Get(*base + "/ping")
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				fmt.Printf("%.1f\n", float64(time.Since(start).Microseconds())/1000)
				return nil
			}
		}
		time.Sleep(time.Millisecond)
	}
	return fmt.Errorf("%s did not answer within %v", *base, *timeout)
}

func data(args []string) error {
	fs := flag.NewFlagSet("data", flag.ExitOnError)
	base := fs.String("url", "", "server base URL")
	out := fs.String("out", ".", "folder for tokens and ids")
	projects := fs.Int("projects", 100, "projects to create")
	items := fs.Int("items", 10000, "items to create")
	conc := fs.Int("conc", 8, "concurrent requests")
	timeout := fs.Duration("timeout", 15*time.Minute, "give up after")
	_ = fs.Parse(args)
	if err := loopback(*base); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	a := &apiclient.Client{Base: strings.TrimSuffix(*base, "/"), HTTP: &http.Client{Timeout: 60 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: *conc}}}

	adminTok, err := a.Account(ctx, "Admin", "admin@example.test", "admin-password")
	if err != nil {
		return err
	}
	if _, err := a.Must(ctx, http.StatusOK, http.MethodPost, "/action/world/become_an_administrator", `{"attributes":{}}`, adminTok); err != nil {
		return err
	}
	userTok, err := a.Account(ctx, "Plain", "plain@example.test", "plain-password")
	if err != nil {
		return err
	}
	// Lift the per-(IP, path) rate limit (Daptin's default 500/s) on the
	// list and create paths: wrk is one client. 404: a server without /_config.
	code, resp, err := a.Do(ctx, http.MethodPut, "/_config/backend/limit.rate",
		`{"version":"1","limits":{"/api/item":1000000,"/api/project":1000000,"/aggregate/item":1000000,"/action/user_account/signin":1000000}}`, adminTok)
	if err != nil {
		return err
	}
	if code != http.StatusOK && code != http.StatusNotFound {
		return fmt.Errorf("set limit.rate: %d %.200s", code, resp)
	}

	t0 := time.Now()
	projectIDs, err := createMany(ctx, a, *conc, *projects, userTok, func(i int) any {
		return map[string]any{"data": map[string]any{"type": "project", "attributes": map[string]any{"name": fmt.Sprintf("project %03d", i)}}}
	})
	if err != nil {
		return err
	}
	itemIDs, err := createMany(ctx, a, *conc, *items, userTok, func(i int) any {
		return map[string]any{"data": map[string]any{"type": "item",
			"attributes": map[string]any{"title": fmt.Sprintf("item %05d", i), "priority": i % 5, "notes": "seeded row for the benchmarks",
				"due": fmt.Sprintf("2027-%02d-%02d", i%12+1, i%28+1)},
			"relationships": map[string]any{"project_id": map[string]any{"data": map[string]any{"type": "project", "id": projectIDs[i%len(projectIDs)]}}}}}
	})
	if err != nil {
		return err
	}
	el := time.Since(t0)
	fmt.Fprintf(os.Stderr, "seed: %d projects and %d items over HTTP in %v (%.0f creates/s)\n",
		len(projectIDs), len(itemIDs), el.Round(time.Millisecond), float64(len(projectIDs)+len(itemIDs))/el.Seconds())
	files := map[string]string{
		"admin.tok":    adminTok,
		"user.tok":     userTok,
		"projects.txt": strings.Join(projectIDs, "\n") + "\n",
		"items.txt":    strings.Join(itemIDs, "\n") + "\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(*out, name), []byte(content), 0o600); err != nil {
			return err
		}
	}
	return nil
}

// createMany posts n rows with conc workers and returns their ids in order.
func createMany(ctx context.Context, a *apiclient.Client, conc, n int, tok string, body func(i int) any) ([]string, error) {
	ids := make([]string, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	for range max(conc, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				b := body(i)
				typ := b.(map[string]any)["data"].(map[string]any)["type"].(string)
				out, err := a.Must(ctx, http.StatusCreated, http.MethodPost, "/api/"+typ, apiclient.JSON(b), tok)
				if err == nil {
					ids[i], err = apiclient.IDOf(out)
				}
				if err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					next.Store(int64(n)) // stop the others
					return
				}
			}
		}()
	}
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	return ids, first
}

// clone grows the item table to n rows by copying the rows the server
// wrote (every column but id and reference_id), because a create over HTTP
// costs milliseconds and 100,000 of them would take minutes. The server
// must be stopped. Every item id, in id order, goes to DIR/items.txt.
func clone(args []string) error {
	fs := flag.NewFlagSet("clone", flag.ExitOnError)
	path := fs.String("db", "", "SQLite database file")
	n := fs.Int("items", 10000, "rows the item table must hold")
	out := fs.String("out", ".", "folder for items.txt")
	_ = fs.Parse(args)
	conn, err := sql.Open("sqlite", *path)
	if err != nil {
		return err
	}
	defer conn.Close()
	conn.SetMaxOpenConns(1)
	if _, err := conn.Exec("PRAGMA busy_timeout = 10000"); err != nil {
		return err
	}
	rows, err := conn.Query("SELECT name FROM pragma_table_info('item')")
	if err != nil {
		return err
	}
	var cols []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			rows.Close()
			return err
		}
		if c != "id" && c != "reference_id" {
			cols = append(cols, `"`+c+`"`)
		}
	}
	rows.Close()
	if len(cols) == 0 {
		return fmt.Errorf("%s: no item table", *path)
	}
	list := strings.Join(cols, ", ")
	t0 := time.Now()
	for {
		var have int
		if err := conn.QueryRow("SELECT COUNT(*) FROM item").Scan(&have); err != nil {
			return err
		}
		if have >= *n {
			break
		}
		if have == 0 {
			return errors.New("clone: the item table is empty; seed some rows over HTTP first")
		}
		q := `INSERT INTO item (reference_id, ` + list + `) SELECT randomblob(16), ` + list + ` FROM item ORDER BY id LIMIT ?`
		if _, err := conn.Exec(q, min(have, *n-have)); err != nil {
			return fmt.Errorf("clone: %w", err)
		}
	}
	rows, err = conn.Query("SELECT reference_id FROM item ORDER BY id")
	if err != nil {
		return err
	}
	defer rows.Close()
	var b strings.Builder
	count := 0
	for rows.Next() {
		var raw []byte
		if err := rows.Scan(&raw); err != nil {
			return err
		}
		u, err := uuid.FromBytes(raw)
		if err != nil {
			return fmt.Errorf("clone: reference_id: %w", err)
		}
		b.WriteString(u.String())
		b.WriteByte('\n')
		count++
	}
	if err := rows.Err(); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "seed: item table at %d rows (SQL copies, %v)\n", count, time.Since(t0).Round(time.Millisecond))
	return os.WriteFile(filepath.Join(*out, "items.txt"), []byte(b.String()), 0o600)
}
