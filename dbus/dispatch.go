package dbus

import (
	"context"
	"strconv"
	"strings"

	godbus "github.com/godbus/dbus/v5"

	"github.com/pm-project/pm/compat"
	"github.com/pm-project/pm/internal/unitprops"
	"github.com/pm-project/pm/manager"
	"github.com/pm-project/pm/unit"
)

// Names and paths of systemd's objects (src/core/dbus.c).
const (
	busName     = "org.freedesktop.systemd1"
	managerPath = "/org/freedesktop/systemd1"
	unitPrefix  = managerPath + "/unit/"
	jobPrefix   = managerPath + "/job/"

	ifaceManager       = "org.freedesktop.systemd1.Manager"
	ifaceUnit          = "org.freedesktop.systemd1.Unit"
	ifaceJob           = "org.freedesktop.systemd1.Job"
	ifaceProperties    = "org.freedesktop.DBus.Properties"
	ifaceIntrospect    = "org.freedesktop.DBus.Introspectable"
	ifacePeer          = "org.freedesktop.DBus.Peer"
	ifaceDBus          = "org.freedesktop.DBus"
	ifaceDBusPathLocal = "/org/freedesktop/DBus"
)

type objectPath = godbus.ObjectPath

// unitPath is the object path of a unit.
func unitPath(name string) objectPath { return objectPath(unitprops.UnitPath(name)) }

// jobPath is the object path of a job.
func jobPath(id uint32) objectPath { return objectPath(unitprops.JobPath(id)) }

// objKind is what an object path names.
type objKind int

const (
	objNone    objKind = iota
	objNode            // a path above the objects, for introspection only
	objManager         // /org/freedesktop/systemd1
	objUnit            // a unit, loaded or not
	objJob             // a queued job
	objDriver          // /org/freedesktop/DBus on a private connection
)

// object is a resolved object path.
type object struct {
	kind objKind
	path string
	unit string          // objUnit: the unit name the path spells
	job  manager.JobInfo // objJob
}

// resolve maps a path to an object. Any valid unit name is an object, as
// in systemd, which loads units on lookup: an unknown unit answers as
// not-found, never as an unknown object.
func (s *Server) resolve(c *conn, path string) object {
	switch path {
	case ifaceDBusPathLocal:
		if !c.bus {
			return object{kind: objDriver, path: path}
		}
		return object{}
	case managerPath:
		return object{kind: objManager, path: path}
	case "/", "/org", "/org/freedesktop", managerPath + "/unit", managerPath + "/job":
		return object{kind: objNode, path: path}
	}
	if label, ok := strings.CutPrefix(path, unitPrefix); ok && !strings.Contains(label, "/") {
		name := compat.BusLabelUnescape(label)
		if _, err := unit.ParseName(name); err == nil {
			return object{kind: objUnit, path: path, unit: name}
		}
		return object{}
	}
	if id, ok := strings.CutPrefix(path, jobPrefix); ok {
		n, err := strconv.ParseUint(id, 10, 32)
		if err != nil {
			return object{}
		}
		if j, ok := s.job(uint32(n)); ok {
			return object{kind: objJob, path: path, job: j}
		}
	}
	return object{}
}

// request is one method call being handled.
type request struct {
	ctx    context.Context
	c      *conn
	msg    *godbus.Message
	obj    object
	body   []any
	sender string
	// after runs once the reply is sent.
	after []func()
}

// reply is the body of a method return and its signature.
type reply struct {
	sig  string
	body []any
}

func ret(sig string, body ...any) reply { return reply{sig, body} }

// method is one method of an interface.
type method struct {
	name    string
	in, out string
	// write marks methods that change something; on the system bus only
	// privileged callers may call them.
	write bool
	fn    func(r *request) (reply, error)
}

// signal describes a signal for introspection.
type signal struct{ name, sig string }

// iface is an interface's methods and signals.
type iface struct {
	name    string
	methods []method
	signals []signal
	index   map[string]int
}

func newIface(name string, methods []method, signals ...signal) *iface {
	f := &iface{name: name, methods: methods, signals: signals, index: map[string]int{}}
	for i, m := range methods {
		f.index[m.name] = i
	}
	return f
}

func (f *iface) lookup(name string) (method, bool) {
	i, ok := f.index[name]
	if !ok {
		return method{}, false
	}
	return f.methods[i], true
}

// ifacesOf lists the interfaces with methods an object has, besides
// the standard ones.
func (s *Server) ifacesOf(o object) []*iface {
	switch o.kind {
	case objManager:
		return []*iface{s.managerIface}
	case objUnit:
		return []*iface{s.unitIface}
	case objJob:
		return []*iface{s.jobIface}
	case objDriver:
		return []*iface{s.driverIface}
	}
	return nil
}

