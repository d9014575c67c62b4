package install

import (
	"fmt"

	"github.com/pm-project/pm/unit"
)

// nameClass is the kind of a unit name, as systemd's UnitNameFlags.
type nameClass int

const (
	classPlain    nameClass = 1 << iota // foo.service
	classTemplate                       // foo@.service
	classInstance                       // foo@bar.service
	classAny      = classPlain | classTemplate | classInstance
)

// classify returns the kind of name, or 0 when it is not a valid unit
// name.
func classify(name string) nameClass {
	n, err := unit.ParseName(name)
	switch {
	case err != nil:
		return 0
	case n.IsTemplate():
		return classTemplate
	case n.IsInstance():
		return classInstance
	}
	return classPlain
}

// validName reports whether name is a valid unit name of one of the kinds
// in want.
func validName(name string, want nameClass) bool { return classify(name)&want != 0 }

// templateOf returns the template of an instance or template name.
func templateOf(name string) (string, bool) {
	n, err := unit.ParseName(name)
	if err != nil || !n.Templated {
		return "", false
	}
	return n.TemplateName(), true
}

// instanceOf returns the instance of a name ("" for templates and plain
// names) and its kind; kind 0 means the name is invalid.
func instanceOf(name string) (string, nameClass) {
	n, err := unit.ParseName(name)
	if err != nil {
		return "", 0
	}
	return n.Instance, classify(name)
}

// replaceInstance is systemd's unit_name_replace_instance: name must be a
// template or instance, and the result a valid instance name.
func replaceInstance(name, instance string) (string, bool) {
	n, err := unit.ParseName(name)
	if err != nil || !n.Templated {
		return "", false
	}
	s := n.WithInstance(instance)
	return s, s != ""
}

// typeOf returns the type of a unit name, or "" when it is invalid.
func typeOf(name string) unit.Type {
	n, err := unit.ParseName(name)
	if err != nil {
		return ""
	}
	return n.Type
}

// mayAlias reports whether units of type t may have aliases (systemd's
// unit_type_may_alias).
func mayAlias(t unit.Type) bool {
	switch t {
	case unit.TypeService, unit.TypeSocket, unit.TypeTarget, unit.TypeDevice, unit.TypeTimer, unit.TypePath:
		return true
	}
	return false
}

// mayTemplate reports whether units of type t may be templates (systemd's
// unit_type_may_template).
func mayTemplate(t unit.Type) bool {
	switch t {
	case unit.TypeService, unit.TypeSocket, unit.TypeTarget, unit.TypeTimer, unit.TypePath:
		return true
	}
	return false
}

// symlinkNameCompatible is systemd's unit_symlink_name_compatible: may a
// symlink called symlink in a .wants or .requires directory point to the
// unit target? With instancePropagation (the directory belongs to a
// template) a template may point to the same template.
func symlinkNameCompatible(symlink, target string, instancePropagation bool) bool {
	c1 := classify(symlink)
	if symlink == target && c1&(classPlain|classInstance) != 0 {
		return true
	}
	tmpl, ok := templateOf(symlink)
	if !ok {
		return false
	}
	c2 := classify(target)
	if c1 == classInstance && c2 == classTemplate && tmpl == target {
		return true
	}
	return instancePropagation && c1 == classTemplate && c2 == classTemplate && tmpl == target
}

// validateAliasSymlink is systemd's unit_validate_alias_symlink_or_warn:
// may the file called filename be an alias of target? It returns 0, -ELOOP
// for an alias to itself, -EINVAL when the alias's own name or type is
// wrong, and -EXDEV when the target does not match; and for failures
// other than -ELOOP the notice systemd logs when it reads such a symlink.
func validateAliasSymlink(filename, target string) (int, string) {
	src, dst := baseName(filename), baseName(target)
	srcInst, srcClass := instanceOf(src)
	if srcClass == 0 {
		return -einval, fmt.Sprintf("%s: not a valid unit name \"%s\": Invalid argument", filename, src)
	}
	srcType := typeOf(src)
	if !mayAlias(srcType) {
		return -einval, fmt.Sprintf("%s: symlinks are not allowed for units of this type, rejecting.", filename)
	}
	if srcClass != classPlain && !mayTemplate(srcType) {
		return -einval, fmt.Sprintf("%s: templates not allowed for %s units, rejecting.", filename, srcType)
	}
	if src == dst {
		return -eloop, ""
	}
	dstInst, dstClass := instanceOf(dst)
	if dstClass == 0 {
		return -exdev, fmt.Sprintf("%s points to \"%s\" which is not a valid unit name: Invalid cross-device link", filename, dst)
	}
	if !(dstClass == srcClass || (srcClass == classInstance && dstClass == classTemplate)) {
		return -exdev, fmt.Sprintf("%s: symlink target name type \"%s\" does not match source, rejecting.", filename, dst)
	}
	if dstClass == classInstance && srcInst != dstInst {
		return -exdev, fmt.Sprintf("%s: unit symlink target \"%s\" instance name doesn't match, rejecting.", filename, dst)
	}
	if typeOf(dst) != srcType {
		return -exdev, fmt.Sprintf("%s: symlink target \"%s\" has incompatible suffix, rejecting.", filename, dst)
	}
	return 0, ""
}
