package unit

import (
	"errors"
	"strings"
	"testing"
)

func TestParseName(t *testing.T) {
	// Names of exactly 255 and 256 bytes.
	max := strings.Repeat("a", NameMax-len(".service")) + ".service"
	over := "a" + max

	tests := []struct {
		name string
		in   string
		want Name
		ok   bool
	}{
		{"plain", "foo.service", Name{Prefix: "foo", Type: TypeService}, true},
		{"template", "getty@.service", Name{Prefix: "getty", Templated: true, Type: TypeService}, true},
		{"instance", "getty@tty1.service", Name{Prefix: "getty", Instance: "tty1", Templated: true, Type: TypeService}, true},
		{"root mount", "-.mount", Name{Prefix: "-", Type: TypeMount}, true},
		{"root slice", "-.slice", Name{Prefix: "-", Type: TypeSlice}, true},
		{"dots in prefix", "foo.bar.socket", Name{Prefix: "foo.bar", Type: TypeSocket}, true},
		{"escapes", `dev-disk-by\x2duuid-1.device`, Name{Prefix: `dev-disk-by\x2duuid-1`, Type: TypeDevice}, true},
		{"at in instance", "foo@a@b.timer", Name{Prefix: "foo", Instance: "a@b", Templated: true, Type: TypeTimer}, true},
		{"dot in instance", "foo@a.b.target", Name{Prefix: "foo", Instance: "a.b", Templated: true, Type: TypeTarget}, true},
		{"colon", "a:b_c.path", Name{Prefix: "a:b_c", Type: TypePath}, true},
		{"every type", "x.automount", Name{Prefix: "x", Type: TypeAutomount}, true},
		{"swap", "x.swap", Name{Prefix: "x", Type: TypeSwap}, true},
		{"scope", "x.scope", Name{Prefix: "x", Type: TypeScope}, true},
		{"max length", max, Name{Prefix: max[:len(max)-8], Type: TypeService}, true},

		{"too long", over, Name{}, false},
		{"empty", "", Name{}, false},
		{"no suffix", "foo", Name{}, false},
		{"only suffix", ".service", Name{}, false},
		{"unknown type", "foo.bar", Name{}, false},
		{"type case", "foo.Service", Name{}, false},
		{"empty type", "foo.", Name{}, false},
		{"leading at", "@foo.service", Name{}, false},
		{"only at", "@.service", Name{}, false},
		{"space", "foo bar.service", Name{}, false},
		{"slash", "foo/bar.service", Name{}, false},
		{"percent", "foo%i.service", Name{}, false},
		{"non-ascii", "fü.service", Name{}, false},
		{"bad char in instance", "foo@b r.service", Name{}, false},
		{"type word only", "service", Name{}, false},
		{"at after dot", "foo.service@bar", Name{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseName(tt.in)
			if (err == nil) != tt.ok {
				t.Fatalf("ParseName(%q): got error %v, want ok=%v", tt.in, err, tt.ok)
			}
			if err != nil {
				if !errors.Is(err, ErrBadName) {
					t.Errorf("ParseName(%q): error %v does not wrap ErrBadName", tt.in, err)
				}
				if ValidName(tt.in) {
					t.Errorf("ValidName(%q): got true, want false", tt.in)
				}
				return
			}
			if got != tt.want {
				t.Errorf("ParseName(%q): got %+v, want %+v", tt.in, got, tt.want)
			}
			if s := got.String(); s != tt.in {
				t.Errorf("String(): got %q, want %q", s, tt.in)
			}
			if !ValidName(tt.in) {
				t.Errorf("ValidName(%q): got false, want true", tt.in)
			}
		})
	}
}

