// Package unit is pm's one model of a unit and the parsers that feed it.
//
// Native systemd unit files (INI with systemd 252's syntax) and pm's YAML are
// both lowered to the same list of [Option] values, each carrying the
// [Pos] (file, line, column) it came from. One directive table then turns
// options into the typed model ([Unit], [Service], [Socket], [Timer],
// [ExecContext], [KillContext], [Resources]), so both formats get the same
// validation and the same "file:line:col: severity: message" diagnostics.
//
// [Loader] implements systemd's unit search path: fragments, drop-ins
// (foo.service.d/*.conf, type-wide service.d/, prefix foo-.service.d/,
// template drop-ins), templates and instances, aliases (symlinks), masks
// (symlinks to /dev/null or empty files) and .wants/.requires directories.
//
// Unknown keys and bad values are warnings and are ignored, as in systemd;
// only what makes a unit unusable is an error. Directives pm recognises but
// does not enforce (sandboxing and the like) are kept in [Unit.Ignored] and
// reported as notices.
//
// The package is pure: it reads files, it never forks, and it imports
// nothing else of pm's.
package unit
