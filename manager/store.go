package manager

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/pm-project/pm/unit"
)

// Units created over the API live in StateDir/units, one YAML file each,
// read like any config directory; so they survive restarts and
// daemon-reload. A file is written to a hidden temporary name, synced and
// renamed, and the directory synced, before Create or Update returns: a
// crash at any moment leaves the old file or the new one, never half of
// one. The loader skips hidden files, and New removes the leftovers of an
// interrupted write.

// More sentinel errors, for Create, Update and Delete.
var (
	// ErrExists: a unit of that name exists already.
	ErrExists = errors.New("unit exists already")
	// ErrNotAPI: only units created over the API can be updated or
	// deleted.
	ErrNotAPI = errors.New("unit was not created over the API")
	// ErrActive: the unit runs or has a job.
	ErrActive = errors.New("unit is active")
	// ErrNoStateDir: the manager has no state directory to store units
	// in.
	ErrNoStateDir = errors.New("no state directory configured")
)

// InvalidError reports settings that do not parse. Each diagnostic's Pos
// is the Pos of the offending option as given to Create or Update, so that
// a caller who numbered its options (Pos.Line) knows which one is wrong.
type InvalidError struct {
	Diags unit.Diagnostics
}

func (e *InvalidError) Error() string {
	if len(e.Diags) == 0 {
		return "invalid settings"
	}
	msgs := make([]string, len(e.Diags))
	for i, d := range e.Diags {
		msgs[i] = d.Msg
	}
	return strings.Join(msgs, "; ")
}

// storeDir is where API units are stored, or "".
func (m *Manager) storeDir() string {
	if m.cfg.StateDir == "" {
		return ""
	}
	return filepath.Join(m.cfg.StateDir, "units")
}

// loader reads the unit path, the config dirs and the store.
func (m *Manager) loader() unit.Loader {
	dirs := m.cfg.ConfigDirs
	if d := m.storeDir(); d != "" {
		dirs = append(append([]string(nil), dirs...), d)
	}
	return unit.Loader{Path: m.cfg.UnitPath, ConfigDirs: dirs, Host: m.cfg.Host}
}

// isAPI reports whether the unit was loaded from the store.
func (m *Manager) isAPI(u *unit.Unit) bool {
	d := m.storeDir()
	return d != "" && u != nil && u.SourcePath != "" && filepath.Dir(u.SourcePath) == d
}

// cleanStore removes temporary files left by an interrupted write.
func (m *Manager) cleanStore() {
	d := m.storeDir()
	if d == "" {
		return
	}
	ents, _ := os.ReadDir(d)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".") && strings.Contains(e.Name(), ".tmp") {
			_ = os.Remove(filepath.Join(d, e.Name()))
		}
	}
}

// Create makes a new unit named name (a service when name has no type
// suffix) from opts, stores it in the state directory and loads it. An
// [X-PM] UUID= option is added unless opts has one. Settings are checked
// strictly: what a unit file would get a warning for (an unknown key, a
// bad value) is an *InvalidError here. Errors: ErrExists, *InvalidError,
// ErrNoStateDir.
func (m *Manager) Create(ctx context.Context, name string, opts []unit.Option) (*UnitStatus, error) {
	dir := m.storeDir()
	if dir == "" {
		return nil, ErrNoStateDir
	}
	name, err := apiUnitName(name)
	if err != nil {
		return nil, err
	}
	m.storeMu.Lock()
	defer m.storeMu.Unlock()
	opts, uuid, err := withUUID(opts, "")
	if err != nil {
		return nil, err
	}
	if err := m.validate(name, opts); err != nil {
		return nil, err
	}
	snap := m.Snapshot()
	if st := snap.byUUID(uuid); st != nil {
		return nil, fmt.Errorf("%w: UUID %s is %s's", ErrExists, uuid, st.Name)
	}
	if st := snap.Unit(name); st != nil && st.LoadState != unit.LoadNotFound {
		return nil, fmt.Errorf("%w: %s", ErrExists, name)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create %s: %w", dir, err)
	}
	path := filepath.Join(dir, unit.YAMLFileName(name))
	if _, err := os.Lstat(path); err == nil {
		return nil, fmt.Errorf("%w: %s is stored already (%s)", ErrExists, name, path)
	}
	// A file that appeared since the last load and defines the name too
	// takes precedence over the stored one: applyStored finds out in the
	// one scan it makes, and the stored file goes again.
	if err := writeUnit(path, name, opts); err != nil {
		return nil, err
	}
	if err := m.applyStored(ctx, name, path, nil); err != nil {
		_ = os.Remove(path)
		_ = syncDir(dir)
		return nil, err
	}
	return m.Snapshot().Unit(name), nil
}

