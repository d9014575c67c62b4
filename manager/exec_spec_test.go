package manager

import (
	"encoding/json"
	"errors"
	"io/fs"
	"reflect"
	"syscall"
	"testing"

	"github.com/pm-project/pm/unit"
)

func TestExecErrorMessage(t *testing.T) {
	tests := []struct {
		name string
		code int
		err  error
		want string
		step string
	}{
		{"exec", execExitExec, syscall.ENOENT, "Failed at step EXEC spawning /x: No such file or directory", "EXEC"},
		{"chdir", execExitChdir, syscall.ENOTDIR, "Failed at step CHDIR spawning /x: Not a directory", "CHDIR"},
		{"limits", execExitLimits, syscall.EPERM, "Failed at step LIMITS spawning /x: Operation not permitted", "LIMITS"},
		{"user", execExitUser, syscall.EINVAL, "Failed at step USER spawning /x: Invalid argument", "USER"},
		{"capabilities", execExitCapabilities, syscall.EPERM, "Failed at step CAPABILITIES spawning /x: Operation not permitted", "CAPABILITIES"},
		{"no new privileges", execExitNoNewPrivs, syscall.EINVAL, "Failed at step NO_NEW_PRIVILEGES spawning /x: Invalid argument", "NO_NEW_PRIVILEGES"},
		{"wrapped errno", execExitChroot, &fs.PathError{Op: "chroot", Path: "/r", Err: syscall.ENOENT}, "Failed at step CHROOT spawning /x: No such file or directory", "CHROOT"},
		{"no errno", execExitGroup, errors.New("odd"), "Failed at step GROUP spawning /x: Input/output error", "GROUP"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newExecError(tc.code, "/x", tc.err)
			if got := e.Error(); got != tc.want {
				t.Errorf("Error() = %q, want %q", got, tc.want)
			}
			if e.Step != tc.step || e.ExitStatus != tc.code {
				t.Errorf("step %q status %d, want %q %d", e.Step, e.ExitStatus, tc.step, tc.code)
			}
		})
	}
	if e := newExecError(execExitExec, "/x", syscall.ENOENT); !errors.Is(e, fs.ErrNotExist) {
		t.Errorf("errors.Is(%v, fs.ErrNotExist) = false, want true", e)
	}
}

func TestExecSpecJSON(t *testing.T) {
	nice, oom := -5, 100
	tests := []struct {
		name string
		spec *execSpec
	}{
		{"defaults", newExecSpec("/bin/true", nil, nil)},
		{"everything", &execSpec{
			Path: "true", Argv: []string{"a", "", "b\x00c"}, Env: []string{"A=1"},
			Dir: "/srv", DirMissingOK: true, RootDir: "/r",
			Credentials: &execCredentials{UID: 1, GID: 2, Groups: []uint32{3, 4}},
			Umask:       0o027, Nice: &nice, OOMScoreAdjust: &oom,
			Rlimits:               []execRlimit{{Resource: 7, Soft: 1, Hard: unit.RlimInfinity}},
			AmbientCaps:           1 << 10,
			CapabilityBoundingSet: unit.CapAll &^ (1 << 21),
			NoNewPrivileges:       true, Setsid: true,
			ListenFDs: 2, ListenFDNames: []string{"a", "b"}, NonBlocking: true,
			CgroupFD: -1,
		}},
		{"empty bounding set", &execSpec{Path: "/p", CapabilityBoundingSet: 0, Umask: -1, CgroupFD: -1}},
		{"high capability bits", &execSpec{Path: "/p", AmbientCaps: 1 << 40, CapabilityBoundingSet: 1<<63 | 1, CgroupFD: -1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := json.Marshal(tc.spec)
			if err != nil {
				t.Fatal(err)
			}
			got := &execSpec{CgroupFD: -1}
			if err := json.Unmarshal(b, got); err != nil {
				t.Fatalf("decoding %s: %v", b, err)
			}
			if !reflect.DeepEqual(got, tc.spec) {
				t.Errorf("round trip of %s:\ngot  %+v\nwant %+v", b, got, tc.spec)
			}
		})
	}
}

func TestExecRlimitResource(t *testing.T) {
	tests := []struct {
		name string
		want int
	}{
		{"CPU", 0}, {"FSIZE", 1}, {"DATA", 2}, {"STACK", 3}, {"CORE", 4},
		{"RSS", 5}, {"NPROC", 6}, {"NOFILE", 7}, {"MEMLOCK", 8}, {"AS", 9},
		{"LOCKS", 10}, {"SIGPENDING", 11}, {"MSGQUEUE", 12}, {"NICE", 13},
		{"RTPRIO", 14}, {"RTTIME", 15}, {"nofile", -1}, {"", -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := unit.RlimitResource(tc.name); got != tc.want {
				t.Errorf("unit.RlimitResource(%q) = %d, want %d", tc.name, got, tc.want)
			}
		})
	}
	for _, name := range unit.RlimitNames {
		if unit.RlimitResource(name) < 0 {
			t.Errorf("unit.RlimitNames has %q, unknown here", name)
		}
	}
	got := execRlimitsFromLimits(map[string]unit.Rlimit{"NOFILE": {Soft: 1, Hard: 2}, "CPU": {Soft: 3, Hard: 4}, "BOGUS": {}})
	want := []execRlimit{{Resource: 0, Soft: 3, Hard: 4}, {Resource: 7, Soft: 1, Hard: 2}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("execRlimitsFromLimits = %+v, want %+v", got, want)
	}
}
