package unit

import (
	"errors"
	"testing"
)

func TestParseBool(t *testing.T) {
	tests := []struct {
		in      string
		want    bool
		wantErr bool
	}{
		{"1", true, false}, {"yes", true, false}, {"YES", true, false}, {"y", true, false},
		{"Y", true, false}, {"true", true, false}, {"tRuE", true, false}, {"t", true, false},
		{"on", true, false}, {"oN", true, false},
		{"0", false, false}, {"no", false, false}, {"n", false, false}, {"false", false, false},
		{"f", false, false}, {"off", false, false}, {"OFF", false, false},
		{"", false, true}, {"2", false, true}, {"yess", false, true}, {"enable", false, true},
		{" yes", false, true}, {"yes ", false, true},
		// strcasecmp folds ASCII only; Go's EqualFold would take these.
		{"ye\u017f", false, true}, {"\u212a", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseBool(tt.in)
			if tt.wantErr {
				if !errors.Is(err, ErrBadValue) {
					t.Fatalf("ParseBool(%q) = %v, %v; want ErrBadValue", tt.in, got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("ParseBool(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}
}
