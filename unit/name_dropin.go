package unit

import "strings"

// DropInNames returns, in systemd 252's order, the names whose "NAME.d/"
// (and "NAME.wants/", "NAME.requires/") directories hold drop-ins for the
// unit called name, as unit_file_find_dropin_paths in src/shared/dropin.c
// builds them. It returns nil for an invalid name.
//
// The order, for each name reached (starting with name itself):
//  1. the name;
//  2. for an instance, everything this list gives for its template;
//  3. the dash prefix: the unit's prefix cut after its last '-' (a
//     trailing '-' is dropped once first), keeping instance and type, and
//     everything this list gives for that name in turn.
//
// and, last, the unit type alone ("service"), the type-wide drop-in.
// Duplicates are removed, keeping the first. For "foo-bar-baz@i.service":
//
//	foo-bar-baz@i.service  foo-bar-baz@.service  foo-bar-.service  foo-.service
//	foo-bar-@i.service  foo-bar-@.service  foo-@i.service  foo-@.service  service
//
// A template's prefixes are plain names ("foo-bar-.service", as systemd
// builds them without the '@'); a prefix starting with '-' ends the chain.
//
// systemd walks the unit directories (highest precedence first) once for
// all names but the last, then for the unit's aliases, and then once more
// for the type-wide name; a drop-in file name found in an earlier directory
// of that walk hides later files of the same name. The files themselves are
// applied sorted by file name.
func DropInNames(name string) []string {
	n, err := ParseName(name)
	if err != nil {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	dropInWalk(n, &out, seen)
	return append(out, string(n.Type))
}

// dropInWalk appends the names of step 1 to 3 of DropInNames for n.
func dropInWalk(n Name, out *[]string, seen map[string]bool) {
	s := n.String()
	if !seen[s] {
		seen[s] = true
		*out = append(*out, s)
	}
	if n.IsInstance() {
		t := n
		t.Instance = ""
		dropInWalk(t, out, seen)
	}
	p, ok := dashPrefix(n.Prefix)
	if !ok {
		return
	}
	next := Name{Prefix: p, Type: n.Type}
	if n.IsInstance() {
		next.Instance = n.Instance
		next.Templated = true
	}
	if len(next.String()) > NameMax {
		return
	}
	dropInWalk(next, out, seen)
}

// dashPrefix cuts prefix after its last '-', first dropping one trailing
// '-' ("foo-bar-baz" → "foo-bar-", "foo-bar-" → "foo-"). It reports false
// when there is no such dash, or it is the first character.
func dashPrefix(prefix string) (string, bool) {
	p := prefix
	chopped := false
	for {
		dash := strings.LastIndexByte(p, '-')
		if dash <= 0 {
			return "", false
		}
		if dash+1 < len(p) || chopped {
			return p[:dash+1], ValidPrefix(p[:dash+1])
		}
		p = p[:dash]
		chopped = true
	}
}
