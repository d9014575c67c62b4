package unit

import "testing"

func TestParseUUID(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"0f8fad5b-d9cb-469f-a165-70867728950e", "0f8fad5b-d9cb-469f-a165-70867728950e", true},
		{"0F8FAD5B-D9CB-469F-A165-70867728950E", "0f8fad5b-d9cb-469f-a165-70867728950e", true},
		{"0f8fad5bd9cb469fa16570867728950e", "", false},
		{"0f8fad5b-d9cb-469f-a165-70867728950", "", false},
		{"0f8fad5b-d9cb-469f-a165_70867728950e", "", false},
		{"gf8fad5b-d9cb-469f-a165-70867728950e", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := ParseUUID(tt.in)
			if got != tt.want || ok != tt.ok {
				t.Errorf("ParseUUID(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}
