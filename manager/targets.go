package manager

import (
	"github.com/pm-project/pm/unit"
)

// builtinUnits are the standard targets units refer to, as systemd 252
// ships them, for machines (containers, mostly) without systemd's unit
// files. A unit file of the same name on the search path wins.
var builtinUnits = map[string]string{
	"multi-user.target":      "[Unit]\nDescription=Multi-User System\nDocumentation=man:systemd.special(7)\nRequires=basic.target\nConflicts=rescue.service rescue.target\nAfter=basic.target rescue.service rescue.target\nAllowIsolate=yes\n",
	"graphical.target":       "[Unit]\nDescription=Graphical Interface\nDocumentation=man:systemd.special(7)\nRequires=multi-user.target\nWants=display-manager.service\nConflicts=rescue.service rescue.target\nAfter=multi-user.target rescue.service rescue.target display-manager.service\nAllowIsolate=yes\n",
	"basic.target":           "[Unit]\nDescription=Basic System\nDocumentation=man:systemd.special(7)\nRequires=sysinit.target\nWants=sockets.target timers.target paths.target slices.target\nAfter=sysinit.target sockets.target paths.target slices.target\n",
	"sysinit.target":         "[Unit]\nDescription=System Initialization\nDocumentation=man:systemd.special(7)\nWants=local-fs.target swap.target\nAfter=local-fs.target swap.target\nConflicts=emergency.service emergency.target\nBefore=emergency.service emergency.target\n",
	"sockets.target":         "[Unit]\nDescription=Socket Units\nDocumentation=man:systemd.special(7)\n",
	"timers.target":          "[Unit]\nDescription=Timer Units\nDocumentation=man:systemd.special(7)\nDefaultDependencies=no\nConflicts=shutdown.target\n",
	"paths.target":           "[Unit]\nDescription=Path Units\nDocumentation=man:systemd.special(7)\n",
	"slices.target":          "[Unit]\nDescription=Slice Units\nDocumentation=man:systemd.special(7)\n",
	"local-fs.target":        "[Unit]\nDescription=Local File Systems\nDocumentation=man:systemd.special(7)\nDefaultDependencies=no\nConflicts=shutdown.target\nAfter=local-fs-pre.target\n",
	"local-fs-pre.target":    "[Unit]\nDescription=Preparation for Local File Systems\nDocumentation=man:systemd.special(7)\nRefuseManualStart=yes\n",
	"remote-fs.target":       "[Unit]\nDescription=Remote File Systems\nDocumentation=man:systemd.special(7)\nAfter=remote-fs-pre.target\nDefaultDependencies=no\nConflicts=shutdown.target\n",
	"remote-fs-pre.target":   "[Unit]\nDescription=Preparation for Remote File Systems\nDocumentation=man:systemd.special(7)\nRefuseManualStart=yes\n",
	"network.target":         "[Unit]\nDescription=Network\nDocumentation=man:systemd.special(7)\nAfter=network-pre.target\nRefuseManualStart=yes\n",
	"network-online.target":  "[Unit]\nDescription=Network is Online\nDocumentation=man:systemd.special(7)\nAfter=network.target\n",
	"network-pre.target":     "[Unit]\nDescription=Preparation for Network\nDocumentation=man:systemd.special(7)\nRefuseManualStart=yes\n",
	"nss-lookup.target":      "[Unit]\nDescription=Host and Network Name Lookups\nDocumentation=man:systemd.special(7)\nRefuseManualStart=yes\n",
	"nss-user-lookup.target": "[Unit]\nDescription=User and Group Name Lookups\nDocumentation=man:systemd.special(7)\nRefuseManualStart=yes\n",
	"time-sync.target":       "[Unit]\nDescription=System Time Synchronized\nDocumentation=man:systemd.special(7)\nRefuseManualStart=yes\nAfter=time-set.target\nWants=time-set.target\n",
	"time-set.target":        "[Unit]\nDescription=System Time Set\nDocumentation=man:systemd.special(7)\nRefuseManualStart=yes\n",
	"swap.target":            "[Unit]\nDescription=Swaps\nDocumentation=man:systemd.special(7)\n",
	"getty.target":           "[Unit]\nDescription=Login Prompts\nDocumentation=man:systemd.special(7)\n",
	"rescue.target":          "[Unit]\nDescription=Rescue Mode\nDocumentation=man:systemd.special(7)\nRequires=sysinit.target\nAfter=sysinit.target\nAllowIsolate=yes\n",
	"emergency.target":       "[Unit]\nDescription=Emergency Mode\nDocumentation=man:systemd.special(7)\nAllowIsolate=yes\n",
	"shutdown.target":        "[Unit]\nDescription=System Shutdown\nDocumentation=man:systemd.special(7)\nDefaultDependencies=no\nRefuseManualStart=yes\n",
	"exit.target":            "[Unit]\nDescription=Exit the Container\nDocumentation=man:systemd.special(7)\nDefaultDependencies=no\nAllowIsolate=yes\n",
	"halt.target":            "[Unit]\nDescription=System Halt\nDocumentation=man:systemd.special(7)\nDefaultDependencies=no\nAllowIsolate=yes\n",
	"poweroff.target":        "[Unit]\nDescription=System Power Off\nDocumentation=man:systemd.special(7)\nDefaultDependencies=no\nAllowIsolate=yes\n",
	"reboot.target":          "[Unit]\nDescription=System Reboot\nDocumentation=man:systemd.special(7)\nDefaultDependencies=no\nAllowIsolate=yes\n",
	"final.target":           "[Unit]\nDescription=Late Shutdown Services\nDocumentation=man:systemd.special(7)\nDefaultDependencies=no\nRefuseManualStart=yes\nAfter=shutdown.target umount.target\n",
	"umount.target":          "[Unit]\nDescription=Unmount All Filesystems\nDocumentation=man:systemd.special(7)\nDefaultDependencies=no\nRefuseManualStart=yes\n",
	"sigpwr.target":          "[Unit]\nDescription=Power Failure\nDocumentation=man:systemd.special(7)\n",
}

// builtinAliases are the built-in alias names: default.target is
// multi-user.target unless a unit file (or set-default) says otherwise.
var builtinAliases = map[string]string{
	"default.target":      "multi-user.target",
	"ctrl-alt-del.target": "exit.target",
}

// builtinUnit builds a built-in unit, or returns nil.
func builtinUnit(name string, host *unit.Host) *unit.Unit {
	text, ok := builtinUnits[name]
	if !ok {
		return nil
	}
	opts, _ := unit.ParseINI("builtin:"+name, []byte(text))
	u, _ := unit.Build(name, []unit.File{{Path: "", Options: opts}}, host)
	if u != nil {
		u.FragmentPath = ""
	}
	return u
}
