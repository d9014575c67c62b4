package unit

import "strings"

// ExpandInstall expands the specifiers allowed in the [Install] section
// (WantedBy=, RequiredBy=, Alias=, Also=, DefaultInstance=), as systemd
// 252's install_name_printf does for enable and disable: %i %j %n %N %p,
// the host's %a %A %b %B %H %l %m %M %o %q %v %w %W, and %g %G %u %U.
// Nothing else is known, and the result may be at most [ExpandMaxName]
// bytes.
//
// name is the unit file's name and defaultInstance its DefaultInstance=
// (or ""). For a template with a default instance, %n is the instance name
// made from it, %i is the default instance, and %N is %n without its type
// suffix. Errors wrap [ErrBadValue].
func ExpandInstall(s, name, defaultInstance string, host *Host) (string, error) {
	if host == nil {
		host = &Host{}
	}
	return printfSpecifiers(s, ExpandMaxName, func(c byte) (string, bool, error) {
		switch c {
		case 'i', 'j', 'n', 'N', 'p':
			v, err := installNameSpecifier(c, name, defaultInstance)
			return v, true, err
		}
		if v, ok, err := host.systemSpecifier(c); ok {
			return v, ok, err
		}
		v, ok := host.credsSpecifier(c)
		return v, ok, nil
	})
}

// installNameSpecifier resolves %i %j %n %N %p for ExpandInstall.
func installNameSpecifier(c byte, name, defaultInstance string) (string, error) {
	n, err := ParseName(name)
	if err != nil {
		return "", err
	}
	switch c {
	case 'n':
		if n.IsTemplate() && defaultInstance != "" {
			if v := n.WithInstance(defaultInstance); v != "" {
				return v, nil
			}
			return "", ErrBadName
		}
		return name, nil
	case 'N':
		v := strings.TrimSuffix(name, "."+string(n.Type))
		if strings.HasSuffix(v, "@") && defaultInstance != "" {
			v += defaultInstance
		}
		return v, nil
	case 'p':
		return n.Prefix, nil
	case 'i':
		if n.Instance == "" {
			return defaultInstance, nil
		}
		return n.Instance, nil
	default: // 'j'
		return lastComponent(n.Prefix), nil
	}
}
