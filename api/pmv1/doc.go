// Package pmv1 is the generated code of pm's gRPC API (pm.proto, protobuf
// package pm.v1). `make proto` regenerates it; never edit it by hand.
package pmv1
