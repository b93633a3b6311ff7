package dav

import (
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"testing"

	"github.com/apiary/apiary/test/testserver"
)

// litmusSuites are the suites the issue asks about, with the number of
// tests each is known to pass (docs/compatibility.md); a regression below
// these figures fails the test.
var litmusSuites = []struct {
	name string
	min  int
}{
	{"basic", 16},
	{"copymove", 13},
	{"props", 30},
	{"locks", 41},
}

var litmusSummary = regexp.MustCompile(`<- summary for \x60(\w+)': of (\d+) tests run: (\d+) passed, (\d+) failed`)

func testLitmus(t *testing.T, s *testserver.Server) {
	bin := needClient(t, "litmus")
	u := newUser(t, s, "lit")
	for _, suite := range litmusSuites {
		t.Run(suite.name, func(t *testing.T) {
			cmd := exec.Command(bin, s.URL+u.home(), u.email, u.pass)
			cmd.Env = append(os.Environ(), "TESTS="+suite.name)
			cmd.Dir = t.TempDir() // litmus writes debug.log into its working folder
			out, _ := cmd.CombinedOutput()
			m := litmusSummary.FindStringSubmatch(string(out))
			if os.Getenv("DAV_LITMUS_LOG") != "" {
				t.Logf("%s", out)
			}
			if m == nil {
				t.Fatalf("no litmus summary for %s:\n%s", suite.name, out)
			}
			t.Logf("litmus %s", m[0])
			if passed, _ := strconv.Atoi(m[3]); passed < suite.min {
				t.Fatalf("litmus %s: %s of %s passed, want at least %d:\n%s", suite.name, m[3], m[2], suite.min, out)
			}
		})
	}
}
