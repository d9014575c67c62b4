package install

import (
	"os"
	"strings"
)

// createSymlink is systemd's create_symlink: it makes newPath a symlink to
// oldPath (written without the root prefix) and records the change. A
// symlink that already points to the same unit file is fine; one that
// points elsewhere is -EEXIST unless force is set, and any other file in
// the way is -EEXIST. It returns 1 or a negative code.
func (o *operation) createSymlink(oldPath, newPath string, force bool) int {
	if rp, ok := o.l.skipRoot(oldPath); ok {
		oldPath = rp
	}
	mkdirParents(newPath)
	err := os.Symlink(oldPath, newPath)
	if err == nil {
		o.add(int(Symlink), newPath, oldPath)
		return 1
	}
	if code := errCode(err); code != -eexist {
		return o.add(code, newPath, "")
	}
	dest, err := os.Readlink(newPath)
	if err != nil {
		code := errCode(err)
		if code == -einval {
			code = -eexist
		}
		return o.add(code, newPath, "")
	}
	if o.l.symlinksEquivalent(newPath, dest, oldPath) {
		return 1
	}
	if !force {
		return o.add(-eexist, newPath, dest)
	}
	if err := symlinkAtomic(oldPath, newPath); err != nil {
		return o.add(errCode(err), newPath, "")
	}
	o.add(int(Unlink), newPath, "")
	o.add(int(Symlink), newPath, oldPath)
	return 1
}

// symlinksEquivalent is systemd's chroot_unit_symlinks_equivalent: do two
// targets of the symlink src lead to the same unit? They do if they are the
// same path or file, or have the same name and are both on the search
// path.
func (l *Lookup) symlinksEquivalent(src, a, b string) bool {
	dir, _ := dirName(src)
	resolve := func(t string) string {
		if isAbs(t) {
			return join(l.rootOrSlash(), t)
		}
		return join(dir, t)
	}
	pa, pb := resolve(a), resolve(b)
	if pathEqual(pa, pb) || sameFile(pa, pb) {
		return true
	}
	return baseName(simplify(pa)) == baseName(simplify(pb)) &&
		startsWithAny(pa, l.SearchPath) && startsWithAny(pb, l.SearchPath)
}

// sameFile reports whether a and b (symlinks followed) are one file.
func sameFile(a, b string) bool {
	fa, err := os.Stat(a)
	if err != nil {
		return false
	}
	fb, err := os.Stat(b)
	if err != nil {
		return false
	}
	return os.SameFile(fa, fb)
}

// verifyAlias is systemd's unit_file_verify_alias: is dst (an expanded
// Alias= value) a valid alias of i? A value with a slash is the old way of
// writing a .wants or .requires link. For an instance, a template alias is
// given the instance; the name to use is returned then. It returns -ELOOP
// for an alias to the unit itself (to be skipped quietly) and records
// other failures.
func (o *operation) verifyAlias(i *info, dst string) (string, int) {
	if slash := strings.LastIndexByte(dst, '/'); slash >= 0 {
		alias := dst[slash+1:]
		dir, ok := dirName(dst)
		if !ok {
			return "", o.add(-exdev, dst, "")
		}
		var stem string
		switch {
		case strings.HasSuffix(dir, ".wants"):
			stem = strings.TrimSuffix(dir, ".wants")
		case strings.HasSuffix(dir, ".requires"):
			stem = strings.TrimSuffix(dir, ".requires")
		default:
			return "", o.add(-exdev, dst, "")
		}
		class := classify(stem)
		if class == 0 {
			return "", o.add(-exdev, dst, "")
		}
		if !symlinkNameCompatible(alias, i.name, class == classTemplate) {
			return "", o.add(-exdev, dst, i.name)
		}
		return "", 0
	}
	var updated string
	if validName(dst, classTemplate) {
		inst, class := instanceOf(i.name)
		if class == 0 {
			return "", o.add(-euclean, i.name, "")
		}
		if class == classInstance {
			u, ok := replaceInstance(dst, inst)
			if !ok {
				return "", -einval
			}
			updated = u
		}
	}
	name := dst
	if updated != "" {
		name = updated
	}
	r, _ := validateAliasSymlink(name, i.name)
	if r == -eloop {
		return "", r
	}
	if r < 0 {
		if r == -einval {
			r = -exdev
		}
		return "", o.add(r, name, i.name)
	}
	return updated, 0
}

