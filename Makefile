# Apiary: the two commands are `make run` and `make test`.
GO       ?= go
BIN      := bin/apiary
CORE     := ./schema/... ./auth/... ./storage/... ./migrations/... ./resource/... ./actions/...
PGDSN    ?= host=127.0.0.1 user=postgres dbname=test sslmode=disable
MYDSN    ?= root@tcp(127.0.0.1:3306)/test
FUZZTIME ?= 60s
BENCH_ROWS ?= 10000 100000

.PHONY: run build test deps fmt-check vet test-sqlite test-race test-postgres test-mysql bench bench-quick fuzz crash soak clean

## run: build and serve on :6336 with SQLite (apiary.db in this folder)
run: build
	./$(BIN) -local_storage_path ./.apiary-storage

## build: a static, cgo-free binary
build:
	CGO_ENABLED=0 $(GO) build -trimpath -o $(BIN) ./cmd/apiary

## test: formatting, vet, race tests of the core, the whole suite on SQLite,
## and on PostgreSQL / MySQL when APIARY_TEST_POSTGRES / APIARY_TEST_MYSQL are set
test: fmt-check vet deps test-race test-sqlite test-postgres test-mysql

## deps: Debian and npm packages the end-to-end tests drive (test/deps.d)
deps:
	bash test/deps.sh

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

test-race:
	CGO_ENABLED=1 APIARY_TEST_DB=sqlite $(GO) test -race -count=1 $(CORE)

test-sqlite:
	APIARY_TEST_DB=sqlite $(GO) test -count=1 -parallel 4 ./...

test-postgres:
	@if [ -n "$$APIARY_TEST_POSTGRES" ]; then \
		echo "== PostgreSQL"; APIARY_TEST_DB=postgres $(GO) test -count=1 -parallel 4 ./... ; \
	else echo "== PostgreSQL skipped (APIARY_TEST_POSTGRES not set)"; fi

test-mysql:
	@if [ -n "$$APIARY_TEST_MYSQL" ]; then \
		echo "== MySQL"; APIARY_TEST_DB=mysql $(GO) test -count=1 -parallel 4 ./... ; \
	else echo "== MySQL skipped (APIARY_TEST_MYSQL not set)"; fi

## bench: Go benchmarks of the core packages, then the wrk load scenarios
## (test/bench/load.sh: 1/16/64 connections, 10 s) on 10,000 and 100,000
## rows; each load report is appended to docs/benchmarks.md
bench:
	APIARY_TEST_DB=sqlite $(GO) test -run '^$$' -bench . -benchmem ./resource/... ./test/...
	@for rows in $(BENCH_ROWS); do \
		echo "== load scenarios, $$rows rows"; \
		OUT=docs/benchmarks.md ROWS=$$rows test/bench/load.sh || exit 1; \
	done

## bench-quick: the load scenarios only, 3 s runs at 16 connections on
## 10,000 rows (under 2 minutes); the report goes to stdout only
bench-quick:
	QUICK=1 ROWS=10000 test/bench/load.sh

## fuzz: every Fuzz target of the repository, FUZZTIME each (default 60s),
## one after the other; crashers land in the package's testdata/fuzz
fuzz:
	@failed=""; for f in $$(find . -path ./.git -prune -o -name '*_test.go' -print | xargs grep -l '^func Fuzz' | sort); do \
		for name in $$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' $$f); do \
			echo "== $$name $$(dirname $$f) ($(FUZZTIME))"; \
			APIARY_TEST_DB=sqlite $(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) $$(dirname $$f) || failed="$$failed $$name"; \
		done; \
	done; \
	if [ -n "$$failed" ]; then echo "fuzz: failed:$$failed"; exit 1; fi

## crash: the SIGKILL crash-safety test, 20 rounds (make test runs 3)
crash:
	APIARY_TEST_DB=sqlite APIARY_CRASH_ROUNDS=20 $(GO) test -count=1 -run '^TestCrashSafety$$' -timeout 20m -v ./test/

## soak: DURATION (default 30m) of mixed load against a fresh server; fails
## on RSS growth of 10% or more after the warm-up or on any 5xx; then the
## 20-round crash test. Not part of make test or CI.
soak:
	DURATION=$${DURATION:-30m} $(GO) run ./test/soak
	$(MAKE) crash

clean:
	rm -rf bin
