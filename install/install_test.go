package install_test

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestCases runs every case of installCases with this package and checks
// the output, exit status and symlinks recorded for it in expectations
// (which TestAgainstSystemctl checks against the stock systemctl).
func TestCases(t *testing.T) {
	for _, tc := range installCases {
		t.Run(tc.name, func(t *testing.T) {
			want, ok := expectations[tc.name]
			if !ok || len(want.results) != len(tc.cmds) {
				t.Fatalf("no expectations for %q: run go test -run TestAgainstSystemctl -update", tc.name)
			}
			root := filepath.Join(t.TempDir(), "root")
			build(t, root, tc.tree)
			for k, cmd := range tc.cmds {
				got, rc := runPM(t, root, cmd)
				w := want.results[k]
				if g := strings.Join(got, "\n"); canonical(g) != canonical(w.out) || rc != w.rc {
					t.Errorf("%q: got (rc %d)\n%s\nwant (rc %d)\n%s", cmd, rc, g, w.rc, w.out)
				}
			}
			if d := diffMaps(links(snapshot(t, root)), want.links); d != "" {
				t.Errorf("symlinks differ from the expected ones:\n%s", d)
			}
		})
	}
}
