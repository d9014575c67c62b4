// Package e2e runs pm's binaries as a user would: it builds pmd and pmctl
// once and drives them as real processes against temporary directories.
// It has no non-test code.
package e2e
