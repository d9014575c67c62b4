package manager

// The notify socket: services find it in $NOTIFY_SOCKET and send sd_notify
// datagrams to it. Reading runs in its own goroutine (serve), blocked in
// recvmsg on the netpoller, and hands each valid message to the loop.

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/pm-project/pm/compat"
)

// notifyRcvBuf is the receive buffer systemd asks for (NOTIFY_RCVBUF_SIZE),
// so that a burst of messages is not lost while the loop is busy.
const notifyRcvBuf = 8 << 20

// notifyDatagram is one accepted notification: the sender's credentials as
// the kernel reports them, the parsed message, and the descriptors it
// carried.
type notifyDatagram struct {
	PID, UID, GID int
	Msg           compat.Notify
	// FDs are the received descriptors (close-on-exec). The receiver owns
	// them and must close those it does not keep. Reach the descriptor
	// with SyscallConn, not Fd: Fd clears O_NONBLOCK, which the open file
	// shares with the service that sent it.
	FDs []*os.File
}

// notifySocket is the AF_UNIX datagram socket pmd reads sd_notify
// messages from.
type notifySocket struct {
	path string // as given: a file path or "@name" (abstract)
	f    *os.File
	raw  syscall.RawConn
	// log receives what systemd logs about dropped messages; the caller
	// may replace it before serve starts.
	log  *slog.Logger
	node os.FileInfo // the socket file we bound, nil when abstract

	closed    atomic.Bool
	closeOnce sync.Once
	closeErr  error

	// readMu is held from the moment serve has a datagram until it has
	// delivered it, and by receiveNow: when receiveNow returns, every
	// datagram that was on the socket has been delivered, none is half
	// way in serve.
	readMu sync.Mutex
}

// notifyListen creates the notify socket at path: an absolute file path
// whose parent directory exists (a stale socket file there is replaced), or
// "@name" for Linux's abstract namespace. The file gets mode 0777 so that
// services running as any user can send; the socket passes credentials
// (SO_PASSCRED) and is close-on-exec.
func notifyListen(path string) (*notifySocket, error) {
	abstract := strings.HasPrefix(path, "@")
	if !abstract {
		if !filepath.IsAbs(path) {
			return nil, fmt.Errorf("notify socket %q: path is not absolute", path)
		}
		if err := notifyRemoveStale(path); err != nil {
			return nil, err
		}
	}
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("notify socket: %w", err)
	}
	ok := false
	defer func() {
		if !ok {
			unix.Close(fd)
		}
	}()
	// Credentials identify the sender; set before bind so that no
	// datagram can arrive without them.
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_PASSCRED, 1); err != nil {
		return nil, fmt.Errorf("notify socket %s: SO_PASSCRED: %w", path, err)
	}
	notifyGrowRcvBuf(fd)
	if err := unix.Bind(fd, &unix.SockaddrUnix{Name: path}); err != nil {
		return nil, fmt.Errorf("notify socket: bind %s: %w", path, err)
	}
	s := &notifySocket{path: path, log: slog.New(slog.DiscardHandler)}
	if !abstract {
		// bind honours the umask; senders may run as any user.
		if err := os.Chmod(path, 0o777); err != nil {
			os.Remove(path)
			return nil, fmt.Errorf("notify socket: %w", err)
		}
		if s.node, err = os.Lstat(path); err != nil {
			os.Remove(path)
			return nil, fmt.Errorf("notify socket: %w", err)
		}
	}
	// The fd is non-blocking, so the File is registered with the
	// netpoller: serve sleeps in it and Close wakes it.
	s.f = os.NewFile(uintptr(fd), path)
	ok = true
	if s.raw, err = s.f.SyscallConn(); err != nil {
		s.Close()
		return nil, fmt.Errorf("notify socket %s: %w", path, err)
	}
	return s, nil
}

// notifyRemoveStale removes a socket file left at path by an earlier run.
// Anything else there is an error: it is not ours to delete.
func notifyRemoveStale(path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("notify socket: %w", err)
	}
	if fi.Mode().Type() != fs.ModeSocket {
		return fmt.Errorf("notify socket %s: exists and is not a socket", path)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("notify socket: removing stale socket: %w", err)
	}
	return nil
}

