package unit

import (
	"encoding/base64"
	"strconv"
	"strings"
)

// Reasons shared by the directives pm recognises but does not enforce.
const (
	noteSandbox  = "pm does not sandbox services (no mount, namespace or seccomp isolation); run pm in a container for isolation"
	noteMAC      = "pm does not apply mandatory access control labels"
	noteJournal  = "pm has no journal; output goes to pm's log"
	noteCreds    = "pm does not pass credentials yet"
	noteCgroups  = "applied with cgroups, a later part of pm"
	noteSched    = "pm does not set scheduling policies yet"
	noteNoEffect = "removed from systemd; it has no effect"
	noteLogs     = "log capture (identifiers, levels, the journal) is a later part of pm; output goes to pm's log prefixed with the unit name"
)

func addExecDirectives(t tableBuilder, s string) {
	ex := func(b *builder) *ExecContext { return b.exec() }
	t.enforced(s, "User", setUserGroup(func(b *builder) *string { return &ex(b).User }))
	t.enforced(s, "Group", setUserGroup(func(b *builder) *string { return &ex(b).Group }))
	t.enforced(s, "SupplementaryGroups", setSupplementaryGroups)
	t.later(s, "DynamicUser", "pm runs the service as the user it is given; dynamic users come later", setBool(func(b *builder) *bool { return &ex(b).DynamicUser }))
	t.enforced(s, "WorkingDirectory", setWorkingDirectory)
	t.enforced(s, "RootDirectory", setPath(func(b *builder) *string { return &ex(b).RootDirectory }))
	t.enforced(s, "Environment", setEnvironment)
	t.enforced(s, "EnvironmentFile", setEnvironmentFile)
	t.enforced(s, "PassEnvironment", setEnvNames(func(b *builder) *[]string { return &ex(b).PassEnvironment }, false))
	t.enforced(s, "UnsetEnvironment", setEnvNames(func(b *builder) *[]string { return &ex(b).UnsetEnvironment }, true))
	t.enforced(s, "UMask", func(b *builder, o Option) error {
		m, err := ParseMode(o.Value)
		if err != nil {
			return badValue("not an octal mode")
		}
		ex(b).UMask = m
		return nil
	})
	t.enforced(s, "Nice", setOptionalInt(func(b *builder) **int { return &ex(b).Nice }, -20, 19))
	t.enforced(s, "OOMScoreAdjust", setOptionalInt(func(b *builder) **int { return &ex(b).OOMScoreAdjust }, -1000, 1000))
	for _, r := range RlimitNames {
		r := r
		t.enforced(s, "Limit"+r, func(b *builder, o Option) error {
			c := ex(b)
			if o.Value == "" {
				delete(c.Limits, r)
				return nil
			}
			l, err := ParseRlimit(r, o.Value)
			if err != nil {
				return err
			}
			if c.Limits == nil {
				c.Limits = map[string]Rlimit{}
			}
			c.Limits[r] = l
			return nil
		})
	}
	t.enforced(s, "AmbientCapabilities", setCaps(func(b *builder) *CapSet { return &ex(b).AmbientCapabilities }, 0))
	t.enforced(s, "CapabilityBoundingSet", setCaps(func(b *builder) *CapSet { return &ex(b).CapabilityBoundingSet }, CapAll))
	t.enforced(s, "NoNewPrivileges", setBool(func(b *builder) *bool { return &ex(b).NoNewPrivileges }))
	t.later(s, "SecureBits", "secure bits are not applied yet", setStrings(func(b *builder) *[]string { return &ex(b).SecureBits }))

	dirs := []struct {
		key   string
		field func(*ExecContext) *[]string
		mode  func(*ExecContext) *Mode
	}{
		{"RuntimeDirectory", func(c *ExecContext) *[]string { return &c.RuntimeDirectory }, func(c *ExecContext) *Mode { return &c.RuntimeDirectoryMode }},
		{"StateDirectory", func(c *ExecContext) *[]string { return &c.StateDirectory }, func(c *ExecContext) *Mode { return &c.StateDirectoryMode }},
		{"CacheDirectory", func(c *ExecContext) *[]string { return &c.CacheDirectory }, func(c *ExecContext) *Mode { return &c.CacheDirectoryMode }},
		{"LogsDirectory", func(c *ExecContext) *[]string { return &c.LogsDirectory }, func(c *ExecContext) *Mode { return &c.LogsDirectoryMode }},
		{"ConfigurationDirectory", func(c *ExecContext) *[]string { return &c.ConfigurationDirectory }, func(c *ExecContext) *Mode { return &c.ConfigurationDirectoryMode }},
	}
	for _, d := range dirs {
		d := d
		t.enforced(s, d.key, setExecDirectories(func(b *builder) *[]string { return d.field(ex(b)) }))
		t.enforced(s, d.key+"Mode", func(b *builder, o Option) error {
			m, err := ParseMode(o.Value)
			if err != nil {
				return badValue("not an octal mode")
			}
			*d.mode(ex(b)) = m
			return nil
		})
	}
	t.enforced(s, "RuntimeDirectoryPreserve", func(b *builder, o Option) error {
		if o.Value == "restart" {
			ex(b).RuntimeDirectoryPreserve = "restart"
			return nil
		}
		v, err := ParseBool(o.Value)
		if err != nil {
			return badValue("must be a boolean or \"restart\"")
		}
		ex(b).RuntimeDirectoryPreserve = map[bool]string{true: "yes", false: "no"}[v]
		return nil
	})

	t.enforced(s, "StandardInput", setStdInput)
	t.enforced(s, "StandardOutput", setStdOutput(func(b *builder) *StdIO { return &ex(b).StandardOutput }))
	t.enforced(s, "StandardError", setStdOutput(func(b *builder) *StdIO { return &ex(b).StandardError }))
	t.enforced(s, "StandardInputText", setStdInputText)
	t.enforced(s, "StandardInputData", setStdInputData)
	t.later(s, "SyslogIdentifier", noteLogs, setString(func(b *builder) *string { return &ex(b).SyslogIdentifier }))
	t.later(s, "SyslogFacility", noteLogs, setEnum(func(b *builder) *string { return &ex(b).SyslogFacility },
		"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv", "ftp",
		"local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"))
	t.later(s, "SyslogLevel", noteLogs, setEnum(func(b *builder) *string { return &ex(b).SyslogLevel }, logLevels...))
	t.later(s, "SyslogLevelPrefix", noteLogs, setBool(func(b *builder) *bool { return &ex(b).SyslogLevelPrefix }))
	t.enforced(s, "TTYPath", setPath(func(b *builder) *string { return &ex(b).TTYPath }))
	t.later(s, "TTYReset", "pm opens TTYPath= but does not reset, hang up or deallocate it yet", setBool(func(b *builder) *bool { return &ex(b).TTYReset }))
	t.later(s, "TTYVHangup", "pm opens TTYPath= but does not reset, hang up or deallocate it yet", setBool(func(b *builder) *bool { return &ex(b).TTYVHangup }))
	t.later(s, "TTYVTDisallocate", "pm opens TTYPath= but does not reset, hang up or deallocate it yet", setBool(func(b *builder) *bool { return &ex(b).TTYVTDisallocate }))
	t.ignored(s, "pm does not resize terminals", "TTYRows", "TTYColumns")
	t.later(s, "IOSchedulingClass", noteSched, setEnum(func(b *builder) *string { return &ex(b).IOSchedulingClass }, "realtime", "best-effort", "idle", "none", "0", "1", "2", "3"))
	t.later(s, "IOSchedulingPriority", noteSched, setOptionalInt(func(b *builder) **int { return &ex(b).IOSchedulingPriority }, 0, 7))
	t.later(s, "CPUSchedulingPolicy", noteSched, setEnum(func(b *builder) *string { return &ex(b).CPUSchedulingPolicy }, "other", "batch", "idle", "fifo", "rr"))
	t.later(s, "CPUSchedulingPriority", noteSched, setOptionalInt(func(b *builder) **int { return &ex(b).CPUSchedulingPriority }, 0, 99))
	t.later(s, "CPUSchedulingResetOnFork", noteSched, setBool(func(b *builder) *bool { return &ex(b).CPUSchedulingResetOnFork }))
	t.later(s, "CPUAffinity", noteSched, setCPUAffinity)
	t.ignored(s, noteSched, "NUMAPolicy", "NUMAMask")
	t.later(s, "TimerSlackNSec", noteSched, func(b *builder, o Option) error {
		d, err := ParseDurationUnit(o.Value, 1)
		if err != nil {
			return badValue("not a time span")
		}
		ex(b).TimerSlackNSec = d
		return nil
	})
	t.ignored(s, "pm does not open PAM sessions", "PAMName")
	t.enforced(s, "IgnoreSIGPIPE", setBool(func(b *builder) *bool { return &ex(b).IgnoreSIGPIPE }))

	t.ignored(s, noteSandbox,
		"RootImage", "RootImageOptions", "RootHash", "RootHashSignature", "RootVerity",
		"ExtensionDirectories", "ExtensionImages", "MountImages", "ProtectProc", "ProcSubset",
		"SystemCallFilter", "SystemCallArchitectures", "SystemCallErrorNumber", "SystemCallLog",
		"MemoryDenyWriteExecute", "RestrictNamespaces", "RestrictRealtime", "RestrictSUIDSGID",
		"RestrictAddressFamilies", "LockPersonality", "RestrictFileSystems",
		"ReadWriteDirectories", "ReadOnlyDirectories", "InaccessibleDirectories",
		"ReadWritePaths", "ReadOnlyPaths", "InaccessiblePaths", "ExecPaths", "NoExecPaths",
		"ExecSearchPath", "BindPaths", "BindReadOnlyPaths", "TemporaryFileSystem",
		"PrivateTmp", "PrivateDevices", "ProtectKernelTunables", "ProtectKernelModules",
		"ProtectKernelLogs", "ProtectClock", "ProtectControlGroups", "NetworkNamespacePath",
		"IPCNamespacePath", "PrivateNetwork", "PrivateUsers", "PrivateMounts", "PrivateIPC",
		"ProtectSystem", "ProtectHome", "MountFlags", "MountAPIVFS", "Personality",
		"ProtectHostname", "RemoveIPC", "KeyringMode", "CoredumpFilter")
	t.ignored(s, noteMAC, "SELinuxContext", "AppArmorProfile", "SmackProcessLabel")
	t.ignored(s, noteJournal, "LogLevelMax", "LogRateLimitIntervalSec", "LogRateLimitBurst", "LogExtraFields", "LogNamespace")
	t.ignored(s, noteCreds, "SetCredential", "SetCredentialEncrypted", "LoadCredential", "LoadCredentialEncrypted")
	t.ignored(s, "pm does not write utmp records", "UtmpIdentifier", "UtmpMode")
	t.ignored(s, "pm does not clean unit directories (systemctl clean)", "TimeoutCleanSec")
	t.ignored(s, noteNoEffect, "Capabilities")
}

