// Package statemachine holds the rules of state tracking (contract core.md
// §11.1) with no storage: which tables and columns a tracked type uses
// (Resolve), a machine's events as its smd row stores them (ParseEvents),
// its initial state (Initial) and whether an event may fire from the
// current state and where it leads (Fire). The resource layer applies
// them inside its transactions (resource/statemachine.go: loading rows,
// permission checks, the optimistic lock, audit rows and change events).
//
// It may import schema only; refusals are *Error, which the resource layer
// answers as a bad request.
package statemachine