// handle answers one method call (nothing when the caller asked for no
// reply, errors included).
func (s *Server) handle(c *conn, msg *godbus.Message) {
	r := &request{ctx: c.ctx, c: c, msg: msg, body: msg.Body}
	body, err := s.dispatch(r)
	defer func() {
		for _, f := range r.after {
			f()
		}
	}()
	if msg.Flags&godbus.FlagNoReplyExpected != 0 {
		return
	}
	out := &godbus.Message{Type: godbus.TypeMethodReply, Headers: map[godbus.HeaderField]godbus.Variant{
		godbus.FieldReplySerial: godbus.MakeVariant(msg.Serial()),
	}}
	if sender, ok := msg.Headers[godbus.FieldSender]; ok {
		out.Headers[godbus.FieldDestination] = sender
	}
	if err != nil {
		be := toBusError(err, "")
		out.Type = godbus.TypeError
		out.Headers[godbus.FieldErrorName] = godbus.MakeVariant(be.name)
		out.Headers[godbus.FieldSignature] = godbus.MakeVariant(godbus.ParseSignatureMust("s"))
		out.Body = []any{be.msg}
	} else if len(body.body) > 0 {
		out.Headers[godbus.FieldSignature] = godbus.MakeVariant(godbus.ParseSignatureMust(body.sig))
		out.Body = body.body
	}
	if _, err := c.send(out); err != nil {
		s.log.Debug("dbus: cannot send a reply", "err", err)
	}
}

func (s *Server) dispatch(r *request) (reply, error) {
	msg := r.msg
	path, _ := msg.Headers[godbus.FieldPath].Value().(godbus.ObjectPath)
	ifname, _ := msg.Headers[godbus.FieldInterface].Value().(string)
	member, _ := msg.Headers[godbus.FieldMember].Value().(string)
	sig, _ := msg.Headers[godbus.FieldSignature].Value().(godbus.Signature)
	r.sender, _ = msg.Headers[godbus.FieldSender].Value().(string)
	if ifname == ifacePeer {
		return s.peer(r, member, sig.String())
	}
	r.obj = s.resolve(r.c, string(path))
	if r.obj.kind == objNone {
		return reply{}, newErr(errUnknownObject, "Unknown object '%s'.", path)
	}
	var m method
	found := false
	switch ifname {
	case ifaceIntrospect:
		m, found = s.introspectIface.lookup(member)
	case ifaceProperties:
		if r.obj.kind != objNode {
			m, found = s.propsIface.lookup(member)
		}
	default:
		for _, f := range s.ifacesOf(r.obj) {
			if ifname != "" && ifname != f.name {
				continue
			}
			if m, found = f.lookup(member); found {
				break
			}
		}
		if !found && ifname != "" && !s.hasInterface(r.obj, ifname) {
			return reply{}, newErr(errUnknownInterface, "Unknown interface '%s'.", ifname)
		}
	}
	if !found {
		return reply{}, newErr(errUnknownMethod, "Unknown method '%s' or interface '%s'.", member, ifname)
	}
	if sig.String() != m.in {
		return reply{}, newErr(errInvalidArgs, "Invalid arguments '%s' to call %s.%s(), expecting '%s'.", sig.String(), ifname, member, m.in)
	}
	if m.write {
		if err := s.authorize(r); err != nil {
			return reply{}, err
		}
	}
	return m.fn(r)
}

// hasInterface reports whether the object has the named interface.
func (s *Server) hasInterface(o object, name string) bool {
	for _, n := range s.interfaceNames(o) {
		if n == name {
			return true
		}
	}
	return false
}

// peer answers org.freedesktop.DBus.Peer on any path.
func (s *Server) peer(r *request, member, sig string) (reply, error) {
	switch {
	case member == "Ping" && sig == "":
		return reply{}, nil
	case member == "GetMachineId" && sig == "":
		return ret("s", s.machineID), nil
	}
	return reply{}, newErr(errUnknownMethod, "Unknown method '%s' or interface '%s'.", member, ifacePeer)
}

// args returns the call's arguments (their types are those the method's
// signature says, which dispatch checked).
func (r *request) str(i int) string    { return r.body[i].(string) }
func (r *request) u32(i int) uint32    { return r.body[i].(uint32) }
func (r *request) boolean(i int) bool  { return r.body[i].(bool) }
func (r *request) strs(i int) []string { return r.body[i].([]string) }
func (r *request) i32(i int) int32     { return r.body[i].(int32) }
