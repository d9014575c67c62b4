package unit

import (
	"errors"
	"math"
	"testing"
)

// Expectations checked against the MemoryMax= dump of `systemd --test`.
func TestParseSize(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    uint64
		wantErr bool
	}{
		{"bytes", "1", 1, false},
		{"zero", "0", 0, false},
		{"K", "1K", 1024, false},
		{"B", "1B", 1, false},
		{"fraction", "1.5K", 1536, false},
		{"G fraction", "1.5G", 1610612736, false},
		{"sum", "1G 512M", 1610612736, false},
		{"glued sum", "1M1K", 1049600, false},
		{"sum ending in bytes", "1K 2", 1026, false},
		{"blank before suffix", "10 K", 10240, false},
		{"dot before suffix", "10.M", 10 << 20, false},
		{"trailing dot", "10.", 10, false},
		{"dot blank suffix", "10. K", 10240, false},
		{"plus", "+5", 5, false},
		{"fraction dropped for bytes", "0.5", 0, false},
		{"tiny fraction", "0.0001K", 0, false},
		{"E", "15E", 15 << 60, false},
		{"E fraction", "14.5E", 16717361816799281152, false},
		{"E fraction overflow", "15.9E", 0, true},
		{"max", "18446744073709551615", math.MaxUint64, false},
		{"P", "1P", 1 << 50, false},
		{"empty", "", 0, true},
		{"lower case", "1k", 0, true},
		{"two letters", "1KB", 0, true},
		{"increasing suffixes", "512M 1G", 0, true},
		{"two bare numbers", "1 2", 0, true},
		{"bytes then more", "1K2", 1026, false},
		{"leading dot", ".5", 0, true},
		{"minus", "-5", 0, true},
		{"minus zero", "-0", 0, true},
		{"16E", "16E", 0, true},
		{"fraction overflow", "1.99999999999999999999K", 0, true},
		{"trailing blank", "1K ", 0, true},
		{"percent", "50%", 0, true},
		{"overflow", "18446744073709551616", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseSize(tt.in)
			if tt.wantErr {
				if !errors.Is(err, ErrBadValue) {
					t.Fatalf("ParseSize(%q) = %d, %v; want ErrBadValue", tt.in, got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("ParseSize(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestFormatSize(t *testing.T) {
	tests := []struct {
		in   uint64
		want string
	}{
		{0, "0"}, {1, "1"}, {1000, "1000"}, {1024, "1K"}, {1536, "1536"}, {1610612736, "1536M"},
		{1 << 30, "1G"}, {1 << 60, "1E"}, {15 << 60, "15E"}, {math.MaxUint64, "18446744073709551615"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			got := FormatSize(tt.in)
			if got != tt.want {
				t.Fatalf("FormatSize(%d) = %q, want %q", tt.in, got, tt.want)
			}
			if back, err := ParseSize(got); err != nil || back != tt.in {
				t.Errorf("ParseSize(%q) = %d, %v; want %d", got, back, err, tt.in)
			}
		})
	}
}

func TestParseMemoryLimitFor(t *testing.T) {
	tests := []struct {
		name    string
		key     string
		in      string
		want    Limit
		wantErr bool
	}{
		{"size", "MemoryMax", "1G", Limit{Value: 1 << 30}, false},
		{"infinity", "MemoryMax", "infinity", LimitInfinity, false},
		{"empty max", "MemoryMax", "", LimitInfinity, false},
		{"percent", "MemoryMax", "50%", Limit{Permyriad: 5000}, false},
		{"percent tenths", "MemoryMax", "10.5%", Limit{Permyriad: 1050}, false},
		{"percent hundredths", "MemoryMax", "10.25%", Limit{Permyriad: 1025}, false},
		{"hundred percent", "MemoryMax", "100%", Limit{Permyriad: 10000}, false},
		{"permille", "MemoryMax", "5‰", Limit{Permyriad: 50}, false},
		{"permille tenths", "MemoryMax", "5.5‰", Limit{Permyriad: 55}, false},
		{"permyriad", "MemoryMax", "50‱", Limit{Permyriad: 50}, false},
		{"hex percent", "MemoryMax", "0x10%", Limit{Permyriad: 1600}, false},
		{"octal percent", "MemoryMax", "010%", Limit{Permyriad: 800}, false},
		{"zero refused", "MemoryMax", "0", Limit{}, true},
		{"zero percent refused", "MemoryHigh", "0%", Limit{}, true},
		{"max refused", "MemoryMax", "18446744073709551615", Limit{}, true},
		{"almost max", "MemoryMax", "18446744073709551614", Limit{Value: math.MaxUint64 - 1}, false},
		{"over 100%", "MemoryMax", "101%", Limit{}, true},
		{"three decimals", "MemoryMax", "10.255%", Limit{}, true},
		{"dot without digits", "MemoryMax", "1.%", Limit{}, true},
		{"bare percent", "MemoryMax", "%", Limit{}, true},
		{"permille hundredths", "MemoryMax", "5.55‰", Limit{}, true},
		{"permyriad over", "MemoryMax", "10001‱", Limit{}, true},
		{"case", "MemoryMax", "Infinity", Limit{}, true},
		{"low empty is zero", "MemoryLow", "", Limit{}, false},
		{"low zero", "MemoryLow", "0", Limit{}, false},
		{"low infinity", "MemoryLow", "infinity", LimitInfinity, false},
		{"min zero", "MemoryMin", "0", Limit{}, false},
		{"min empty", "DefaultMemoryMin", "", Limit{}, false},
		{"default low zero", "DefaultMemoryLow", "0%", Limit{}, false},
		{"swap zero", "MemorySwapMax", "0", Limit{}, false},
		{"swap empty", "MemorySwapMax", "", LimitInfinity, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseMemoryLimitFor(tt.key, tt.in)
			if tt.wantErr {
				if !errors.Is(err, ErrBadValue) {
					t.Fatalf("ParseMemoryLimitFor(%q, %q) = %+v, %v; want ErrBadValue", tt.key, tt.in, got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("ParseMemoryLimitFor(%q, %q) = %+v, %v; want %+v", tt.key, tt.in, got, err, tt.want)
			}
		})
	}
	if got, err := ParseMemoryLimit("0"); err == nil {
		t.Errorf("ParseMemoryLimit(\"0\") = %+v, want the MemoryMax= error", got)
	}
}

func TestParseTasksLimit(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    Limit
		wantErr bool
	}{
		{"number", "100", Limit{Value: 100}, false},
		{"one", "1", Limit{Value: 1}, false},
		{"hex", "0x10", Limit{Value: 16}, false},
		{"octal", "010", Limit{Value: 8}, false},
		{"plus", "+5", Limit{Value: 5}, false},
		{"percent", "50%", Limit{Permyriad: 5000}, false},
		{"tenths", "10.5%", Limit{Permyriad: 1050}, false},
		{"zero percent", "0%", Limit{}, false},
		{"permille", "5‰", Limit{Permyriad: 50}, false},
		{"infinity", "infinity", LimitInfinity, false},
		{"empty is default", "", Limit{Permyriad: 1500}, false},
		{"leading blank", " 5", Limit{Value: 5}, false},
		{"almost max", "18446744073709551614", Limit{Value: math.MaxUint64 - 1}, false},
		{"zero", "0", Limit{}, true},
		{"minus zero", "-0", Limit{}, true},
		{"negative", "-5", Limit{}, true},
		{"max", "18446744073709551615", Limit{}, true},
		{"over 100%", "101%", Limit{}, true},
		{"size suffix", "1K", Limit{}, true},
		{"trailing blank", "5 ", Limit{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseTasksLimit(tt.in)
			if tt.wantErr {
				if !errors.Is(err, ErrBadValue) {
					t.Fatalf("ParseTasksLimit(%q) = %+v, %v; want ErrBadValue", tt.in, got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("ParseTasksLimit(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestLimitText(t *testing.T) {
	tests := []struct {
		name string
		in   Limit
		want string
	}{
		{"infinity", LimitInfinity, "infinity"},
		{"bytes", Limit{Value: 1 << 30}, "1073741824"},
		{"zero", Limit{}, "0"},
		{"whole percent", Limit{Permyriad: 5000}, "50%"},
		{"tenths", Limit{Permyriad: 1050}, "10.5%"},
		{"hundredths", Limit{Permyriad: 1025}, "10.25%"},
		{"small", Limit{Permyriad: 5}, "0.05%"},
		{"all", Limit{Permyriad: 10000}, "100%"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, _ := tt.in.MarshalText()
			if string(b) != tt.want || tt.in.String() != tt.want {
				t.Fatalf("%+v renders as %q, want %q", tt.in, b, tt.want)
			}
			var got Limit
			if err := got.UnmarshalText(b); err != nil || got != tt.in {
				t.Errorf("UnmarshalText(%q) = %+v, %v; want %+v", b, got, err, tt.in)
			}
		})
	}
	var l Limit
	if err := l.UnmarshalText([]byte("1536M")); err != nil || l.Value != 1610612736 {
		t.Errorf("UnmarshalText(\"1536M\") = %+v, %v", l, err)
	}
}

// The totals are those of the machine the dump was taken on: MemoryMax=100%
// gave 25276063744 and TasksMax=100% gave 32767.
func TestLimitResolve(t *testing.T) {
	const mem, page, tasks = 25276063744, 4096, 32767
	tests := []struct {
		name           string
		in             Limit
		total, granule uint64
		want           uint64
	}{
		{"absolute", Limit{Value: 5}, mem, page, 5},
		{"infinity", LimitInfinity, mem, page, math.MaxUint64},
		{"all memory", Limit{Permyriad: 10000}, mem, page, mem},
		{"half memory", Limit{Permyriad: 5000}, mem, page, 12638031872},
		{"tenth of a percent", Limit{Permyriad: 10}, mem, page, 25272320},
		{"tasks 10.5%", Limit{Permyriad: 1050}, tasks, 1, 3440},
		{"tasks 15%", Limit{Permyriad: 1500}, tasks, 1, 4915},
		{"no granule", Limit{Permyriad: 5000}, 7, 0, 3},
		{"overflow", Limit{Permyriad: 9999}, math.MaxUint64, 1, math.MaxUint64},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.in.Resolve(tt.total, tt.granule); got != tt.want {
				t.Errorf("%+v.Resolve(%d, %d) = %d, want %d", tt.in, tt.total, tt.granule, got, tt.want)
			}
		})
	}
}
