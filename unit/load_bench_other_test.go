//go:build !unix

package unit

import "time"

// cpuTime is not measured here.
func cpuTime() time.Duration { return 0 }