var logLevels = []string{"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"}

// setUserGroup parses User= and Group=: a name or numeric id, checked with
// systemd's relaxed rules. A bad name makes the unit unusable, as in systemd.
func setUserGroup(field func(*builder) *string) setter {
	return func(b *builder, o Option) error {
		if o.Value == "" {
			*field(b) = ""
			return nil
		}
		v, err := b.expand(o.Value)
		if err != nil {
			return unusable("%s", trimSentinel(err))
		}
		if !validUserGroupName(v) {
			return unusable("invalid user/group name or numeric ID: %s", v)
		}
		if !strictUserName(v) {
			if _, err := strconv.ParseUint(v, 10, 32); err != nil {
				b.warnf(o.ValuePos, nil, "accepting user/group name %q, which does not match strict user/group name rules", v)
			}
		}
		if o.Key == "User" && v == "nobody" {
			b.noticef(o.ValuePos, "special user nobody configured, this is not safe")
		}
		*field(b) = v
		return nil
	}
}

func setSupplementaryGroups(b *builder, o Option) error {
	c := b.exec()
	if o.Value == "" {
		c.SupplementaryGroups = nil
		return nil
	}
	words, err := splitList(o.Value)
	if err != nil {
		return badValue("invalid syntax")
	}
	for _, w := range words {
		v, err := b.expand(w)
		if err != nil {
			return unusable("%s", trimSentinel(err))
		}
		if !validUserGroupName(v) {
			return unusable("invalid supplementary group name or numeric ID: %s", v)
		}
		c.SupplementaryGroups = append(c.SupplementaryGroups, v)
	}
	return nil
}

