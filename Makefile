# Apiary: the two commands are `make run` and `make test`.
GO       ?= go
BIN      := bin/apiary
CORE     := ./schema/... ./auth/... ./storage/... ./migrations/... ./resource/... ./actions/...
PGDSN    ?= host=127.0.0.1 user=postgres dbname=test sslmode=disable
MYDSN    ?= root@tcp(127.0.0.1:3306)/test

.PHONY: run build test fmt-check vet test-sqlite test-race test-postgres test-mysql bench clean

## run: build and serve on :6336 with SQLite (apiary.db in this folder)
run: build
	./$(BIN) -local_storage_path ./.apiary-storage

## build: a static, cgo-free binary
build:
	CGO_ENABLED=0 $(GO) build -trimpath -o $(BIN) ./cmd/apiary

## test: formatting, vet, race tests of the core, the whole suite on SQLite,
## and on PostgreSQL / MySQL when APIARY_TEST_POSTGRES / APIARY_TEST_MYSQL are set
test: fmt-check vet test-race test-sqlite test-postgres test-mysql

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

## bench: Go benchmarks of the core packages (figures go to docs/benchmarks.md)
bench:
	APIARY_TEST_DB=sqlite $(GO) test -run '^$$' -bench . -benchmem ./resource/... ./test/...

clean:
	rm -rf bin
