package dav

import (
	"testing"

	"github.com/apiary/apiary/test/testserver"
)

func testserverStartPlain(t testing.TB) *testserver.Server { return testserver.Start(t) }
