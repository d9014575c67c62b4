// Package archtest holds tests that enforce the shape of the repository:
// the import direction of DESIGN.md and one package doc comment per
// package. It has no non-test code.
package archtest