// validUserGroupName follows systemd's relaxed user name rules, accepting
// numeric ids.
func validUserGroupName(s string) bool {
	if s == "" || strings.HasPrefix(s, " ") || strings.HasSuffix(s, " ") {
		return false
	}
	if _, err := strconv.ParseUint(s, 10, 32); err == nil {
		return s != "4294967295" && s != "65535"
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' || c == 0x7f || c == ':' || c == '/' {
			return false
		}
	}
	digits := strings.TrimPrefix(s, "-")
	if digits != "" && strings.Trim(digits, "0123456789") == "" {
		return false
	}
	return s != "." && s != ".."
}

// setWorkingDirectory parses WorkingDirectory=: "~", an absolute path, and
// the '-' prefix. A bad path makes the unit unusable unless '-' is given.
func setWorkingDirectory(b *builder, o Option) error {
	c := b.exec()
	v := o.Value
	if v == "" {
		c.WorkingDirectory, c.WorkingDirectoryMissingOK = "", false
		return nil
	}
	missingOK := strings.HasPrefix(v, "-")
	v = strings.TrimPrefix(v, "-")
	fail := func(err error) error {
		if missingOK {
			return err
		}
		return unusable("%s", trimSentinel(err))
	}
	if v != "~" {
		x, err := b.expand(v)
		if err != nil {
			return fail(err)
		}
		if v, err = checkPath(x, true); err != nil {
			return fail(err)
		}
	}
	c.WorkingDirectory, c.WorkingDirectoryMissingOK = v, missingOK
	return nil
}

