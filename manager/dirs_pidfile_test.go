package manager

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"
)

func TestPIDFileWriteRemove(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "sub/app.pid")
	for _, pid := range []int{1234, 56} {
		if err := pidFileWrite(p, pid); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(p)
		if err != nil || string(b) != strconv.Itoa(pid)+"\n" {
			t.Fatalf("content %q, %v, want %d", b, err, pid)
		}
	}
	fi, err := os.Stat(p)
	if err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, %v, want 0644", fi.Mode(), err)
	}
	entries, _ := os.ReadDir(filepath.Dir(p))
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only the PID file", len(entries))
	}
	if err := pidFileRemove(p); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("file still there: %v", err)
	}
	if err := pidFileRemove(p); err != nil {
		t.Errorf("removing a missing file: %v", err)
	}
}

func TestPIDFileParse(t *testing.T) {
	tests := []struct {
		in   string
		want int
		err  error
	}{
		{"123", 123, nil},
		{" \t123", 123, nil},
		{"+7", 7, nil},
		{"0x1F", 31, nil},
		{"010", 8, nil},
		{"0b101", 5, nil},
		{"0o17", 15, nil},
		{"2147483647", 2147483647, nil},
		{"123 ", 0, unix.EINVAL},
		{"", 0, unix.EINVAL},
		{"abc", 0, unix.EINVAL},
		{"0x", 0, unix.EINVAL},
		{"12a", 0, unix.EINVAL},
		{"--1", 0, unix.EINVAL},
		{"-5", 0, unix.ERANGE},
		{"0", 0, unix.ERANGE},
		{"-0", 0, unix.ERANGE},
		{"2147483648", 0, unix.ERANGE},
		{"99999999999999999999999", 0, unix.ERANGE},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := pidFileParse(tt.in)
			if got != tt.want || !errors.Is(err, tt.err) || (tt.err == nil) != (err == nil) {
				t.Errorf("pidFileParse(%q) = %d, %v, want %d, %v", tt.in, got, err, tt.want, tt.err)
			}
		})
	}
}

func TestPIDFileRead(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	parent := os.Getppid()
	if parent <= 1 {
		condNeed(t, "the test has no parent process to point at")
	}
	tests := []struct {
		name string
		path string
		want int
		err  error
	}{
		{"live process", write("ok", strconv.Itoa(parent)+"\n"), parent, nil},
		{"second line ignored", write("lines", strconv.Itoa(parent)+"\ngarbage\n"), parent, nil},
		{"crlf", write("crlf", strconv.Itoa(parent)+"\r\n"), parent, nil},
		{"the manager", write("self", strconv.Itoa(os.Getpid())), 0, unix.EPERM},
		{"pid 1", write("one", "1"), 0, unix.EPERM},
		{"no such process", write("dead", "2147483646"), 0, unix.ESRCH},
		{"garbage", write("garbage", "pid"), 0, unix.EINVAL},
		{"missing", filepath.Join(dir, "missing"), 0, unix.ENOENT},
		{"directory", dir, 0, unix.EISDIR},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := pidFileRead(tt.path)
			if got != tt.want || !errors.Is(err, tt.err) || (tt.err == nil) != (err == nil) {
				t.Errorf("pidFileRead = %d, %v, want %d, %v", got, err, tt.want, tt.err)
			}
		})
	}
}

func TestPIDFileZombie(t *testing.T) {
	cmd := exec.Command("/bin/true")
	if err := cmd.Start(); err != nil {
		condNeed(t, "cannot run /bin/true: "+err.Error())
	}
	pid := cmd.Process.Pid
	// Wait for the exit without reaping, so the child stays a zombie.
	var info unix.Siginfo
	if err := unix.Waitid(unix.P_PID, pid, &info, unix.WEXITED|unix.WNOWAIT, nil); err != nil {
		t.Skipf("the child was reaped elsewhere: %v", err)
	}
	defer cmd.Wait()
	if pidAlive(pid) {
		t.Errorf("pidAlive(%d) = true for a zombie", pid)
	}
	p := filepath.Join(t.TempDir(), "z.pid")
	if err := pidFileWrite(p, pid); err != nil {
		t.Fatal(err)
	}
	if _, err := pidFileRead(p); !errors.Is(err, unix.ESRCH) {
		t.Errorf("pidFileRead of a zombie: %v, want ESRCH", err)
	}
}

func TestPIDFileLoadSafety(t *testing.T) {
	dirsNeedRoot(t)
	base := t.TempDir()
	mk := func(rel string, uid int, dir bool) string {
		p := filepath.Join(base, rel)
		var err error
		if dir {
			err = os.Mkdir(p, 0o755)
		} else {
			err = os.WriteFile(p, []byte("4242\n"), 0o644)
		}
		if err == nil {
			err = os.Lchown(p, uid, uid)
		}
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	link := func(rel, target string, uid int) string {
		p := filepath.Join(base, rel)
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
		if err := os.Lchown(p, uid, uid); err != nil {
			t.Fatal(err)
		}
		return p
	}
	rootFile := mk("root.pid", 0, false)
	userFile := mk("user.pid", 65534, false)
	mk("userdir", 65534, true)
	userInUserDir := mk("userdir/user.pid", 65534, false)
	rootInUserDir := mk("userdir/root.pid", 0, false)
	userLinkToRoot := link("ulink", "root.pid", 65534)
	userLinkAbs := link("ulinkabs", rootFile, 65534)
	rootLinkToUser := link("rlink", "user.pid", 0)
	userLinkToUser := link("userdir/ulink", "user.pid", 65534)
	tests := []struct {
		name      string
		path      string
		unsafe    bool
		rootOwned bool
	}{
		{"root file", rootFile, false, true},
		{"user file in root directory", userFile, false, false},
		{"user file in user directory", userInUserDir, false, false},
		{"root file in user directory", rootInUserDir, true, true},
		{"user symlink to root file", userLinkToRoot, true, true},
		{"user absolute symlink to root file", userLinkAbs, true, true},
		{"root symlink to user file", rootLinkToUser, false, false},
		{"user symlink to user file", userLinkToUser, false, false},
		{"dot-dot", base + "/userdir/../root.pid", true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info, err := pidFileLoad(tt.path)
			if err != nil {
				t.Fatal(err)
			}
			want := pidFileInfo{PID: 4242, Unsafe: tt.unsafe, RootOwned: tt.rootOwned}
			if info != want {
				t.Errorf("pidFileLoad = %+v, want %+v", info, want)
			}
		})
	}
	t.Run("symlink loop", func(t *testing.T) {
		link("loop", "loop", 0)
		if _, err := pidFileLoad(filepath.Join(base, "loop")); !errors.Is(err, unix.ELOOP) {
			t.Errorf("got %v, want ELOOP", err)
		}
	})
}

func TestPIDFileAccept(t *testing.T) {
	tests := []struct {
		name  string
		info  pidFileInfo
		owned bool
		ok    bool
	}{
		{"owned", pidFileInfo{PID: 5, Unsafe: true}, true, true},
		{"root file", pidFileInfo{PID: 5, RootOwned: true}, false, true},
		{"user file", pidFileInfo{PID: 5}, false, false},
		{"unsafe root file", pidFileInfo{PID: 5, Unsafe: true, RootOwned: true}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := pidFileAccept(tt.info, tt.owned)
			if (err == nil) != tt.ok || (err != nil && !errors.Is(err, unix.EPERM)) {
				t.Errorf("pidFileAccept = %v, want ok %v", err, tt.ok)
			}
		})
	}
}
