package dbus

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"github.com/pm-project/pm/install"
	"github.com/pm-project/pm/manager"
)

// Options configure a Server. Every path is an option, so that tests run
// it inside a private mount namespace.
type Options struct {
	// PrivateSocket is where the peer-to-peer socket listens
	// (/run/systemd/private); "" serves none.
	PrivateSocket string
	// SystemBus is the address of the system bus to own
	// org.freedesktop.systemd1 on ("unix:path=/run/dbus/system_bus_socket");
	// "" connects to none.
	SystemBus string
	// MaxConnections caps the private socket's concurrent connections;
	// 0 means systemd's 4096.
	MaxConnections int
	// Group names a group (or gid) whose members may change state over
	// the bus, besides root and pmd's own user; "" allows no group.
	Group string
	// Root is the root directory of the unit files the unit-file methods
	// (enable, disable, mask, …) work on ("/" for the host's); "" turns
	// those methods off, for a manager whose units are elsewhere.
	Root string
	// UnitPath is the manager's unit search path, shown as UnitPath.
	UnitPath []string
	// Logger receives the server's log; nil discards it.
	Logger *slog.Logger
}

// Limits of the private socket.
const (
	// defaultMaxConnections is systemd's CONNECTIONS_MAX.
	defaultMaxConnections = 4096
	// handshakeTimeout bounds the authentication of a new peer.
	handshakeTimeout = 5 * time.Second
	// busRetry is how long pmd waits before connecting to the system
	// bus again after losing it.
	busRetry = 2 * time.Second
)

// Server serves org.freedesktop.systemd1 for a manager.
type Server struct {
	m         *manager.Manager
	opts      Options
	log       *slog.Logger
	install   *install.Lookup
	guid      string
	machineID string
	started   time.Time
	allowGID  int // -1: no group

	managerIface, unitIface, jobIface, propsIface, introspectIface, driverIface *iface

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	pumped chan struct{}

	mu    sync.Mutex // guards conns, ln and bus
	conns map[*conn]struct{}
	ln    net.Listener
	bus   *conn

	knownMu  sync.Mutex // guards known
	known    map[string]bool
	fakeJobs atomic.Uint32
	peers    atomic.Uint64 // numbers the private peers' pretend unique names
}

// newDriverIface is the little of org.freedesktop.DBus a private
// connection answers: clients written for a bus say Hello (busctl
// --address) and add match rules (go-systemd) even on a direct
// connection. Matching is theirs: every signal is sent anyway.
func (s *Server) newDriverIface() *iface {
	return newIface(ifaceDBus, []method{
		{name: "Hello", out: "s", fn: func(*request) (reply, error) {
			return ret("s", fmt.Sprintf(":1.%d", s.peers.Add(1))), nil
		}},
		{name: "AddMatch", in: "s", fn: noop},
		{name: "RemoveMatch", in: "s", fn: noop},
		{name: "GetId", out: "s", fn: func(*request) (reply, error) { return ret("s", s.guid), nil }},
	})
}

