package manager

import (
	"bufio"
	"errors"
	"os"
	"os/user"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/pm-project/pm/unit"
)

func TestUserLookup(t *testing.T) {
	rootShell := "/bin/sh"
	if _, err := os.Stat("/bin/bash"); err == nil {
		rootShell = "/bin/bash"
	}
	nobody := &userInfo{Name: "nobody", UID: 65534, GID: 65534}
	if !userSynthesizeNobody() {
		t.Log("/etc/systemd/dont-synthesize-nobody exists; nobody comes from the user database")
		nobody = nil
	}
	tests := []struct {
		name string
		in   string
		want *userInfo
	}{
		{"root", "root", &userInfo{Name: "root", UID: 0, GID: 0, Home: "/root", Shell: rootShell}},
		{"uid 0", "0", &userInfo{Name: "root", UID: 0, GID: 0, Home: "/root", Shell: rootShell}},
		{"nobody", "nobody", nobody},
		{"uid 65534", "65534", nobody},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.want == nil {
				t.Skip("nobody is not synthesized here")
			}
			got, err := userLookup(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("userLookup(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
		})
	}

	t.Run("database user", func(t *testing.T) {
		u, err := user.Lookup("daemon")
		if err != nil {
			condNeed(t, "no user daemon in the user database")
		}
		byName, err := userLookup("daemon")
		if err != nil {
			t.Fatal(err)
		}
		byID, err := userLookup(u.Uid)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(byName, byID) {
			t.Errorf("by name %+v, by uid %+v", byName, byID)
		}
		if byName.Name != "daemon" || strconv.Itoa(byName.UID) != u.Uid || strconv.Itoa(byName.GID) != u.Gid {
			t.Errorf("got %+v, want daemon %s:%s", byName, u.Uid, u.Gid)
		}
		if sh := userPasswdShell("daemon"); userNologinShell(sh) && byName.Shell != "" {
			t.Errorf("Shell = %q, want none for the nologin shell %q", byName.Shell, sh)
		}
	})

	errs := []struct {
		name string
		in   string
	}{
		{"unknown name", "no-such-user-pm"},
		{"unknown uid", "4711999"},
		{"leading zero is a name", "00"},
		{"uid -1", "4294967295"},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			_, err := userLookup(tt.in)
			if !errors.Is(err, errUserCreds) || !errors.Is(err, syscall.ESRCH) {
				t.Fatalf("userLookup(%q) error = %v, want errUserCreds and ESRCH", tt.in, err)
			}
			if want := "failed to determine user credentials: no such process"; err.Error() != want {
				t.Errorf("message %q, want %q", err.Error(), want)
			}
		})
	}
}

func TestGroupLookup(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		wantName string
		wantGID  int
	}{
		{"root", "root", "root", 0},
		{"gid 0", "0", "root", 0},
		{"nogroup", "nogroup", "nogroup", 65534},
		{"gid 65534", "65534", "nogroup", 65534},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !userSynthesizeNobody() && tt.wantGID == 65534 {
				t.Skip("nogroup is not synthesized here")
			}
			name, gid, err := groupLookup(tt.in)
			if err != nil || name != tt.wantName || gid != tt.wantGID {
				t.Errorf("groupLookup(%q) = %q, %d, %v, want %q, %d", tt.in, name, gid, err, tt.wantName, tt.wantGID)
			}
		})
	}
	t.Run("database group", func(t *testing.T) {
		g, err := user.LookupGroup("daemon")
		if err != nil {
			condNeed(t, "no group daemon in the group database")
		}
		name, gid, err := groupLookup(g.Gid)
		if err != nil || name != "daemon" || strconv.Itoa(gid) != g.Gid {
			t.Errorf("groupLookup(%s) = %q, %d, %v, want daemon", g.Gid, name, gid, err)
		}
	})
	for _, in := range []string{"no-such-group-pm", "4711999", "nobody-group-pm"} {
		t.Run("unknown "+in, func(t *testing.T) {
			_, _, err := groupLookup(in)
			if !errors.Is(err, errGroupCreds) || !errors.Is(err, syscall.ESRCH) {
				t.Errorf("groupLookup(%q) error = %v, want errGroupCreds and ESRCH", in, err)
			}
		})
	}
}

