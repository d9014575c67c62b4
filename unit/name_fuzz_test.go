package unit

import (
	"strings"
	"testing"
)

func FuzzName(f *testing.F) {
	for _, s := range []string{
		"foo.service", "foo@.service", "foo@bar.service", "-.mount", "a-b-c@d-e.socket",
		"@.service", ".service", "foo", "foo@a@b.c.timer", `a\x2db.device`, "foo-.slice",
		"/dev/sda", "/", "//a//./b/", "/..", ".", "", "\x00", `\x00`, `\x2e`, "ü",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if n, err := ParseName(s); err == nil {
			if n.String() != s {
				t.Errorf("ParseName(%q).String(): got %q", s, n.String())
			}
			names := DropInNames(s)
			if len(names) < 2 || names[0] != s || names[len(names)-1] != string(n.Type) {
				t.Errorf("DropInNames(%q): got %q", s, names)
			}
			for _, d := range names[:len(names)-1] {
				if !ValidName(d) {
					t.Errorf("DropInNames(%q): %q is not a valid name", s, d)
				}
			}
			if n.Templated {
				if tn := n.TemplateName(); !ValidName(tn) {
					t.Errorf("TemplateName of %q: %q is not valid", s, tn)
				}
			}
		} else if DropInNames(s) != nil {
			t.Errorf("DropInNames(%q) of an invalid name is not nil", s)
		}

		if !strings.Contains(s, "\x00") {
			if got, err := Unescape(Escape(s)); err != nil || got != s {
				t.Errorf("Unescape(Escape(%q)): got %q, %v", s, got, err)
			}
		}
		e := Escape(s)
		for i := 0; i < len(e); i++ {
			if !nameChar(e[i]) {
				t.Fatalf("Escape(%q) = %q has %q", s, e, e[i])
			}
		}
		if ep, err := EscapePath(s); err == nil {
			if strings.HasPrefix(s, "/") && pathNormalized(s) && !strings.Contains(s, "\x00") {
				want := strings.TrimRight(s, "/")
				if want == "" {
					want = "/"
				}
				if got, err := UnescapePath(ep); err != nil || got != want {
					t.Errorf("UnescapePath(EscapePath(%q) = %q): got %q, %v, want %q", s, ep, got, err, want)
				}
			}
		}
		_, _ = UnescapePath(s)
		_ = simplifyPath(s)
	})
}
