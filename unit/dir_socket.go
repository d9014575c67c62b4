package unit

import (
	"net/netip"
	"strconv"
	"strings"
)

const noteSockets = "socket activation is a later part of pm"

func addSocketDirectives(t tableBuilder) {
	const s = SectionSocket
	sk := func(b *builder) *Socket { return b.u.Socket }
	for _, k := range []ListenKind{ListenStream, ListenDatagram, ListenSequentialPacket, ListenFIFO, ListenNetlink, ListenSpecial, ListenMessageQueue, ListenUSBFunction} {
		k := k
		t.later(s, string(k), noteSockets, func(b *builder, o Option) error {
			if o.Value == "" {
				sk(b).Listen = nil
				return nil
			}
			v, err := b.expand(o.Value)
			if err != nil {
				return err
			}
			l, err := ParseListen(k, v)
			if err != nil {
				return err
			}
			l.Pos = o.ValuePos
			sk(b).Listen = append(sk(b).Listen, l)
			return nil
		})
	}
	later := func(key string, set setter) { t.later(s, key, noteSockets, set) }
	later("Accept", setBool(func(b *builder) *bool { return &sk(b).Accept }))
	later("Service", func(b *builder, o Option) error {
		v, err := b.expandName(o.Value)
		if err != nil {
			return err
		}
		n, err := ParseName(v)
		if err != nil || n.Type != TypeService {
			return badValue("unit must be of type service")
		}
		if n.IsTemplate() {
			return badValue("unit must not be a template")
		}
		sk(b).Service = v
		return nil
	})
	mode := func(field func(*builder) *Mode) setter {
		return func(b *builder, o Option) error {
			m, err := ParseMode(o.Value)
			if err != nil {
				return badValue("not an octal mode")
			}
			*field(b) = m
			return nil
		}
	}
	later("SocketMode", mode(func(b *builder) *Mode { return &sk(b).SocketMode }))
	later("DirectoryMode", mode(func(b *builder) *Mode { return &sk(b).DirectoryMode }))
	later("SocketUser", setUserGroup(func(b *builder) *string { return &sk(b).SocketUser }))
	later("SocketGroup", setUserGroup(func(b *builder) *string { return &sk(b).SocketGroup }))
	later("Backlog", setUint(func(b *builder) *uint { return &sk(b).Backlog }))
	later("BindIPv6Only", setEnum(func(b *builder) *string { return &sk(b).BindIPv6Only }, "default", "both", "ipv6-only"))
	later("BindToDevice", setString(func(b *builder) *string { return &sk(b).BindToDevice }))
	for _, k := range []string{"ReusePort", "FreeBind", "Transparent", "Broadcast", "NoDelay", "KeepAlive", "PassCredentials", "PassSecurity", "PassPacketInfo", "Writable", "FlushPending", "RemoveOnStop"} {
		k := k
		later(k, setBool(func(b *builder) *bool { return socketBool(sk(b), k) }))
	}
	later("KeepAliveTimeSec", setDuration(func(b *builder) *Duration { return &sk(b).KeepAliveTimeSec }))
	later("KeepAliveIntervalSec", setDuration(func(b *builder) *Duration { return &sk(b).KeepAliveIntervalSec }))
	later("KeepAliveProbes", setUint(func(b *builder) *uint { return &sk(b).KeepAliveProbes }))
	later("DeferAcceptSec", setDuration(func(b *builder) *Duration { return &sk(b).DeferAcceptSec }))
	later("Priority", func(b *builder, o Option) error {
		v, err := parseInt(o.Value, 32)
		if err != nil {
			return err
		}
		sk(b).Priority = int(v)
		return nil
	})
	later("Mark", func(b *builder, o Option) error {
		v, err := parseInt(o.Value, 32)
		if err != nil {
			return err
		}
		sk(b).Mark = int(v)
		return nil
	})
	size := func(field func(*builder) *uint64) setter {
		return func(b *builder, o Option) error {
			v, err := ParseSize(o.Value)
			if err != nil {
				return badValue("not a size")
			}
			*field(b) = v
			return nil
		}
	}
	later("ReceiveBuffer", size(func(b *builder) *uint64 { return &sk(b).ReceiveBuffer }))
	later("SendBuffer", size(func(b *builder) *uint64 { return &sk(b).SendBuffer }))
	later("PipeSize", size(func(b *builder) *uint64 { return &sk(b).PipeSize }))
	later("FileDescriptorName", func(b *builder, o Option) error {
		v, err := b.expand(o.Value)
		if err != nil {
			return err
		}
		if v != "" && !fdNameValid(v) {
			return badValue("invalid file descriptor name")
		}
		sk(b).FileDescriptorName = v
		return nil
	})
	later("MaxConnections", setUint(func(b *builder) *uint { return &sk(b).MaxConnections }))
	later("MaxConnectionsPerSource", setUint(func(b *builder) *uint { return &sk(b).MaxConnectionsPerSource }))
	later("Symlinks", setPaths(func(b *builder) *[]string { return &sk(b).Symlinks }))
	later("TriggerLimitIntervalSec", setDuration(func(b *builder) *Duration { return &sk(b).TriggerLimitIntervalSec }))
	later("TriggerLimitBurst", setUint(func(b *builder) *uint { return &sk(b).TriggerLimitBurst }))
	later("TimeoutSec", setDurationZeroInf(func(b *builder) *Duration { return &sk(b).TimeoutSec }))
	execs := []struct {
		key   string
		field func(*Socket) *[]ExecCommand
	}{
		{"ExecStartPre", func(s *Socket) *[]ExecCommand { return &s.ExecStartPre }},
		{"ExecStartPost", func(s *Socket) *[]ExecCommand { return &s.ExecStartPost }},
		{"ExecStopPre", func(s *Socket) *[]ExecCommand { return &s.ExecStopPre }},
		{"ExecStopPost", func(s *Socket) *[]ExecCommand { return &s.ExecStopPost }},
	}
	for _, e := range execs {
		e := e
		later(e.key, setExec(func(b *builder) *[]ExecCommand { return e.field(sk(b)) }))
	}
	t.ignored(s, "pm does not set these socket options",
		"SocketProtocol", "IPTOS", "IPTTL", "Timestamping", "TCPCongestion",
		"MessageQueueMaxMessages", "MessageQueueMessageSize")
	t.ignored(s, noteMAC, "SmackLabel", "SmackLabelIPIn", "SmackLabelIPOut", "SELinuxContextFromNet")
}

