package unit

import (
	"errors"
	"testing"
)

func TestExpandInstall(t *testing.T) {
	// Expectations checked against "systemctl --root=DIR enable" of
	// systemd 252.
	tests := []struct {
		name, unit, def, in, want string
		ok                        bool
	}{
		{"template with default i", "foo-bar@.service", "iroot", "w-%i.target", "w-iroot.target", true},
		{"template with default n", "foo-bar@.service", "iroot", "w-%n.target", "w-foo-bar@iroot.service.target", true},
		{"template with default N", "foo-bar@.service", "iroot", "%N.target", "foo-bar@iroot.target", true},
		{"template p j", "foo-bar@.service", "iroot", "%p-%j.target", "foo-bar-bar.target", true},
		{"template no default i", "foo-bar@.service", "", "w-%i.target", "w-.target", true},
		{"template no default n", "foo-bar@.service", "", "%n", "foo-bar@.service", true},
		{"template no default N", "foo-bar@.service", "", "%N", "foo-bar@", true},
		{"instance ignores default", "foo-bar@zz.service", "iroot", "w-%i.target %n %N", "w-zz.target foo-bar@zz.service foo-bar@zz", true},
		{"plain", "plain-x.service", "", "%p-alias.service %N.target %j.target [%i]", "plain-x-alias.service plain-x.target x.target []", true},
		{"host", "a.service", "", "%u-%U-%g-%G-%H-%l-%a-%o-%w-%m", "root-0-root-0-vm.example.org-vm-x86-64-debian-12-3d1219c7c4c5404aaa1f6d2a48adfda4", true},
		{"percent", "a.service", "", "100%%", "100%", true},
		{"I unknown", "a.service", "", "%I.target", "", false},
		{"f unknown", "a.service", "", "%f", "", false},
		{"t unknown", "a.service", "", "%t", "", false},
		{"h unknown", "a.service", "", "%h", "", false},
		{"bad name", "a", "", "%n", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ExpandInstall(tt.in, tt.unit, tt.def, testHost())
			if (err == nil) != tt.ok {
				t.Fatalf("ExpandInstall(%q): got %q, %v, want ok=%v", tt.in, got, err, tt.ok)
			}
			if err != nil && !errors.Is(err, ErrBadValue) {
				t.Errorf("ExpandInstall(%q): error %v does not wrap ErrBadValue", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("ExpandInstall(%q): got %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestExpandInstallUnknownMachineID(t *testing.T) {
	// systemctl --root on a tree without /etc/machine-id cannot resolve %m.
	if _, err := ExpandInstall("%H-%m.target", "a.service", "", &Host{Hostname: "h"}); err == nil {
		t.Error("got no error for %m without a machine ID")
	}
}
