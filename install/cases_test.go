package install_test

// base is the tree most cases start from: the standard targets their
// units refer to, in the vendor directory.
func base(extra tree) tree {
	t := tree{
		sysDir + "/multi-user.target": target(),
		sysDir + "/graphical.target":  target(),
		sysDir + "/sockets.target":    target(),
		sysDir + "/timers.target":     target(),
	}
	for p, v := range extra {
		t[p] = v
	}
	return t
}

// installCases are the trees and commands that TestAgainstSystemctl runs
// with both this package and systemctl, and TestCases with this package
// alone against the results recorded in expect_test.go.
var installCases = []installCase{
	// WantedBy= and RequiredBy=.
	{"enable wanted by", base(tree{sysDir + "/foo.service": svc("WantedBy=multi-user.target")}), []string{
		"enable foo.service", "is-enabled foo.service", "enable foo.service",
		"disable foo.service", "is-enabled foo.service", "disable foo.service",
	}},
	{"enable required by", base(tree{sysDir + "/foo.service": svc("RequiredBy=graphical.target multi-user.target")}), []string{
		"enable foo.service", "is-enabled foo.service", "disable foo.service",
	}},
	{"wanted and required", base(tree{sysDir + "/foo.service": svc("WantedBy=multi-user.target", "RequiredBy=graphical.target")}), []string{
		"enable foo.service", "disable foo.service",
	}},
	{"wanted by missing target", base(tree{sysDir + "/foo.service": svc("WantedBy=nothere.target")}), []string{
		"enable foo.service", "is-enabled foo.service", "enable foo.service",
	}},
	{"empty WantedBy resets", base(tree{sysDir + "/foo.service": svc("WantedBy=graphical.target", "WantedBy=", "WantedBy=multi-user.target")}), []string{
		"enable foo.service",
	}},
	{"quoted WantedBy", base(tree{sysDir + "/foo.service": svc(`WantedBy="multi-user.target" 'graphical.target'`)}), []string{
		"enable foo.service",
	}},
	{"drop-in adds WantedBy", base(tree{
		sysDir + "/foo.service":                  svc("WantedBy=multi-user.target"),
		etcDir + "/foo.service.d/install.conf":   "[Install]\nWantedBy=graphical.target\n",
		sysDir + "/foo.service.d/zz-ignored.txt": "[Install]\nWantedBy=sockets.target\n",
	}), []string{"enable foo.service", "disable foo.service"}},
	{"unit file in etc", base(tree{etcDir + "/foo.service": svc("WantedBy=multi-user.target")}), []string{
		"enable foo.service", "is-enabled foo.service", "disable foo.service", "is-enabled foo.service",
	}},
	{"enable two units", base(tree{
		sysDir + "/a.service": svc("WantedBy=multi-user.target"),
		sysDir + "/b.service": svc("WantedBy=graphical.target"),
	}), []string{"enable a.service b.service", "disable a.service b.service"}},
	{"enable with one missing", base(tree{sysDir + "/a.service": svc("WantedBy=multi-user.target")}), []string{
		"enable a.service nothere.service", "is-enabled a.service",
	}},
	{"wants link replaced", base(tree{
		sysDir + "/foo.service":                            svc("WantedBy=multi-user.target"),
		etcDir + "/multi-user.target.wants/foo.service":    "-> /opt/foo.service",
		etcDir + "/graphical.target.wants/other.service":   "-> /opt/other.service",
		etcDir + "/sockets.target.requires/foo.service":    "-> /usr/lib/systemd/system/foo.service",
		etcDir + "/timers.target.wants/foo.service":        "-> ../../../../usr/lib/systemd/system/foo.service",
		etcDir + "/timers.target.wants/relative.service":   "-> ../foo.service",
		etcDir + "/timers.target.wants/dangling.service":   "-> /nowhere/dangling.service",
		etcDir + "/timers.target.wants/not-a-unit-name":    "-> /usr/lib/systemd/system/foo.service",
		etcDir + "/timers.target.wants/.hidden.service":    "-> /usr/lib/systemd/system/foo.service",
		etcDir + "/timers.target.wants/backup.service.bak": "-> /usr/lib/systemd/system/foo.service",
	}), []string{"enable foo.service", "disable foo.service"}},

	// Alias=.
	{"alias", base(tree{sysDir + "/foo.service": svc("Alias=bar.service", "WantedBy=multi-user.target")}), []string{
		"enable foo.service", "is-enabled foo.service bar.service", "disable foo.service", "is-enabled bar.service",
	}},
	{"enable by alias in etc", base(tree{sysDir + "/foo.service": svc("Alias=bar.service", "WantedBy=multi-user.target")}), []string{
		"enable foo.service", "enable bar.service", "disable bar.service",
	}},
	{"enable by vendor alias", base(tree{
		sysDir + "/foo.service": svc("WantedBy=multi-user.target"),
		sysDir + "/bar.service": "-> foo.service",
	}), []string{"is-enabled bar.service", "enable bar.service", "is-enabled bar.service foo.service", "disable bar.service"}},
	{"alias exists elsewhere", base(tree{
		sysDir + "/foo.service":   svc("Alias=bar.service", "WantedBy=multi-user.target"),
		sysDir + "/other.service": svc(),
		etcDir + "/bar.service":   "-> /usr/lib/systemd/system/other.service",
	}), []string{"enable foo.service", "is-enabled foo.service", "enable --force foo.service", "is-enabled foo.service"}},
	{"alias to itself", base(tree{sysDir + "/foo.service": svc("Alias=foo.service")}), []string{
		"enable foo.service", "is-enabled foo.service",
	}},
	{"alias of another type", base(tree{sysDir + "/foo.service": svc("Alias=foo.socket bar.service")}), []string{
		"enable foo.service",
	}},
	{"alias as wants path", base(tree{sysDir + "/foo.service": svc("Alias=multi-user.target.wants/foo.service graphical.target.wants/bar.service")}), []string{
		"enable foo.service", "is-enabled foo.service",
	}},
	{"alias not allowed for mount", base(tree{sysDir + "/data.mount": "[Mount]\nWhat=/dev/sda1\nWhere=/data\n[Install]\nAlias=other.mount\nWantedBy=multi-user.target\n"}), []string{
		"enable data.mount", "is-enabled data.mount",
	}},
	{"template alias", base(tree{sysDir + "/foo@.service": svc("Alias=bar@.service", "WantedBy=multi-user.target")}), []string{
		"enable foo@x.service", "is-enabled foo@x.service bar@x.service", "disable foo@x.service",
	}},
	{"dangling alias", base(tree{etcDir + "/bar.service": "-> /usr/lib/systemd/system/gone.service"}), []string{
		"is-enabled bar.service", "enable bar.service", "disable bar.service",
	}},

	// Also=.
	{"also", base(tree{
		sysDir + "/foo.service": svc("Also=bar.service"),
		sysDir + "/bar.service": svc("WantedBy=multi-user.target"),
	}), []string{"is-enabled foo.service", "enable foo.service", "is-enabled foo.service bar.service", "disable foo.service"}},
	{"also chain", base(tree{
		sysDir + "/a.service": svc("Also=b.service", "WantedBy=multi-user.target"),
		sysDir + "/b.service": svc("Also=c.service"),
		sysDir + "/c.service": svc("WantedBy=graphical.target"),
	}), []string{"enable a.service", "disable a.service"}},
	{"also cycle", base(tree{
		sysDir + "/a.service": svc("Also=b.service", "WantedBy=multi-user.target"),
		sysDir + "/b.service": svc("Also=a.service", "WantedBy=graphical.target"),
	}), []string{"enable a.service", "is-enabled a.service b.service", "disable b.service"}},
	{"also missing", base(tree{sysDir + "/foo.service": svc("Also=nothere.service", "WantedBy=multi-user.target")}), []string{
		"enable foo.service", "disable foo.service",
	}},
	{"also masked", base(tree{
		sysDir + "/foo.service": svc("Also=bar.service"),
		sysDir + "/bar.service": svc("WantedBy=multi-user.target"),
		etcDir + "/bar.service": "-> /dev/null",
	}), []string{"enable foo.service", "disable foo.service"}},
	{"also socket", base(tree{
		sysDir + "/foo.service": svc("Also=foo.socket"),
		sysDir + "/foo.socket":  "[Socket]\nListenStream=/run/foo.sock\n[Install]\nWantedBy=sockets.target\n",
	}), []string{"enable foo.service", "is-enabled foo.service foo.socket", "disable foo.service"}},

	// Templates.
	{"default instance", base(tree{sysDir + "/foo@.service": svc("DefaultInstance=x", "WantedBy=multi-user.target")}), []string{
		"enable foo@.service", "is-enabled foo@.service foo@x.service foo@y.service", "disable foo@.service",
	}},
	{"explicit instances", base(tree{sysDir + "/foo@.service": svc("DefaultInstance=x", "WantedBy=multi-user.target")}), []string{
		"enable foo@a.service foo@b.service", "is-enabled foo@a.service foo@x.service foo@.service",
		"disable foo@a.service", "is-enabled foo@b.service", "disable foo@.service",
	}},
	{"template without instance", base(tree{sysDir + "/foo@.service": svc("WantedBy=multi-user.target")}), []string{
		"enable foo@.service", "is-enabled foo@.service", "enable foo@a.service", "is-enabled foo@a.service foo@.service",
	}},
	{"template wanted by template", base(tree{
		sysDir + "/foo@.service": svc("WantedBy=bar@.target"),
		sysDir + "/bar@.target":  target(),
	}), []string{"enable foo@.service", "enable foo@x.service", "is-enabled foo@x.service", "disable foo@.service"}},
	{"default instance only", base(tree{sysDir + "/foo@.service": svc("DefaultInstance=x")}), []string{
		"is-enabled foo@.service", "enable foo@.service",
	}},
	{"instance file", base(tree{
		sysDir + "/foo@.service":  svc("WantedBy=multi-user.target"),
		sysDir + "/foo@a.service": svc("WantedBy=graphical.target"),
	}), []string{"enable foo@a.service", "is-enabled foo@a.service"}},
	{"vendor instance", base(tree{
		sysDir + "/getty@.service":                             svc("DefaultInstance=tty1", "WantedBy=multi-user.target"),
		sysDir + "/multi-user.target.wants/getty@tty2.service": "-> ../getty@.service",
	}), []string{"is-enabled getty@tty2.service getty@tty1.service getty@.service"}},
	{"default instance masked", base(tree{
		sysDir + "/foo@.service":  svc("DefaultInstance=x", "WantedBy=multi-user.target"),
		etcDir + "/foo@x.service": "-> /dev/null",
	}), []string{"enable foo@.service"}},

	// Specifiers.
	{"specifiers", base(tree{
		"/etc/machine-id":            fixedHost.MachineID + "\n",
		"/etc/os-release":            "ID=debian\nVERSION_ID=12\n",
		sysDir + "/foo@.service":     svc("DefaultInstance=inst", "Alias=%p-alias@.service", "WantedBy=%i.target %u-%U.target", "RequiredBy=%o%w.target x%m.target", "Also=%p-also.service"),
		sysDir + "/foo-also.service": svc("WantedBy=%N.target %n.target %j.target"),
	}), []string{"enable foo@.service", "enable foo@y.service", "is-enabled foo@.service foo@y.service", "disable foo@.service"}},
	{"unknown specifier", base(tree{sysDir + "/foo.service": svc("WantedBy=%z.target multi-user.target")}), []string{
		"enable foo.service",
	}},
	{"unknown specifier in Also", base(tree{sysDir + "/foo.service": svc("Also=%z.service", "WantedBy=multi-user.target")}), []string{
		"enable foo.service", "is-enabled foo.service",
	}},
	{"bad DefaultInstance", base(tree{sysDir + "/foo@.service": svc("DefaultInstance=a/b", "WantedBy=multi-user.target")}), []string{
		"enable foo@.service", "is-enabled foo@x.service",
	}},
	{"empty quoted words", base(tree{sysDir + "/foo.service": svc(`RequiredBy=""`, `WantedBy=multi-user.target ""`)}), []string{
		"enable foo.service",
	}},
	{"invalid WantedBy", base(tree{sysDir + "/foo.service": svc("WantedBy=not-a-unit multi-user.target")}), []string{
		"enable foo.service",
	}},

	// mask and unmask.
	{"mask", base(tree{sysDir + "/foo.service": svc("WantedBy=multi-user.target")}), []string{
		"mask foo.service", "is-enabled foo.service", "enable foo.service", "mask foo.service",
		"unmask foo.service", "is-enabled foo.service", "unmask foo.service",
	}},
	{"mask runtime", base(tree{sysDir + "/foo.service": svc("WantedBy=multi-user.target")}), []string{
		"mask --runtime foo.service", "is-enabled foo.service", "unmask foo.service", "unmask --runtime foo.service", "is-enabled foo.service",
	}},
	{"mask missing unit", base(nil), []string{"mask nothere.service", "is-enabled nothere.service", "unmask nothere.service"}},
	{"mask over unit file", base(tree{etcDir + "/foo.service": svc()}), []string{
		"mask foo.service", "mask --force foo.service", "is-enabled foo.service",
	}},
	{"mask over symlink", base(tree{
		sysDir + "/foo.service": svc(),
		etcDir + "/bar.service": "-> /usr/lib/systemd/system/foo.service",
	}), []string{"mask bar.service", "mask --force bar.service", "is-enabled bar.service", "unmask bar.service"}},
	{"vendor mask", base(tree{sysDir + "/foo.service": "-> /dev/null"}), []string{
		"is-enabled foo.service", "unmask foo.service", "enable foo.service",
	}},
	{"empty file mask", base(tree{
		sysDir + "/foo.service": svc("WantedBy=multi-user.target"),
		etcDir + "/foo.service": "",
	}), []string{"is-enabled foo.service", "unmask foo.service", "is-enabled foo.service"}},
	{"unmask with links to mask", base(tree{
		etcDir + "/foo.service":                         "-> /dev/null",
		etcDir + "/multi-user.target.wants/foo.service": "-> /etc/systemd/system/foo.service",
		etcDir + "/bar.service":                         "-> foo.service",
	}), []string{"unmask foo.service"}},
	{"mask several", base(tree{sysDir + "/a.service": svc()}), []string{
		"mask a.service b.service a.service", "unmask a.service b.service a.service",
	}},

	// --runtime.
	{"runtime enable", base(tree{sysDir + "/foo.service": svc("Alias=bar.service", "WantedBy=multi-user.target")}), []string{
		"enable --runtime foo.service", "is-enabled foo.service", "disable foo.service", "disable --runtime foo.service", "is-enabled foo.service",
	}},
	{"runtime and persistent", base(tree{sysDir + "/foo.service": svc("WantedBy=multi-user.target")}), []string{
		"enable --runtime foo.service", "enable foo.service", "is-enabled foo.service", "disable foo.service", "is-enabled foo.service",
	}},

	// link.
	{"link", base(tree{"/opt/foo.service": svc("WantedBy=multi-user.target")}), []string{
		"link /opt/foo.service", "is-enabled foo.service", "enable foo.service", "is-enabled foo.service",
		"disable foo.service", "is-enabled foo.service", "link /opt/foo.service",
	}},
	{"link runtime", base(tree{"/opt/foo.service": svc()}), []string{
		"link --runtime /opt/foo.service", "is-enabled foo.service",
	}},
	{"enable by path", base(tree{"/opt/foo.service": svc("WantedBy=multi-user.target")}), []string{
		"enable /opt/foo.service", "is-enabled foo.service", "disable /opt/foo.service",
	}},
	{"link errors", base(tree{
		"/opt/dir.service/x":      "",
		sysDir + "/foo.service":   svc(),
		sysDir + "/sub/x.service": svc(),
	}), []string{
		"link /opt/nothere.service", "link /opt/dir.service", "link /usr/lib/systemd/system/foo.service",
		"link /usr/lib/systemd/system/sub/x.service",
	}},
	{"link conflict", base(tree{
		"/opt/foo.service": svc(),
		"/srv/foo.service": svc(),
	}), []string{"link /opt/foo.service", "link /srv/foo.service", "link --force /srv/foo.service"}},

	// reenable.
	{"reenable", base(tree{sysDir + "/foo.service": svc("Alias=bar.service", "WantedBy=multi-user.target")}), []string{
		"enable foo.service", "reenable foo.service", "reenable bar.service",
	}},
	{"reenable instance", base(tree{sysDir + "/foo@.service": svc("DefaultInstance=x", "WantedBy=multi-user.target")}), []string{
		"enable foo@a.service", "reenable foo@a.service",
	}},

	// set-default and get-default.
	{"default target", base(nil), []string{
		"get-default", "set-default graphical.target", "get-default", "is-enabled default.target",
		"set-default multi-user.target", "get-default", "set-default default.target",
		"set-default nothere.target", "set-default foo.service",
	}},
	{"default target vendor", base(tree{sysDir + "/default.target": "-> graphical.target"}), []string{
		"get-default", "is-enabled default.target graphical.target",
	}},
	{"default target masked", base(tree{etcDir + "/graphical.target": "-> /dev/null"}), []string{
		"set-default graphical.target",
	}},

	// is-enabled states.
	{"state static", base(tree{sysDir + "/foo.service": svc()}), []string{"is-enabled foo.service", "enable foo.service"}},
	{"state indirect", base(tree{
		sysDir + "/foo.service":   svc("WantedBy=multi-user.target"),
		etcDir + "/other.service": "-> /usr/lib/systemd/system/foo.service",
	}), []string{"is-enabled foo.service other.service"}},
	{"state enabled by foreign wants", base(tree{
		sysDir + "/foo.service":                        svc("WantedBy=multi-user.target"),
		etcDir + "/graphical.target.wants/foo.service": "-> /usr/lib/systemd/system/foo.service",
	}), []string{"is-enabled foo.service", "disable foo.service"}},
	{"state generated", base(tree{"/run/systemd/generator/foo.service": svc("WantedBy=multi-user.target")}), []string{
		"is-enabled foo.service", "enable foo.service",
	}},
	{"state transient", base(tree{"/run/systemd/transient/foo.service": svc()}), []string{
		"is-enabled foo.service", "enable foo.service",
	}},
	{"state linked runtime", base(tree{
		"/opt/foo.service":      svc(),
		runDir + "/foo.service": "-> /opt/foo.service",
	}), []string{"is-enabled foo.service"}},
	{"state same name link", base(tree{
		sysDir + "/foo.service": svc("WantedBy=multi-user.target"),
		etcDir + "/foo.service": "-> /usr/lib/systemd/system/foo.service",
	}), []string{"is-enabled foo.service", "enable foo.service", "disable foo.service"}},
	{"state not found", base(nil), []string{"is-enabled nothere.service", "disable nothere.service", "enable nothere.service"}},
	{"state several", base(tree{
		sysDir + "/a.service": svc(),
		sysDir + "/b.service": svc("WantedBy=multi-user.target"),
	}), []string{"is-enabled b.service", "is-enabled a.service b.service", "is-enabled b.service a.service"}},
	{"lib dir", base(tree{
		libDir + "/foo.service": svc("WantedBy=multi-user.target"),
		sysDir + "/foo.service": svc("WantedBy=graphical.target"),
	}), []string{"enable foo.service", "is-enabled foo.service"}},
	{"bad unit file", base(tree{sysDir + "/foo.service": "[Install\nWantedBy=multi-user.target\n"}), []string{
		"is-enabled foo.service", "enable foo.service", "list-unit-files foo*",
	}},

	// list-unit-files.
	{"list unit files", base(tree{
		sysDir + "/foo.service":   svc("WantedBy=multi-user.target"),
		sysDir + "/bar.service":   svc(),
		sysDir + "/Baz.socket":    "[Socket]\nListenStream=1\n",
		sysDir + "/t@.service":    svc("DefaultInstance=x", "WantedBy=multi-user.target"),
		etcDir + "/foo.service.d": "dir",
		etcDir + "/alias.service": "-> /usr/lib/systemd/system/bar.service",
		runDir + "/bar.service":   "-> /dev/null",
		sysDir + "/README":        "not a unit",
	}), []string{
		"list-unit-files", "enable foo.service t@.service", "list-unit-files", "list-unit-files *.target",
		"list-unit-files f* b?r.service", "list-unit-files [a-c]*", "list-unit-files [!a-f]*", "list-unit-files nomatch*",
	}},

	// Warnings systemd logs while reading [Install].
	{"parser warnings", base(tree{sysDir + "/foo.service": "Stray=1\n[Unit]\nNo equals here\n[Install]\nWantedBy=multi-user.target\nBogus=1\nX-Extension=1\nno equals\n=novalue\nDefaultInstance=x\n[Other]\nKey=1\n[X-Mine]\nKey=1\n"}), []string{
		"enable foo.service", "is-enabled foo.service",
	}},
	{"invalid UTF-8", base(tree{sysDir + "/foo.service": "[Service]\nExecStart=/bin/\xff\n[Install]\nWantedBy=multi-user.target\n"}), []string{
		"enable foo.service", "is-enabled foo.service",
	}},
	{"unbalanced quote", base(tree{sysDir + "/foo.service": svc(`WantedBy=multi-user.target "graphical.target`)}), []string{
		"enable foo.service",
	}},
	{"bad alias symlink", base(tree{
		sysDir + "/foo.socket":  "[Socket]\nListenStream=1\n",
		sysDir + "/bar.service": "-> foo.socket",
		sysDir + "/baz.mount":   "-> foo.socket",
	}), []string{"is-enabled bar.service", "is-enabled baz.mount", "list-unit-files ba*"}},
	{"suspicious symlink", base(tree{
		sysDir + "/sub/x.service": svc("WantedBy=multi-user.target"),
		etcDir + "/x.service":     "-> /usr/lib/systemd/system/sub/x.service",
	}), []string{"is-enabled x.service"}},
	{"mount template", base(tree{sysDir + "/a@.mount": "[Mount]\nWhat=x\nWhere=/x\n"}), []string{
		"enable a@b.mount", "is-enabled a@b.mount",
	}},
	{"unit file is a directory", base(tree{sysDir + "/dir.service/x": ""}), []string{
		"enable dir.service", "is-enabled dir.service", "list-unit-files dir*",
	}},
	{"empty vendor file", base(tree{sysDir + "/foo.service": ""}), []string{
		"is-enabled foo.service", "enable foo.service", "unmask foo.service",
	}},
	{"disable masked", base(tree{
		sysDir + "/foo.service":                         svc("WantedBy=multi-user.target"),
		etcDir + "/foo.service":                         "-> /dev/null",
		etcDir + "/multi-user.target.wants/foo.service": "-> /usr/lib/systemd/system/foo.service",
	}), []string{"disable foo.service", "unmask foo.service", "disable foo.service"}},
	{"linked unit enable", base(tree{
		"/opt/foo.service":      svc("WantedBy=multi-user.target", "Alias=bar.service"),
		etcDir + "/foo.service": "-> /opt/foo.service",
	}), []string{"is-enabled foo.service", "enable foo.service", "is-enabled foo.service bar.service", "reenable foo.service", "disable foo.service"}},
	{"template alias with instance", base(tree{sysDir + "/foo@.service": svc("Alias=bar@x.service", "WantedBy=multi-user.target")}), []string{
		"enable foo@y.service", "enable foo@x.service",
	}},
	{"alias chain", base(tree{
		sysDir + "/foo.service": svc("WantedBy=multi-user.target"),
		sysDir + "/bar.service": "-> foo.service",
		sysDir + "/baz.service": "-> bar.service",
	}), []string{"is-enabled baz.service", "enable baz.service", "disable baz.service"}},
	{"default target file", base(tree{etcDir + "/default.target": target()}), []string{
		"get-default", "set-default graphical.target", "is-enabled default.target",
	}},
	{"runtime unit file", base(tree{runDir + "/foo.service": svc("WantedBy=multi-user.target")}), []string{
		"enable foo.service", "is-enabled foo.service", "disable foo.service",
	}},
	{"unknown specifier in Alias", base(tree{sysDir + "/foo.service": svc("Alias=%z.service", "WantedBy=multi-user.target")}), []string{
		"enable foo.service",
	}},
	{"instance specifiers", base(tree{sysDir + "/foo@.service": svc("WantedBy=%i.target", "Also=%p-helper@%i.service")}), []string{
		"enable foo@a.service", "enable foo@.service",
	}},
	{"template drop-in", base(tree{
		sysDir + "/foo@.service":           svc("WantedBy=multi-user.target"),
		sysDir + "/foo@.service.d/a.conf":  "[Install]\nWantedBy=graphical.target\n",
		etcDir + "/foo@b.service.d/a.conf": "[Install]\nRequiredBy=sockets.target\n",
		etcDir + "/foo@b.service.d/z.conf": "-> /dev/null",
		sysDir + "/foo@b.service.d/y.conf": "",
	}), []string{"enable foo@a.service", "enable foo@b.service", "disable foo@.service"}},
	{"drop-in also", base(tree{
		sysDir + "/foo.service":          svc(),
		sysDir + "/bar.service":          svc("WantedBy=multi-user.target"),
		etcDir + "/foo.service.d/a.conf": "[Install]\nAlso=bar.service\n",
	}), []string{"is-enabled foo.service", "enable foo.service", "disable foo.service"}},
	{"dangling drop-in", base(tree{
		sysDir + "/foo.service":          svc("WantedBy=multi-user.target"),
		etcDir + "/foo.service.d/a.conf": "-> /nowhere.conf",
	}), []string{"enable foo.service", "is-enabled foo.service"}},
	{"unmask runtime only", base(tree{
		sysDir + "/foo.service": svc(),
		etcDir + "/foo.service": "-> /dev/null",
	}), []string{"unmask --runtime foo.service", "is-enabled foo.service"}},
	{"mask runtime over etc mask", base(tree{sysDir + "/foo.service": svc()}), []string{
		"mask foo.service", "mask --runtime foo.service", "is-enabled foo.service", "unmask foo.service", "is-enabled foo.service",
	}},
	{"enable runtime linked", base(tree{"/opt/foo.service": svc("WantedBy=multi-user.target")}), []string{
		"link --runtime /opt/foo.service", "enable foo.service", "is-enabled foo.service",
	}},

	// add-wants and add-requires.
	{"add dependency", base(tree{
		sysDir + "/foo.service":    svc("WantedBy=graphical.target", "Alias=bar.service"),
		sysDir + "/baz@.service":   svc(),
		"/opt/ext.service":         svc(),
		sysDir + "/masked.service": "-> /dev/null",
	}), []string{
		"add-wants multi-user.target foo.service baz@x.service", "is-enabled foo.service", "add-requires --runtime sockets.target foo.service",
		"add-wants nothere.target foo.service", "add-wants multi-user.target nothere.service", "add-wants multi-user.target masked.service",
		"add-wants multi-user.target /opt/ext.service", "disable foo.service",
	}},
}