// notifyGrowRcvBuf raises the receive buffer as systemd's fd_increase_rxbuf
// does: SO_RCVBUF, then SO_RCVBUFFORCE past rmem_max when privileged. Best
// effort: failures leave the default.
func notifyGrowRcvBuf(fd int) {
	// The kernel reports twice the size asked for (bookkeeping overhead).
	if v, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUF); err == nil && v >= 2*notifyRcvBuf {
		return
	}
	if unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUF, notifyRcvBuf) != nil {
		return
	}
	if v, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUF); err == nil && v >= 2*notifyRcvBuf {
		return
	}
	_ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, notifyRcvBuf)
}

// Path is the address to put in $NOTIFY_SOCKET.
func (s *notifySocket) Path() string { return s.path }

// Close stops serve and removes the socket file (unless another socket has
// replaced it since). It does not wait for serve to return, so it is safe
// to call from the loop while serve is handing it a message.
func (s *notifySocket) Close() error {
	s.closeOnce.Do(func() {
		s.closed.Store(true)
		s.closeErr = s.f.Close()
		if s.node == nil {
			return
		}
		if fi, err := os.Lstat(s.path); err == nil && os.SameFile(fi, s.node) {
			if err := os.Remove(s.path); err != nil && !errors.Is(err, fs.ErrNotExist) && s.closeErr == nil {
				s.closeErr = fmt.Errorf("notify socket: %w", err)
			}
		}
	})
	return s.closeErr
}

// serve reads datagrams until Close, calling deliver for each valid
// message in arrival order; deliver owns the datagram's FDs. Dropped
// messages are logged as systemd logs them and their descriptors closed.
// BARRIER=1 messages are consumed here: closing their descriptor is the
// whole answer the sender waits for. serve returns when the socket is
// closed, or on an unexpected receive error (as systemd, it then stops
// reading rather than spin).
func (s *notifySocket) serve(deliver func(notifyDatagram)) {
	buf := make([]byte, compat.NotifyBufferMax)
	oob := make([]byte, unix.CmsgSpace(unix.SizeofUcred)+unix.CmsgSpace(4*compat.NotifyFDMax))
	for {
		var (
			n, oobn, flags int
			rerr           error
		)
		// The callback returns true holding readMu (a datagram, or an
		// error, is in hand); false, waiting for more, without it.
		err := s.raw.Read(func(fd uintptr) bool {
			s.readMu.Lock()
			for {
				// MSG_TRUNC makes n the datagram's real length, so an
				// oversize one is recognised.
				n, oobn, flags, _, rerr = unix.Recvmsg(int(fd), buf, oob,
					unix.MSG_DONTWAIT|unix.MSG_CMSG_CLOEXEC|unix.MSG_TRUNC)
				if rerr != unix.EINTR {
					break
				}
			}
			if rerr == unix.EAGAIN {
				s.readMu.Unlock()
				return false
			}
			return true
		})
		if err == nil {
			if rerr == nil {
				s.dispatch(buf, n, oob[:oobn], flags, deliver)
			}
			s.readMu.Unlock()
			err = rerr
		}
		if err != nil {
			if !s.closed.Load() {
				s.log.Error("failed to receive notification message; no longer reading the notify socket",
					"socket", s.path, "err", err)
			}
			return
		}
	}
}

// notifyQueue carries datagrams from the socket's reader to the loop in
// arrival order. Adding never blocks, so the reader never holds readMu
// while waiting for the loop (which may itself wait for readMu).
type notifyQueue struct {
	mu   sync.Mutex // guards ds
	ds   []notifyDatagram
	wake chan struct{} // has a value while ds may hold datagrams
}

func newNotifyQueue() *notifyQueue { return &notifyQueue{wake: make(chan struct{}, 1)} }

