// Command ceiling is the comparison server of the load script
// (test/bench/load.sh): a minimal net/http server that answers the same
// routes as the benchmark scenarios with fixed bodies captured from Apiary,
// so the same wrk runs measure what the machine, the network stack and
// net/http alone allow.
//
//	GET   /api/item       list.json   (200)
//	GET   /api/item/{id}  get.json    (200)
//	POST  /api/item       create.json (201)
//	PATCH /api/item/{id}  patch.json  (200)
//	GET   /api/item?include=…  include.json (200, when the file exists)
//	GET   /aggregate/…    aggregate.json (200, when the file exists)
//	POST  /action/…       signin.json (200, when the file exists)
//	GET   /ping           pong
package main

import (
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address (loopback only)")
	dir := flag.String("dir", ".", "folder holding list.json, get.json, create.json and patch.json")
	flag.Parse()
	if !strings.HasPrefix(*addr, "127.0.0.1:") {
		log.Fatalf("ceiling: listen on 127.0.0.1 only, not %q", *addr)
	}
	bodies := map[string][]byte{}
	for _, name := range []string{"list", "get", "create", "patch"} {
		b, err := os.ReadFile(filepath.Join(*dir, name+".json"))
		if err != nil {
			log.Fatalf("ceiling: %v", err)
		}
		bodies[name] = b
	}
	for _, name := range []string{"include", "aggregate", "signin"} {
		if b, err := os.ReadFile(filepath.Join(*dir, name+".json")); err == nil {
			bodies[name] = b
		}
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/ping" {
			_, _ = w.Write([]byte("pong"))
			return
		}
		name, status := "get", http.StatusOK
		switch {
		case strings.HasPrefix(r.URL.Path, "/action/"):
			name = "signin"
		case strings.HasPrefix(r.URL.Path, "/aggregate/"):
			name = "aggregate"
		case r.Method == http.MethodGet && r.URL.Query().Has("include"):
			name = "include"
		case r.Method == http.MethodPost:
			name, status = "create", http.StatusCreated
		case r.Method == http.MethodPatch:
			name = "patch"
		case strings.TrimSuffix(r.URL.Path, "/") == "/api/item":
			name = "list"
		}
		w.Header().Set("Content-Type", "application/vnd.api+json")
		w.Header().Set("Content-Length", fmt.Sprint(len(bodies[name])))
		w.WriteHeader(status)
		_, _ = w.Write(bodies[name])
	})
	srv := &http.Server{Addr: *addr, Handler: h, ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(srv.ListenAndServe())
}
