// Package api is pm's gRPC service (protobuf package pm.v1), used by pmctl
// and by programs. It maps manager errors to gRPC status codes.
package api
