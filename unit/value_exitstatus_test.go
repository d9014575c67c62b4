package unit

import (
	"errors"
	"slices"
	"testing"
)

func TestParseExitStatusSet(t *testing.T) {
	tests := []struct {
		name    string
		start   ExitStatusSet
		in      string
		want    ExitStatusSet
		wantErr bool
	}{
		{"numbers", ExitStatusSet{}, "1 2 3", ExitStatusSet{Status: []int{1, 2, 3}}, false},
		{"names", ExitStatusSet{}, "NOTINSTALLED EXEC SUCCESS EXCEPTION", ExitStatusSet{Status: []int{0, 5, 203, 255}}, false},
		{"number is a status not a signal", ExitStatusSet{}, "15", ExitStatusSet{Status: []int{15}}, false},
		{"signals", ExitStatusSet{}, "SIGTERM TERM SIGUSR1 RTMIN+1", ExitStatusSet{Signals: []Signal{10, 15, 35}}, false},
		{"hex", ExitStatusSet{}, "0x10", ExitStatusSet{Status: []int{16}}, false},
		{"mixed and sorted", ExitStatusSet{}, "SIGUSR1 1\t  0", ExitStatusSet{Status: []int{0, 1}, Signals: []Signal{10}}, false},
		{"accumulates", ExitStatusSet{Status: []int{1}, Signals: []Signal{15}}, "2 1 SIGHUP", ExitStatusSet{Status: []int{1, 2}, Signals: []Signal{1, 15}}, false},
		{"empty resets", ExitStatusSet{Status: []int{1}}, "", ExitStatusSet{}, false},
		{"blank keeps", ExitStatusSet{Status: []int{1}}, "  ", ExitStatusSet{Status: []int{1}}, false},
		{"bad word skipped", ExitStatusSet{}, "1 FOO 2", ExitStatusSet{Status: []int{1, 2}}, true},
		{"EXIT_ prefix refused", ExitStatusSet{}, "EXIT_NOTINSTALLED", ExitStatusSet{}, true},
		{"lower case refused", ExitStatusSet{}, "notinstalled", ExitStatusSet{}, true},
		{"256 is no signal", ExitStatusSet{}, "256", ExitStatusSet{}, true},
		{"65 is DATAERR", ExitStatusSet{}, "65", ExitStatusSet{Status: []int{65}}, false},
		{"negative", ExitStatusSet{}, "-1", ExitStatusSet{}, true},
		{"quotes are literal", ExitStatusSet{}, "'1'", ExitStatusSet{}, true},
		{"escaped", ExitStatusSet{}, `\1`, ExitStatusSet{Status: []int{1}}, false},
		{"trailing backslash", ExitStatusSet{}, `1 2\`, ExitStatusSet{Status: []int{1}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ExitStatusSet{Status: slices.Clone(tt.start.Status), Signals: slices.Clone(tt.start.Signals)}
			err := ParseExitStatusSet(tt.in, &got)
			if tt.wantErr != (err != nil) || (err != nil && !errors.Is(err, ErrBadValue)) {
				t.Errorf("ParseExitStatusSet(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			}
			if !slices.Equal(got.Status, tt.want.Status) || !slices.Equal(got.Signals, tt.want.Signals) {
				t.Errorf("ParseExitStatusSet(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestExitStatusSetString(t *testing.T) {
	s := ExitStatusSet{Status: []int{1, 2}, Signals: []Signal{10, 37}}
	const want = "1 2 SIGUSR1 SIGRTMIN+3"
	if got := s.String(); got != want {
		t.Fatalf("String() = %q, want %q", got, want)
	}
	var back ExitStatusSet
	if err := ParseExitStatusSet(want, &back); err != nil || !slices.Equal(back.Status, s.Status) || !slices.Equal(back.Signals, s.Signals) {
		t.Errorf("ParseExitStatusSet(%q) = %+v, %v; want %+v", want, back, err, s)
	}
	if !s.Contains(2, 0) || s.Contains(3, 0) || !s.Contains(0, 10) || s.Contains(1, 15) {
		t.Errorf("Contains disagrees with %+v", s)
	}
}

func TestParseExitStatus(t *testing.T) {
	tests := []struct {
		in      string
		want    int
		wantErr bool
	}{
		{"0", 0, false}, {"255", 255, false}, {"0x10", 16, false}, {"010", 8, false},
		{" 5", 5, false}, {"+5", 5, false},
		{"256", 0, true}, {"-1", 0, true}, {"NOTINSTALLED", 0, true}, {"EXEC", 0, true}, {"", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseExitStatus(tt.in)
			if tt.wantErr {
				if !errors.Is(err, ErrBadValue) {
					t.Fatalf("ParseExitStatus(%q) = %d, %v; want ErrBadValue", tt.in, got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("ParseExitStatus(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestExitStatusName(t *testing.T) {
	tests := []struct {
		in   int
		want string
	}{
		{0, "SUCCESS"}, {5, "NOTINSTALLED"}, {64, "USAGE"}, {78, "CONFIG"}, {203, "EXEC"},
		{223, ""}, {234, ""}, {244, "BPF"}, {255, "EXCEPTION"}, {8, ""}, {-1, ""}, {256, ""},
	}
	for _, tt := range tests {
		if got := ExitStatusName(tt.in); got != tt.want {
			t.Errorf("ExitStatusName(%d) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