func socketBool(s *Socket, key string) *bool {
	switch key {
	case "ReusePort":
		return &s.ReusePort
	case "FreeBind":
		return &s.FreeBind
	case "Transparent":
		return &s.Transparent
	case "Broadcast":
		return &s.Broadcast
	case "NoDelay":
		return &s.NoDelay
	case "KeepAlive":
		return &s.KeepAlive
	case "PassCredentials":
		return &s.PassCredentials
	case "PassSecurity":
		return &s.PassSecurity
	case "PassPacketInfo":
		return &s.PassPacketInfo
	case "Writable":
		return &s.Writable
	case "FlushPending":
		return &s.FlushPending
	}
	return &s.RemoveOnStop
}

// fdNameValid checks a file descriptor name: at most 255 printable ASCII
// characters without ':'.
func fdNameValid(s string) bool {
	if s == "" || len(s) > 255 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' || c >= 0x7f || c == ':' {
			return false
		}
	}
	return true
}

// ParseListen parses the address of a Listen*= directive (after specifier
// expansion), as systemd's socket_address_parse does for stream, datagram
// and sequential packet sockets.
func ParseListen(kind ListenKind, s string) (Listen, error) {
	l := Listen{Kind: kind}
	switch kind {
	case ListenFIFO, ListenSpecial, ListenUSBFunction:
		p, err := checkPath(s, true)
		if err != nil {
			return l, err
		}
		l.Address = p
		return l, nil
	case ListenMessageQueue:
		if !strings.HasPrefix(s, "/") || strings.Contains(s[1:], "/") {
			return l, badValue("message queue name must start with '/' and contain no other '/'")
		}
		l.Address = s
		return l, nil
	case ListenNetlink:
		fam, group, _ := strings.Cut(strings.TrimSpace(s), " ")
		if !netlinkFamilies[fam] {
			return l, badValue("unknown netlink family %q", fam)
		}
		g := uint64(0)
		if group = strings.TrimSpace(group); group != "" {
			var err error
			if g, err = strconv.ParseUint(group, 10, 32); err != nil {
				return l, badValue("invalid netlink group %q", group)
			}
		}
		l.Family = "netlink"
		l.Address = fam + " " + strconv.FormatUint(g, 10)
		return l, nil
	}
	switch {
	case strings.HasPrefix(s, "/"):
		if len(s) > 107 {
			return l, badValue("socket path too long (at most 107 bytes)")
		}
		p, err := checkPath(s, true)
		if err != nil {
			return l, err
		}
		l.Family, l.Address = "unix", p
	case strings.HasPrefix(s, "@"):
		if len(s) > 108 {
			return l, badValue("abstract socket name too long")
		}
		l.Family, l.Address = "unix", s
	case strings.HasPrefix(s, "vsock:"):
		cid, port, ok := strings.Cut(s[len("vsock:"):], ":")
		if !ok {
			return l, badValue("vsock address must be vsock:CID:PORT")
		}
		if _, err := strconv.ParseUint(port, 10, 32); err != nil {
			return l, badValue("invalid vsock port %q", port)
		}
		if cid != "" {
			if _, err := strconv.ParseUint(cid, 10, 32); err != nil {
				return l, badValue("invalid vsock CID %q", cid)
			}
		}
		l.Family, l.Address = "vsock", s
	case s != "" && strings.Trim(s, "0123456789") == "":
		p, err := strconv.ParseUint(s, 10, 16)
		if err != nil || p == 0 {
			return l, badValue("invalid port %q", s)
		}
		l.Family, l.Port = "inet6", int(p)
		l.Address = "[::]:" + s
	default:
		addr, dev, _ := strings.Cut(s, "%")
		if strings.HasPrefix(s, "[") {
			// The zone of an IPv6 address is inside the brackets.
			addr, dev = s, ""
		}
		ap, err := netip.ParseAddrPort(addr)
		if err != nil || ap.Port() == 0 {
			return l, badValue("failed to parse address value %q", s)
		}
		l.Port = int(ap.Port())
		l.Address = ap.String()
		if dev != "" {
			l.Address += "%" + dev
		}
		l.Family = "inet"
		if ap.Addr().Is6() && !ap.Addr().Is4In6() {
			l.Family = "inet6"
		}
	}
	return l, nil
}

var netlinkFamilies = map[string]bool{
	"route": true, "firewall": true, "inet-diag": true, "nflog": true, "xfrm": true,
	"selinux": true, "iscsi": true, "audit": true, "fib-lookup": true, "connector": true,
	"netfilter": true, "ip6-fw": true, "dnrtmsg": true, "kobject-uevent": true,
	"generic": true, "scsitransport": true, "ecryptfs": true, "rdma": true,
}
