package manager

import (
	"bufio"
	"errors"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/pm-project/pm/unit"
)

// User and group resolution for User=, Group= and SupplementaryGroups=,
// as systemd 252 does it in exec_child (get_fixed_user, get_fixed_group,
// get_supplementary_groups): root and nobody are built in, numeric IDs
// must exist in the user database like names, the user's own groups are
// added (initgroups) unless the service runs with group 0.
//
// Lookups go through os/user, which uses NSS when pm is built with cgo and
// reads /etc/passwd and /etc/group otherwise. With NSS a lookup may be
// slow (LDAP, SSSD): call these where spawning may block, not in the loop.

// Sentinels for failed lookups. systemd ends the process with exit status
// 217/USER for errUserCreds and 216/GROUP for errGroupCreds; the errors
// also wrap the errno systemd would report (syscall.ESRCH for a user or
// group that does not exist), so that the message reads as systemd's:
// "Failed to determine user credentials: No such process".
var (
	errUserCreds  = errors.New("failed to determine user credentials")
	errGroupCreds = errors.New("failed to determine group credentials")
)

// userError is a failed lookup: systemd's message, the class (errUserCreds
// or errGroupCreds) and the errno.
type userError struct {
	msg   string
	class error
	err   error
}

func (e *userError) Error() string   { return e.msg + ": " + e.err.Error() }
func (e *userError) Unwrap() []error { return []error{e.class, e.err} }

func userFail(class error, err error) error {
	return &userError{msg: class.Error(), class: class, err: err}
}

// userNobody is the uid and gid of nobody; userSystemMax is the highest
// system uid and gid (Debian's build of systemd 252).
const (
	userNobody    = 65534
	userSystemMax = 999
)

// userNoGroup is systemd's NOBODY_GROUP_NAME on Debian.
const userNoGroup = "nogroup"

// userInfo is a user as User= resolves it.
type userInfo struct {
	Name string
	UID  int
	GID  int
	// Home is the home directory, "" when it is "/" or not an absolute
	// path (systemd then sets no $HOME).
	Home string
	// Shell is the login shell, "" when unset, not absolute or a nologin
	// shell such as /usr/sbin/nologin or /bin/false (then no $SHELL).
	Shell string
}

// userLookup resolves a User= value: a name or a numeric uid, which must
// exist in the user database, except root (0) and nobody (65534), which
// systemd defines itself. Errors wrap errUserCreds and an errno.
func userLookup(name string) (*userInfo, error) {
	if name == "root" || name == "0" {
		return &userInfo{Name: "root", UID: 0, GID: 0, Home: "/root", Shell: userRootShell()}, nil
	}
	if (name == "nobody" || name == strconv.Itoa(userNobody)) && userSynthesizeNobody() {
		return &userInfo{Name: "nobody", UID: userNobody, GID: userNobody}, nil
	}
	var u *user.User
	var err error
	if _, ok := userParseID(name); ok {
		u, err = user.LookupId(name)
	} else {
		u, err = user.Lookup(name)
	}
	if err != nil {
		return nil, userFail(errUserCreds, userErrno(err))
	}
	uid, ok1 := userParseID(u.Uid)
	gid, ok2 := userParseID(u.Gid)
	if !ok1 || !ok2 {
		return nil, userFail(errUserCreds, syscall.EBADMSG)
	}
	info := &userInfo{Name: u.Username, UID: uid, GID: gid}
	if h := u.HomeDir; strings.HasPrefix(h, "/") && filepath.Clean(h) != "/" && userPathValid(h) {
		info.Home = h
	}
	if sh := userPasswdShell(u.Username); strings.HasPrefix(sh, "/") && userPathValid(sh) && !userNologinShell(sh) {
		info.Shell = sh
	}
	return info, nil
}

// groupLookup resolves a Group= or SupplementaryGroups= value: a name or
// a numeric gid, which must exist in the group database, except root (0)
// and nogroup (65534). Errors wrap errGroupCreds and an errno.
func groupLookup(name string) (string, int, error) {
	if name == "root" || name == "0" {
		return "root", 0, nil
	}
	if (name == userNoGroup || name == strconv.Itoa(userNobody)) && userSynthesizeNobody() {
		return userNoGroup, userNobody, nil
	}
	var g *user.Group
	var err error
	if _, ok := userParseID(name); ok {
		g, err = user.LookupGroupId(name)
	} else {
		g, err = user.LookupGroup(name)
	}
	if err != nil {
		return "", 0, userFail(errGroupCreds, userErrno(err))
	}
	gid, ok := userParseID(g.Gid)
	if !ok {
		return "", 0, userFail(errGroupCreds, syscall.EBADMSG)
	}
	return g.Name, gid, nil
}

