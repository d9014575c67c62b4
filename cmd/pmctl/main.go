// Command pmctl controls pm: it checks and converts unit files without a
// daemon, and drives pmd. Invoked as "systemctl", it behaves as systemctl for
// the verbs it knows.
package main

import "os"

func main() {
	os.Exit(run(os.Args, os.Stdout, os.Stderr))
}
