package manager

import (
	"context"
	"crypto/sha1"
	"fmt"
	"sort"
	"strings"

	"github.com/pm-project/pm/unit"
)

// uuidNamespace is the name-based UUID namespace of units without [X-PM]
// UUID= (a random UUID, fixed forever: changing it renames every unit).
var uuidNamespace = [16]byte{0x6b, 0x1f, 0x3e, 0x59, 0x0c, 0x4a, 0x4d, 0x8e, 0x9a, 0x52, 0x2d, 0x77, 0x31, 0xc5, 0x08, 0xe4}

// unitUUID is the unit's [X-PM] UUID=, or a name-based (version 5) UUID
// derived from its name, so that a unit file's unit keeps its UUID across
// restarts of pmd.
func unitUUID(u *unit.Unit) string {
	if u.UUID != "" {
		return u.UUID
	}
	h := sha1.New()
	h.Write(uuidNamespace[:])
	h.Write([]byte(u.Name))
	var b [16]byte
	copy(b[:], h.Sum(nil))
	b[6] = b[6]&0x0f | 0x50
	b[8] = b[8]&0x3f | 0x80
	return formatUUID(b)
}

// origin says where a unit comes from: "api", "yaml", "file", "builtin",
// or "" for a unit that is not found.
func (m *Manager) origin(u *unit.Unit) string {
	switch {
	case m.isAPI(u):
		return "api"
	case u.SourcePath != "":
		return "yaml"
	case u.FragmentPath != "":
		return "file"
	case u.LoadState == unit.LoadNotFound:
		return ""
	}
	return "builtin"
}

// Resolve finds a unit by name, alias, name without ".service", or UUID
// (any case).
func (s *Snapshot) Resolve(ref string) *UnitStatus {
	if ref == "" {
		return nil
	}
	if st := s.Unit(ref); st != nil {
		return st
	}
	if !strings.Contains(ref, ".") {
		if st := s.Unit(ref + ".service"); st != nil {
			return st
		}
	}
	if u, ok := unit.ParseUUID(ref); ok {
		return s.byUUID(u)
	}
	return nil
}

// byUUID finds the unit with a UUID (in lower case).
func (s *Snapshot) byUUID(uuid string) *UnitStatus {
	for _, m := range s.shards {
		for n, st := range m {
			if n == st.Name && st.UUID == uuid {
				return st
			}
		}
	}
	return nil
}

// Dependencies returns the unit's dependencies as linked (default
// dependencies and inverses included), keyed by systemd's property names
// (Requires, Wants, WantedBy, After, Before, …), each list sorted.
func (m *Manager) Dependencies(ctx context.Context, name string) (map[string][]string, error) {
	out := map[string][]string{}
	err := m.call(ctx, func(l *loop) error {
		rec, ok := l.units[name]
		if !ok {
			return fmt.Errorf("%w: %s", ErrNoSuchUnit, name)
		}
		for k, set := range rec.deps {
			if len(set) == 0 {
				continue
			}
			names := make([]string, 0, len(set))
			for o := range set {
				names = append(names, o.name)
			}
			sort.Strings(names)
			out[depKind(k).String()] = names
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// SystemState is systemctl is-system-running's answer: "stopping" during
// shutdown, "starting" while default.target's start job runs, "degraded"
// when a unit failed, else "running".
func (m *Manager) SystemState() string {
	if m.stopping.Load() {
		return "stopping"
	}
	s := m.Snapshot()
	if d := s.Unit("default.target"); d != nil && d.Job != nil && d.Job.Type == JobStart {
		return "starting"
	}
	for _, st := range s.All() {
		if st.ActiveState == Failed {
			return "degraded"
		}
	}
	return "running"
}
