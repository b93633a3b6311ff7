package db

import (
	"errors"
	"fmt"
)

// ErrNotFound reports that a query expected a row and found none (sql.ErrNoRows).
var ErrNotFound = errors.New("db: not found")

// ErrConflict reports a unique or primary-key violation, so callers can answer 409.
var ErrConflict = errors.New("db: unique constraint violated")

// ErrNotNull reports that a NOT NULL column was given no value.
var ErrNotNull = errors.New("db: not-null constraint violated")

// ErrForeignKey reports that a write would break a foreign-key reference.
var ErrForeignKey = errors.New("db: foreign-key constraint violated")

// ErrBusy reports a deadlock, lock timeout or SQLITE_BUSY; the transaction may be retried.
var ErrBusy = errors.New("db: database busy or deadlocked")

// sentinels lists every error MapError can produce, to avoid wrapping twice.
var sentinels = [...]error{ErrNotFound, ErrConflict, ErrNotNull, ErrForeignKey, ErrBusy}

// wrapAs returns err with sentinel in front of it; both stay in the chain for errors.Is/As.
func wrapAs(sentinel, err error) error {
	return fmt.Errorf("%w: %w", sentinel, err)
}

// alreadyMapped reports whether err already carries one of the sentinels.
func alreadyMapped(err error) bool {
	for _, s := range sentinels {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}
