package manager

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pm-project/pm/unit"
)

// opts builds options from "[Section] Key=Value" strings, numbering them
// as an API front door does (Pos.Line is the index + 1).
func apiOpts(specs ...string) []unit.Option {
	out := make([]unit.Option, len(specs))
	for i, s := range specs {
		sec, rest, _ := strings.Cut(strings.TrimPrefix(s, "["), "] ")
		k, v, _ := strings.Cut(rest, "=")
		out[i] = unit.Option{Section: sec, Key: k, Value: v, Pos: unit.Pos{File: "request", Line: i + 1}}
	}
	return out
}

func TestStoreCreate(t *testing.T) {
	e := startEngine(t, map[string]string{
		"file.service": "[Service]\nExecStart=/bin/true\n",
		"app.target":   "[Unit]\nWants=web.service\n",
	})
	ctx := context.Background()
	st, err := e.m.Create(ctx, "web", apiOpts("[Unit] Description=Web", "[Service] ExecStart=/bin/sleep 1000"))
	if err != nil {
		t.Fatal(err)
	}
	if st.Name != "web.service" || st.Origin != "api" || st.Description != "Web" {
		t.Errorf("got name %q origin %q description %q; want web.service, api, Web", st.Name, st.Origin, st.Description)
	}
	if _, ok := unit.ParseUUID(st.UUID); !ok {
		t.Errorf("UUID %q is not a UUID", st.UUID)
	}
	p := filepath.Join(e.dir, "state", "units", "web.yaml")
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), st.UUID) {
		t.Errorf("stored file lacks the UUID:\n%s", data)
	}
	if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o600 {
		t.Errorf("stored file mode %v; want 0600", fi.Mode().Perm())
	}
	snap := e.m.Snapshot()
	for _, ref := range []string{"web", "web.service", st.UUID, strings.ToUpper(st.UUID)} {
		if got := snap.Resolve(ref); got == nil || got.Name != "web.service" {
			t.Errorf("Resolve(%q) = %v; want web.service", ref, got)
		}
	}
	if f := snap.Resolve("file"); f == nil || f.Origin != "file" || f.UUID == "" || f.UUID == st.UUID {
		t.Errorf("file.service: got %+v; want origin file and a UUID of its own", f)
	}
	// The target that wanted the not-found unit now pulls it in.
	deps, err := e.m.Dependencies(ctx, "web.service")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(deps["WantedBy"], ","); got != "app.target" {
		t.Errorf("WantedBy = %q; want app.target", got)
	}
	if err := e.m.Start(ctx, "app.target"); err != nil {
		t.Fatal(err)
	}
	e.waitSub("web.service", "running", 5*time.Second)

	tests := []struct {
		name string
		unit string
		opts []unit.Option
		want error
	}{
		{"same name", "web.service", apiOpts("[Service] ExecStart=/bin/true"), ErrExists},
		{"unit file", "file", apiOpts("[Service] ExecStart=/bin/true"), ErrExists},
		{"template", "tpl@.service", apiOpts("[Service] ExecStart=/bin/true"), unit.ErrBadName},
		{"bad name", "a/b", apiOpts("[Service] ExecStart=/bin/true"), unit.ErrBadName},
		{"uuid taken", "other", apiOpts("[Service] ExecStart=/bin/true", "[X-PM] UUID="+st.UUID), ErrExists},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.m.Create(ctx, tt.unit, tt.opts)
			if !errors.Is(err, tt.want) {
				t.Errorf("Create(%s) = %v; want %v", tt.unit, err, tt.want)
			}
		})
	}
	// A unit file written since the last load wins over a new API unit of
	// its name, which leaves nothing behind.
	if err := os.WriteFile(filepath.Join(e.dir, "units", "late.service"), []byte("[Service]\nExecStart=/bin/true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := e.m.Create(ctx, "late", apiOpts("[Service] ExecStart=/bin/true")); !errors.Is(err, ErrExists) {
		t.Errorf("Create(late) over a new unit file = %v; want ErrExists", err)
	}
	if _, err := os.Stat(filepath.Join(e.dir, "state", "units", "late.yaml")); !os.IsNotExist(err) {
		t.Errorf("refused unit left its file: %v", err)
	}
}

