// Package install does to unit files what systemctl's unit-file verbs do:
// enable, disable, reenable, mask, unmask, link, add-wants, add-requires,
// set-default and get-default, and the queries is-enabled and
// list-unit-files. It follows systemd 252's src/shared/install.c, working
// on the unit search path below a root directory given as a parameter
// (systemctl --root), so that a tree gets the same symlinks, the same list
// of changes and the same unit-file states from this package as from the
// stock systemctl.
//
// A [Lookup], made by [New], is the search path of the system scope below
// a root: the control, transient and generator directories,
// /etc/systemd/system (persistent configuration, where enable writes),
// /run/systemd/system (runtime configuration, where enable --runtime
// writes), the attached directories, and the vendor directories
// /usr/local/lib/systemd/system, /lib/systemd/system and
// /usr/lib/systemd/system, in systemd's order. The operations are its
// methods.
//
// What enable does, in short: every named unit file is found on the search
// path (following alias symlinks; an instance falls back to its template)
// and its [Install] section is read, drop-ins included. Alias= becomes a
// symlink in the configuration directory, WantedBy= and RequiredBy=
// symlinks in <target>.wants/ and <target>.requires/, Also= names further
// units that are enabled in turn, and a template is enabled as its
// DefaultInstance=. Symlinks point to the unit file's path inside the
// root, written without the root prefix. A symlink that is right already
// is no change; one that points elsewhere is an error ([ErrExists]) unless
// forced, except in .wants and .requires directories, where systemd always
// replaces it. Disable removes every symlink in the configuration
// directory that is named after the unit (or its template) or that leads
// to a file of that name, and then every symlink to a symlink it removed.
//
// Each operation returns the [Change] values systemd reports, in its
// order: symlinks created and removed, notes (a unit is masked, an alias
// is dangling, a WantedBy= target does not exist) and failures.
// [Change.Message] and [Messages] render them as systemctl prints them,
// and [Lookup.Warn] receives the warnings systemd logs while reading unit
// files. A failed operation also returns an [*Error], which wraps one of
// the package's sentinel errors (ErrNotFound, ErrMasked, ErrExists, …)
// and the errno systemd would have used, so that callers can map it to a
// message, a D-Bus error or an exit status with errors.Is.
//
// systemd's rules have consequences that look like quirks; they are kept,
// because the point is to give the answers systemctl gives. Examples:
// disable reports a missing unit but succeeds; enabling by an alias name
// whose symlink is in /etc/systemd/system is refused as a "linked unit
// file"; a symlink in /etc/systemd/system to the vendor file of the same
// name makes is-enabled fail with ELOOP; reenable below a root enables an
// instance that has no file of its own as its template.
//
// The package reads and writes files only: it never talks to a running
// manager, never reloads one, and runs no SysV scripts.
package install
