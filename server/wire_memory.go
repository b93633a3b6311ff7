package server

import (
	"runtime/debug"

	"github.com/apiary/apiary/internal/memtrim"
)

// settle runs once, shortly after the listeners started: it returns the
// start-up garbage to the system and unmaps the binary's code and
// read-only data that package initialisation and start-up made resident
// (internal/memtrim); what the server runs afterwards is mapped again on
// first use, from the page cache.
func (s *Server) settle() {
	debug.FreeOSMemory()
	n, err := memtrim.Release()
	if err != nil {
		s.log.Warn("could not release start-up pages", "component", "memory", "error", err)
		return
	}
	s.log.Debug("released start-up pages", "component", "memory", "bytes", n)
}
