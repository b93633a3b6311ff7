// Package pipeline owns the one producer/consumer loop of Apiary: a
// producer goroutine fills a fixed set of reusable buffers while the
// caller's goroutine consumes them in order (bulk import reads and
// converts a file while batches are written; export streaming reads pages
// while rows are written out). It imports only the standard library.
package pipeline
