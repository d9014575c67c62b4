package dbus

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// The server side of the D-Bus authentication protocol (the D-Bus
// specification, "Authentication Protocol"), as sd-bus's
// bus_socket_auth_verify_server runs it: after one NUL byte the client
// sends CRLF-terminated commands, often all at once (systemctl writes
// "\0AUTH EXTERNAL\r\nDATA\r\nNEGOTIATE_UNIX_FD\r\nBEGIN\r\n" in one go).
// Only EXTERNAL is offered; who the peer is comes from SO_PEERCRED, so an
// identity sent by the client must name the same uid. Unix fd passing is
// declined: nothing pm serves carries file descriptors, and sd-bus and
// godbus carry on without it.

// Limits of the handshake; a peer beyond them is cut off.
const (
	// saslLineMax is the longest command line accepted.
	saslLineMax = 1024
	// saslCommandsMax is how many commands a handshake may take.
	saslCommandsMax = 32
)

var (
	errSASLNoNul    = errors.New("sasl: the first byte is not NUL")
	errSASLLong     = errors.New("sasl: line too long")
	errSASLTooMany  = errors.New("sasl: too many commands")
	errSASLBadBegin = errors.New("sasl: BEGIN before authentication")
)

type saslState int

const (
	saslWaitAuth  saslState = iota // waiting for AUTH
	saslWaitData                   // AUTH EXTERNAL came without an identity
	saslWaitBegin                  // authenticated, waiting for BEGIN
)

// serverAuth runs the handshake on a connection whose peer has uid, as
// SO_PEERCRED says, replying on w. guid is the server's 32 hex digits.
// Bytes the client sent after BEGIN stay in br, where the first message
// starts.
func serverAuth(br *bufio.Reader, w io.Writer, uid int, guid string) error {
	nul, err := br.ReadByte()
	if err != nil {
		return fmt.Errorf("sasl: %w", err)
	}
	if nul != 0 {
		return errSASLNoNul
	}
	state := saslWaitAuth
	reply := func(s string) error {
		_, err := io.WriteString(w, s+"\r\n")
		return err
	}
	accept := func(identity []byte) (saslState, error) {
		if identity != nil && !identityIs(identity, uid) {
			return saslWaitAuth, reply("REJECTED EXTERNAL")
		}
		return saslWaitBegin, reply("OK " + guid)
	}
	for n := 0; ; n++ {
		if n == saslCommandsMax {
			return errSASLTooMany
		}
		line, err := readSASLLine(br)
		if err != nil {
			return err
		}
		cmd, arg, _ := bytes.Cut(line, []byte(" "))
		switch {
		case string(cmd) == "BEGIN":
			if state != saslWaitBegin {
				return errSASLBadBegin
			}
			return nil
		case string(cmd) == "AUTH" && state != saslWaitBegin:
			mech, ident, hasIdent := bytes.Cut(arg, []byte(" "))
			switch {
			case string(mech) != "EXTERNAL":
				state, err = saslWaitAuth, reply("REJECTED EXTERNAL")
			case hasIdent:
				state, err = accept(ident)
			default:
				state, err = saslWaitData, reply("DATA")
			}
		case string(cmd) == "DATA" && state == saslWaitData:
			state, err = accept(arg)
		case string(cmd) == "CANCEL" || string(cmd) == "ERROR":
			state, err = saslWaitAuth, reply("REJECTED EXTERNAL")
		case string(cmd) == "NEGOTIATE_UNIX_FD" && state == saslWaitBegin:
			err = reply("ERROR \"unix fd passing is not supported\"")
		default:
			err = reply("ERROR \"unexpected command\"")
		}
		if err != nil {
			return fmt.Errorf("sasl: %w", err)
		}
	}
}

// identityIs reports whether the hex-encoded identity of EXTERNAL names
// uid ("" leaves the choice to the server, which is the peer's uid).
func identityIs(identity []byte, uid int) bool {
	if len(identity) == 0 {
		return true
	}
	raw := make([]byte, hex.DecodedLen(len(identity)))
	if _, err := hex.Decode(raw, identity); err != nil {
		return false
	}
	n, err := strconv.Atoi(string(raw))
	return err == nil && n == uid
}

// readSASLLine reads one command without its CRLF (a bare LF is taken
// too, as sd-bus does).
func readSASLLine(br *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		frag, err := br.ReadSlice('\n')
		line = append(line, frag...)
		if len(line) > saslLineMax {
			return nil, errSASLLong
		}
		if err == nil {
			break
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return nil, fmt.Errorf("sasl: %w", err)
		}
	}
	line = bytes.TrimSuffix(line[:len(line)-1], []byte("\r"))
	return line, nil
}