func setEnvironment(b *builder, o Option) error {
	c := b.exec()
	if o.Value == "" {
		c.Environment = nil
		return nil
	}
	env, problems := ParseEnvironment(o.Value, b.ex.ExpandMax)
	c.Environment = MergeEnv(c.Environment, env...)
	b.report(o, problems)
	return nil
}

func setEnvironmentFile(b *builder, o Option) error {
	c := b.exec()
	if o.Value == "" {
		c.EnvironmentFiles = nil
		return nil
	}
	v, err := b.expand(o.Value)
	if err != nil {
		return err
	}
	f := EnvironmentFile{Optional: strings.HasPrefix(v, "-")}
	p, err := checkPath(strings.TrimPrefix(v, "-"), true)
	if err != nil {
		return err
	}
	f.Path = p
	c.EnvironmentFiles = append(c.EnvironmentFiles, f)
	return nil
}

// setEnvNames parses PassEnvironment= and UnsetEnvironment= (which also
// takes NAME=value assignments).
func setEnvNames(field func(*builder) *[]string, unset bool) setter {
	return func(b *builder, o Option) error {
		if o.Value == "" {
			*field(b) = nil
			return nil
		}
		parse := ParsePassEnvironment
		if unset {
			parse = ParseUnsetEnvironment
		}
		names, problems := parse(o.Value, b.ex.ExpandMax)
		for _, n := range names {
			*field(b) = appendUnique(*field(b), n)
		}
		b.report(o, problems)
		return nil
	}
}

// setOptionalInt parses a bounded integer; empty unsets it.
func setOptionalInt(field func(*builder) **int, min, max int) setter {
	return func(b *builder, o Option) error {
		if o.Value == "" {
			*field(b) = nil
			return nil
		}
		v, err := parseInt(o.Value, 32)
		if err != nil {
			return err
		}
		if int(v) < min || int(v) > max {
			return badValue("out of range %d…%d", min, max)
		}
		n := int(v)
		*field(b) = &n
		return nil
	}
}

// setCaps parses a capability list, merging repeated settings as systemd
// does (CapSet.Apply). Unknown names are skipped with a warning.
func setCaps(field func(*builder) *CapSet, initial CapSet) setter {
	return func(b *builder, o Option) error {
		v, err := field(b).Apply(o.Value, initial)
		*field(b) = v
		return err
	}
}

// setExecDirectories parses RuntimeDirectory= and friends: relative paths,
// never "private"; absolute paths are rejected.
func setExecDirectories(field func(*builder) *[]string) setter {
	return func(b *builder, o Option) error {
		if o.Value == "" {
			*field(b) = nil
			return nil
		}
		words, err := splitList(o.Value)
		if err != nil {
			return badValue("invalid syntax")
		}
		for _, w := range words {
			src, dest, hasDest := strings.Cut(w, ":")
			v, err := b.expand(src)
			if err != nil {
				b.warnf(o.ValuePos, err, "%s=: %s, ignoring", o.Key, trimSentinel(err))
				continue
			}
			p, err := checkPath(v, false)
			if err != nil {
				b.warnf(o.ValuePos, err, "%s=: %s, ignoring", o.Key, trimSentinel(err))
				continue
			}
			if p == "private" || strings.HasPrefix(p, "private/") {
				b.warnf(o.ValuePos, ErrBadValue, "%s= path can't be 'private', ignoring assignment: %s", o.Key, w)
				continue
			}
			if hasDest && dest != "" {
				b.warnf(o.ValuePos, ErrBadValue, "%s=: the symlink destination %q is not supported by pm yet, ignoring it", o.Key, dest)
			}
			*field(b) = append(*field(b), p)
		}
		return nil
	}
}