func TestNameMethods(t *testing.T) {
	long := strings.Repeat("i", NameMax-len("foo@.service"))
	tests := []struct {
		name                       string
		in                         string
		template, instance         bool
		templateName, withInstance string // withInstance: WithInstance("x")
	}{
		{"plain", "foo.service", false, false, "", ""},
		{"template", "foo@.service", true, false, "foo@.service", "foo@x.service"},
		{"instance", "foo@bar.socket", false, true, "foo@.socket", "foo@x.socket"},
		{"dashes", "a-b@c-d.service", false, true, "a-b@.service", "a-b@x.service"},
		{"longest instance", "foo@" + long + ".service", false, true, "foo@.service", "foo@x.service"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := ParseName(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got := n.IsTemplate(); got != tt.template {
				t.Errorf("IsTemplate: got %v, want %v", got, tt.template)
			}
			if got := n.IsInstance(); got != tt.instance {
				t.Errorf("IsInstance: got %v, want %v", got, tt.instance)
			}
			if got := n.TemplateName(); got != tt.templateName {
				t.Errorf("TemplateName: got %q, want %q", got, tt.templateName)
			}
			if got := n.WithInstance("x"); got != tt.withInstance {
				t.Errorf("WithInstance: got %q, want %q", got, tt.withInstance)
			}
		})
	}
}

func TestWithInstanceInvalid(t *testing.T) {
	n, _ := ParseName("foo@.service")
	for _, inst := range []string{"", "a b", "a/b", "ü", strings.Repeat("x", NameMax)} {
		if got := n.WithInstance(inst); got != "" {
			t.Errorf("WithInstance(%q): got %q, want \"\"", inst, got)
		}
	}
	if got := n.WithInstance("a@b"); got != "foo@a@b.service" {
		t.Errorf("WithInstance(a@b): got %q, want foo@a@b.service", got)
	}
}

func TestNameForType(t *testing.T) {
	tests := []struct {
		in   string
		t    Type
		want string
	}{
		{"foo.socket", TypeService, "foo.service"},
		{"foo@bar.socket", TypeService, "foo@bar.service"},
		{"foo@.socket", TypeService, "foo@.service"},
		{"foo.service", Type("bogus"), ""},
		{strings.Repeat("a", NameMax-len(".path")) + ".path", TypeAutomount, ""},
	}
	for _, tt := range tests {
		t.Run(tt.in+"/"+string(tt.t), func(t *testing.T) {
			n, err := ParseName(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got := n.NameForType(tt.t); got != tt.want {
				t.Errorf("NameForType(%q): got %q, want %q", tt.t, got, tt.want)
			}
		})
	}
}

func TestValidPrefixInstance(t *testing.T) {
	tests := []struct {
		in               string
		prefix, instance bool
	}{
		{"foo", true, true},
		{"", false, false},
		{"a@b", false, true},
		{`a\x2db-c:d_e.f`, true, true},
		{"a b", false, false},
		{"a/b", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := ValidPrefix(tt.in); got != tt.prefix {
				t.Errorf("ValidPrefix: got %v, want %v", got, tt.prefix)
			}
			if got := ValidInstance(tt.in); got != tt.instance {
				t.Errorf("ValidInstance: got %v, want %v", got, tt.instance)
			}
		})
	}
}

func TestDropInNames(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		// Order checked against systemd 252 (systemd --test with one
		// same-named drop-in in every directory).
		{"foo-bar-baz@inst.service", []string{
			"foo-bar-baz@inst.service", "foo-bar-baz@.service", "foo-bar-.service", "foo-.service",
			"foo-bar-@inst.service", "foo-bar-@.service", "foo-@inst.service", "foo-@.service", "service",
		}},
		{"foo.service", []string{"foo.service", "service"}},
		{"foo-bar.socket", []string{"foo-bar.socket", "foo-.socket", "socket"}},
		{"foo-bar-.service", []string{"foo-bar-.service", "foo-.service", "service"}},
		{"foo-.service", []string{"foo-.service", "service"}},
		{"a--b.service", []string{"a--b.service", "a--.service", "a-.service", "service"}},
		{"-.slice", []string{"-.slice", "slice"}},
		{"-foo.service", []string{"-foo.service", "service"}},
		{"foo-bar@.service", []string{"foo-bar@.service", "foo-.service", "service"}},
		{"getty@tty1.service", []string{"getty@tty1.service", "getty@.service", "service"}},
		{"a-b@c-d.timer", []string{"a-b@c-d.timer", "a-b@.timer", "a-.timer", "a-@c-d.timer", "a-@.timer", "timer"}},
		{"user-1000.slice", []string{"user-1000.slice", "user-.slice", "slice"}},
		{"not a name", nil},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := DropInNames(tt.in)
			if strings.Join(got, " ") != strings.Join(tt.want, " ") || (got == nil) != (tt.want == nil) {
				t.Errorf("DropInNames(%q):\ngot  %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}
