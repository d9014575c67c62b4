package api

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os"
	"os/user"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/peer"
)

// Who may change things:
//
//   - over the unix socket: root, the user pmd runs as, and members of
//     the API group (primary or supplementary), by the peer's credentials
//     (SO_PEERCRED) taken when it connects;
//   - over TCP: peers that presented a client certificate verified by the
//     client CA (mutual TLS); plaintext TCP peers only when pmd runs with
//     --insecure-tcp, since nothing tells who they are.
//
// Everyone who can connect may call the read-only RPCs.

// readOnly lists the methods anyone who can connect may call.
var readOnly = map[string]bool{
	"List": true, "Describe": true, "Show": true, "Cat": true, "ListDependencies": true,
	"Stats": true, "ListJobs": true, "SystemStatus": true, "IsEnabled": true,
	"ListUnitFiles": true, "GetDefault": true, "Watch": true, "Logs": true,
}

// openServices are services whose every method is read-only.
var openServices = map[string]bool{
	"grpc.health.v1.Health":                    true,
	"grpc.reflection.v1.ServerReflection":      true,
	"grpc.reflection.v1alpha.ServerReflection": true,
}

// IsReadOnly reports whether a full method name ("/pm.v1.PM/List") is
// open to every peer.
func IsReadOnly(fullMethod string) bool {
	svc, method, ok := strings.Cut(strings.TrimPrefix(fullMethod, "/"), "/")
	if !ok {
		return false
	}
	if openServices[svc] {
		return true
	}
	return svc == "pm.v1.PM" && readOnly[method]
}

// Policy says who may call the RPCs that change things.
type Policy struct {
	// OwnUID is pmd's user: it may change things.
	OwnUID uint32
	// GroupID is the API group; HasGroup says there is one.
	GroupID  uint32
	HasGroup bool
	// GroupName names the group in messages.
	GroupName string
	// InsecureTCP lets plaintext TCP peers change things.
	InsecureTCP bool
}

// PeerInfo is the AuthInfo pm attaches to each connection.
type PeerInfo struct {
	credentials.CommonAuthInfo
	// Transport is "unix", "tcp" (plaintext) or "tls".
	Transport string
	// UID, GID and PID are the peer's credentials on the unix socket.
	UID, GID uint32
	PID      int32
	// Groups are the peer's supplementary groups.
	Groups []uint32
	// TLS is the TLS state of a TLS connection.
	TLS *credentials.TLSInfo
	// Verified: the peer presented a client certificate the client CA
	// verified.
	Verified bool
	// Privileged: the peer may change things.
	Privileged bool
}

// AuthType names the transport.
func (p PeerInfo) AuthType() string { return "pm-" + p.Transport }

// who describes the peer for messages.
func (p PeerInfo) who() string {
	switch p.Transport {
	case "unix":
		name := strconv.FormatUint(uint64(p.UID), 10)
		if u, err := user.LookupId(name); err == nil {
			return fmt.Sprintf("user %s (uid %d)", u.Username, p.UID)
		}
		return "uid " + name
	case "tls":
		return "a TLS client without a verified certificate"
	}
	return "a plaintext TCP client"
}

// creds is the server's transport security: peer credentials on the unix
// socket, TLS (if configured) or plaintext on TCP.
type creds struct {
	tls    credentials.TransportCredentials // nil: plaintext TCP
	policy Policy
}

func (c *creds) ClientHandshake(context.Context, string, net.Conn) (net.Conn, credentials.AuthInfo, error) {
	return nil, nil, errors.New("pm: server-side credentials only")
}

func (c *creds) ServerHandshake(conn net.Conn) (net.Conn, credentials.AuthInfo, error) {
	if uc, ok := conn.(*net.UnixConn); ok {
		p, err := unixPeer(uc)
		if err != nil {
			return nil, nil, err
		}
		p.Privileged = c.policy.allows(p)
		return conn, p, nil
	}
	if c.tls == nil {
		p := PeerInfo{CommonAuthInfo: credentials.CommonAuthInfo{SecurityLevel: credentials.NoSecurity},
			Transport: "tcp", Privileged: c.policy.InsecureTCP}
		return conn, p, nil
	}
	tconn, ai, err := c.tls.ServerHandshake(conn)
	if err != nil {
		return nil, nil, err
	}
	p := PeerInfo{CommonAuthInfo: credentials.CommonAuthInfo{SecurityLevel: credentials.PrivacyAndIntegrity}, Transport: "tls"}
	if ti, ok := ai.(credentials.TLSInfo); ok {
		p.TLS = &ti
		p.Verified = len(ti.State.VerifiedChains) > 0
	}
	p.Privileged = p.Verified
	return tconn, p, nil
}

func (c *creds) Info() credentials.ProtocolInfo {
	if c.tls != nil {
		return c.tls.Info()
	}
	return credentials.ProtocolInfo{SecurityProtocol: "pm"}
}

func (c *creds) Clone() credentials.TransportCredentials {
	n := *c
	if c.tls != nil {
		n.tls = c.tls.Clone()
	}
	return &n
}

