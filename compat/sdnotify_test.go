package compat

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

func ptr[T any](v T) *T { return &v }

// notifyShow renders the interpreted part of n (pointers dereferenced) for
// comparisons and messages.
func notifyShow(n Notify) string {
	var b strings.Builder
	fmt.Fprintf(&b, "ready=%v reloading=%v stopping=%v", n.Ready, n.Reloading, n.Stopping)
	if n.Status != nil {
		fmt.Fprintf(&b, " status=%q", *n.Status)
	}
	if n.MainPID != 0 {
		fmt.Fprintf(&b, " mainpid=%d", n.MainPID)
	}
	if n.Errno != nil {
		fmt.Fprintf(&b, " errno=%d", *n.Errno)
	}
	if n.ExtendTimeout != 0 {
		fmt.Fprintf(&b, " extend=%v", n.ExtendTimeout)
	}
	if n.Watchdog {
		b.WriteString(" watchdog")
	}
	if n.WatchdogTrigger {
		b.WriteString(" watchdog-trigger")
	}
	if n.WatchdogUSec != nil {
		fmt.Fprintf(&b, " watchdog-usec=%d", *n.WatchdogUSec)
	}
	if n.FDStore {
		b.WriteString(" fdstore")
	}
	if n.FDStoreRemove {
		b.WriteString(" fdstore-remove")
	}
	if n.FDName != nil {
		fmt.Fprintf(&b, " fdname=%q", *n.FDName)
	}
	if !n.FDPoll {
		b.WriteString(" fdpoll=0")
	}
	if n.Barrier {
		b.WriteString(" barrier")
	}
	return b.String()
}