func TestStoreCreateInvalid(t *testing.T) {
	e := startEngine(t, nil)
	tests := []struct {
		name string
		opts []unit.Option
		line int // the bad option's Pos.Line
	}{
		{"bad restart", apiOpts("[Service] ExecStart=/bin/true", "[Service] Restart=sometimes"), 2},
		{"unknown key", apiOpts("[Service] Frobnicate=yes", "[Service] ExecStart=/bin/true"), 1},
		{"bad time span", apiOpts("[Service] ExecStart=/bin/true", "[Service] RestartSec=soon"), 2},
		{"bad uuid", apiOpts("[Service] ExecStart=/bin/true", "[X-PM] UUID=nope"), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.m.Create(context.Background(), "bad", tt.opts)
			var inv *InvalidError
			if !errors.As(err, &inv) {
				t.Fatalf("Create = %v; want *InvalidError", err)
			}
			if tt.line > 0 && inv.Diags[0].Pos.Line != tt.line {
				t.Errorf("diagnostic at line %d (%s); want %d", inv.Diags[0].Pos.Line, inv.Diags[0].Msg, tt.line)
			}
			if e.m.Snapshot().Unit("bad.service") != nil {
				t.Error("an invalid unit was loaded")
			}
		})
	}
	if ents, _ := os.ReadDir(filepath.Join(e.dir, "state", "units")); len(ents) != 0 {
		t.Errorf("invalid units left files: %v", ents)
	}
}

func TestStoreUpdate(t *testing.T) {
	e := startEngine(t, map[string]string{"file.service": "[Service]\nExecStart=/bin/true\n"})
	ctx := context.Background()
	created, err := e.m.Create(ctx, "web", apiOpts("[Service] ExecStart=/bin/sleep 1000", "[Service] Restart=no"))
	if err != nil {
		t.Fatal(err)
	}
	e.start("web.service")
	e.waitSub("web.service", "running", 5*time.Second)

	// A hot change: no restart needed; a dry run changes nothing.
	res, err := e.m.Update(ctx, "web", apiOpts("[Service] ExecStart=/bin/sleep 1000", "[Service] Restart=always"), true)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Changes) != 1 || res.Changes[0].Key != "Restart" || !res.Changes[0].Hot || res.RestartRequired {
		t.Errorf("dry run: got %+v restart=%v; want one hot change of Restart=", res.Changes, res.RestartRequired)
	}
	if got := e.m.Snapshot().Unit("web.service").Config.Service.Restart; got != unit.RestartNo {
		t.Errorf("dry run changed Restart= to %v", got)
	}
	res, err = e.m.Update(ctx, "web", apiOpts("[Service] ExecStart=/bin/sleep 1000", "[Service] Restart=always"), false)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Changes) != 1 || res.RestartRequired {
		t.Errorf("update: got %+v restart=%v; want one hot change", res.Changes, res.RestartRequired)
	}
	st := e.m.Snapshot().Unit("web.service")
	if st.Config.Service.Restart != unit.RestartAlways || st.UUID != created.UUID || st.SubState != "running" {
		t.Errorf("after update: Restart=%v UUID %s sub %s; want always, %s, running", st.Config.Service.Restart, st.UUID, st.SubState, created.UUID)
	}
	// The new policy applies to the running process at once.
	if err := e.m.Kill(ctx, "web.service", "main", 9); err != nil {
		t.Fatal(err)
	}
	e.wait("web.service", 5*time.Second, "a restart", func(s *UnitStatus) bool { return s.NRestarts == 1 && s.SubState == "running" })

	// A cold change while running needs a restart.
	res, err = e.m.Update(ctx, "web.service", apiOpts("[Service] ExecStart=/bin/sleep 2000", "[Service] Restart=always"), false)
	if err != nil {
		t.Fatal(err)
	}
	if !res.RestartRequired || len(res.Changes) != 1 || res.Changes[0].Hot {
		t.Errorf("ExecStart change: got %+v restart=%v; want one cold change and a restart required", res.Changes, res.RestartRequired)
	}
	if got := strings.Join(res.Changes[0].New, " "); got != "/bin/sleep 2000" {
		t.Errorf("new value %q", got)
	}

	if _, err := e.m.Update(ctx, "file", apiOpts("[Service] ExecStart=/bin/true"), false); !errors.Is(err, ErrNotAPI) {
		t.Errorf("Update of a unit file = %v; want ErrNotAPI", err)
	}
	if _, err := e.m.Update(ctx, "nope", apiOpts("[Service] ExecStart=/bin/true"), false); !errors.Is(err, ErrNoSuchUnit) {
		t.Errorf("Update of an unknown unit = %v; want ErrNoSuchUnit", err)
	}
	var inv *InvalidError
	if _, err := e.m.Update(ctx, "web", apiOpts("[Service] ExecStart=/bin/true", "[X-PM] UUID=0f8fad5b-d9cb-469f-a165-70867728950e"), false); !errors.As(err, &inv) {
		t.Errorf("changing the UUID = %v; want *InvalidError", err)
	}
}

