// Package missperf holds the end-to-end tests and in-process benchmarks of
// issue 15: lists that the read cache cannot answer (deep pages, any sort,
// a table that is being written to), creates on a process that has
// answered no read, cursor paging, and the query plans of the key list
// queries on SQLite, PostgreSQL and MySQL.
package missperf