// APIOptions returns the options an API-created unit was stored with.
// Errors: ErrNoSuchUnit, ErrNotAPI.
func (m *Manager) APIOptions(name string) ([]unit.Option, error) {
	st := m.Snapshot().Resolve(name)
	if st == nil || st.Config == nil || st.Config.LoadState == unit.LoadNotFound {
		return nil, fmt.Errorf("%w: %s", ErrNoSuchUnit, name)
	}
	if !m.isAPI(st.Config) {
		return nil, fmt.Errorf("%w: %s", ErrNotAPI, st.Name)
	}
	return readStored(st.Config.SourcePath, st.Name)
}

// DirectiveChange is one directive whose values an Update changes.
type DirectiveChange struct {
	Section, Key string
	Old, New     []string
	// Hot: the change applies to the running unit at once (restart
	// policy, restart delays, timeouts, start limits, kill settings,
	// dependencies, resource limits); otherwise it takes effect when the
	// unit starts again.
	Hot bool
}

// UpdateResult says what Update changed (or would change, with dryRun).
type UpdateResult struct {
	Changes []DirectiveChange
	// RestartRequired: a change that is not hot was made while the unit
	// runs.
	RestartRequired bool
	Unit            *UnitStatus
}

// Update replaces the options of an API-created unit with opts (the whole
// list; the unit's UUID is kept, and opts may not change it), stores and
// applies them as daemon-reload would for this one unit. With dryRun it
// only reports. Errors: ErrNoSuchUnit, ErrNotAPI, *InvalidError.
func (m *Manager) Update(ctx context.Context, name string, opts []unit.Option, dryRun bool) (*UpdateResult, error) {
	m.storeMu.Lock()
	defer m.storeMu.Unlock()
	st := m.Snapshot().Resolve(name)
	if st == nil || st.Config == nil || st.Config.LoadState == unit.LoadNotFound {
		return nil, fmt.Errorf("%w: %s", ErrNoSuchUnit, name)
	}
	if !m.isAPI(st.Config) {
		return nil, fmt.Errorf("%w: %s", ErrNotAPI, st.Name)
	}
	old, err := readStored(st.Config.SourcePath, st.Name)
	if err != nil {
		return nil, err
	}
	opts, _, err = withUUID(opts, st.UUID)
	if err != nil {
		return nil, err
	}
	if err := m.validate(st.Name, opts); err != nil {
		return nil, err
	}
	res := &UpdateResult{Changes: diffOptions(old, opts), Unit: st}
	running := st.ActiveState != Inactive && st.ActiveState != Failed
	for _, c := range res.Changes {
		if !c.Hot && running {
			res.RestartRequired = true
		}
	}
	if dryRun || len(res.Changes) == 0 {
		return res, nil
	}
	path := st.Config.SourcePath
	if err := writeUnit(path, st.Name, opts); err != nil {
		return nil, err
	}
	if err := m.applyStored(ctx, st.Name, path, nil); err != nil {
		return nil, err
	}
	res.Unit = m.Snapshot().Unit(st.Name)
	return res, nil
}