// symlinkAlias is systemd's install_info_symlink_alias: one symlink per
// Alias=, next to the configuration.
func (c *context) symlinkAlias(i *info, configPath string, force bool) int {
	r := 0
	for _, s := range i.aliases {
		dst, q := c.expand(i, s)
		if q < 0 {
			c.op.add(q, s, "")
			if r >= 0 {
				r = q
			}
			continue
		}
		updated, q := c.op.verifyAlias(i, dst)
		if q == -eloop {
			continue
		}
		if q < 0 {
			if r >= 0 {
				r = q
			}
			continue
		}
		if updated != "" {
			dst = updated
		}
		q = c.op.createSymlink(i.path, makeAbsolute(dst, configPath), force)
		if r >= 0 {
			r = q
		}
	}
	return r
}

// symlinkWants is systemd's install_info_symlink_wants: for each value of
// list (WantedBy= or RequiredBy=) a symlink in <value><suffix>, named
// after the unit, or for a template after its default instance. A
// template without one can only be wanted by templates and instances.
// Existing symlinks there are always replaced.
func (c *context) symlinkWants(i *info, configPath string, list []string, suffix string) int {
	if len(list) == 0 {
		return 0
	}
	validDst := classAny
	var n string
	switch {
	case validName(i.name, classPlain|classInstance):
		n = i.name
	case i.defaultInstance != "":
		name, ok := replaceInstance(i.name, i.defaultInstance)
		if !ok {
			return -einval
		}
		instance := &info{name: name}
		if r := c.search(instance, searchFollowConfigSymlinks); r < 0 {
			return r
		}
		if instance.mode == modeMasked {
			return c.op.add(-erfkill, instance.path, "")
		}
		n = instance.name
	default:
		validDst = classInstance | classTemplate
		n = i.name
	}
	r := 0
	for _, s := range list {
		dst, q := c.expand(i, s)
		if q < 0 {
			c.op.add(q, s, "")
			if r >= 0 {
				r = q
			}
			continue
		}
		if !validName(dst, validDst) {
			if validName(dst, classAny) {
				q = c.op.add(-eidrm, dst, n)
			} else {
				q = c.op.add(-euclean, dst, "")
			}
			if r >= 0 {
				r = q
			}
			continue
		}
		q = c.op.createSymlink(i.path, configPath+"/"+dst+suffix+n, true)
		if (q < 0 && r >= 0) || r == 0 {
			r = q
		}
		if c.l.unitFileExists(dst) == 0 {
			c.op.add(int(DestinationNotPresent), dst, i.path)
		}
	}
	return r
}

// unitFileExists is systemd's unit_file_exists: 1 if name has a unit
// file, 0 if not, or a negative code when looking failed otherwise.
func (l *Lookup) unitFileExists(name string) int {
	if !validName(name, classAny) {
		return -einval
	}
	c := newContext(l, &operation{l: l})
	_, r := c.discover(name, 0, false)
	if r == -enoent {
		return 0
	}
	if r < 0 {
		return r
	}
	return 1
}

// symlinkLink is systemd's install_info_symlink_link: a unit file outside
// the search path gets a symlink to it in the configuration directory.
func (c *context) symlinkLink(i *info, configPath string, force bool) int {
	if c.l.inSearchPath(i.path) {
		return 0
	}
	return c.op.createSymlink(i.path, join(configPath, i.name), force)
}

// applyOne is systemd's install_info_apply: all the symlinks of one unit
// file. It returns a positive number if the unit had something to
// install.
func (c *context) applyOne(i *info, configPath string, f Flags) int {
	if i.mode != modeRegular {
		return 0
	}
	r := c.symlinkLink(i, configPath, f.Force)
	if r < 0 {
		// The other symlinks would point to a file that is not linked.
		return r
	}
	r = c.symlinkAlias(i, configPath, f.Force)
	if q := c.symlinkWants(i, configPath, i.wantedBy, ".wants/"); r == 0 {
		r = q
	}
	if q := c.symlinkWants(i, configPath, i.requiredBy, ".requires/"); r == 0 {
		r = q
	}
	return r
}

// apply is systemd's install_context_apply: it processes every unit of
// the context, Also= units included as they are met. It returns how many
// units had something to install, or the first failure.
func (c *context) apply(configPath string, f Flags, flags searchFlags) int {
	r := 0
	for i := c.next(); i != nil; i = c.next() {
		if _, q := c.traverse(i, flags); q < 0 {
			if i.auxiliary {
				c.op.add(int(AuxiliaryFailed), i.name, "")
				continue
			}
			return c.op.add(q, i.name, "")
		}
		if i.mode == modeMasked {
			// Reached through Also=: not an error, and counted as having
			// something to install.
			c.op.add(int(IsMasked), i.path, "")
			if r >= 0 {
				r++
			}
			continue
		}
		if i.mode != modeRegular {
			continue
		}
		q := c.applyOne(i, configPath, f)
		if r >= 0 {
			if q < 0 {
				r = q
			} else {
				r += q
			}
		}
	}
	return r
}