func (q *notifyQueue) add(d notifyDatagram) {
	q.mu.Lock()
	q.ds = append(q.ds, d)
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// take empties the queue.
func (q *notifyQueue) take() []notifyDatagram {
	q.mu.Lock()
	defer q.mu.Unlock()
	ds := q.ds
	q.ds = nil
	return ds
}

// notifications handles the queued datagrams.
func (l *loop) notifications() {
	for _, d := range l.notifyQ.take() {
		l.notified(d)
	}
}

// dispatch decodes one datagram and delivers it, unless it is invalid or
// a barrier.
func (s *notifySocket) dispatch(buf []byte, n int, oob []byte, flags int, deliver func(notifyDatagram)) {
	d, err := notifyDecode(buf, n, oob, flags)
	switch {
	case err != nil:
		s.log.Warn("dropping notification message", "err", err)
	case d.Msg.Barrier:
		s.barrier(d)
	default:
		deliver(d)
	}
}

// receiveNow reads the datagrams already queued on the socket without
// waiting. The loop calls it before it handles the exit of processes, so a
// service that notifies and then exits is seen in that order, as systemd
// gives its notify socket priority over SIGCHLD.
func (s *notifySocket) receiveNow(deliver func(notifyDatagram)) {
	s.readMu.Lock()
	defer s.readMu.Unlock()
	buf := make([]byte, compat.NotifyBufferMax)
	oob := make([]byte, unix.CmsgSpace(unix.SizeofUcred)+unix.CmsgSpace(4*compat.NotifyFDMax))
	for {
		var (
			n, oobn, flags int
			rerr           error
		)
		err := s.raw.Control(func(fd uintptr) {
			n, oobn, flags, _, rerr = unix.Recvmsg(int(fd), buf, oob,
				unix.MSG_DONTWAIT|unix.MSG_CMSG_CLOEXEC|unix.MSG_TRUNC)
		})
		if err != nil || rerr != nil {
			return
		}
		s.dispatch(buf, n, oob[:oobn], flags, deliver)
	}
}

// barrier answers BARRIER=1 by closing the descriptor the sender waits on,
// and drops the message as systemd does.
func (s *notifySocket) barrier(d notifyDatagram) {
	for _, w := range d.Msg.Warnings {
		s.log.Warn(w.Text, "pid", d.PID)
	}
	if len(d.FDs) != 1 && len(d.Msg.Fields) == 1 {
		s.log.Warn("Got incorrect number of fds with BARRIER=1, closing them.", "pid", d.PID, "fds", len(d.FDs))
	}
	notifyCloseFiles(d.FDs)
}

// notifyDecode checks one received datagram as systemd's
// manager_dispatch_notify_fd does and parses it: control data must not be
// truncated, the sender's credentials must be there with a valid pid, the
// payload (n bytes, of which buf holds what fit) must fit
// compat.NotifyBufferMax and parse. On error every received descriptor is
// closed.
func notifyDecode(buf []byte, n int, oob []byte, flags int) (notifyDatagram, error) {
	var (
		fds   []int
		cred  *unix.Ucred
		cmErr error
	)
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		cmErr = fmt.Errorf("bad control data: %w", err)
	}
	for i := range msgs {
		m := &msgs[i]
		if m.Header.Level != unix.SOL_SOCKET {
			continue
		}
		switch m.Header.Type {
		case unix.SCM_RIGHTS:
			got, err := unix.ParseUnixRights(m)
			if err != nil {
				cmErr = fmt.Errorf("bad SCM_RIGHTS: %w", err)
				continue
			}
			fds = append(fds, got...)
		case unix.SCM_CREDENTIALS:
			if int(m.Header.Len) != unix.CmsgLen(unix.SizeofUcred) {
				continue
			}
			if c, err := unix.ParseUnixCredentials(m); err == nil {
				cred = c
			}
		}
	}
	reject := func(err error) (notifyDatagram, error) {
		for _, fd := range fds {
			unix.Close(fd)
		}
		return notifyDatagram{}, err
	}
	switch {
	case cmErr != nil:
		return reject(cmErr)
	case flags&unix.MSG_CTRUNC != 0:
		return reject(errors.New("got message with truncated control data (too many fds sent?)"))
	case cred == nil || cred.Pid <= 0:
		return reject(errors.New("received notify message without valid credentials"))
	case n > len(buf) || n > compat.NotifyBufferMax || flags&unix.MSG_TRUNC != 0:
		return reject(fmt.Errorf("from pid %d: %d bytes: %w", cred.Pid, n, compat.ErrNotifyTooLarge))
	}
	msg, err := compat.ParseNotify(buf[:n])
	if err != nil {
		return reject(fmt.Errorf("from pid %d: %w", cred.Pid, err))
	}
	d := notifyDatagram{PID: int(cred.Pid), UID: int(cred.Uid), GID: int(cred.Gid), Msg: msg}
	for _, fd := range fds {
		d.FDs = append(d.FDs, os.NewFile(uintptr(fd), fmt.Sprintf("notify-fd:%d", fd)))
	}
	return d, nil
}

// notifyCloseFiles closes descriptors a message carried but nobody keeps.
func notifyCloseFiles(files []*os.File) {
	for _, f := range files {
		f.Close()
	}
}
