package dbus

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	godbus "github.com/godbus/dbus/v5"
)

// A connection runs on godbus's message codec but not on its Conn: godbus
// has no server side (no way to start its reader without running the
// client's authentication), its method dispatch encodes a{sv} from Go maps
// in random order where systemd sends properties in vtable order, and it
// answers errors to calls flagged NO_REPLY_EXPECTED. Reading, writing and
// matching replies is little code, so pm does it here for both kinds of
// connection: a peer on the private socket and pmd's own connection to the
// system bus.

// Limits of one connection.
const (
	// outQueue is how many messages may wait to be written; a peer that
	// lets more pile up (it does not read its signals) is disconnected,
	// as systemd disconnects one whose write queue overflows.
	outQueue = 4096
	// callsInFlight bounds the calls of one private connection handled
	// at once; past it the reader waits.
	callsInFlight = 64
	// writeTimeout bounds one write to a peer.
	writeTimeout = 30 * time.Second
)

var errClosed = errors.New("dbus: connection closed")

// conn is one D-Bus connection.
type conn struct {
	srv    *Server
	nc     net.Conn
	br     *bufio.Reader
	ctx    context.Context // canceled when the connection closes
	cancel context.CancelFunc
	// bus is true for the connection to the system bus, false for a peer
	// on the private socket.
	bus bool
	// peer is the private peer's credentials.
	peer peerCred
	// sender is the Sender header put on every message sent ("" on the
	// bus, where the daemon sets it).
	sender string

	out   chan []byte
	calls chan struct{}
	done  chan struct{}
	once  sync.Once

	mu      sync.Mutex // guards serial, pending and the order of out
	serial  uint32
	pending map[uint32]chan *godbus.Message
}

// peerCred is what SO_PEERCRED says about a peer.
type peerCred struct {
	pid, uid, gid int
}

func newConn(srv *Server, nc net.Conn, br *bufio.Reader, bus bool, peer peerCred) *conn {
	c := &conn{
		srv: srv, nc: nc, br: br, bus: bus, peer: peer,
		out:     make(chan []byte, outQueue),
		calls:   make(chan struct{}, callsInFlight),
		done:    make(chan struct{}),
		pending: map[uint32]chan *godbus.Message{},
	}
	if !bus {
		c.sender = busName
	}
	c.ctx, c.cancel = context.WithCancel(srv.ctx)
	return c
}

// run reads and dispatches messages until the peer hangs up or sends
// something that is not a D-Bus message; it returns once the connection
// is closed.
func (c *conn) run() {
	go c.writer()
	defer c.close()
	for {
		msg, err := godbus.DecodeMessage(c.br)
		if err != nil {
			if !isHangup(err) {
				c.srv.log.Debug("dbus: dropping connection after a bad message", "peer_pid", c.peer.pid, "err", err)
			}
			return
		}
		switch msg.Type {
		case godbus.TypeMethodCall:
			if c.bus {
				// Handlers on the bus wait for replies from the bus
				// daemon (who is calling?), which this loop reads: it
				// must never wait for them. The daemon limits callers.
				go c.srv.handle(c, msg)
				continue
			}
			select {
			case c.calls <- struct{}{}:
			case <-c.done:
				return
			}
			go func() {
				defer func() { <-c.calls }()
				c.srv.handle(c, msg)
			}()
		case godbus.TypeMethodReply, godbus.TypeError:
			rs, _ := msg.Headers[godbus.FieldReplySerial].Value().(uint32)
			c.mu.Lock()
			ch := c.pending[rs]
			delete(c.pending, rs)
			c.mu.Unlock()
			if ch != nil {
				ch <- msg
			}
		}
	}
}

func isHangup(err error) bool {
	var ne net.Error
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) || errors.As(err, &ne)
}

