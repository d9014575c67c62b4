package api

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/reflection"

	"github.com/pm-project/pm/api/client"
	"github.com/pm-project/pm/api/pmv1"
)

// Transport says where the API listens and who may change things.
type Transport struct {
	// Socket is the unix socket's path; "" means none.
	Socket string
	// TCP is "host:port" of a TCP listener; "" means none.
	TCP string
	// TLSCert and TLSKey turn on TLS for TCP; TLSClientCA turns on mutual
	// TLS (clients must present a certificate it verifies).
	TLSCert, TLSKey, TLSClientCA string
	// InsecureTCP allows plaintext TCP on a non-loopback address, and lets
	// plaintext TCP peers change things.
	InsecureTCP bool
	// Group is the API group (name or number): its members may change
	// things over the unix socket. "" means none.
	Group string
}

// ErrInsecureTCP refuses plaintext TCP on a non-loopback address.
var ErrInsecureTCP = errors.New("plaintext TCP on a non-loopback address is refused: give --tls-cert and --tls-key, or --insecure-tcp")

// Listener serves a Server on its sockets.
type Listener struct {
	srv    *Server
	grpc   *grpc.Server
	health *health.Server
	lis    []net.Listener
	socket string
	wg     sync.WaitGroup
	log    func(msg string, args ...any)
}

// Listen opens the sockets of t for s. It refuses plaintext TCP on a
// non-loopback address unless t.InsecureTCP, and a TLS setup that does
// not load.
func Listen(s *Server, t Transport) (*Listener, error) {
	if t.Socket == "" && t.TCP == "" {
		return nil, errors.New("no socket and no TCP address to listen on")
	}
	policy := Policy{OwnUID: uint32(os.Getuid()), InsecureTCP: t.InsecureTCP}
	if t.Group != "" {
		g, err := lookupGroup(t.Group)
		if err != nil {
			return nil, err
		}
		policy.GroupID, policy.HasGroup, policy.GroupName = g, true, t.Group
	}
	var tlsCfg *tls.Config
	if t.TCP != "" {
		host, _, err := net.SplitHostPort(t.TCP)
		if err != nil {
			return nil, fmt.Errorf("TCP address %q: %w", t.TCP, err)
		}
		if tlsCfg, err = t.tlsConfig(); err != nil {
			return nil, err
		}
		if tlsCfg == nil && !client.IsLoopback(host) && !t.InsecureTCP {
			return nil, fmt.Errorf("%s: %w", t.TCP, ErrInsecureTCP)
		}
	}
	l := &Listener{srv: s, health: health.NewServer(), log: s.log.Warn}
	opts := append([]grpc.ServerOption{grpc.Creds(newCreds(tlsCfg, policy))}, s.interceptors(policy)...)
	l.grpc = grpc.NewServer(opts...)
	pmv1.RegisterPMServer(l.grpc, s)
	healthpb.RegisterHealthServer(l.grpc, l.health)
	reflection.Register(l.grpc)
	if t.Socket != "" {
		ul, err := listenUnix(t.Socket)
		if err != nil {
			return nil, err
		}
		l.lis = append(l.lis, ul)
		l.socket = t.Socket
	}
	if t.TCP != "" {
		tl, err := net.Listen("tcp", t.TCP)
		if err != nil {
			l.closeAll()
			return nil, fmt.Errorf("listen on %s: %w", t.TCP, err)
		}
		l.lis = append(l.lis, tl)
	}
	return l, nil
}

func (l *Listener) closeAll() {
	for _, x := range l.lis {
		x.Close()
	}
}

// Addrs returns where the listener listens: the socket path and the TCP
// address (with the port chosen, for port 0).
func (l *Listener) Addrs() []string {
	var out []string
	for _, x := range l.lis {
		out = append(out, x.Addr().String())
	}
	return out
}