func TestParseNotify(t *testing.T) {
	// want builds the expected Notify from the defaults a parse starts with.
	want := func(mod func(n *Notify)) Notify {
		n := Notify{FDPoll: true}
		if mod != nil {
			mod(&n)
		}
		return n
	}
	maxDuration := time.Duration(math.MaxInt64)
	tests := []struct {
		name       string
		in         string
		want       Notify
		wantFields []string // checked when non-nil
		wantWarn   []string // warning keys, in order
	}{
		{name: "empty", in: "", want: want(nil), wantFields: []string{}},
		{name: "ready", in: "READY=1", want: want(func(n *Notify) { n.Ready = true }), wantFields: []string{"READY=1"}},
		{name: "ready trailing newline", in: "READY=1\n", want: want(func(n *Notify) { n.Ready = true }), wantFields: []string{"READY=1"}},
		{name: "trailing NUL allowed", in: "READY=1\x00", want: want(func(n *Notify) { n.Ready = true }), wantFields: []string{"READY=1"}},
		{name: "lone NUL", in: "\x00", want: want(nil), wantFields: []string{}},
		{name: "ready=0 is not ready", in: "READY=0", want: want(nil)},
		{name: "ready with space is not ready", in: "READY=1 ", want: want(nil)},
		{name: "CR and blank lines separate", in: "\r\n\nX_A=1\r\rREADY=1\n\n", want: want(func(n *Notify) { n.Ready = true }), wantFields: []string{"X_A=1", "READY=1"}},
		{name: "last of ready/stopping wins", in: "READY=1\nSTOPPING=1", want: want(func(n *Notify) { n.Stopping = true })},
		{name: "last of reloading/ready wins", in: "RELOADING=1\nREADY=1", want: want(func(n *Notify) { n.Ready = true })},
		{name: "reloading", in: "RELOADING=1\nX=1", want: want(func(n *Notify) { n.Reloading = true })},
		{name: "status", in: "STATUS=Working hard…", want: want(func(n *Notify) { n.Status = ptr("Working hard…") })},
		{name: "status empty clears", in: "STATUS=", want: want(func(n *Notify) { n.Status = ptr("") })},
		{name: "status first wins", in: "STATUS=a\nSTATUS=b", want: want(func(n *Notify) { n.Status = ptr("a") })},
		{name: "status keeps quotes and spaces", in: `STATUS= "x" 'y' `, want: want(func(n *Notify) { n.Status = ptr(` "x" 'y' `) })},
		{name: "status bad utf8 clears", in: "STATUS=\xff\xfe", want: want(func(n *Notify) { n.Status = ptr("") }), wantWarn: []string{"STATUS"}},
		{name: "status noncharacter clears", in: "STATUS=a\uFFFE", want: want(func(n *Notify) { n.Status = ptr("") }), wantWarn: []string{"STATUS"}},
		{name: "status U+FDD0 clears", in: "STATUS=\uFDD0", want: want(func(n *Notify) { n.Status = ptr("") }), wantWarn: []string{"STATUS"}},
		{name: "status surrogate clears", in: "STATUS=\xed\xa0\x80", want: want(func(n *Notify) { n.Status = ptr("") }), wantWarn: []string{"STATUS"}},
		{name: "status overlong encoding clears", in: "STATUS=\xc0\xaf", want: want(func(n *Notify) { n.Status = ptr("") }), wantWarn: []string{"STATUS"}},
		{name: "status tab and control ok", in: "STATUS=a\tb\x01", want: want(func(n *Notify) { n.Status = ptr("a\tb\x01") })},
		{name: "backslash escapes newline", in: "STATUS=a\\\nb\nREADY=1", want: want(func(n *Notify) { n.Status = ptr("a\nb"); n.Ready = true }), wantFields: []string{"STATUS=a\nb", "READY=1"}},
		{name: "backslash removed", in: `STATUS=C:\\dir\x`, want: want(func(n *Notify) { n.Status = ptr(`C:\dirx`) })},
		{name: "escaped ready still ready", in: `READY=\1`, want: want(func(n *Notify) { n.Ready = true }), wantFields: []string{"READY=1"}},
		{name: "mainpid", in: "MAINPID=4711", want: want(func(n *Notify) { n.MainPID = 4711 })},
		{name: "mainpid leading space", in: "MAINPID= 42", want: want(func(n *Notify) { n.MainPID = 42 })},
		{name: "mainpid plus", in: "MAINPID=+42", want: want(func(n *Notify) { n.MainPID = 42 })},
		{name: "mainpid hex", in: "MAINPID=0x10", want: want(func(n *Notify) { n.MainPID = 16 })},
		{name: "mainpid octal", in: "MAINPID=010", want: want(func(n *Notify) { n.MainPID = 8 })},
		{name: "mainpid 0b", in: "MAINPID=0b101", want: want(func(n *Notify) { n.MainPID = 5 })},
		{name: "mainpid 0o", in: "MAINPID=0o17", want: want(func(n *Notify) { n.MainPID = 15 })},
		{name: "mainpid max", in: "MAINPID=2147483647", want: want(func(n *Notify) { n.MainPID = math.MaxInt32 })},
		{name: "mainpid too big", in: "MAINPID=2147483648", want: want(nil), wantWarn: []string{"MAINPID"}},
		{name: "mainpid zero", in: "MAINPID=0", want: want(nil), wantWarn: []string{"MAINPID"}},
		{name: "mainpid negative", in: "MAINPID=-1", want: want(nil), wantWarn: []string{"MAINPID"}},
		{name: "mainpid trailing junk", in: "MAINPID=12abc", want: want(nil), wantWarn: []string{"MAINPID"}},
		{name: "mainpid trailing space", in: "MAINPID=12 ", want: want(nil), wantWarn: []string{"MAINPID"}},
		{name: "mainpid empty", in: "MAINPID=", want: want(nil), wantWarn: []string{"MAINPID"}},
		{name: "mainpid bad octal", in: "MAINPID=09", want: want(nil), wantWarn: []string{"MAINPID"}},
		{name: "mainpid 0x alone", in: "MAINPID=0x", want: want(nil), wantWarn: []string{"MAINPID"}},
		{name: "mainpid first wins", in: "MAINPID=abc\nMAINPID=5", want: want(nil), wantWarn: []string{"MAINPID"}},
		{name: "errno number", in: "ERRNO=2", want: want(func(n *Notify) { n.Errno = ptr(2) })},
		{name: "errno zero", in: "ERRNO=0", want: want(func(n *Notify) { n.Errno = ptr(0) })},
		{name: "errno max", in: "ERRNO=4095", want: want(func(n *Notify) { n.Errno = ptr(4095) })},
		{name: "errno too big", in: "ERRNO=4096", want: want(nil), wantWarn: []string{"ERRNO"}},
		{name: "errno negative", in: "ERRNO=-2", want: want(nil), wantWarn: []string{"ERRNO"}},
		{name: "errno name", in: "ERRNO=ENOENT", want: want(func(n *Notify) { n.Errno = ptr(2) })},
		{name: "errno alias", in: "ERRNO=EWOULDBLOCK", want: want(func(n *Notify) { n.Errno = ptr(11) })},
		{name: "errno last name", in: "ERRNO=EHWPOISON", want: want(func(n *Notify) { n.Errno = ptr(133) })},
		{name: "errno EUCLEAN", in: "ERRNO=EUCLEAN", want: want(func(n *Notify) { n.Errno = ptr(117) })},
		{name: "errno ENOTSUP", in: "ERRNO=ENOTSUP", want: want(func(n *Notify) { n.Errno = ptr(95) })},
		{name: "errno lower-case name", in: "ERRNO=enoent", want: want(nil), wantWarn: []string{"ERRNO"}},
		{name: "errno gap placeholder", in: "ERRNO=-", want: want(nil), wantWarn: []string{"ERRNO"}},
		{name: "errno hex", in: "ERRNO=0x10", want: want(func(n *Notify) { n.Errno = ptr(16) })},
		{name: "extend", in: "EXTEND_TIMEOUT_USEC=5000000", want: want(func(n *Notify) { n.ExtendTimeout = 5 * time.Second })},
		{name: "extend zero ignored", in: "EXTEND_TIMEOUT_USEC=0", want: want(nil)},
		{name: "extend infinity ignored", in: "EXTEND_TIMEOUT_USEC=18446744073709551615", want: want(nil)},
		{name: "extend huge clamps", in: "EXTEND_TIMEOUT_USEC=18446744073709551614", want: want(func(n *Notify) { n.ExtendTimeout = maxDuration })},
		{name: "extend overflow", in: "EXTEND_TIMEOUT_USEC=18446744073709551616", want: want(nil), wantWarn: []string{"EXTEND_TIMEOUT_USEC"}},
		{name: "extend -1", in: "EXTEND_TIMEOUT_USEC=-1", want: want(nil), wantWarn: []string{"EXTEND_TIMEOUT_USEC"}},
		{name: "extend -0", in: "EXTEND_TIMEOUT_USEC=-0", want: want(nil)},
		{name: "extend vertical tab sign wraps", in: "EXTEND_TIMEOUT_USEC=\v-1", want: want(nil)},
		{name: "extend vertical tab sign wraps to large", in: "EXTEND_TIMEOUT_USEC=\v-2", want: want(func(n *Notify) { n.ExtendTimeout = maxDuration })},
		{name: "extend garbage", in: "EXTEND_TIMEOUT_USEC=5s", want: want(nil), wantWarn: []string{"EXTEND_TIMEOUT_USEC"}},
		{name: "watchdog", in: "WATCHDOG=1", want: want(func(n *Notify) { n.Watchdog = true })},
		{name: "watchdog trigger", in: "WATCHDOG=trigger", want: want(func(n *Notify) { n.WatchdogTrigger = true })},
		{name: "watchdog invalid", in: "WATCHDOG=0", want: want(nil), wantWarn: []string{"WATCHDOG"}},
		{name: "watchdog first wins", in: "WATCHDOG=x\nWATCHDOG=1", want: want(nil), wantWarn: []string{"WATCHDOG"}},
		{name: "watchdog_usec not watchdog", in: "WATCHDOG_USEC=20000000", want: want(func(n *Notify) { n.WatchdogUSec = ptr(uint64(20000000)) })},
		{name: "watchdog_usec zero", in: "WATCHDOG_USEC=0", want: want(func(n *Notify) { n.WatchdogUSec = ptr(uint64(0)) })},
		{name: "watchdog_usec bad", in: "WATCHDOG_USEC=1s", want: want(nil), wantWarn: []string{"WATCHDOG_USEC"}},
		{name: "fdstore", in: "FDSTORE=1", want: want(func(n *Notify) { n.FDStore = true })},
		{name: "fdstore named", in: "FDSTORE=1\nFDNAME=conn", want: want(func(n *Notify) { n.FDStore = true; n.FDName = ptr("conn") })},
		{name: "fdstore empty name", in: "FDSTORE=1\nFDNAME=", want: want(func(n *Notify) { n.FDStore = true; n.FDName = ptr("") })},
		{name: "fdstore bad name", in: "FDSTORE=1\nFDNAME=a:b", want: want(func(n *Notify) { n.FDStore = true }), wantWarn: []string{"FDNAME"}},
		{name: "fdstore non-ascii name", in: "FDSTORE=1\nFDNAME=é", want: want(func(n *Notify) { n.FDStore = true }), wantWarn: []string{"FDNAME"}},
		{name: "fdstore long name", in: "FDSTORE=1\nFDNAME=" + strings.Repeat("a", 256), want: want(func(n *Notify) { n.FDStore = true }), wantWarn: []string{"FDNAME"}},
		{name: "fdstore 255 name", in: "FDSTORE=1\nFDNAME=" + strings.Repeat("a", 255), want: want(func(n *Notify) { n.FDStore = true; n.FDName = ptr(strings.Repeat("a", 255)) })},
		{name: "fdstore nopoll", in: "FDSTORE=1\nFDPOLL=0", want: want(func(n *Notify) { n.FDStore = true; n.FDPoll = false })},
		{name: "fdstore=0 nothing", in: "FDSTORE=0", want: want(nil)},
		{name: "fdstore remove", in: "FDSTOREREMOVE=1\nFDNAME=conn", want: want(func(n *Notify) { n.FDStoreRemove = true; n.FDName = ptr("conn") })},
		{name: "fdstore remove wins over store", in: "FDSTORE=1\nFDSTOREREMOVE=1\nFDNAME=x", want: want(func(n *Notify) { n.FDStoreRemove = true; n.FDName = ptr("x") })},
		{name: "fdstore remove without name", in: "FDSTOREREMOVE=1", want: want(nil), wantWarn: []string{"FDSTOREREMOVE"}},
		{name: "fdstore remove bad name blocks store", in: "FDSTOREREMOVE=1\nFDSTORE=1\nFDNAME=\x7f", want: want(nil), wantWarn: []string{"FDSTOREREMOVE"}},
		{name: "barrier", in: "BARRIER=1", want: want(func(n *Notify) { n.Barrier = true })},
		{name: "barrier with more ignores all", in: "READY=1\nBARRIER=1", want: want(func(n *Notify) { n.Barrier = true }), wantWarn: []string{"BARRIER"}},
		{name: "busserror only logged", in: "BUSERROR=org.freedesktop.DBus.Error.TimedOut", want: want(nil), wantFields: []string{"BUSERROR=org.freedesktop.DBus.Error.TimedOut"}},
		{name: "everything", in: "READY=1\nSTATUS=up\nMAINPID=7\nERRNO=EIO\nEXTEND_TIMEOUT_USEC=1000\nWATCHDOG=1\nWATCHDOG_USEC=5\nX_FOO=bar\n",
			want: want(func(n *Notify) {
				n.Ready = true
				n.Status = ptr("up")
				n.MainPID = 7
				n.Errno = ptr(5)
				n.ExtendTimeout = time.Millisecond
				n.Watchdog = true
				n.WatchdogUSec = ptr(uint64(5))
			})},
		{name: "max size", in: "X=" + strings.Repeat("a", NotifyBufferMax-2), want: want(nil)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseNotify([]byte(tt.in))
			if err != nil {
				t.Fatalf("ParseNotify(%q): got error %v, want nil", tt.in, err)
			}
			if tt.wantFields != nil && (len(got.Fields) != 0 || len(tt.wantFields) != 0) && !reflect.DeepEqual(got.Fields, tt.wantFields) {
				t.Errorf("Fields: got %q, want %q", got.Fields, tt.wantFields)
			}
			var keys []string
			for _, w := range got.Warnings {
				if w.Text == "" {
					t.Errorf("warning %q has no text", w.Key)
				}
				keys = append(keys, w.Key)
			}
			if !reflect.DeepEqual(keys, tt.wantWarn) {
				t.Errorf("warnings: got %q (%v), want %q", keys, got.Warnings, tt.wantWarn)
			}
			if g, w := notifyShow(got), notifyShow(tt.want); g != w {
				t.Errorf("got  %s\nwant %s", g, w)
			}
			got.Fields, got.Warnings = nil, nil
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("DeepEqual: got %s, want %s", notifyShow(got), notifyShow(tt.want))
			}
		})
	}
}