func TestStoreDelete(t *testing.T) {
	e := startEngine(t, map[string]string{"file.service": "[Service]\nExecStart=/bin/sleep 1000\n"})
	ctx := context.Background()
	if _, err := e.m.Create(ctx, "web", apiOpts("[Service] ExecStart=/bin/sleep 1000")); err != nil {
		t.Fatal(err)
	}
	e.start("web.service")
	e.waitSub("web.service", "running", 5*time.Second)
	if _, err := e.m.Delete(ctx, "web", false); !errors.Is(err, ErrActive) {
		t.Fatalf("Delete of a running unit = %v; want ErrActive", err)
	}
	if e.m.Snapshot().Unit("web.service").SubState != "running" {
		t.Fatal("a refused Delete stopped the unit")
	}
	if _, err := e.m.Delete(ctx, "file", true); !errors.Is(err, ErrNotAPI) {
		t.Errorf("Delete of a unit file = %v; want ErrNotAPI", err)
	}
	if _, err := e.m.Delete(ctx, "web", true); err != nil {
		t.Fatal(err)
	}
	if st := e.m.Snapshot().Unit("web.service"); st != nil {
		t.Errorf("deleted unit still there: %s/%s", st.ActiveState, st.SubState)
	}
	if _, err := os.Stat(filepath.Join(e.dir, "state", "units", "web.yaml")); !os.IsNotExist(err) {
		t.Errorf("stored file still there: %v", err)
	}
	if err := e.m.Start(ctx, "web.service"); !errors.Is(err, ErrNoSuchUnit) {
		t.Errorf("start after delete = %v; want ErrNoSuchUnit", err)
	}
	// The name is free again.
	if _, err := e.m.Create(ctx, "web", apiOpts("[Service] ExecStart=/bin/true")); err != nil {
		t.Errorf("create again: %v", err)
	}
}

// TestStorePersists: a second manager on the same state directory loads
// the units the first created, with their UUIDs; daemon-reload keeps them.
func TestStorePersists(t *testing.T) {
	e := startEngine(t, nil)
	ctx := context.Background()
	st, err := e.m.Create(ctx, "web", apiOpts("[Service] ExecStart=/bin/sleep 1000", "[X-PM] AutoStart=yes"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.m.DaemonReload(ctx); err != nil {
		t.Fatal(err)
	}
	if got := e.m.Snapshot().Unit("web.service"); got == nil || got.UUID != st.UUID {
		t.Fatalf("after daemon-reload: %+v; want the unit with UUID %s", got, st.UUID)
	}
	// A leftover of an interrupted write is cleaned up, not loaded.
	junk := filepath.Join(e.dir, "state", "units", ".web.yaml.tmp123")
	if err := os.WriteFile(junk, []byte("garbage: ["), 0o600); err != nil {
		t.Fatal(err)
	}
	e.close()
	m2, err := New(Config{UnitPath: []string{filepath.Join(e.dir, "units")}, RuntimeDir: filepath.Join(e.dir, "pm2"),
		StateDir: filepath.Join(e.dir, "state"), System: true})
	if err != nil {
		t.Fatal(err)
	}
	if d := m2.Diagnostics().Filter(unit.Warning); len(d) > 0 {
		t.Errorf("diagnostics: %v", d)
	}
	if _, err := os.Stat(junk); !os.IsNotExist(err) {
		t.Errorf("temporary file not removed: %v", err)
	}
	u := m2.initial.Units["web.service"]
	if u == nil || u.UUID != st.UUID || !u.AutoStart {
		t.Fatalf("reloaded unit: %+v; want UUID %s and AutoStart", u, st.UUID)
	}
}

func TestDiffOptions(t *testing.T) {
	old := apiOpts("[Service] ExecStart=/bin/a", "[Service] Environment=A=1", "[Service] Environment=B=2", "[X-PM] UUID=x")
	cur := apiOpts("[Service] ExecStart=/bin/a", "[Service] Environment=A=1", "[Service] RestartSec=5", "[X-PM] UUID=y")
	got := diffOptions(old, cur)
	if len(got) != 2 {
		t.Fatalf("got %+v; want Environment and RestartSec", got)
	}
	if got[0].Key != "Environment" || strings.Join(got[0].Old, ",") != "A=1,B=2" || strings.Join(got[0].New, ",") != "A=1" || got[0].Hot {
		t.Errorf("first change %+v", got[0])
	}
	if got[1].Key != "RestartSec" || len(got[1].Old) != 0 || !got[1].Hot {
		t.Errorf("second change %+v", got[1])
	}
}
