// Package connector turns OpenAPI v2/v3 specifications (rows of the
// integration table, contract sidecars.md §10.4) into providers whose
// operations can be called: it refuses hostile specs (external $refs,
// reference cycles, oversized documents), lists operations with their
// inputs, and calls upstream with the configured authentication under a
// timeout and a response size cap. Secrets stay inside the package: no
// exported value carries them.
package connector