// writer writes the queued messages in order.
func (c *conn) writer() {
	for {
		select {
		case b := <-c.out:
			_ = c.nc.SetWriteDeadline(time.Now().Add(writeTimeout))
			if _, err := c.nc.Write(b); err != nil {
				c.close()
				return
			}
		case <-c.done:
			return
		}
	}
}

// close closes the connection once; pending calls fail.
func (c *conn) close() {
	c.once.Do(func() {
		close(c.done)
		c.cancel()
		c.nc.Close()
		c.mu.Lock()
		for s, ch := range c.pending {
			close(ch)
			delete(c.pending, s)
		}
		c.mu.Unlock()
		c.srv.forget(c)
	})
}

// closed is closed once the connection is.
func (c *conn) closed() <-chan struct{} { return c.done }

// send queues msg. A signal that finds the queue full disconnects the
// peer instead of waiting for it; replies wait.
func (c *conn) send(msg *godbus.Message) (uint32, error) {
	if c.sender != "" {
		msg.Headers[godbus.FieldSender] = godbus.MakeVariant(c.sender)
	}
	b, err := encode(msg)
	if err != nil {
		return 0, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.serial++
	if c.serial == 0 {
		c.serial = 1
	}
	serial := c.serial
	setSerial(b, serial)
	select {
	case c.out <- b:
		return serial, nil
	case <-c.done:
		return 0, errClosed
	default:
	}
	if msg.Type == godbus.TypeSignal {
		go c.close()
		return 0, fmt.Errorf("dbus: peer does not read its messages: %w", errClosed)
	}
	select {
	case c.out <- b:
		return serial, nil
	case <-c.done:
		return 0, errClosed
	}
}

// call sends a method call and waits for its reply, which is returned
// as an error when it is one.
func (c *conn) call(ctx context.Context, dest, path, iface, member string, args ...any) (*godbus.Message, error) {
	msg := &godbus.Message{Type: godbus.TypeMethodCall, Headers: map[godbus.HeaderField]godbus.Variant{
		godbus.FieldDestination: godbus.MakeVariant(dest),
		godbus.FieldPath:        godbus.MakeVariant(godbus.ObjectPath(path)),
		godbus.FieldInterface:   godbus.MakeVariant(iface),
		godbus.FieldMember:      godbus.MakeVariant(member),
	}, Body: args}
	if len(args) > 0 {
		msg.Headers[godbus.FieldSignature] = godbus.MakeVariant(godbus.SignatureOf(args...))
	}
	b, err := encode(msg)
	if err != nil {
		return nil, err
	}
	ch := make(chan *godbus.Message, 1)
	c.mu.Lock()
	c.serial++
	serial := c.serial
	setSerial(b, serial)
	c.pending[serial] = ch
	select {
	case c.out <- b:
	case <-c.done:
		c.mu.Unlock()
		return nil, errClosed
	}
	c.mu.Unlock()
	select {
	case r, ok := <-ch:
		if !ok {
			return nil, errClosed
		}
		if r.Type == godbus.TypeError {
			name, _ := r.Headers[godbus.FieldErrorName].Value().(string)
			return nil, godbus.Error{Name: name, Body: r.Body}
		}
		return r, nil
	case <-ctx.Done():
		c.mu.Lock()
		delete(c.pending, serial)
		c.mu.Unlock()
		return nil, ctx.Err()
	}
}

// encode encodes msg in little-endian byte order with serial 0: godbus
// keeps a message's serial unexported, so send writes it into the fixed
// header afterwards.
func encode(msg *godbus.Message) ([]byte, error) {
	var buf bytes.Buffer
	if err := msg.EncodeTo(&buf, binary.LittleEndian); err != nil {
		return nil, fmt.Errorf("dbus: encoding a message: %w", err)
	}
	return buf.Bytes(), nil
}

// setSerial writes serial into an encoded little-endian message: bytes 8
// to 11 of the fixed header (endianness, type, flags, version, body
// length, serial).
func setSerial(b []byte, serial uint32) { binary.LittleEndian.PutUint32(b[8:12], serial) }