// New makes a server for m; Start starts it.
func New(m *manager.Manager, o Options) (*Server, error) {
	if o.MaxConnections <= 0 {
		o.MaxConnections = defaultMaxConnections
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	var lookup *install.Lookup
	if o.Root != "" {
		l, err := install.New(o.Root)
		if err != nil {
			return nil, fmt.Errorf("dbus: unit file root: %w", err)
		}
		l.Warn = func(msg string) { o.Logger.Warn("dbus: " + msg) }
		lookup = l
	}
	gid, err := -1, error(nil)
	if o.Group != "" {
		if gid, err = lookupGroup(o.Group); err != nil {
			return nil, err
		}
	}
	var g [16]byte
	if _, err := rand.Read(g[:]); err != nil {
		return nil, fmt.Errorf("dbus: %w", err)
	}
	s := &Server{
		m: m, opts: o, log: o.Logger, install: lookup, guid: hex.EncodeToString(g[:]),
		machineID: machineID(), started: time.Now(), allowGID: gid,
		conns: map[*conn]struct{}{}, known: map[string]bool{}, pumped: make(chan struct{}),
	}
	s.managerIface = s.newManagerIface()
	s.unitIface = s.newUnitIface()
	s.jobIface = s.newJobIface()
	s.propsIface = s.newPropsIface()
	s.introspectIface = newIface(ifaceIntrospect, []method{{name: "Introspect", out: "s", fn: s.introspect}})
	s.driverIface = s.newDriverIface()
	return s, nil
}

func lookupGroup(name string) (int, error) {
	g, err := user.LookupGroup(name)
	if err != nil {
		if g, err = user.LookupGroupId(name); err != nil {
			return -1, fmt.Errorf("dbus: group %s: %w", name, err)
		}
	}
	return strconv.Atoi(g.Gid)
}

func machineID() string {
	for _, p := range []string{"/etc/machine-id", "/var/lib/dbus/machine-id"} {
		if b, err := os.ReadFile(p); err == nil {
			if id := strings.TrimSpace(string(b)); len(id) == 32 {
				return id
			}
		}
	}
	return strings.Repeat("0", 32)
}

// Start listens on the private socket and connects to the system bus as
// configured, and starts sending signals. It returns once the socket
// listens and pmd owns its name on the bus.
func (s *Server) Start(ctx context.Context) error {
	s.ctx, s.cancel = context.WithCancel(ctx)
	s.unitsChanged() // what exists now is not new
	events, cancel := s.m.Subscribe()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		<-s.ctx.Done()
		cancel()
	}()
	go s.pump(events)
	if s.opts.PrivateSocket != "" {
		if err := s.listen(); err != nil {
			s.Close()
			return err
		}
	}
	if s.opts.SystemBus != "" {
		bus, err := s.connectBus()
		if err != nil {
			s.Close()
			return err
		}
		s.wg.Add(1)
		go s.keepBus(bus)
	}
	return nil
}

// Close stops serving: the socket and every connection are closed.
func (s *Server) Close() {
	if s.cancel == nil {
		return
	}
	s.cancel()
	s.mu.Lock()
	if s.ln != nil {
		s.ln.Close()
		_ = os.Remove(s.opts.PrivateSocket)
		s.ln = nil
	}
	conns := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.close()
	}
	s.wg.Wait()
	<-s.pumped
}

func (s *Server) listen() error {
	p := s.opts.PrivateSocket
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("dbus: %w", err)
	}
	if fi, err := os.Lstat(p); err == nil && fi.Mode()&os.ModeSocket != 0 {
		// A socket someone answers on belongs to a running manager
		// (systemd on a host): never take it over.
		if c, err := net.DialTimeout("unix", p, time.Second); err == nil {
			c.Close()
			return fmt.Errorf("dbus: %s is in use by another service manager (is systemd running?); pmd does not take it over: choose another path with --dbus-private-socket, or --no-dbus-private-socket", p)
		}
		_ = os.Remove(p) // a stale socket of an earlier run
	}
	ln, err := net.Listen("unix", p)
	if err != nil {
		return fmt.Errorf("dbus: %w", err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	// Only root may connect, as in systemd (which binds with umask 077);
	// the peer's uid is checked too.
	if err := os.Chmod(p, 0o600); err != nil {
		ln.Close()
		return fmt.Errorf("dbus: %w", err)
	}
	s.mu.Lock()
	s.ln = ln
	s.mu.Unlock()
	s.wg.Add(1)
	go s.accept(ln)
	return nil
}

func (s *Server) accept(ln net.Listener) {
	defer s.wg.Done()
	for {
		nc, err := ln.Accept()
		if err != nil {
			if s.ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return
			}
			s.log.Warn("dbus: accept failed", "err", err)
			select {
			case <-time.After(100 * time.Millisecond):
			case <-s.ctx.Done():
				return
			}
			continue
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.serveConn(nc.(*net.UnixConn))
		}()
	}
}

