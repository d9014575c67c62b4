package unit

import (
	"errors"
	"testing"
)

func TestParseSignal(t *testing.T) {
	tests := []struct {
		in      string
		want    Signal
		wantErr bool
	}{
		{"SIGTERM", 15, false}, {"TERM", 15, false}, {"15", 15, false}, {"0x9", 9, false},
		{" 9", 9, false}, {"64", 64, false}, {"32", 32, false}, {"SIGSTKFLT", 16, false},
		{"SIGPWR", 30, false}, {"SIGSYS", 31, false}, {"IO", 29, false},
		{"SIGRTMIN", 34, false}, {"RTMIN", 34, false}, {"RTMIN+0", 34, false},
		{"SIGRTMIN+3", 37, false}, {"RTMIN+03", 37, false}, {"RTMIN+0x3", 37, false},
		{"RTMIN+30", 64, false}, {"RTMAX", 64, false}, {"SIGRTMAX-0", 64, false},
		{"RTMAX-30", 34, false},
		{"0", 0, true}, {"65", 0, true}, {"-1", 0, true}, {"RTMIN+31", 0, true},
		{"RTMIN-1", 0, true}, {"RTMIN3", 0, true}, {"RTMAX-31", 0, true}, {"RTMAX+1", 0, true},
		{"sigterm", 0, true}, {"Term", 0, true}, {"SIGIOT", 0, true}, {"SIGCLD", 0, true},
		{"SIGPOLL", 0, true}, {"SIG", 0, true}, {"SIGSIGTERM", 0, true}, {"SIG15", 0, true},
		{"SIGRTMIN+ 3", 0, true}, {"SIGRTMIN++3", 0, true}, {"RTMAX--3", 0, true}, {"", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseSignal(tt.in)
			if tt.wantErr {
				if !errors.Is(err, ErrBadValue) {
					t.Fatalf("ParseSignal(%q) = %v, %v; want ErrBadValue", tt.in, got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("ParseSignal(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestSignalText(t *testing.T) {
	tests := []struct {
		in   Signal
		want string
	}{
		{0, "0"}, {1, "SIGHUP"}, {9, "SIGKILL"}, {15, "SIGTERM"}, {31, "SIGSYS"},
		{32, "32"}, {33, "33"}, {34, "SIGRTMIN+0"}, {37, "SIGRTMIN+3"}, {64, "SIGRTMIN+30"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			b, _ := tt.in.MarshalText()
			if string(b) != tt.want || tt.in.String() != tt.want {
				t.Fatalf("Signal(%d) = %q, want %q", tt.in, b, tt.want)
			}
			var got Signal
			if err := got.UnmarshalText(b); err != nil || got != tt.in {
				t.Errorf("UnmarshalText(%q) = %d, %v; want %d", b, got, err, tt.in)
			}
		})
	}
}
