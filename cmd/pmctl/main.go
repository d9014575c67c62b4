// Command pmctl controls pm: it checks and converts unit files without a
// daemon, and drives pmd. Invoked as "systemctl", it behaves as systemctl for
// the verbs it knows.
package main

import (
	"os"
	"runtime/debug"
)

func main() {
	// pmctl lives for milliseconds: collecting garbage that the exit
	// frees anyway costs more than the memory it saves (about 15% of
	// "pmctl list" with 1000 units). $GOGC still decides when set.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	os.Exit(run(os.Args, os.Stdout, os.Stderr))
}
