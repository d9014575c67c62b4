package dbus

import (
	"encoding/xml"
	"sort"
	"strconv"
	"strings"

	"github.com/godbus/dbus/v5/introspect"

	"github.com/pm-project/pm/unit"
)

// org.freedesktop.DBus.Introspectable: every object describes its
// interfaces (from the same tables that serve them) and its children, so
// busctl tree and introspect and gdbus introspect work. systemctl never
// introspects.

func (s *Server) introspect(r *request) (reply, error) {
	n := introspect.Node{}
	for _, name := range s.interfaceNames(r.obj) {
		n.Interfaces = append(n.Interfaces, s.describe(r.obj, name))
	}
	for _, c := range s.children(r.obj) {
		n.Children = append(n.Children, introspect.Node{Name: c})
	}
	b, err := xml.MarshalIndent(n, "", " ")
	if err != nil {
		return reply{}, newErr(errFailed, "%v", err)
	}
	return ret("s", strings.TrimPrefix(introspect.IntrospectDeclarationString, "\n\t")+string(b)+"\n"), nil
}

// interfaceNames lists an object's interfaces, standard ones first.
func (s *Server) interfaceNames(o object) []string {
	std := []string{ifacePeer, ifaceIntrospect}
	switch o.kind {
	case objManager:
		return append(std, ifaceProperties, ifaceManager)
	case objUnit:
		out := append(std, ifaceProperties, ifaceUnit)
		if n, err := unit.ParseName(o.unit); err == nil {
			if t := typeInterface(n.Type); t != "" {
				out = append(out, t)
			}
		}
		return out
	case objJob:
		return append(std, ifaceProperties, ifaceJob)
	case objDriver:
		return append(std, ifaceDBus)
	}
	return std
}

// describe is the introspection of one interface of o.
func (s *Server) describe(o object, name string) introspect.Interface {
	out := introspect.Interface{Name: name}
	var f *iface
	var props []propInfo
	switch name {
	case ifacePeer:
		out.Methods = []introspect.Method{
			{Name: "Ping"},
			{Name: "GetMachineId", Args: []introspect.Arg{{Name: "machine_uuid", Type: "s", Direction: "out"}}},
		}
		return out
	case ifaceIntrospect:
		f = s.introspectIface
	case ifaceProperties:
		f = s.propsIface
	case ifaceManager:
		f, props = s.managerIface, managerTable.info()
	case ifaceUnit:
		f, props = s.unitIface, unitTable.info()
	case ifaceJob:
		f, props = s.jobIface, jobTable.info()
	case ifaceDBus:
		f = s.driverIface
	default:
		if n, err := unit.ParseName(o.unit); err == nil {
			if t := typeTable(n.Type); t != nil {
				props = t.info()
			}
		}
	}
	if f != nil {
		for _, m := range f.methods {
			im := introspect.Method{Name: m.name}
			for _, t := range splitSignature(m.in) {
				im.Args = append(im.Args, introspect.Arg{Type: t, Direction: "in"})
			}
			for _, t := range splitSignature(m.out) {
				im.Args = append(im.Args, introspect.Arg{Type: t, Direction: "out"})
			}
			out.Methods = append(out.Methods, im)
		}
		for _, sg := range f.signals {
			is := introspect.Signal{Name: sg.name}
			for _, t := range splitSignature(sg.sig) {
				is.Args = append(is.Args, introspect.Arg{Type: t})
			}
			out.Signals = append(out.Signals, is)
		}
	}
	changing := map[string]bool{}
	switch name {
	case ifaceUnit:
		changing = names(unitChanged)
	case serviceTable.iface:
		changing = names(serviceChanged)
	case ifaceJob:
		changing = map[string]bool{"State": true}
	}
	for _, p := range props {
		ip := introspect.Property{Name: p.name, Type: p.sig, Access: "read"}
		if !changing[p.name] {
			// Only the properties PropertiesChanged carries change
			// visibly; the default is that all do.
			ip.Annotations = []introspect.Annotation{{Name: "org.freedesktop.DBus.Property.EmitsChangedSignal", Value: "false"}}
		}
		out.Properties = append(out.Properties, ip)
	}
	return out
}

func names(list []string) map[string]bool {
	m := make(map[string]bool, len(list))
	for _, n := range list {
		m[n] = true
	}
	return m
}

// children lists the names of an object's child nodes.
func (s *Server) children(o object) []string {
	switch o.path {
	case "/":
		return []string{"org"}
	case "/org":
		return []string{"freedesktop"}
	case "/org/freedesktop":
		return []string{"systemd1"}
	case managerPath:
		return []string{"unit", "job"}
	case managerPath + "/unit":
		var out []string
		for _, st := range s.m.Snapshot().All() {
			out = append(out, string(unitPath(st.Name))[len(unitPrefix):])
		}
		sort.Strings(out)
		return out
	case managerPath + "/job":
		var ids []int
		for _, st := range s.m.Snapshot().All() {
			if st.Job != nil {
				ids = append(ids, int(st.Job.ID))
			}
		}
		sort.Ints(ids)
		out := make([]string, len(ids))
		for i, id := range ids {
			out[i] = strconv.Itoa(id)
		}
		return out
	}
	return nil
}

// splitSignature splits a signature into its complete types.
func splitSignature(sig string) []string {
	var out []string
	for len(sig) > 0 {
		n := completeType(sig)
		if n == 0 {
			break
		}
		out = append(out, sig[:n])
		sig = sig[n:]
	}
	return out
}

// completeType is the length of the complete type sig starts with.
func completeType(sig string) int {
	switch sig[0] {
	case 'a':
		if len(sig) < 2 {
			return 0
		}
		n := completeType(sig[1:])
		if n == 0 {
			return 0
		}
		return 1 + n
	case '(', '{':
		depth := 0
		for i := 0; i < len(sig); i++ {
			switch sig[i] {
			case '(', '{':
				depth++
			case ')', '}':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
		}
		return 0
	}
	return 1
}