func TestParseNotifyRejects(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want error
	}{
		{name: "too large", in: strings.Repeat("a", NotifyBufferMax+1), want: ErrNotifyTooLarge},
		{name: "too large even with trailing NUL", in: strings.Repeat("a", NotifyBufferMax) + "\x00", want: ErrNotifyTooLarge},
		{name: "embedded NUL", in: "READY=1\x00X=1", want: ErrNotifyNUL},
		{name: "two trailing NULs", in: "READY=1\x00\x00", want: ErrNotifyNUL},
		{name: "leading NUL", in: "\x00READY=1", want: ErrNotifyNUL},
		{name: "trailing backslash", in: "READY=1\nSTATUS=a\\", want: ErrNotifyEscape},
		{name: "trailing backslash before NUL", in: "READY=1\\\x00", want: ErrNotifyEscape},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseNotify([]byte(tt.in))
			if !errors.Is(err, tt.want) {
				t.Fatalf("ParseNotify: got error %v, want %v", err, tt.want)
			}
			if !reflect.DeepEqual(got, Notify{}) {
				t.Errorf("got %s, want the zero Notify on error", notifyShow(got))
			}
		})
	}
}

func TestNotifyErrnoFromName(t *testing.T) {
	tests := []struct {
		name string
		want int
	}{
		{"EPERM", 1}, {"ELOOP", 40}, {"ENOMSG", 42}, {"EBFONT", 59}, {"EOPNOTSUPP", 95},
		{"ENOTSUP", 95}, {"EDEADLOCK", 35}, {"ECANCELED", 125}, {"ECANCELLED", 0},
		{"EREFUSED", 0}, {"", 0}, {"-", 0}, {"EPERM ", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := notifyErrnoFromName(tt.name); got != tt.want {
				t.Errorf("notifyErrnoFromName(%q): got %d, want %d", tt.name, got, tt.want)
			}
		})
	}
}

func FuzzParseNotify(f *testing.F) {
	for _, s := range []string{
		"READY=1", "STATUS=x\\\ny", "MAINPID=0x10\nERRNO=EIO", "BARRIER=1",
		"FDSTORE=1\nFDNAME=a\nFDPOLL=0", "EXTEND_TIMEOUT_USEC=\v-2", "a\\", "\x00",
		"WATCHDOG=trigger\r\rWATCHDOG_USEC=0o7",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		n, err := ParseNotify(b)
		if err != nil {
			return
		}
		if len(b) > NotifyBufferMax {
			t.Fatalf("accepted %d bytes", len(b))
		}
		states := 0
		for _, s := range []bool{n.Ready, n.Reloading, n.Stopping} {
			if s {
				states++
			}
		}
		if states > 1 {
			t.Fatalf("more than one of ready/reloading/stopping: %s", notifyShow(n))
		}
		if n.MainPID < 0 || (n.Errno != nil && (*n.Errno < 0 || *n.Errno > 4095)) || n.ExtendTimeout < 0 {
			t.Fatalf("out of range: %s", notifyShow(n))
		}
		for _, f := range n.Fields {
			if f == "" {
				t.Fatalf("empty field in %q", n.Fields)
			}
		}
	})
}
