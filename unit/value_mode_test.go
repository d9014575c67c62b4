package unit

import (
	"errors"
	"testing"
)

func TestParseMode(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    Mode
		wantErr bool
	}{
		{"four digits", "0022", 0o22, false},
		{"three digits", "022", 0o22, false},
		{"two digits", "27", 0o27, false},
		{"zero", "0", 0, false},
		{"many zeros", "00000", 0, false},
		{"max", "7777", 0o7777, false},
		{"max with zero", "07777", 0o7777, false},
		{"leading blanks", "  022", 0o22, false},
		{"too large", "10000", 0, true},
		{"setuid too far", "17777", 0, true},
		{"eight", "8", 0, true},
		{"digit eight", "0778", 0, true},
		{"python prefix", "0o22", 0, true},
		{"hex", "0x12", 0, true},
		{"plus", "+022", 0, true},
		{"minus", "-022", 0, true},
		{"trailing blank", "022 ", 0, true},
		{"empty", "", 0, true},
		{"overflow", "99999999999999999999", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseMode(tt.in)
			if tt.wantErr {
				if !errors.Is(err, ErrBadValue) {
					t.Fatalf("ParseMode(%q) = %v, %v; want ErrBadValue", tt.in, got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("ParseMode(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestModeText(t *testing.T) {
	tests := []struct {
		in   Mode
		want string
	}{
		{0, "0000"}, {0o22, "0022"}, {0o755, "0755"}, {0o2755, "2755"}, {0o7777, "7777"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			b, _ := tt.in.MarshalText()
			if string(b) != tt.want || tt.in.String() != tt.want {
				t.Fatalf("Mode(%o) = %q, want %q", uint32(tt.in), b, tt.want)
			}
			var got Mode
			if err := got.UnmarshalText(b); err != nil || got != tt.in {
				t.Errorf("UnmarshalText(%q) = %o, %v; want %o", b, uint32(got), err, uint32(tt.in))
			}
		})
	}
}
