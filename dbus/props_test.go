package dbus

import (
	"bytes"
	"context"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	godbus "github.com/godbus/dbus/v5"

	"github.com/pm-project/pm/internal/unitprops"
	"github.com/pm-project/pm/manager"
)

// testServer runs a manager on a few units and a server for it (not
// listening anywhere).
func testServer(t *testing.T) *Server {
	t.Helper()
	dir := t.TempDir()
	units := filepath.Join(dir, "units")
	if err := os.MkdirAll(units, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string]string{
		"svc.service": "[Unit]\nDescription=S\nRequires=dep.service\n[Service]\nExecStartPre=-/bin/true\nExecStart=/bin/sleep 1\nExecReload=/bin/true\nRestartPreventExitStatus=3 SIGUSR1\nLimitNOFILE=100:200\nTasksMax=50%\nEnvironmentFile=-/nonexistent\n",
		"dep.service": "[Service]\nExecStart=/bin/sleep 1\n",
		"s.socket":    "[Socket]\nListenStream=/tmp/pm-dbus-test.sock\n",
		"t.timer":     "[Timer]\nOnCalendar=daily\nOnBootSec=5min\n",
		"a.target":    "[Unit]\nDescription=A\n",
		"x.mount":     "[Mount]\nWhat=/a\nWhere=/x\n",
	} {
		if err := os.WriteFile(filepath.Join(units, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	m, err := manager.New(manager.Config{UnitPath: []string{units}, RuntimeDir: filepath.Join(dir, "rt"), StateDir: filepath.Join(dir, "state")})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	select {
	case <-m.Ready():
	case err := <-done:
		t.Fatalf("manager: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("manager not ready")
	}
	s, err := New(m, Options{Root: dir})
	if err != nil {
		t.Fatal(err)
	}
	s.ctx = ctx
	return s
}

// sigOf is the D-Bus signature of a Go value as godbus encodes it.
func sigOf(v any) string { return godbus.SignatureOf(v).String() }

// TestPropertyTypes checks that every value, in its wire form, has the
// type its table entry declares, for each kind of unit and for a unit
// that does not exist.
func TestPropertyTypes(t *testing.T) {
	s := testServer(t)
	r := &request{ctx: context.Background()}
	check := func(t *testing.T, iface string, props []propInfo, get func(i int) any) {
		t.Helper()
		for i, p := range props {
			if got := sigOf(get(i)); got != p.sig {
				t.Errorf("%s.%s: value has type %s, table says %s", iface, p.name, got, p.sig)
			}
		}
	}
	for _, name := range []string{"svc.service", "s.socket", "t.timer", "a.target", "x.mount", "nosuch.service"} {
		t.Run(name, func(t *testing.T) {
			v := s.unitView(r, name)
			for _, tb := range unitTables(v.Status.Type) {
				check(t, tb.iface, tb.info(), func(i int) any { return tb.variant(i, v).Value() })
			}
		})
	}
	mv := s.managerView()
	check(t, "Manager", managerTable.info(), func(i int) any { return managerTable.variant(i, mv).Value() })
	jv := &unitprops.JobView{Info: manager.JobInfo{ID: 3, Unit: "a.target", Type: manager.JobStart, State: "waiting"}}
	check(t, "Job", jobTable.info(), func(i int) any { return jobTable.variant(i, jv).Value() })
}

// TestPropertyValues spot-checks values with their exact types.
func TestPropertyValues(t *testing.T) {
	s := testServer(t)
	r := &request{ctx: context.Background()}
	get := func(name, iface, prop string) any {
		t.Helper()
		r.obj = object{kind: objUnit, unit: name}
		v, ok := s.property(r, iface, prop)
		if !ok {
			t.Fatalf("%s: no property %s.%s", name, iface, prop)
		}
		return wire(t, v)
	}
	for _, tc := range []struct {
		unit, iface, prop string
		want              any
	}{
		{"svc.service", ifaceUnit, "Id", "svc.service"},
		{"svc.service", ifaceUnit, "LoadState", "loaded"},
		{"svc.service", ifaceUnit, "Requires", []string{"basic.target", "dep.service"}},
		{"svc.service", ifaceUnit, "CanReload", true},
		{"svc.service", ifaceUnit, "Job", []any{uint32(0), godbus.ObjectPath("/")}},
		{"svc.service", ifaceUnit, "LoadError", []any{"", ""}},
		{"svc.service", "", "MainPID", uint32(0)},
		{"svc.service", "org.freedesktop.systemd1.Service", "LimitNOFILE", uint64(200)},
		{"svc.service", "org.freedesktop.systemd1.Service", "LimitNOFILESoft", uint64(100)},
		{"svc.service", "org.freedesktop.systemd1.Service", "TasksCurrent", uint64(math.MaxUint64)},
		{"svc.service", "org.freedesktop.systemd1.Service", "RestartPreventExitStatus", []any{[]int32{3}, []int32{10}}},
		{"svc.service", "org.freedesktop.systemd1.Service", "ControlGroup", ""},
		{"nosuch.service", ifaceUnit, "LoadState", "not-found"},
		{"nosuch.service", ifaceUnit, "ActiveState", "inactive"},
		{"nosuch.service", ifaceUnit, "SubState", "dead"},
		{"nosuch.service", ifaceUnit, "LoadError", []any{unitprops.ErrNoSuchUnit, "Unit nosuch.service not found."}},
		{"t.timer", "org.freedesktop.systemd1.Timer", "Unit", "t.service"},
		{"s.socket", "org.freedesktop.systemd1.Socket", "Listen", [][]any{{"ListenStream", "/tmp/pm-dbus-test.sock"}}},
	} {
		got := get(tc.unit, tc.iface, tc.prop)
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s %s.%s = %#v, want %#v", tc.unit, tc.iface, tc.prop, got, tc.want)
		}
	}
}

// wire is a variant's value as a D-Bus peer decodes it.
func wire(t *testing.T, v godbus.Variant) any {
	t.Helper()
	msg := &godbus.Message{Type: godbus.TypeMethodReply, Headers: map[godbus.HeaderField]godbus.Variant{
		godbus.FieldReplySerial: godbus.MakeVariant(uint32(1)),
		godbus.FieldSignature:   godbus.MakeVariant(godbus.ParseSignatureMust("v")),
	}, Body: []any{v}}
	b, err := encode(msg)
	if err != nil {
		t.Fatal(err)
	}
	back, err := godbus.DecodeMessage(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return back.Body[0].(godbus.Variant).Value()
}

// TestGetAllOrder checks that GetAll's a{sv} is a dictionary to a D-Bus
// decoder and keeps the table's order on the wire.
func TestGetAllOrder(t *testing.T) {
	s := testServer(t)
	r := &request{ctx: context.Background(), obj: object{kind: objUnit, unit: "svc.service"}, body: []any{""}}
	rep, err := s.propGetAll(r)
	if err != nil {
		t.Fatal(err)
	}
	msg := &godbus.Message{Type: godbus.TypeMethodReply, Headers: map[godbus.HeaderField]godbus.Variant{
		godbus.FieldReplySerial: godbus.MakeVariant(uint32(1)),
		godbus.FieldSignature:   godbus.MakeVariant(godbus.ParseSignatureMust(rep.sig)),
	}, Body: rep.body}
	b, err := encode(msg)
	if err != nil {
		t.Fatal(err)
	}
	setSerial(b, 7)
	back, err := godbus.DecodeMessage(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if back.Serial() != 7 {
		t.Errorf("serial %d, want 7", back.Serial())
	}
	dict, ok := back.Body[0].(map[string]godbus.Variant)
	if !ok {
		t.Fatalf("body is %T, want a dictionary", back.Body[0])
	}
	entries := rep.body[0].([]propEntry)
	if len(dict) != len(entries) {
		t.Errorf("%d properties decoded, %d sent", len(dict), len(entries))
	}
	// Service's properties come first, then Unit's, in table order.
	if entries[0].Name != "Type" || dict["Id"].Value() != "svc.service" {
		t.Errorf("first property %s, Id %v", entries[0].Name, dict["Id"])
	}
	last := -1
	for _, e := range entries {
		i := bytes.Index(b, append(binary.LittleEndian.AppendUint32(nil, uint32(len(e.Name))), e.Name+"\x00"...))
		if i < last {
			t.Fatalf("%s is out of order on the wire", e.Name)
		}
		last = i
	}
}

func TestSplitSignature(t *testing.T) {
	for sig, want := range map[string][]string{
		"":               nil,
		"ss":             {"s", "s"},
		"uososa(uosos)":  {"u", "o", "s", "o", "s", "a(uosos)"},
		"sa{sv}as":       {"s", "a{sv}", "as"},
		"a(sasbttttuii)": {"a(sasbttttuii)"},
	} {
		if got := splitSignature(sig); !reflect.DeepEqual(got, want) {
			t.Errorf("splitSignature(%q) = %q, want %q", sig, got, want)
		}
	}
}