// OverrideServerName is part of the interface; servers have no name to
// override.
func (c *creds) OverrideServerName(string) error { return nil }

// newCreds returns the server credentials; tlsCfg nil means plaintext
// TCP.
func newCreds(tlsCfg *tls.Config, p Policy) *creds {
	c := &creds{policy: p}
	if tlsCfg != nil {
		c.tls = credentials.NewTLS(tlsCfg)
	}
	return c
}

// unixPeer reads the peer's credentials and groups.
func unixPeer(uc *net.UnixConn) (PeerInfo, error) {
	p := PeerInfo{CommonAuthInfo: credentials.CommonAuthInfo{SecurityLevel: credentials.PrivacyAndIntegrity}, Transport: "unix"}
	raw, err := uc.SyscallConn()
	if err != nil {
		return p, err
	}
	var ucred *unix.Ucred
	var serr error
	if err := raw.Control(func(fd uintptr) {
		ucred, serr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
	}); err != nil {
		return p, err
	}
	if serr != nil {
		return p, fmt.Errorf("peer credentials: %w", serr)
	}
	p.UID, p.GID, p.PID = ucred.Uid, ucred.Gid, ucred.Pid
	p.Groups = peerGroups(ucred)
	return p, nil
}

// peerGroups returns the supplementary groups of the peer process, from
// /proc/PID/status; if the process cannot be seen there (another PID
// namespace), those of its user.
func peerGroups(c *unix.Ucred) []uint32 {
	if c.Pid > 0 {
		if gs, err := procGroups(int(c.Pid)); err == nil {
			return gs
		}
	}
	u, err := user.LookupId(strconv.FormatUint(uint64(c.Uid), 10))
	if err != nil {
		return nil
	}
	ids, err := u.GroupIds()
	if err != nil {
		return nil
	}
	var out []uint32
	for _, id := range ids {
		if n, err := strconv.ParseUint(id, 10, 32); err == nil {
			out = append(out, uint32(n))
		}
	}
	return out
}

func procGroups(pid int) ([]uint32, error) {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "Groups:")
		if !ok {
			continue
		}
		var out []uint32
		for _, w := range strings.Fields(rest) {
			n, err := strconv.ParseUint(w, 10, 32)
			if err != nil {
				return nil, fmt.Errorf("groups of %d: %w", pid, err)
			}
			out = append(out, uint32(n))
		}
		return out, nil
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return nil, fmt.Errorf("groups of %d: no Groups: line", pid)
}

// allows decides for a unix socket peer.
func (p Policy) allows(peer PeerInfo) bool {
	if peer.UID == 0 || peer.UID == p.OwnUID {
		return true
	}
	if !p.HasGroup {
		return false
	}
	if peer.GID == p.GroupID {
		return true
	}
	for _, g := range peer.Groups {
		if g == p.GroupID {
			return true
		}
	}
	return false
}

// denied is the PermissionDenied status for a peer.
func (p Policy) denied(peer PeerInfo, method string) error {
	var may string
	switch peer.Transport {
	case "unix":
		may = fmt.Sprintf("root or uid %d", p.OwnUID)
		if p.HasGroup {
			may += fmt.Sprintf(" or members of group %s", p.GroupName)
		}
	default:
		may = "TCP clients with a client certificate verified by pmd's client CA (mutual TLS)"
	}
	m := method[strings.LastIndexByte(method, '/')+1:]
	return errStatus(codes.PermissionDenied, ReasonPermissionDenied,
		fmt.Sprintf("Permission denied: %s may only read; %s needs %s.", peer.who(), m, may), "method", m)
}

// authorize checks a call against the policy.
func (s *Server) authorize(ctx context.Context, method string, p Policy) error {
	if s.isStopping() && !strings.HasPrefix(method, "/grpc.health.v1.Health/") {
		return shuttingDown()
	}
	if IsReadOnly(method) {
		return nil
	}
	pr, ok := peer.FromContext(ctx)
	if !ok {
		return errStatus(codes.PermissionDenied, ReasonPermissionDenied, "Permission denied: unknown peer.")
	}
	info, ok := pr.AuthInfo.(PeerInfo)
	if !ok {
		return errStatus(codes.PermissionDenied, ReasonPermissionDenied, "Permission denied: unknown transport.")
	}
	if !info.Privileged {
		return p.denied(info, method)
	}
	return nil
}

// interceptors returns the server options that apply the policy.
func (s *Server) interceptors(p Policy) []grpc.ServerOption {
	unary := func(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
		if err := s.authorize(ctx, info.FullMethod, p); err != nil {
			return nil, err
		}
		return h(ctx, req)
	}
	stream := func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) error {
		if err := s.authorize(ss.Context(), info.FullMethod, p); err != nil {
			return err
		}
		return h(srv, ss)
	}
	return []grpc.ServerOption{grpc.UnaryInterceptor(unary), grpc.StreamInterceptor(stream)}
}
