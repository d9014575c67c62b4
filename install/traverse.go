package install

// operation collects the changes of one call, as systemd's changes array.
type operation struct {
	l       *Lookup
	changes []Change
}

// add records a change (a non-negative ChangeType) or failure (a negative
// code) and returns code, as systemd's install_changes_add.
func (o *operation) add(code int, path, source string) int {
	if path != "" {
		path = simplify(path)
	}
	if source != "" {
		source = simplify(source)
	}
	if code < 0 {
		o.changes = append(o.changes, Change{Type: Failed, Path: path, Source: source, Err: newError(code, path, source)})
	} else {
		o.changes = append(o.changes, Change{Type: ChangeType(code), Path: path, Source: source})
	}
	return code
}

// result turns systemd's final return value into the operation's error: an
// *Error carrying the path of the first failure with the same errno, if
// one was reported.
func (o *operation) result(code int) error {
	if code >= 0 {
		return nil
	}
	en := errnoOf(code)
	for _, c := range o.changes {
		if c.Type == Failed && c.Err.Errno == en {
			e := *c.Err
			if code == codeBadName {
				e.class = ErrBadName
			}
			return &e
		}
	}
	return newError(code, "", "")
}

// follow is systemd's install_info_follow: it replaces a symlink by its
// destination and loads that. Unless ignoreDifferentName is set, a
// destination with a different name is -EXDEV: the caller must look that
// name up on its own.
func (c *context) follow(i *info, flags searchFlags, ignoreDifferentName bool) int {
	if i.mode != modeAlias && i.mode != modeLinked || i.symlinkTarget == "" {
		return -einval
	}
	if !ignoreDifferentName && baseName(i.symlinkTarget) != i.name {
		return -exdev
	}
	i.path, i.symlinkTarget = i.symlinkTarget, ""
	i.mode = modeUnknown
	return c.loadOrReadlink(i, i.path, flags)
}

// traverse is systemd's install_info_traverse: it finds start's unit file
// and follows aliases and links to the unit file in the end, carrying an
// instance over to an aliased template. Names met on the way are added to
// the context. Without searchFollowConfigSymlinks a symlink in a
// configuration directory is refused with -ELOOP.
func (c *context) traverse(start *info, flags searchFlags) (*info, int) {
	if r := c.search(start, flags); r < 0 {
		return nil, r
	}
	i := start
	for k := 0; i.mode == modeAlias || i.mode == modeLinked; {
		k++
		if k > followMax {
			return nil, -eloop
		}
		if flags&searchFollowConfigSymlinks == 0 && c.l.isConfig(i.path, true) {
			return nil, -eloop
		}
		r := c.follow(i, flags, i.mode == modeLinked)
		if r == -exdev && i.symlinkTarget != "" {
			bn := baseName(i.symlinkTarget)
			if validName(i.name, classInstance) && validName(bn, classTemplate) {
				inst, _ := instanceOf(i.name)
				buffer, ok := replaceInstance(bn, inst)
				if !ok {
					return nil, -einval
				}
				if buffer == i.name {
					// The instance's own template: keep the link as it is.
					if r := c.follow(i, flags, true); r < 0 {
						return nil, r
					}
					continue
				}
				bn = buffer
			}
			var code int
			if i, code = c.add(bn, "", false); code < 0 {
				return nil, code
			}
			r = c.search(i, flags)
			if r == -enoent {
				r = -enolink
			}
		}
		if r < 0 {
			return nil, r
		}
	}
	return i, 0
}

// discover is systemd's install_info_discover: it adds a name, or a path
// below the root, to the context and traverses it. Failures are recorded
// as changes when record is set.
func (c *context) discover(nameOrPath string, flags searchFlags, record bool) (*info, int) {
	var (
		i    *info
		code int
	)
	if isAbs(nameOrPath) {
		i, code = c.add("", c.l.Root+nameOrPath, false)
	} else {
		i, code = c.add(nameOrPath, "", false)
	}
	if code >= 0 {
		i, code = c.traverse(i, flags)
	}
	if code < 0 && record {
		c.op.add(code, nameOrPath, "")
	}
	return i, code
}

// discoverAndCheck is discover followed by systemd's
// install_info_may_process: masked, generated and transient units cannot
// be operated on.
func (c *context) discoverAndCheck(nameOrPath string, flags searchFlags) (*info, int) {
	i, r := c.discover(nameOrPath, flags, true)
	if r < 0 {
		return nil, r
	}
	if i.mode == modeMasked {
		return nil, c.op.add(-erfkill, i.path, "")
	}
	if c.l.isGenerator(i.path) || c.l.isTransient(i.path) {
		return nil, c.op.add(-eaddrnotavl, i.path, "")
	}
	return i, 0
}