// Serve starts serving in the background and marks the service as
// serving in the health service.
func (l *Listener) Serve() {
	l.health.SetServingStatus("", healthpb.HealthCheckResponse_SERVING)
	l.health.SetServingStatus(pmv1.PM_ServiceDesc.ServiceName, healthpb.HealthCheckResponse_SERVING)
	for _, x := range l.lis {
		l.wg.Add(1)
		go func(x net.Listener) {
			defer l.wg.Done()
			if err := l.grpc.Serve(x); err != nil && !errors.Is(err, grpc.ErrServerStopped) {
				l.log("API listener stopped", "addr", x.Addr().String(), "err", err)
			}
		}(x)
	}
}

// Stop marks the service NOT_SERVING, ends the streams and the calls that
// wait for jobs with Unavailable (SHUTTING_DOWN), waits up to grace for
// the calls under way, and closes the sockets (the unix socket file is
// removed).
func (l *Listener) Stop(grace time.Duration) {
	l.health.Shutdown()
	l.srv.BeginShutdown()
	done := make(chan struct{})
	go func() {
		l.grpc.GracefulStop()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(grace):
		l.grpc.Stop()
		<-done
	}
	l.wg.Wait()
	if l.socket != "" {
		// Closing the listener unlinks the socket; this catches the case
		// where Serve never ran.
		if fi, err := os.Lstat(l.socket); err == nil && fi.Mode()&os.ModeSocket != 0 {
			os.Remove(l.socket)
		}
	}
}

// listenUnix creates the unix socket: its directory (0755) if missing,
// a stale socket from an earlier run removed, the socket 0666.
func listenUnix(path string) (net.Listener, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("socket directory: %w", err)
	}
	if fi, err := os.Lstat(path); err == nil {
		if fi.Mode()&os.ModeSocket == 0 {
			return nil, fmt.Errorf("%s exists and is not a socket", path)
		}
		if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
			c.Close()
			return nil, fmt.Errorf("%s: another pmd is listening there", path)
		}
		if err := os.Remove(path); err != nil {
			return nil, fmt.Errorf("remove stale socket: %w", err)
		}
	}
	ul, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", path, err)
	}
	// Every local user may connect: the read-only RPCs are open to all,
	// and the interceptor checks the peer's credentials for the others.
	// chmod after bind, so that the umask does not matter.
	if err := os.Chmod(path, 0o666); err != nil {
		ul.Close()
		return nil, fmt.Errorf("socket mode: %w", err)
	}
	return ul, nil
}

// tlsConfig loads the TLS files; nil without a certificate.
func (t Transport) tlsConfig() (*tls.Config, error) {
	if t.TLSCert == "" && t.TLSKey == "" {
		if t.TLSClientCA != "" {
			return nil, errors.New("--tls-client-ca needs --tls-cert and --tls-key")
		}
		return nil, nil
	}
	if t.TLSCert == "" || t.TLSKey == "" {
		return nil, errors.New("TLS needs both --tls-cert and --tls-key")
	}
	cert, err := tls.LoadX509KeyPair(t.TLSCert, t.TLSKey)
	if err != nil {
		return nil, fmt.Errorf("TLS certificate: %w", err)
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	if t.TLSClientCA != "" {
		pool, err := client.LoadCertPool(t.TLSClientCA, "client CA")
		if err != nil {
			return nil, err
		}
		cfg.ClientCAs = pool
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
	}
	return cfg, nil
}

// lookupGroup resolves a group name or number.
func lookupGroup(g string) (uint32, error) {
	if n, err := strconv.ParseUint(g, 10, 32); err == nil {
		return uint32(n), nil
	}
	grp, err := user.LookupGroup(g)
	if err != nil {
		return 0, fmt.Errorf("API group: %w", err)
	}
	n, err := strconv.ParseUint(grp.Gid, 10, 32)
	if err != nil {
		return 0, fmt.Errorf("API group %s: gid %q: %w", g, grp.Gid, err)
	}
	return uint32(n), nil
}