// serveConn checks a new peer, authenticates it and serves it.
func (s *Server) serveConn(nc *net.UnixConn) {
	cred, err := peerCredentials(nc)
	if err != nil || (cred.uid != 0 && cred.uid != os.Geteuid()) {
		s.log.Warn("dbus: refusing a private connection from an unprivileged client", "uid", cred.uid, "pid", cred.pid, "err", err)
		nc.Close()
		return
	}
	br := bufio.NewReader(nc)
	_ = nc.SetDeadline(time.Now().Add(handshakeTimeout))
	if err := serverAuth(br, nc, cred.uid, s.guid); err != nil {
		s.log.Debug("dbus: handshake failed", "pid", cred.pid, "err", err)
		nc.Close()
		return
	}
	_ = nc.SetDeadline(time.Time{})
	c := newConn(s, nc, br, false, cred)
	if !s.add(c) {
		s.log.Warn("dbus: too many concurrent connections, refusing")
		nc.Close()
		return
	}
	c.run()
}

// add registers a connection, unless there are too many.
func (s *Server) add(c *conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ctx.Err() != nil {
		return false
	}
	if !c.bus && len(s.conns) >= s.opts.MaxConnections {
		return false
	}
	s.conns[c] = struct{}{}
	return true
}

// forget drops a closed connection.
func (s *Server) forget(c *conn) {
	s.mu.Lock()
	delete(s.conns, c)
	if s.bus == c {
		s.bus = nil
	}
	s.mu.Unlock()
}

func peerCredentials(nc *net.UnixConn) (peerCred, error) {
	raw, err := nc.SyscallConn()
	if err != nil {
		return peerCred{uid: -1}, err
	}
	var uc *unix.Ucred
	var serr error
	if err := raw.Control(func(fd uintptr) {
		uc, serr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
	}); err != nil {
		return peerCred{uid: -1}, err
	}
	if serr != nil {
		return peerCred{uid: -1}, serr
	}
	return peerCred{pid: int(uc.Pid), uid: int(uc.Uid), gid: int(uc.Gid)}, nil
}

// authorize lets a caller change state: anyone on the private socket
// (root, checked at connect); on the bus root, pmd's user and members of
// the configured group.
func (s *Server) authorize(r *request) error {
	if !r.c.bus {
		return nil
	}
	uid, err := s.callerUID(r)
	if err != nil {
		return newErr(errAccessDenied, "Cannot determine the caller's identity: %v", err)
	}
	if uid == 0 || uid == os.Geteuid() || s.inGroup(uid) {
		return nil
	}
	return newErr(errAccessDenied, "Access denied")
}

func (s *Server) inGroup(uid int) bool {
	if s.allowGID < 0 {
		return false
	}
	u, err := user.LookupId(strconv.Itoa(uid))
	if err != nil {
		return false
	}
	gids, err := u.GroupIds()
	if err != nil {
		return false
	}
	want := strconv.Itoa(s.allowGID)
	for _, g := range append(gids, u.Gid) {
		if g == want {
			return true
		}
	}
	return false
}

// callerUID asks the bus who sent the request.
func (s *Server) callerUID(r *request) (int, error) {
	m, err := r.c.call(r.ctx, ifaceDBus, ifaceDBusPathLocal, ifaceDBus, "GetConnectionUnixUser", r.sender)
	if err != nil {
		return -1, err
	}
	uid, ok := m.Body[0].(uint32)
	if !ok || len(m.Body) != 1 {
		return -1, fmt.Errorf("bad reply to GetConnectionUnixUser")
	}
	return int(uid), nil
}

// callerPID is the pid of the process that sent the request.
func (s *Server) callerPID(r *request) (int, error) {
	if !r.c.bus {
		return r.c.peer.pid, nil
	}
	m, err := r.c.call(r.ctx, ifaceDBus, ifaceDBusPathLocal, ifaceDBus, "GetConnectionUnixProcessID", r.sender)
	if err != nil {
		return 0, toBusError(err, "")
	}
	pid, ok := m.Body[0].(uint32)
	if !ok {
		return 0, newErr(errFailed, "bad reply to GetConnectionUnixProcessID")
	}
	return int(pid), nil
}
