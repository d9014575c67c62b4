package dbus

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"testing/iotest"

	godbus "github.com/godbus/dbus/v5"
)

const testGUID = "0123456789abcdef0123456789abcdef"

func TestServerAuth(t *testing.T) {
	uid0 := "30" // hex of "0"
	for _, tc := range []struct {
		name    string
		in      string
		uid     int
		replies string
		err     error // nil: success
		rest    string
	}{
		{name: "sd-bus pipelined", in: "\x00AUTH EXTERNAL\r\nDATA\r\nNEGOTIATE_UNIX_FD\r\nBEGIN\r\nlMSG",
			replies: "DATA\r\nOK " + testGUID + "\r\nERROR \"unix fd passing is not supported\"\r\n", rest: "lMSG"},
		{name: "identity in AUTH", in: "\x00AUTH EXTERNAL " + uid0 + "\r\nBEGIN\r\n",
			replies: "OK " + testGUID + "\r\n"},
		{name: "identity in DATA", in: "\x00AUTH EXTERNAL\r\nDATA " + uid0 + "\r\nBEGIN\r\n",
			replies: "DATA\r\nOK " + testGUID + "\r\n"},
		{name: "godbus probes with a bare AUTH", in: "\x00AUTH\r\nAUTH EXTERNAL " + uid0 + "\r\nBEGIN\r\n",
			replies: "REJECTED EXTERNAL\r\nOK " + testGUID + "\r\n"},
		{name: "bare LF", in: "\x00AUTH EXTERNAL\nDATA\nBEGIN\n", replies: "DATA\r\nOK " + testGUID + "\r\n"},
		{name: "other mechanism", in: "\x00AUTH ANONYMOUS 7472\r\nAUTH EXTERNAL\r\nDATA\r\nBEGIN\r\n",
			replies: "REJECTED EXTERNAL\r\nDATA\r\nOK " + testGUID + "\r\n"},
		{name: "wrong identity", in: "\x00AUTH EXTERNAL 31303030\r\nAUTH EXTERNAL\r\nDATA\r\nBEGIN\r\n",
			replies: "REJECTED EXTERNAL\r\nDATA\r\nOK " + testGUID + "\r\n"},
		{name: "cancel", in: "\x00AUTH EXTERNAL\r\nCANCEL\r\nAUTH EXTERNAL\r\nDATA\r\nBEGIN\r\n",
			replies: "DATA\r\nREJECTED EXTERNAL\r\nDATA\r\nOK " + testGUID + "\r\n"},
		{name: "unknown command", in: "\x00HELLO\r\nAUTH EXTERNAL\r\nDATA\r\nBEGIN\r\n",
			replies: "ERROR \"unexpected command\"\r\nDATA\r\nOK " + testGUID + "\r\n"},
		{name: "no NUL", in: "AUTH EXTERNAL\r\n", err: errSASLNoNul},
		{name: "BEGIN first", in: "\x00BEGIN\r\n", err: errSASLBadBegin},
		{name: "BEGIN after a rejection", in: "\x00AUTH EXTERNAL 3939\r\nBEGIN\r\n", replies: "REJECTED EXTERNAL\r\n", err: errSASLBadBegin},
		{name: "hang-up before the NUL", in: "", err: io.EOF},
		{name: "hang-up mid-line", in: "\x00AUTH EXTE", err: io.EOF},
		{name: "hang-up before BEGIN", in: "\x00AUTH EXTERNAL\r\nDATA\r\n", replies: "DATA\r\nOK " + testGUID + "\r\n", err: io.EOF},
		{name: "line too long", in: "\x00AUTH " + strings.Repeat("X", 5000) + "\r\n", err: errSASLLong},
		{name: "too many commands", in: "\x00" + strings.Repeat("CANCEL\r\n", 40), replies: strings.Repeat("REJECTED EXTERNAL\r\n", saslCommandsMax), err: errSASLTooMany},
	} {
		for _, split := range []bool{false, true} {
			name := tc.name
			if split {
				name += "/one byte at a time"
			}
			t.Run(name, func(t *testing.T) {
				var r io.Reader = strings.NewReader(tc.in)
				if split {
					r = iotest.OneByteReader(r)
				}
				br := bufio.NewReaderSize(r, 16)
				var w bytes.Buffer
				err := serverAuth(br, &w, tc.uid, testGUID)
				switch {
				case tc.err == nil && err != nil:
					t.Fatalf("got error %v, want success", err)
				case tc.err != nil && !errors.Is(err, tc.err):
					t.Fatalf("got error %v, want %v", err, tc.err)
				}
				if w.String() != tc.replies {
					t.Errorf("replies %q, want %q", w.String(), tc.replies)
				}
				if tc.err == nil {
					rest, _ := io.ReadAll(br)
					if string(rest) != tc.rest {
						t.Errorf("left %q for the messages, want %q", rest, tc.rest)
					}
				}
			})
		}
	}
}

// TestServerAuthGodbus runs godbus's client handshake against the server.
func TestServerAuthGodbus(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	done := make(chan error, 1)
	go func() { done <- serverAuth(bufio.NewReader(b), b, 0, testGUID) }()
	c, err := godbus.NewConn(a)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Auth([]godbus.Auth{godbus.AuthExternal("0")}); err != nil {
		t.Fatalf("godbus Auth: %v", err)
	}
	if err := <-done; err != nil {
		t.Fatalf("server: %v", err)
	}
}