func TestUserResolve(t *testing.T) {
	daemonGID := -1
	if g, err := user.LookupGroup("daemon"); err == nil {
		daemonGID, _ = strconv.Atoi(g.Gid)
	}
	tests := []struct {
		name    string
		ex      unit.ExecContext
		want    *userCreds
		wantErr error
		needs   bool // needs the daemon group
	}{
		{"nothing set", unit.ExecContext{}, &userCreds{UID: -1, GID: -1}, nil, false},
		{"root keeps groups", unit.ExecContext{User: "root"},
			&userCreds{User: &userInfo{Name: "root", Home: "/root", Shell: userRootShell()}, UID: 0, GID: 0}, nil, false},
		{"group only", unit.ExecContext{Group: "nogroup"}, &userCreds{UID: -1, GID: 65534, GroupName: "nogroup"}, nil, false},
		{"supplementary only", unit.ExecContext{SupplementaryGroups: []string{"daemon", "0"}},
			&userCreds{UID: -1, GID: -1, Groups: []int{daemonGID, 0}, SetGroups: true}, nil, true},
		{"root with supplementary", unit.ExecContext{User: "root", SupplementaryGroups: []string{"daemon"}},
			&userCreds{User: &userInfo{Name: "root", Home: "/root", Shell: userRootShell()}, UID: 0, GID: 0, Groups: []int{daemonGID}, SetGroups: true}, nil, true},
		{"unknown user", unit.ExecContext{User: "no-such-user-pm"}, nil, errUserCreds, false},
		{"unknown group", unit.ExecContext{Group: "no-such-group-pm"}, nil, errGroupCreds, false},
		{"unknown supplementary", unit.ExecContext{SupplementaryGroups: []string{"no-such-group-pm"}}, nil, errGroupCreds, false},
		{"unknown user beats group", unit.ExecContext{User: "no-such-user-pm", Group: "no-such-group-pm"}, nil, errUserCreds, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.needs && daemonGID < 0 {
				condNeed(t, "no group daemon in the group database")
			}
			if !userSynthesizeNobody() && tt.ex.Group == "nogroup" {
				t.Skip("nogroup is not synthesized here")
			}
			got, err := userResolve(&tt.ex)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || !errors.Is(err, syscall.ESRCH) {
					t.Fatalf("got error %v, want %v and ESRCH", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v (user %+v), want %+v (user %+v)", got, got.User, tt.want, tt.want.User)
			}
		})
	}
}

func TestUserResolveMessages(t *testing.T) {
	tests := []struct {
		name string
		ex   unit.ExecContext
		want string
	}{
		{"user", unit.ExecContext{User: "no-such-user-pm"}, "failed to determine user credentials: no such process"},
		{"group", unit.ExecContext{Group: "no-such-group-pm"}, "failed to determine group credentials: no such process"},
		{"supplementary", unit.ExecContext{SupplementaryGroups: []string{"no-such-group-pm"}}, "failed to determine supplementary groups: no such process"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := userResolve(&tt.ex)
			if err == nil || err.Error() != tt.want {
				t.Errorf("got %v, want %q", err, tt.want)
			}
		})
	}
}

// TestUserResolveMemberships checks that a user gets its groups from the
// group database (initgroups), whichever user this machine has with a
// membership.
func TestUserResolveMemberships(t *testing.T) {
	name, member := userFindMember(t)
	if name == "" {
		condNeed(t, "no user with a supplementary group in /etc/group")
	}
	creds, err := userResolve(&unit.ExecContext{User: name})
	if err != nil {
		t.Fatal(err)
	}
	if creds.GID == 0 {
		t.Skipf("user %s has group 0, which gets no initgroups", name)
	}
	if !creds.SetGroups || creds.Groups[0] != creds.GID || !slices.Contains(creds.Groups, member) {
		t.Errorf("user %s: groups %v (set %v), want primary %d first and %d", name, creds.Groups, creds.SetGroups, creds.GID, member)
	}
	t.Run("Group= replaces the primary group", func(t *testing.T) {
		creds, err := userResolve(&unit.ExecContext{User: name, Group: strconv.Itoa(member)})
		if err != nil {
			t.Fatal(err)
		}
		if creds.GID != member || creds.Groups[0] != member {
			t.Errorf("got gid %d groups %v, want %d first", creds.GID, creds.Groups, member)
		}
	})
}

// userFindMember returns a user listed as a member of a group in
// /etc/group, and that group's gid.
func userFindMember(t *testing.T) (string, int) {
	f, err := os.Open("/etc/group")
	if err != nil {
		return "", 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		fields := strings.Split(s.Text(), ":")
		if len(fields) != 4 || fields[3] == "" {
			continue
		}
		gid, err := strconv.Atoi(fields[2])
		if err != nil {
			continue
		}
		for _, m := range strings.Split(fields[3], ",") {
			if _, err := user.Lookup(m); err == nil {
				return m, gid
			}
		}
	}
	return "", 0
}

func TestUserParseID(t *testing.T) {
	tests := []struct {
		in   string
		want int
		ok   bool
	}{
		{"0", 0, true}, {"1000", 1000, true}, {"4294967294", 4294967294, true},
		{"4294967295", 0, false}, {"65535", 0, false}, {"01", 0, false}, {"+1", 0, false},
		{"-1", 0, false}, {" 1", 0, false}, {"", 0, false}, {"1x", 0, false}, {"99999999999", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := userParseID(tt.in)
			if got != tt.want || ok != tt.ok {
				t.Errorf("userParseID(%q) = %d, %v, want %d, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}
