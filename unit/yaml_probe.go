package unit

import (
	"maps"
	"math/big"
	"net"
	"net/url"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// healthKeys map the keys of health_check: to their [X-Health] directives.
// http, tcp and exec are lowered by health itself.
var healthKeys = map[string]string{
	"interval":      "IntervalSec",
	"timeout":       "TimeoutSec",
	"retries":       "Retries",
	"restart_after": "RestartAfter",
}

func healthKeyList() []string {
	return []string{"exec", "http", "interval", "restart_after", "retries", "tcp", "timeout"}
}

// health lowers health_check: to the [X-Health] section.
func (b *bodyLowerer) health(e yamlEntry) {
	if isNull(e.v) {
		return
	}
	if e.v.Kind != yaml.MappingNode {
		b.shape(e, "a mapping of probes (http, tcp, exec) and their timing")
		return
	}
	for _, h := range b.mapEntries(e.v, 0, nil) {
		switch h.key {
		case "http":
			b.probeList(h, "HTTPGet", b.httpProbe)
		case "tcp":
			b.probeList(h, "TCPSocket", b.tcpProbe)
		case "exec":
			b.execProbe(h)
		default:
			key, ok := healthKeys[h.key]
			if !ok {
				b.unknownKey(h, healthKeyList())
				continue
			}
			b.seed(seedKey{SectionHealth, key, seedValue, ""}, h)
		}
	}
}

// probeList lowers an http: or tcp: probe, or a list of them, with one
// to lower each.
func (b *bodyLowerer) probeList(h yamlEntry, key string, one func(key string, h yamlEntry, n *yaml.Node) (string, bool)) {
	nodes := []*yaml.Node{h.v}
	if h.v.Kind == yaml.SequenceNode {
		nodes = h.v.Content
	}
	for _, n := range nodes {
		n = deref(n)
		if !b.visit(n) {
			return
		}
		if isNull(n) {
			b.emit(SectionHealth, key, h.k, n, "")
			continue
		}
		if v, ok := one(key, h, n); ok {
			b.emit(SectionHealth, key, h.k, n, v)
		}
	}
}

// httpProbe lowers one http: probe: a URL, or a mapping with url:, or with
// port: (and host:, path:, scheme:) from which the URL is built.
func (b *bodyLowerer) httpProbe(key string, h yamlEntry, n *yaml.Node) (string, bool) {
	switch n.Kind {
	case yaml.ScalarNode:
		return b.scalar(h.key, n)
	case yaml.MappingNode:
	default:
		b.warn(n, ErrBadValue, "http: expected a URL or a mapping with url: or port:, got %s, ignoring", kindName(n))
		return "", false
	}
	parts := map[string]string{"scheme": "http", "host": "localhost", "path": "/"}
	given := map[string]bool{}
	for _, p := range b.mapEntries(n, 0, nil) {
		switch p.key {
		case "url", "scheme", "host", "port", "path":
		default:
			b.unknownKey(p, []string{"host", "path", "port", "scheme", "url"})
			continue
		}
		if p.v.Kind != yaml.ScalarNode {
			b.shape(p, "a scalar")
			return "", false
		}
		v, ok := b.scalar(p.key, p.v)
		if !ok {
			return "", false
		}
		parts[p.key] = v
		given[p.key] = true
	}
	switch {
	case given["url"] && len(given) > 1:
		b.warn(n, ErrBadValue, "http: give either url: or port: (with host:, path:, scheme:), not both, ignoring")
		return "", false
	case given["url"]:
		return parts["url"], true
	case !given["port"]:
		b.warn(n, ErrBadValue, "http: needs url: or port:, ignoring")
		return "", false
	}
	path := parts["path"]
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	u := url.URL{Scheme: parts["scheme"], Host: net.JoinHostPort(parts["host"], parts["port"])}
	return u.String() + path, true
}

// tcpProbe lowers one tcp: probe: "host:port", or a bare port, which means
// a port on localhost.
func (b *bodyLowerer) tcpProbe(key string, h yamlEntry, n *yaml.Node) (string, bool) {
	if n.Kind != yaml.ScalarNode {
		b.warn(n, ErrBadValue, "tcp: expected host:port or a port, got %s, ignoring", kindName(n))
		return "", false
	}
	v, ok := b.scalar(h.key, n)
	if ok && v != "" && strings.Trim(v, "0123456789") == "" {
		v = "localhost:" + v
	}
	return v, ok
}

// execProbe lowers exec:, a command line or a list of literal words, as
// command: is lowered.
func (b *bodyLowerer) execProbe(h yamlEntry) {
	switch {
	case isNull(h.v):
		b.emit(SectionHealth, "Exec", h.k, h.v, "")
	case h.v.Kind == yaml.ScalarNode:
		if v, ok := b.scalar(h.key, h.v); ok {
			b.emit(SectionHealth, "Exec", h.k, h.v, v)
		}
	case h.v.Kind == yaml.SequenceNode:
		words, ok := b.words(h.key, h.v)
		if !ok {
			return
		}
		if len(words) == 0 {
			b.warn(h.k, ErrBadValue, "exec: the list is empty, ignoring")
			return
		}
		parts := make([]string, len(words))
		for i, w := range words {
			parts[i] = quoteLiteralArg(w, i > 0)
		}
		b.emit(SectionHealth, "Exec", h.k, h.v, strings.Join(parts, " "))
	default:
		b.shape(h, "a command line or a list of words")
	}
}

// resourceKeys map requests:/limits: and their keys to [X-Resources]
// directives.
var resourceKeys = map[string]map[string]string{
	"requests": {"cpu": "RequestsCPU", "memory": "RequestsMemory"},
	"limits":   {"cpu": "LimitsCPU", "memory": "LimitsMemory", "pids": "LimitsPids"},
}

// resources lowers resources: to the [X-Resources] section. CPU amounts
// are normalised to millicores ("1.5" is "1500m") and memory to systemd's
// size syntax ("512Mi" is "512M"); values that are neither pass
// unchanged, for the directive to judge.
func (b *bodyLowerer) resources(e yamlEntry) {
	if isNull(e.v) {
		return
	}
	if e.v.Kind != yaml.MappingNode {
		b.shape(e, "a mapping with requests: and limits:")
		return
	}
	for _, g := range b.mapEntries(e.v, 0, nil) {
		keys, ok := resourceKeys[g.key]
		if !ok {
			b.unknownKey(g, []string{"limits", "requests"})
			continue
		}
		if isNull(g.v) {
			continue
		}
		if g.v.Kind != yaml.MappingNode {
			b.shape(g, "a mapping of cpu:, memory: and pids:")
			continue
		}
		for _, r := range b.mapEntries(g.v, 0, nil) {
			key, ok := keys[r.key]
			if !ok {
				b.unknownKey(r, slices.Sorted(maps.Keys(keys)))
				continue
			}
			if isNull(r.v) {
				b.emit(SectionResources, key, r.k, r.v, "")
				continue
			}
			if r.v.Kind != yaml.ScalarNode {
				b.shape(r, "a scalar")
				continue
			}
			v, ok := b.scalar(r.key, r.v)
			if !ok {
				continue
			}
			switch r.key {
			case "cpu":
				v = normCPU(v)
			case "memory":
				v = normMemory(v)
			}
			b.emit(SectionResources, key, r.k, r.v, v)
		}
	}
}

// decimal parses an unsigned decimal number ("2", "1.5", ".5") exactly.
func decimal(s string) (*big.Rat, bool) {
	if s == "" || len(s) > 40 || strings.Count(s, ".") > 1 || s == "." {
		return nil, false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && c != '.' {
			return nil, false
		}
	}
	r, ok := new(big.Rat).SetString(s)
	return r, ok
}

// normCPU normalises a CPU amount to millicores: "250m" stays, "1.5" and
// 1.5 are "1500m", 2 is "2000m". Amounts finer than a millicore, and
// anything else, are returned unchanged.
func normCPU(s string) string {
	num, milli := strings.CutSuffix(s, "m")
	r, ok := decimal(num)
	if !ok {
		return s
	}
	if !milli {
		r.Mul(r, big.NewRat(1000, 1))
	}
	if !r.IsInt() {
		return s
	}
	return r.Num().String() + "m"
}

// normMemory normalises a memory amount to systemd's size syntax, which
// the [X-Resources] directives read: Kubernetes' binary suffixes become
// systemd's ("512Mi" is "512M", since systemd's M is 1024² bytes too).
// Anything else is returned unchanged: bytes, sizes already in systemd's
// syntax, and values for the directive to judge.
func normMemory(s string) string {
	for _, suf := range []string{"Ki", "Mi", "Gi", "Ti", "Pi", "Ei"} {
		if num, ok := strings.CutSuffix(s, suf); ok {
			if _, ok := decimal(num); ok {
				return num + suf[:1]
			}
		}
	}
	return s
}
