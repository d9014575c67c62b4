// Package client connects Go programs to pmd's gRPC API: over pmd's unix
// socket by default, or over TCP (with TLS unless the address is
// loopback). The generated pmv1.PMClient does the rest.
package client
