package client

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/pm-project/pm/api/pmv1"
)

// SystemSocket is the socket of the system pmd (run as root).
const SystemSocket = "/run/pm/pm.sock"

// SocketName is the socket's file name inside pmd's runtime directory.
const SocketName = "pm.sock"

// DefaultSocket returns the socket pmd listens on by default for the
// current user: SystemSocket for root; else $XDG_RUNTIME_DIR/pm/pm.sock
// (or $TMPDIR/pm-UID/pm/pm.sock without XDG_RUNTIME_DIR), as pmd's
// --runtime-dir default.
func DefaultSocket() string {
	if os.Geteuid() == 0 {
		return SystemSocket
	}
	return filepath.Join(UserRuntimeDir(os.Getenv), "pm", SocketName)
}

// UserRuntimeDir is $XDG_RUNTIME_DIR (as getenv reads it), or a per-user
// directory below the temporary directory when it is unset: pmd's runtime
// directory lies in it for a user who is not root.
func UserRuntimeDir(getenv func(string) string) string {
	if rt := getenv("XDG_RUNTIME_DIR"); rt != "" {
		return rt
	}
	return filepath.Join(os.TempDir(), fmt.Sprintf("pm-%d", os.Getuid()))
}

// Options say how to reach pmd. The zero value is DefaultSocket.
type Options struct {
	// Socket is the path of pmd's unix socket.
	Socket string
	// Address is "host:port" of a TCP listener; it takes precedence over
	// Socket.
	Address string
	// CAFile verifies the server's certificate; CertFile and KeyFile are
	// the client's certificate for mutual TLS. Any of them turns TLS on.
	CAFile, CertFile, KeyFile string
	// ServerName overrides the name checked in the server's certificate.
	ServerName string
	// Plaintext talks TCP without TLS (for loopback listeners).
	Plaintext bool
	// DialOptions are added to the ones Dial makes.
	DialOptions []grpc.DialOption
}

// Client is a connection to pmd.
type Client struct {
	pmv1.PMClient
	Health healthpb.HealthClient
	conn   *grpc.ClientConn
}

// Dial connects to pmd. The connection is made lazily: the first call
// reports a daemon that is not there.
func Dial(o Options) (*Client, error) {
	var (
		target string
		opts   []grpc.DialOption
	)
	switch {
	case o.Address != "":
		target = "passthrough:///" + o.Address
		creds, err := o.transport()
		if err != nil {
			return nil, err
		}
		opts = append(opts, grpc.WithTransportCredentials(creds))
	default:
		sock := o.Socket
		if sock == "" {
			sock = DefaultSocket()
		}
		target = "unix://" + sock
		if !filepath.IsAbs(sock) {
			abs, err := filepath.Abs(sock)
			if err != nil {
				return nil, fmt.Errorf("socket %s: %w", sock, err)
			}
			target = "unix://" + abs
		}
		opts = append(opts, grpc.WithTransportCredentials(insecure.NewCredentials()))
	}
	opts = append(opts, o.DialOptions...)
	conn, err := grpc.NewClient(target, opts...)
	if err != nil {
		return nil, fmt.Errorf("connect to pmd at %s: %w", strings.TrimPrefix(target, "passthrough:///"), err)
	}
	return &Client{PMClient: pmv1.NewPMClient(conn), Health: healthpb.NewHealthClient(conn), conn: conn}, nil
}

// transport returns the credentials for a TCP connection.
func (o Options) transport() (credentials.TransportCredentials, error) {
	if o.CAFile == "" && o.CertFile == "" && o.KeyFile == "" {
		if o.Plaintext || isLoopbackAddr(o.Address) {
			return insecure.NewCredentials(), nil
		}
		// Verify the server against the system's roots.
		return credentials.NewTLS(&tls.Config{ServerName: o.ServerName, MinVersion: tls.VersionTLS12}), nil
	}
	cfg := &tls.Config{ServerName: o.ServerName, MinVersion: tls.VersionTLS12}
	if o.CAFile != "" {
		pool, err := LoadCertPool(o.CAFile, "CA file")
		if err != nil {
			return nil, err
		}
		cfg.RootCAs = pool
	}
	if (o.CertFile == "") != (o.KeyFile == "") {
		return nil, errors.New("a client certificate needs both a certificate file and a key file")
	}
	if o.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(o.CertFile, o.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("client certificate: %w", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return credentials.NewTLS(cfg), nil
}

// LoadCertPool reads PEM certificates from path into a pool; what names
// the file in errors ("CA file", "client CA").
func LoadCertPool(path, what string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s %s: no PEM certificate in it", what, path)
	}
	return pool, nil
}

// IsLoopback reports whether host (a name or an address, without port) is
// on the loopback interface; "localhost" counts. pmd and its clients use it
// to decide whether plaintext TCP is acceptable.
func IsLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// isLoopbackAddr is IsLoopback of a "host:port" address.
func isLoopbackAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	return err == nil && IsLoopback(host)
}

// Close closes the connection.
func (c *Client) Close() error { return c.conn.Close() }

// Ping checks that pmd answers, with its health service.
func (c *Client) Ping(ctx context.Context) error {
	resp, err := c.Health.Check(ctx, &healthpb.HealthCheckRequest{})
	if err != nil {
		return err
	}
	if resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		return fmt.Errorf("pmd is %s", resp.GetStatus())
	}
	return nil
}
