// Package manager is pm's supervision engine: it starts, watches and stops
// the processes of units with systemd's semantics.
//
// One goroutine owns all unit state, the job queue and the pid→unit map; it
// forks and it reaps. Everything else sends events into that loop and reads
// immutable snapshots the loop publishes. State machines are pure functions
// from (state, event) to (state, actions); the loop performs the actions.
package manager
