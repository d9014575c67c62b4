package unit

import "strings"

// setUUID reads [X-PM] UUID=: an RFC 9562 UUID in its 8-4-4-4-12 hex
// form, any case; an empty value resets it.
func setUUID(b *builder, o Option) error {
	if o.Value == "" {
		b.u.UUID = ""
		return nil
	}
	u, ok := ParseUUID(o.Value)
	if !ok {
		return badValue("not a UUID (want 8-4-4-4-12 hexadecimal digits)")
	}
	b.u.UUID = u
	return nil
}

// ParseUUID checks the 8-4-4-4-12 hex form of a UUID and returns it in
// lower case.
func ParseUUID(s string) (string, bool) {
	if len(s) != 36 {
		return "", false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return "", false
			}
			continue
		}
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return "", false
		}
	}
	return strings.ToLower(s), true
}
