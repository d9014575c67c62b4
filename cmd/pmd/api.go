package main

import (
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"strconv"
	"time"

	"github.com/spf13/pflag"

	"github.com/pm-project/pm/api"
	"github.com/pm-project/pm/api/client"
	"github.com/pm-project/pm/manager"
	"github.com/pm-project/pm/unit"
)

// apiOptions are the flags of the gRPC API.
type apiOptions struct {
	socket      string
	noSocket    bool
	tcp         bool
	port        int
	address     string
	tlsCert     string
	tlsKey      string
	tlsClientCA string
	insecureTCP bool
	group       string
	root        string
}

// version is pmd's version, reported by the API's SystemStatus.
const version = "0.1.0"

// apiGrace is how long the API waits for calls under way at shutdown.
const apiGrace = 5 * time.Second

func addAPIFlags(fs *pflag.FlagSet, a *apiOptions) {
	a.port, a.address = 50051, "127.0.0.1"
	fs.StringVar(&a.socket, "socket", "", "path of the API's unix socket (default RUNTIME-DIR/"+client.SocketName+")")
	fs.BoolVar(&a.noSocket, "no-socket", false, "do not listen on a unix socket")
	fs.BoolVar(&a.tcp, "tcp", false, "also listen on TCP (--grpc-address, --grpc-port)")
	fs.IntVar(&a.port, "grpc-port", a.port, "TCP port of the API, with --tcp")
	fs.StringVar(&a.address, "grpc-address", a.address, "TCP address of the API, with --tcp; a non-loopback address needs TLS or --insecure-tcp")
	fs.StringVar(&a.tlsCert, "tls-cert", "", "TLS certificate (PEM) of the TCP listener")
	fs.StringVar(&a.tlsKey, "tls-key", "", "TLS key (PEM) of the TCP listener")
	fs.StringVar(&a.tlsClientCA, "tls-client-ca", "", "CA (PEM) that verifies client certificates: turns on mutual TLS; verified clients may change things")
	fs.BoolVar(&a.insecureTCP, "insecure-tcp", false, "allow plaintext TCP on a non-loopback address, and let plaintext TCP clients change things (dangerous)")
	fs.StringVar(&a.group, "api-group", "", "group (name or number) whose members may change things over the unix socket, besides root and pmd's user")
	fs.StringVar(&a.root, "root", "", "root directory of the unit files: the unit path defaults to systemd's below it, and enable/disable/mask work below it")
}

// applyRoot makes the unit path systemd's below --root when no
// --unit-path was given.
func (o *options) applyRoot(unitPathSet bool) {
	if o.api.root == "" || unitPathSet {
		return
	}
	o.unitPath = nil
	for _, d := range unit.SystemUnitPath {
		o.unitPath = append(o.unitPath, filepath.Join(o.api.root, d))
	}
}

// unitFilesRoot is the root of the API's unit-file operations: --root;
// "/" for the system manager on systemd's own unit path; else none (the
// unit-file RPCs then say they need the system layout).
func (o *options) unitFilesRoot() string {
	switch {
	case o.api.root != "":
		return o.api.root
	case o.system && !o.unitPathSet:
		return "/"
	}
	return ""
}

// transport builds the API's listeners from the flags.
func (o *options) transport() api.Transport {
	t := api.Transport{
		TLSCert: o.api.tlsCert, TLSKey: o.api.tlsKey, TLSClientCA: o.api.tlsClientCA,
		InsecureTCP: o.api.insecureTCP, Group: o.api.group,
	}
	if !o.api.noSocket {
		t.Socket = o.api.socket
		if t.Socket == "" {
			t.Socket = filepath.Join(o.runtimeDir, client.SocketName)
		}
	}
	if o.api.tcp {
		t.TCP = net.JoinHostPort(o.api.address, strconv.Itoa(o.api.port))
	}
	return t
}

// checkTransport refuses a bad API setup before anything starts.
func (o *options) checkTransport() error {
	if o.api.tcp && (o.api.port < 0 || o.api.port > 65535) {
		return fmt.Errorf("--grpc-port %d: out of range", o.api.port)
	}
	t := o.transport()
	if t.Socket == "" && t.TCP == "" {
		return nil
	}
	if t.TCP != "" && t.TLSCert == "" && t.TLSKey == "" && !t.InsecureTCP {
		host := o.api.address
		if !client.IsLoopback(host) {
			return fmt.Errorf("--grpc-address %s: %w", host, api.ErrInsecureTCP)
		}
	}
	return nil
}

// startAPI opens the API's sockets and serves them. It returns nil when
// neither a socket nor TCP is wanted.
func startAPI(m *manager.Manager, log *slog.Logger, o options, started time.Time) (*api.Listener, error) {
	t := o.transport()
	if t.Socket == "" && t.TCP == "" {
		return nil, nil
	}
	srv, err := api.New(m, api.Options{
		Root: o.unitFilesRoot(), Version: version, DefaultTarget: o.defaultUnit,
		StartedAt: started, UnitPath: o.unitPath, Logger: log,
	})
	if err != nil {
		return nil, err
	}
	l, err := api.Listen(srv, t)
	if err != nil {
		return nil, err
	}
	if t.TCP != "" && t.TLSCert == "" {
		host, _, _ := net.SplitHostPort(t.TCP)
		if !client.IsLoopback(host) {
			log.Warn("!!! the API listens on plaintext TCP on a non-loopback address: anyone who can reach it can start, stop, create and delete units (--insecure-tcp) !!!", "addr", t.TCP)
		} else if t.InsecureTCP {
			log.Warn("plaintext TCP clients may change units (--insecure-tcp)", "addr", t.TCP)
		}
	}
	l.Serve()
	for _, a := range l.Addrs() {
		log.Info("API listening", "addr", a)
	}
	return l, nil
}