func setStdInput(b *builder, o Option) error {
	c := b.exec()
	switch {
	case strings.HasPrefix(o.Value, "fd:"):
		name, err := b.expand(o.Value[3:])
		if err != nil {
			return err
		}
		c.StandardInput = StdIO{Type: "fd", FDName: name}
	case strings.HasPrefix(o.Value, "file:"):
		p, err := b.stdioPath(o.Value[5:])
		if err != nil {
			return err
		}
		c.StandardInput = StdIO{Type: "file", Path: p}
	default:
		switch o.Value {
		case "null", "tty", "tty-force", "tty-fail", "socket", "data":
			c.StandardInput = StdIO{Type: o.Value}
		case "fd":
			c.StandardInput = StdIO{Type: "fd"}
		default:
			return badValue("failed to parse input specifier")
		}
	}
	return nil
}

func setStdOutput(field func(*builder) *StdIO) setter {
	return func(b *builder, o Option) error {
		v := o.Value
		for _, p := range []string{"file:", "append:", "truncate:"} {
			if strings.HasPrefix(v, p) {
				path, err := b.stdioPath(v[len(p):])
				if err != nil {
					return err
				}
				*field(b) = StdIO{Type: strings.TrimSuffix(p, ":"), Path: path}
				return nil
			}
		}
		if strings.HasPrefix(v, "fd:") {
			name, err := b.expand(v[3:])
			if err != nil {
				return err
			}
			*field(b) = StdIO{Type: "fd", FDName: name}
			return nil
		}
		switch v {
		case "syslog", "syslog+console":
			nv := strings.Replace(v, "syslog", "journal", 1)
			b.noticef(o.ValuePos, "standard output type %s is obsolete, automatically updating to %s", v, nv)
			v = nv
		case "inherit", "null", "tty", "kmsg", "kmsg+console", "journal", "journal+console", "socket", "fd":
		default:
			return badValue("failed to parse output specifier")
		}
		*field(b) = StdIO{Type: v}
		return nil
	}
}

func (b *builder) stdioPath(s string) (string, error) {
	v, err := b.expand(s)
	if err != nil {
		return "", err
	}
	return checkPath(v, true)
}

func setStdInputText(b *builder, o Option) error {
	c := b.exec()
	if o.Value == "" {
		c.StandardInputData = nil
		return nil
	}
	v, err := CUnescape(o.Value, 0)
	if err != nil {
		return badValue("failed to decode C escaped text")
	}
	if v, err = b.expand(v); err != nil {
		return err
	}
	c.StandardInputData = append(append(c.StandardInputData, v...), '\n')
	return nil
}

func setStdInputData(b *builder, o Option) error {
	c := b.exec()
	if o.Value == "" {
		c.StandardInputData = nil
		return nil
	}
	d, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(o.Value), ""))
	if err != nil {
		return badValue("failed to decode base64 data")
	}
	c.StandardInputData = append(c.StandardInputData, d...)
	return nil
}

// setCPUAffinity parses a CPU list: numbers and ranges separated by blanks
// or commas; empty resets.
func setCPUAffinity(b *builder, o Option) error {
	c := b.exec()
	if o.Value == "" {
		c.CPUAffinity = nil
		return nil
	}
	cpus, err := parseCPUSet(o.Value)
	if err != nil {
		return err
	}
	c.CPUAffinity = append(c.CPUAffinity, cpus...)
	return nil
}

func parseCPUSet(s string) ([]int, error) {
	var out []int
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		lo, hi, isRange := strings.Cut(w, "-")
		a, err := strconv.Atoi(lo)
		if err != nil || a < 0 || a > 8191 {
			return nil, badValue("invalid CPU %q", w)
		}
		z := a
		if isRange {
			if z, err = strconv.Atoi(hi); err != nil || z < a || z > 8191 {
				return nil, badValue("invalid CPU range %q", w)
			}
		}
		for i := a; i <= z; i++ {
			out = append(out, i)
		}
	}
	return out, nil
}