// userCreds is what a spawned process runs as.
type userCreds struct {
	// User is the resolved User=, nil when it is not set (then the process
	// keeps the manager's uid and gets no $USER, $HOME, $SHELL).
	User *userInfo
	// UID and GID are the ids to switch to, -1 to keep the manager's.
	UID, GID int
	// GroupName is the name of Group= ("" when not set).
	GroupName string
	// Groups are the supplementary groups to set when SetGroups is true;
	// otherwise the process keeps the manager's supplementary groups (a
	// service without User= and SupplementaryGroups=, as in systemd).
	Groups    []int
	SetGroups bool
}

// userResolve resolves User=, Group= and SupplementaryGroups= of an exec
// context: Group= overrides the user's primary group; a user whose gid is
// not 0 gets its own supplementary groups (getgrouplist) followed by
// those of SupplementaryGroups=. A failure wraps errUserCreds (exit status
// 217/USER) or errGroupCreds (216/GROUP, also for SupplementaryGroups=).
func userResolve(ctx *unit.ExecContext) (*userCreds, error) {
	c := &userCreds{UID: -1, GID: -1}
	if ctx.User != "" {
		u, err := userLookup(ctx.User)
		if err != nil {
			return nil, err
		}
		c.User, c.UID, c.GID = u, u.UID, u.GID
	}
	if ctx.Group != "" {
		name, gid, err := groupLookup(ctx.Group)
		if err != nil {
			return nil, err
		}
		c.GroupName, c.GID = name, gid
	}
	var groups []int
	if c.User != nil && c.GID > 0 {
		groups = userGroupList(c.User, c.GID)
		c.SetGroups = true
	}
	for _, g := range ctx.SupplementaryGroups {
		_, gid, err := groupLookup(g)
		if err != nil {
			var ue *userError
			if errors.As(err, &ue) {
				ue.msg = "failed to determine supplementary groups"
			}
			return nil, err
		}
		groups = append(groups, gid)
		c.SetGroups = true
	}
	c.Groups = groups
	return c, nil
}

// userGroupList is getgrouplist(user, gid): gid followed by the groups
// that list the user as a member.
func userGroupList(u *userInfo, gid int) []int {
	out := []int{gid}
	pu, err := user.LookupId(strconv.Itoa(u.UID))
	if err != nil || pu.Username != u.Name {
		pu, err = user.Lookup(u.Name)
	}
	if err != nil {
		return out
	}
	ids, err := pu.GroupIds()
	if err != nil {
		return out
	}
	for _, s := range ids {
		id, ok := userParseID(s)
		// os/user adds the passwd primary group, which getgrouplist
		// replaces by gid (Group= may differ from it).
		if !ok || id == gid || (s == pu.Gid && u.GID != gid) {
			continue
		}
		out = append(out, id)
	}
	return out
}

// userParseID parses a uid or gid as systemd's parse_uid: decimal, no
// sign, no leading zero or blank, not (uid_t)-1 or (uint16_t)-1.
func userParseID(s string) (int, bool) {
	if s == "" || (len(s) > 1 && s[0] == '0') {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	v, err := strconv.ParseUint(s, 10, 32)
	if err != nil || v == 1<<32-1 || v == 1<<16-1 {
		return 0, false
	}
	return int(v), true
}

// userErrno maps an os/user error to the errno systemd reports.
func userErrno(err error) error {
	var (
		uu  user.UnknownUserError
		uid user.UnknownUserIdError
		ug  user.UnknownGroupError
		gid user.UnknownGroupIdError
	)
	if errors.As(err, &uu) || errors.As(err, &uid) || errors.As(err, &ug) || errors.As(err, &gid) {
		return syscall.ESRCH
	}
	return err
}

// userSynthesizeNobody is systemd's synthesize_nobody.
func userSynthesizeNobody() bool {
	_, err := os.Stat("/etc/systemd/dont-synthesize-nobody")
	return err != nil
}

// userRootShell is systemd's default_root_shell: /bin/bash where it
// exists, else /bin/sh.
func userRootShell() string {
	if _, err := os.Stat("/bin/bash"); err == nil {
		return "/bin/bash"
	}
	return "/bin/sh"
}

// userNologinShell is systemd's is_nologin_shell.
func userNologinShell(sh string) bool {
	switch filepath.Clean(sh) {
	case "/bin/nologin", "/sbin/nologin", "/usr/bin/nologin", "/usr/sbin/nologin",
		"/bin/false", "/usr/bin/false", "/bin/true", "/usr/bin/true":
		return true
	}
	return false
}

// userPathValid is systemd's path_is_valid: not empty, at most PATH_MAX-1
// bytes, no component longer than NAME_MAX.
func userPathValid(p string) bool {
	if p == "" || len(p) >= 4096 {
		return false
	}
	for _, c := range strings.Split(p, "/") {
		if len(c) > 255 {
			return false
		}
	}
	return true
}

// userPasswdShell returns the login shell of name in /etc/passwd, which
// os/user does not expose ("" when not found).
func userPasswdShell(name string) string {
	f, err := os.Open("/etc/passwd")
	if err != nil {
		return ""
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		fields := strings.Split(s.Text(), ":")
		if len(fields) == 7 && fields[0] == name {
			return fields[6]
		}
	}
	return ""
}