// Delete removes an API-created unit: its file and the loaded unit. An
// active unit (or one with a job) is refused with ErrActive unless force,
// which stops it first and waits. Errors: ErrNoSuchUnit, ErrNotAPI,
// ErrActive.
func (m *Manager) Delete(ctx context.Context, name string, force bool) (*UnitStatus, error) {
	m.storeMu.Lock()
	defer m.storeMu.Unlock()
	st := m.Snapshot().Resolve(name)
	if st == nil || st.Config == nil || st.Config.LoadState == unit.LoadNotFound {
		return nil, fmt.Errorf("%w: %s", ErrNoSuchUnit, name)
	}
	if !m.isAPI(st.Config) {
		return nil, fmt.Errorf("%w: %s", ErrNotAPI, st.Name)
	}
	if force {
		_, done, err := m.Enqueue(ctx, st.Name, JobStop, unit.JobReplace)
		if err != nil {
			return nil, err
		}
		select {
		case <-done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	// The loop refuses an active unit before the file goes, so that a
	// refused Delete changes nothing.
	path := st.Config.SourcePath
	if err := m.applyStored(ctx, st.Name, path, &path); err != nil {
		return nil, err
	}
	m.out.logs.drop(st.Name)
	return st, nil
}

// apiUnitName completes a name without type suffix to a service and
// refuses names that cannot be created.
func apiUnitName(name string) (string, error) {
	if name == "" {
		return "", fmt.Errorf("%w: empty unit name", unit.ErrBadName)
	}
	if !strings.Contains(name, ".") || !unit.Type(name[strings.LastIndexByte(name, '.')+1:]).Known() {
		name += ".service"
	}
	n, err := unit.ParseName(name)
	if err != nil {
		return "", err
	}
	if n.IsTemplate() {
		return "", fmt.Errorf("%w: %s is a template; templates cannot be created over the API", unit.ErrBadName, name)
	}
	return name, nil
}

// withUUID returns opts with exactly one [X-PM] UUID=: keep (when not
// empty) wins, then the one in opts, else a new random one.
func withUUID(opts []unit.Option, keep string) ([]unit.Option, string, error) {
	var out []unit.Option
	given := ""
	for _, o := range opts {
		if o.Section == unit.SectionPM && o.Key == "UUID" {
			given = o.Value
			continue
		}
		out = append(out, o)
	}
	uuid := keep
	switch {
	case keep != "" && given != "":
		if g, ok := unit.ParseUUID(given); !ok || g != keep {
			return nil, "", &InvalidError{Diags: unit.Diagnostics{{Severity: unit.Error,
				Msg: "[X-PM] UUID= cannot be changed"}}}
		}
	case keep == "" && given != "":
		u, ok := unit.ParseUUID(given)
		if !ok {
			return nil, "", &InvalidError{Diags: unit.Diagnostics{{Severity: unit.Error,
				Msg: fmt.Sprintf("[X-PM] UUID=%s is not a UUID", given)}}}
		}
		uuid = u
	case keep == "":
		uuid = newUUID()
	}
	return append(out, unit.Option{Section: unit.SectionPM, Key: "UUID", Value: uuid}), uuid, nil
}

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return formatUUID(b)
}

func formatUUID(b [16]byte) string {
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// validate builds the unit from opts and fails on anything a unit file
// would get a warning or an error for.
func (m *Manager) validate(name string, opts []unit.Option) error {
	// Diagnostics point at a value or a section header; the caller knows
	// its options by Pos only.
	withPos := make([]unit.Option, len(opts))
	for i, o := range opts {
		o.ValuePos, o.SectionPos = o.Pos, o.Pos
		withPos[i] = o
	}
	_, diags := unit.Build(name, []unit.File{{Options: withPos}}, m.cfg.Host)
	if bad := diags.Filter(unit.Warning); len(bad) > 0 {
		return &InvalidError{Diags: bad}
	}
	return nil
}

// writeUnit stores a unit as YAML, atomically and durably.
func writeUnit(path, name string, opts []unit.Option) error {
	clean := make([]unit.Option, len(opts))
	for i, o := range opts {
		clean[i] = unit.Option{Section: o.Section, Key: o.Key, Value: o.Value}
	}
	data, err := unit.FormatYAML(unit.Lowered{Name: name, Options: clean})
	if err != nil {
		return fmt.Errorf("store %s: %w", name, err)
	}
	data = append([]byte("# Created over pm's API; change it with pmctl update.\n"), data...)
	return writeFileAtomic(path, data, 0o600)
}

// readStored reads the options of a stored unit.
func readStored(path, name string) ([]unit.Option, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read stored unit %s: %w", name, err)
	}
	units, diags := unit.ParseYAML(path, data)
	if diags.HasErrors() {
		return nil, fmt.Errorf("stored unit %s: %w", name, diags[0])
	}
	for _, lu := range units {
		if lu.Name == name {
			return lu.Options, nil
		}
	}
	return nil, fmt.Errorf("stored unit %s: not in %s", name, path)
}

// writeFileAtomic writes data to a hidden temporary file beside path,
// syncs it, renames it over path and syncs the directory.
func writeFileAtomic(path string, data []byte, perm fs.FileMode) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp")
	if err != nil {
		return fmt.Errorf("store %s: %w", path, err)
	}
	tmp := f.Name()
	fail := func(err error) error {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("store %s: %w", path, err)
	}
	if _, err := f.Write(data); err != nil {
		return fail(err)
	}
	if err := f.Chmod(perm); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("store %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("store %s: %w", path, err)
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}
