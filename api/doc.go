// Package api is pm's gRPC service (protobuf package pm.v1), used by pmctl
// and by programs. Server implements pmv1.PMServer on a manager.Manager:
// it maps requests to the manager's calls (UnitSpec fields to unit-file
// directives, job verbs to jobs) and manager errors to gRPC status codes
// with a google.rpc.ErrorInfo (domain "pm.v1") and, for bad fields, a
// google.rpc.BadRequest naming them.
//
// Listener serves a Server on a unix socket and, optionally, TCP (TLS or
// loopback plaintext), with the health and reflection services. Who may
// change things is decided per connection: on the unix socket by the
// peer's credentials (SO_PEERCRED), on TCP by a verified client
// certificate; everyone who can connect may read. docs/api.md describes
// the API, the transport and the access rules.
//
// Show reads the property table the D-Bus front door serves
// (internal/unitprops, with the types systemd's D-Bus API gives them);
// show.go formats the values as systemctl show does.
package api
