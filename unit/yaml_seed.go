package unit

import (
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// yamlSections maps the section keys of the full systemd spelling to their
// sections. pm's own sections are reached with x-health:, x-resources:
// and x-pm:, like any [X-…] section.
var yamlSections = []struct{ key, section string }{
	{"unit", SectionUnit},
	{"service", SectionService},
	{"socket", SectionSocket},
	{"timer", SectionTimer},
	{"install", SectionInstall},
	{"path", "Path"},
	{"mount", "Mount"},
	{"automount", "Automount"},
	{"swap", "Swap"},
	{"slice", "Slice"},
	{"scope", "Scope"},
}

// pmSections are the [X-…] sections pm reads; an x- key names them in any
// case ("x-health" is [X-Health]).
var pmSections = []string{SectionHealth, SectionResources, SectionPM}

// sectionForKey returns the section a body key names in the full spelling:
// "service" is [Service], "x-Foo" is [X-Foo].
func sectionForKey(key string) (string, bool) {
	for _, s := range yamlSections {
		if s.key == key {
			return s.section, true
		}
	}
	if !isExtensionKey(key) {
		return "", false
	}
	sec := "X-" + key[2:]
	for _, p := range pmSections {
		if strings.EqualFold(p, sec) {
			return p, true
		}
	}
	return sec, true
}

// yamlSectionKey returns the body key of a section, or "" if the section
// has no YAML spelling: it is neither systemd's nor an [X-…] section, or it
// differs from one of pm's only in case and would be read back as it.
func yamlSectionKey(section string) string {
	for _, s := range yamlSections {
		if s.section == section {
			return s.key
		}
	}
	rest, ok := strings.CutPrefix(section, "X-")
	if !ok {
		return ""
	}
	for _, p := range pmSections {
		if p == section {
			return strings.ToLower(section)
		}
		if strings.EqualFold(p, section) {
			return ""
		}
	}
	return "x-" + rest
}

func isExtensionKey(key string) bool {
	return len(key) >= 2 && (key[0] == 'x' || key[0] == 'X') && key[1] == '-'
}

// seedKind is the shape a seed key takes and how it lowers.
type seedKind uint8

const (
	// seedValue is one scalar: one assignment.
	seedValue seedKind = iota
	// seedBool is one scalar; YAML's true and false become yes and no.
	seedBool
	// seedList is a scalar or a list: one assignment per element.
	seedList
	// seedUnits is a scalar or a list of unit names; names without a type
	// suffix get one.
	seedUnits
	// seedUnit is one unit name; without a type suffix it gets one.
	seedUnit
)

type seedKey struct {
	section, key string
	kind         seedKind
	// suffix is the type given to unit names without one.
	suffix Type
}

// seedKeys are the friendly keys of the process manager pm replaces, and
// a few more in the same style, with the directive each lowers to. The
// special keys (command, args, env, health_check, resources) are lowered
// by their own functions.
var seedKeys = map[string]seedKey{
	"description":           {SectionUnit, "Description", seedValue, ""},
	"documentation":         {SectionUnit, "Documentation", seedList, ""},
	"requires":              {SectionUnit, "Requires", seedUnits, TypeService},
	"requisite":             {SectionUnit, "Requisite", seedUnits, TypeService},
	"wants":                 {SectionUnit, "Wants", seedUnits, TypeService},
	"binds_to":              {SectionUnit, "BindsTo", seedUnits, TypeService},
	"part_of":               {SectionUnit, "PartOf", seedUnits, TypeService},
	"conflicts":             {SectionUnit, "Conflicts", seedUnits, TypeService},
	"after":                 {SectionUnit, "After", seedUnits, TypeService},
	"before":                {SectionUnit, "Before", seedUnits, TypeService},
	"on_failure":            {SectionUnit, "OnFailure", seedUnits, TypeService},
	"on_success":            {SectionUnit, "OnSuccess", seedUnits, TypeService},
	"condition_path_exists": {SectionUnit, "ConditionPathExists", seedList, ""},
	"start_limit_burst":     {SectionUnit, "StartLimitBurst", seedValue, ""},
	"start_limit_interval":  {SectionUnit, "StartLimitIntervalSec", seedValue, ""},

	"auto_start": {SectionPM, "AutoStart", seedBool, ""},

	"process_type":         {SectionService, "Type", seedValue, ""},
	"restart":              {SectionService, "Restart", seedValue, ""},
	"restart_sec":          {SectionService, "RestartSec", seedValue, ""},
	"restart_max_delay":    {SectionService, "RestartMaxDelaySec", seedValue, ""},
	"restart_steps":        {SectionService, "RestartSteps", seedValue, ""},
	"remain_after_exit":    {SectionService, "RemainAfterExit", seedBool, ""},
	"timeout_start_sec":    {SectionService, "TimeoutStartSec", seedValue, ""},
	"timeout_stop_sec":     {SectionService, "TimeoutStopSec", seedValue, ""},
	"pidfile":              {SectionService, "PIDFile", seedValue, ""},
	"working_dir":          {SectionService, "WorkingDirectory", seedValue, ""},
	"environment_file":     {SectionService, "EnvironmentFile", seedList, ""},
	"user":                 {SectionService, "User", seedValue, ""},
	"group":                {SectionService, "Group", seedValue, ""},
	"runtime_directory":    {SectionService, "RuntimeDirectory", seedList, ""},
	"ambient_capabilities": {SectionService, "AmbientCapabilities", seedList, ""},
	"kill_mode":            {SectionService, "KillMode", seedValue, ""},
	"kill_signal":          {SectionService, "KillSignal", seedValue, ""},

	"listen_stream":              {SectionSocket, "ListenStream", seedList, ""},
	"listen_datagram":            {SectionSocket, "ListenDatagram", seedList, ""},
	"listen_sequential_packet":   {SectionSocket, "ListenSequentialPacket", seedList, ""},
	"listen_fifo":                {SectionSocket, "ListenFIFO", seedList, ""},
	"listen_special":             {SectionSocket, "ListenSpecial", seedList, ""},
	"listen_netlink":             {SectionSocket, "ListenNetlink", seedList, ""},
	"listen_message_queue":       {SectionSocket, "ListenMessageQueue", seedList, ""},
	"accept":                     {SectionSocket, "Accept", seedBool, ""},
	"socket_mode":                {SectionSocket, "SocketMode", seedValue, ""},
	"directory_mode":             {SectionSocket, "DirectoryMode", seedValue, ""},
	"socket_user":                {SectionSocket, "SocketUser", seedValue, ""},
	"socket_group":               {SectionSocket, "SocketGroup", seedValue, ""},
	"backlog":                    {SectionSocket, "Backlog", seedValue, ""},
	"bind_ipv6_only":             {SectionSocket, "BindIPv6Only", seedValue, ""},
	"bind_to_device":             {SectionSocket, "BindToDevice", seedValue, ""},
	"reuse_port":                 {SectionSocket, "ReusePort", seedBool, ""},
	"free_bind":                  {SectionSocket, "FreeBind", seedBool, ""},
	"no_delay":                   {SectionSocket, "NoDelay", seedBool, ""},
	"keep_alive":                 {SectionSocket, "KeepAlive", seedBool, ""},
	"pass_credentials":           {SectionSocket, "PassCredentials", seedBool, ""},
	"receive_buffer":             {SectionSocket, "ReceiveBuffer", seedValue, ""},
	"send_buffer":                {SectionSocket, "SendBuffer", seedValue, ""},
	"max_connections":            {SectionSocket, "MaxConnections", seedValue, ""},
	"max_connections_per_source": {SectionSocket, "MaxConnectionsPerSource", seedValue, ""},
	"file_descriptor_name":       {SectionSocket, "FileDescriptorName", seedValue, ""},
	"remove_on_stop":             {SectionSocket, "RemoveOnStop", seedBool, ""},
	"symlinks":                   {SectionSocket, "Symlinks", seedList, ""},
	"trigger_limit_interval":     {SectionSocket, "TriggerLimitIntervalSec", seedValue, ""},
	"trigger_limit_burst":        {SectionSocket, "TriggerLimitBurst", seedValue, ""},

	"on_calendar":          {SectionTimer, "OnCalendar", seedList, ""},
	"on_active_sec":        {SectionTimer, "OnActiveSec", seedList, ""},
	"on_boot_sec":          {SectionTimer, "OnBootSec", seedList, ""},
	"on_startup_sec":       {SectionTimer, "OnStartupSec", seedList, ""},
	"on_unit_active_sec":   {SectionTimer, "OnUnitActiveSec", seedList, ""},
	"on_unit_inactive_sec": {SectionTimer, "OnUnitInactiveSec", seedList, ""},
	"accuracy_sec":         {SectionTimer, "AccuracySec", seedValue, ""},
	"randomized_delay_sec": {SectionTimer, "RandomizedDelaySec", seedValue, ""},
	"fixed_random_delay":   {SectionTimer, "FixedRandomDelay", seedBool, ""},
	"persistent":           {SectionTimer, "Persistent", seedBool, ""},
	"wake_system":          {SectionTimer, "WakeSystem", seedBool, ""},
	"remain_after_elapse":  {SectionTimer, "RemainAfterElapse", seedBool, ""},

	"wanted_by":   {SectionInstall, "WantedBy", seedUnits, TypeTarget},
	"required_by": {SectionInstall, "RequiredBy", seedUnits, TypeTarget},
}

// seedUnitKeys are the two section keys that, given a scalar, are seed keys
// naming a unit: a socket's service: and a timer's unit:.
var seedUnitKeys = map[string]seedKey{
	"service": {SectionSocket, "Service", seedUnit, TypeService},
	"unit":    {SectionTimer, "Unit", seedUnit, TypeService},
}

// specialKeys are the seed keys lowered by their own functions.
var specialKeys = []string{"command", "args", "env", "health_check", "resources"}

// isBodyKey reports whether key means something in a unit's body.
func isBodyKey(key string) bool {
	if _, ok := seedKeys[key]; ok {
		return true
	}
	if _, ok := sectionForKey(key); ok {
		return true
	}
	for _, k := range specialKeys {
		if k == key {
			return true
		}
	}
	return false
}

// bodyKeys lists the keys of a unit's body, sorted, for suggestions.
func bodyKeys() []string {
	keys := append([]string(nil), specialKeys...)
	for k := range seedKeys {
		keys = append(keys, k)
	}
	for _, s := range yamlSections {
		keys = append(keys, s.key)
	}
	keys = append(keys, "x-health", "x-resources", "x-pm")
	sort.Strings(keys)
	return keys
}

// topLevelKeys lists the keys of a multi-unit file, for suggestions.
func topLevelKeys() []string {
	keys := make([]string, len(unitMaps))
	for i, m := range unitMaps {
		keys[i] = m.key
	}
	return keys
}

// bodyLowerer lowers the body of one unit.
type bodyLowerer struct {
	*yamlLowerer
	opts []Option

	// args is the args: entry, appended to command:'s line.
	args       *yamlEntry
	hasCommand bool
	// explicitSteps is set when the body sets RestartSteps= itself, so it
	// is not derived from restart_sec and restart_max_delay.
	explicitSteps bool
	restartSec    string
	restartMax    string
	stepsDone     bool
}

// lowerBody lowers the keys of a unit's body in document order.
func (l *yamlLowerer) lowerBody(entries []yamlEntry) []Option {
	b := &bodyLowerer{yamlLowerer: l}
	b.prescan(entries)
	for _, e := range entries {
		if l.over {
			return nil
		}
		b.entry(e)
	}
	return b.opts
}

func (b *bodyLowerer) prescan(entries []yamlEntry) {
	for i, e := range entries {
		switch e.key {
		case "args":
			b.args = &entries[i]
		case "command":
			b.hasCommand = true
		case "restart_steps":
			b.explicitSteps = true
		case "service":
			if setsKey(e.v, "RestartSteps") {
				b.explicitSteps = true
			}
		}
	}
}

// setsKey reports whether a section body (a mapping or a list of them)
// holds key. Merge keys are not followed: this is a hint, not lowering.
func setsKey(n *yaml.Node, key string) bool {
	maps := []*yaml.Node{n}
	if n.Kind == yaml.SequenceNode {
		maps = n.Content
	}
	for _, m := range maps {
		m = deref(m)
		if m.Kind != yaml.MappingNode {
			continue
		}
		for i := 0; i+1 < len(m.Content); i += 2 {
			if k := deref(m.Content[i]); k.Kind == yaml.ScalarNode && k.Value == key {
				return true
			}
		}
	}
	return false
}

// emit appends an option. Values built here (quoted arguments, say) are
// checked like those read, so that every option lowered can be written to
// a unit file.
func (b *bodyLowerer) emit(section, key string, k, v *yaml.Node, value string) {
	if !b.visit(v) {
		return
	}
	o := Option{Section: section, Key: key, Value: value, Pos: b.pos(k), ValuePos: b.pos(v)}
	if err := checkINIOption(o); err != nil {
		b.fatal(v, ErrBadValue, "%s: cannot be written to a unit file: %s", k.Value, strings.TrimPrefix(err.Error(), o.Pos.String()+": "))
		return
	}
	b.opts = append(b.opts, o)
}

func (b *bodyLowerer) entry(e yamlEntry) {
	if s, ok := seedUnitKeys[e.key]; ok && isScalar(e.v) {
		b.seed(s, e)
		return
	}
	if sec, ok := sectionForKey(e.key); ok {
		b.section(sec, e)
		return
	}
	switch e.key {
	case "command":
		b.command(e)
		return
	case "args":
		if !b.hasCommand {
			b.warn(e.k, ErrBadValue, "args: extends command:, which is missing, ignoring")
		}
		return
	case "env":
		b.env(SectionService, e, true)
		return
	case "health_check":
		b.health(e)
		return
	case "resources":
		b.resources(e)
		return
	}
	if s, ok := seedKeys[e.key]; ok {
		b.seed(s, e)
		b.restartSteps(e)
		return
	}
	b.unknownKey(e, bodyKeys())
}

// seed lowers a key of the seedKeys table.
func (b *bodyLowerer) seed(s seedKey, e yamlEntry) {
	if isNull(e.v) {
		b.emit(s.section, s.key, e.k, e.v, "")
		return
	}
	switch s.kind {
	case seedValue, seedBool, seedUnit:
		if e.v.Kind != yaml.ScalarNode {
			b.shape(e, "a scalar")
			return
		}
		b.seedScalar(s, e.k, e.v)
	case seedList, seedUnits:
		switch e.v.Kind {
		case yaml.ScalarNode:
			b.seedScalar(s, e.k, e.v)
		case yaml.SequenceNode:
			for _, c := range e.v.Content {
				c = deref(c)
				if !b.visit(c) {
					return
				}
				if c.Kind != yaml.ScalarNode {
					b.warn(c, ErrBadValue, "%s: list elements must be scalars, not %s, ignoring", e.key, kindName(c))
					continue
				}
				b.seedScalar(s, e.k, c)
			}
		default:
			b.shape(e, "a scalar or a list")
		}
	}
}

func (b *bodyLowerer) seedScalar(s seedKey, k, v *yaml.Node) {
	val, ok := b.scalar(k.Value, v)
	if !ok {
		return
	}
	switch s.kind {
	case seedBool:
		if v.ShortTag() == "!!bool" {
			val = "no"
			if strings.EqualFold(v.Value, "true") {
				val = "yes"
			}
		}
	case seedUnits, seedUnit:
		val = addUnitSuffix(val, s.suffix)
	}
	b.emit(s.section, s.key, k, v, val)
}

// addUnitSuffix gives each blank-separated unit name in s that has no type
// suffix the suffix t.
func addUnitSuffix(s string, t Type) string {
	words := strings.Fields(s)
	for i, w := range words {
		if _, ok := nameType(w); !ok {
			words[i] = w + "." + string(t)
		}
	}
	return strings.Join(words, " ")
}

// restartSteps derives RestartSteps= from restart_sec and
// restart_max_delay, so that the delay doubles after each restart as the
// seed process manager did: RestartSteps= is the number of doublings that
// take RestartSec= to RestartMaxDelaySec=, ceil(log2(max/sec)).
func (b *bodyLowerer) restartSteps(e yamlEntry) {
	switch e.key {
	case "restart_sec":
		b.restartSec, _ = b.lastValue("RestartSec")
	case "restart_max_delay":
		b.restartMax, _ = b.lastValue("RestartMaxDelaySec")
	default:
		return
	}
	if b.explicitSteps || b.stepsDone || b.restartSec == "" || b.restartMax == "" {
		return
	}
	b.stepsDone = true
	sec, err1 := ParseDuration(b.restartSec)
	limit, err2 := ParseDuration(b.restartMax)
	if err1 != nil || err2 != nil || sec <= 0 || limit == Infinity || limit <= sec {
		return
	}
	steps := 0
	for d := sec; d < limit; d *= 2 {
		steps++
		if d > limit/2 {
			break
		}
	}
	b.emit(SectionService, "RestartSteps", e.k, e.v, strconv.Itoa(steps))
}

// lastValue returns the value of the last option lowered, if it sets key.
func (b *bodyLowerer) lastValue(key string) (string, bool) {
	if n := len(b.opts); n > 0 && b.opts[n-1].Key == key {
		return b.opts[n-1].Value, true
	}
	return "", false
}

// section lowers a section in the full spelling: a mapping of directives,
// or a list of such mappings when order across directives matters or a
// directive repeats after others.
func (b *bodyLowerer) section(sec string, e yamlEntry) {
	if p := sectionProblem(sec); p != "" {
		b.warn(e.k, ErrUnknownSection, "%s: section name %q %s, ignoring", e.key, sec, p)
		return
	}
	switch e.v.Kind {
	case yaml.MappingNode:
		for _, d := range b.mapEntries(e.v, 0, nil) {
			b.directive(sec, d)
		}
	case yaml.SequenceNode:
		for _, c := range e.v.Content {
			c = deref(c)
			if !b.visit(c) {
				return
			}
			switch {
			case c.Kind == yaml.MappingNode:
				for _, d := range b.mapEntries(c, 0, nil) {
					b.directive(sec, d)
				}
			case isNull(c):
			default:
				b.warn(c, ErrBadValue, "%s: list elements must be mappings of directives, not %s, ignoring", e.key, kindName(c))
			}
		}
	default:
		if !isNull(e.v) {
			b.shape(e, "a mapping of directives in systemd's spelling (Directive: value)")
		}
	}
}

// directive lowers one Directive: value of a section in the full spelling.
func (b *bodyLowerer) directive(sec string, d yamlEntry) {
	if p := keyProblem(d.key); p != "" {
		b.warn(d.k, ErrUnknownKey, "directive name %q %s, ignoring", d.key, p)
		return
	}
	switch d.v.Kind {
	case yaml.ScalarNode:
		if v, ok := b.scalar(d.key, d.v); ok {
			b.emit(sec, d.key, d.k, d.v, v)
		}
	case yaml.SequenceNode:
		for _, c := range d.v.Content {
			c = deref(c)
			if !b.visit(c) {
				return
			}
			if c.Kind != yaml.ScalarNode {
				b.warn(c, ErrBadValue, "%s: list elements must be scalars, not %s, ignoring", d.key, kindName(c))
				continue
			}
			if v, ok := b.scalar(d.key, c); ok {
				b.emit(sec, d.key, d.k, c, v)
			}
		}
	case yaml.MappingNode:
		if d.key == "Environment" {
			b.env(sec, d, false)
			return
		}
		b.shape(d, "a scalar or a list")
	}
}
