package unit

import (
	"strings"
	"testing"
)

func FuzzExpand(f *testing.F) {
	seeds := []struct{ name, slice, s string }{
		{`foo-bar\x2dbaz@dev-sda\x2d1.service`, "", "%a %A %b %B %C %d %E %f %g %G %h %H %i %I %j %J %l %L %m %M %n %N %o %p %P %q %s %S %t %T %u %U %v %V %w %W %c %r %R"},
		{"foo-.service", "", "%J %j %f"},
		{"foo@.service", "system.slice", "%i%I%f%c%r"},
		{"a.service", "a--b.slice", "%c"},
		{"a.service", "", "%x"},
		{"a.service", "", "100%%"},
		{"a.service", "", "%"},
		{"a.service", "", "%é%!%%%"},
		{"a.service", "", "%y%Y"},
		{"bad name", "", "%p%i%n"},
		{"-.slice", "-.slice", "%f%c%r"},
		{`a_0123456789abcdef.mount`, "", "%f"},
		{`x@\x00.service`, "", "%I%f"},
		{"", "", ""},
	}
	for _, s := range seeds {
		f.Add(s.name, s.slice, s.s)
	}
	f.Fuzz(func(t *testing.T, name, slice, s string) {
		e := &Expander{Name: name, Slice: slice, Host: testHost()}
		got, err := e.Expand(s)
		if err == nil && !strings.Contains(s, "%") && got != s {
			t.Errorf("Expand(%q) without specifiers: got %q", s, got)
		}
		// Doubling every '%' makes any string expand to itself.
		esc := strings.ReplaceAll(s, "%", "%%")
		if got, err := e.Expand(esc); err != nil || got != s {
			t.Errorf("Expand(%q): got %q, %v, want %q", esc, got, err, s)
		}
		if got, err := e.ExpandPath(s); err == nil && len(got) > ExpandMaxPath {
			t.Errorf("ExpandPath(%q): %d bytes, more than %d", s, len(got), ExpandMaxPath)
		}
		if got, err := e.ExpandName(s); err == nil && len(got) > ExpandMaxName {
			t.Errorf("ExpandName(%q): %d bytes, more than %d", s, len(got), ExpandMaxName)
		}
		_, _ = ExpandInstall(s, name, slice, testHost())
		_, _ = (&Expander{Name: name}).Expand(s)
	})
}
