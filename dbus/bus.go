package dbus

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"
)

// pmd's connection to the system bus: it authenticates with EXTERNAL,
// says Hello, owns org.freedesktop.systemd1 and then serves calls like a
// private connection, with the bus daemon in between. When the bus goes
// away pmd connects again.

// Replies of RequestName.
const (
	nameFlagDoNotQueue  = 4
	namePrimaryOwner    = 1
	nameAlreadyOwner    = 4
	busConnectTimeout   = 10 * time.Second
	busAuthLineMax      = 512
	busAddressUnixPath  = "path="
	busAddressAbstract  = "abstract="
	busAddressUnixRunTo = "unix:"
)

// connectBus connects to the system bus and takes the name.
func (s *Server) connectBus() (*conn, error) {
	nc, err := dialBus(s.opts.SystemBus)
	if err != nil {
		return nil, fmt.Errorf("dbus: system bus %s: %w", s.opts.SystemBus, err)
	}
	_ = nc.SetDeadline(time.Now().Add(busConnectTimeout))
	br := bufio.NewReader(nc)
	if err := clientAuth(br, nc); err != nil {
		nc.Close()
		return nil, fmt.Errorf("dbus: system bus %s: %w", s.opts.SystemBus, err)
	}
	_ = nc.SetDeadline(time.Time{})
	c := newConn(s, nc, br, true, peerCred{})
	s.add(c)
	go c.run()
	fail := func(err error) (*conn, error) {
		c.close()
		return nil, fmt.Errorf("dbus: system bus %s: %w", s.opts.SystemBus, err)
	}
	if _, err := c.call(s.ctx, ifaceDBus, ifaceDBusPathLocal, ifaceDBus, "Hello"); err != nil {
		return fail(err)
	}
	m, err := c.call(s.ctx, ifaceDBus, ifaceDBusPathLocal, ifaceDBus, "RequestName", busName, uint32(nameFlagDoNotQueue))
	if err != nil {
		return fail(err)
	}
	if code, _ := m.Body[0].(uint32); code != namePrimaryOwner && code != nameAlreadyOwner {
		return fail(fmt.Errorf("%s is owned by another connection", busName))
	}
	s.mu.Lock()
	s.bus = c
	s.mu.Unlock()
	s.log.Info("dbus: serving on the system bus", "address", s.opts.SystemBus, "name", busName)
	return c, nil
}

// keepBus connects again whenever the bus connection is lost.
func (s *Server) keepBus(c *conn) {
	defer s.wg.Done()
	for {
		select {
		case <-c.closed():
		case <-s.ctx.Done():
			return
		}
		s.log.Warn("dbus: lost the system bus; connecting again")
		for {
			select {
			case <-time.After(busRetry):
			case <-s.ctx.Done():
				return
			}
			var err error
			if c, err = s.connectBus(); err == nil {
				break
			}
			s.log.Debug("dbus: cannot connect to the system bus", "err", err)
		}
	}
}

// dialBus connects to the first usable unix address of a bus address.
func dialBus(address string) (net.Conn, error) {
	var lastErr error = fmt.Errorf("no usable unix address in %q", address)
	for _, a := range strings.Split(address, ";") {
		rest, ok := strings.CutPrefix(a, busAddressUnixRunTo)
		if !ok {
			continue
		}
		for _, kv := range strings.Split(rest, ",") {
			var p string
			switch {
			case strings.HasPrefix(kv, busAddressUnixPath):
				p = unescapeAddress(kv[len(busAddressUnixPath):])
			case strings.HasPrefix(kv, busAddressAbstract):
				p = "@" + unescapeAddress(kv[len(busAddressAbstract):])
			default:
				continue
			}
			nc, err := net.DialTimeout("unix", p, busConnectTimeout)
			if err == nil {
				return nc, nil
			}
			lastErr = err
		}
	}
	return nil, lastErr
}

// unescapeAddress decodes the %xx escapes of a D-Bus address value.
func unescapeAddress(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+3], 16, 8); err == nil {
				b.WriteByte(byte(v))
				i += 2
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// clientAuth authenticates as pmd's uid with EXTERNAL.
func clientAuth(br *bufio.Reader, nc net.Conn) error {
	id := hex.EncodeToString([]byte(strconv.Itoa(os.Geteuid())))
	if _, err := nc.Write([]byte("\x00AUTH EXTERNAL " + id + "\r\n")); err != nil {
		return err
	}
	line, err := readSASLLine(br)
	if err != nil {
		return err
	}
	if !strings.HasPrefix(string(line), "OK ") {
		return fmt.Errorf("authentication refused: %q", line)
	}
	_, err = nc.Write([]byte("BEGIN\r\n"))
	return err
}
