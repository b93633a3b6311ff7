// Package aggregate is the aggregate query compiler of the resource layer
// (contract core.md §8): the lexer and parser of the query language
// (lex.go, parse.go), compiling expressions to each dialect's SQL
// (funcs.go, where.go), building one GROUP BY statement with the caller's
// row read predicate in it (build.go), the grouping plan (plan.go) and
// running it with foreign keys and first/last values resolved (run.go).
//
// It knows nothing of permissions or transactions: the resource layer
// passes a Host (gates, read predicate, typed values, a reader) and turns
// the result maps into rows. It may import schema, storage/db and
// resource/internal/sqlval; it must not import resource.
package aggregate
