package compat

// D-Bus object-path labels, as systemd's bus_label_escape and
// bus_label_unescape (src/basic/bus-label.c) make them: a unit's object
// is /org/freedesktop/systemd1/unit/ followed by its name with every byte
// that is not an ASCII letter (nor a digit after the first byte) written
// as _xx in lower-case hex. This is not systemd-escape's escaping.

const hexDigits = "0123456789abcdef"

// BusLabelEscape escapes s into one object-path element; "" becomes "_".
func BusLabelEscape(s string) string {
	if s == "" {
		return "_"
	}
	b := make([]byte, 0, len(s)*3)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isASCIIAlpha(c) || (i > 0 && c >= '0' && c <= '9') {
			b = append(b, c)
			continue
		}
		b = append(b, '_', hexDigits[c>>4], hexDigits[c&0xf])
	}
	return string(b)
}

// BusLabelUnescape reverses BusLabelEscape. As in systemd, "_" is the
// empty string and an underscore not followed by two hex digits stands
// for itself.
func BusLabelUnescape(s string) string {
	if s == "_" {
		return ""
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '_' && len(s)-i >= 3 {
			hi, ok1 := unhex(s[i+1])
			lo, ok2 := unhex(s[i+2])
			if ok1 && ok2 {
				b = append(b, hi<<4|lo)
				i += 2
				continue
			}
		}
		b = append(b, s[i])
	}
	return string(b)
}

func isASCIIAlpha(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
