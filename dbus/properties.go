package dbus

import (
	"fmt"

	godbus "github.com/godbus/dbus/v5"

	"github.com/pm-project/pm/internal/unitprops"
)

// org.freedesktop.DBus.Properties on the manager, unit and job objects.
// GetAll("") merges every interface of the object, the type's interface
// first and then Unit, as systemd's vtables come; systemctl show and
// status read units that way.

func (s *Server) newPropsIface() *iface {
	return newIface(ifaceProperties, []method{
		{name: "Get", in: "ss", out: "v", fn: s.propGet},
		{name: "GetAll", in: "s", out: "a{sv}", fn: s.propGetAll},
		{name: "Set", in: "ssv", write: true, fn: s.propSet},
	}, signal{"PropertiesChanged", "sa{sv}as"})
}

// unitView returns the view of a unit's properties: its snapshot, or a
// not-found stand-in for a unit that is not loaded.
func (s *Server) unitView(r *request, name string) uv {
	st := s.m.Snapshot().Unit(name)
	if st == nil {
		st = unitprops.NotFound(name)
	}
	return unitprops.NewUnitView(r.ctx, s.m, s.install, st)
}

func (s *Server) managerView() *unitprops.ManagerView {
	return unitprops.NewManagerView(s.m, s.started, s.opts.UnitPath)
}

func (s *Server) propGetAll(r *request) (reply, error) {
	name := r.str(0)
	var out []propEntry
	found := name == "" || name == ifaceProperties || name == ifaceIntrospect || name == ifacePeer
	switch r.obj.kind {
	case objManager:
		if name == "" || name == managerTable.iface {
			out, found = managerTable.appendAll(out, s.managerView()), true
		}
	case objUnit:
		v := s.unitView(r, r.obj.unit)
		for _, t := range unitTables(v.Status.Type) {
			if name == "" || name == t.iface {
				out, found = t.appendAll(out, v), true
			}
		}
	case objJob:
		if name == "" || name == jobTable.iface {
			out, found = jobTable.appendAll(out, &unitprops.JobView{Info: r.obj.job}), true
		}
	}
	if !found {
		return reply{}, newErr(errUnknownInterface, "Unknown interface '%s'.", name)
	}
	if out == nil {
		out = []propEntry{}
	}
	return ret("a{sv}", out), nil
}

func (s *Server) propGet(r *request) (reply, error) {
	ifname, name := r.str(0), r.str(1)
	v, ok := s.property(r, ifname, name)
	if !ok {
		return reply{}, newErr(errUnknownProperty, "Unknown interface %s or property %s.", ifname, name)
	}
	return ret("v", v), nil
}

// property reads one property of the request's object.
func (s *Server) property(r *request, ifname, name string) (godbus.Variant, bool) {
	switch r.obj.kind {
	case objManager:
		if ifname == "" || ifname == managerTable.iface {
			if val, ok := managerTable.get(name, s.managerView()); ok {
				return val, true
			}
		}
	case objUnit:
		v := s.unitView(r, r.obj.unit)
		for _, t := range unitTables(v.Status.Type) {
			if ifname != "" && ifname != t.iface {
				continue
			}
			if val, ok := t.get(name, v); ok {
				return val, true
			}
		}
	case objJob:
		if ifname == "" || ifname == jobTable.iface {
			if val, ok := jobTable.get(name, &unitprops.JobView{Info: r.obj.job}); ok {
				return val, true
			}
		}
	}
	return godbus.Variant{}, false
}

func (s *Server) propSet(r *request) (reply, error) {
	ifname, name := r.str(0), r.str(1)
	if _, ok := s.property(r, ifname, name); !ok {
		return reply{}, newErr(errUnknownProperty, "Unknown interface %s or property %s.", ifname, name)
	}
	return reply{}, &busError{errPropertyReadOnly, fmt.Sprintf("Property '%s' is not writable.", name)}
}
