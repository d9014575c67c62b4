package manager

import (
	"os"
	"testing"
)

// TestMain lets the test binary play the two other programs the exec tests
// start: pmd's exec helper, and a service that reports how it was started.
func TestMain(m *testing.M) {
	InitExec()
	execTestChildMain()
	os.Exit(m.Run())
}
