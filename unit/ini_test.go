package unit

import (
	"strings"
	"testing"
)

func TestParseINI(t *testing.T) {
	type kv struct{ sec, key, val string }
	tests := []struct {
		name  string
		in    string
		want  []kv
		diags []string // substrings of the diagnostics, in order
	}{
		{"basic", "[Unit]\nDescription=Foo\n", []kv{{"Unit", "Description", "Foo"}}, nil},
		{"blanks around =", "[Service]\nType = simple\n", []kv{{"Service", "Type", "simple"}}, nil},
		{"comments", "# c\n; c\n[Unit]\n  # indented comment\nA=1\n", []kv{{"Unit", "A", "1"}}, nil},
		{"hash in value", "[Unit]\nDescription=Worker #%i\n", []kv{{"Unit", "Description", "Worker #%i"}}, nil},
		{"continuation", "[Service]\nExecStart=/bin/a \\\n  b\n", []kv{{"Service", "ExecStart", "/bin/a    b"}}, nil},
		{"continuation skips comments", "[Unit]\nAfter=a.service \\\n# note\n  b.service\n", []kv{{"Unit", "After", "a.service    b.service"}}, nil},
		{"comment ending in backslash does not continue", "[Unit]\n# x \\\nA=1\n", []kv{{"Unit", "A", "1"}}, nil},
		{"escaped backslash at end", "[Service]\nEnvironment=X=1\\\\\nA=2\n", []kv{{"Service", "Environment", `X=1\\`}, {"Service", "A", "2"}}, nil},
		{"continuation at EOF", "[Unit]\nA=1 \\", []kv{{"Unit", "A", "1"}}, nil},
		{"CRLF", "[Unit]\r\nA=1\r\n", []kv{{"Unit", "A", "1"}}, nil},
		{"empty value", "[Service]\nExecStart=\n", []kv{{"Service", "ExecStart", ""}}, nil},
		{"split at first =", "[Service]\nEnvironment=A=B=C\n", []kv{{"Service", "Environment", "A=B=C"}}, nil},
		{"BOM", "\xef\xbb\xbf[Unit]\nA=1\n", []kv{{"Unit", "A", "1"}}, nil},
		{"outside section", "A=1\n[Unit]\nB=2\n", []kv{{"Unit", "B", "2"}}, []string{"assignment outside of section"}},
		{"missing =", "[Unit]\nfoo\n", nil, []string{"missing '='"}},
		{"missing key", "[Unit]\n=x\n", nil, []string{"missing key name"}},
		{"bad header", "[Unit\nA=1\n", nil, []string{"invalid section header"}},
		{"unsafe header", "[Un\"it]\nA=1\n", nil, []string{"bad characters in section header"}},
		{"invalid UTF-8", "[Unit]\nA=\xff\nB=1\n", []kv{{"Unit", "B", "1"}}, []string{"not valid UTF-8"}},
		{"NUL ends a line", "[Unit]\nA=1\x00B=2\n", []kv{{"Unit", "A", "1"}, {"Unit", "B", "2"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts, diags := ParseINI("f.service", []byte(tt.in))
			var got []kv
			for _, o := range opts {
				got = append(got, kv{o.Section, o.Key, o.Value})
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("option %d: got %q, want %q", i, got[i], tt.want[i])
				}
			}
			if len(diags) != len(tt.diags) {
				t.Fatalf("got diagnostics %q, want %q", diags.String(), tt.diags)
			}
			for i, d := range diags {
				if !strings.Contains(d.Msg, tt.diags[i]) {
					t.Errorf("diagnostic %d: got %q, want it to contain %q", i, d.Msg, tt.diags[i])
				}
			}
		})
	}
}

func TestParseINIPositions(t *testing.T) {
	in := "[Service]\n  ExecStart = /bin/a \\\n   b\nType=simple\n"
	opts, _ := ParseINI("x.service", []byte(in))
	if len(opts) != 2 {
		t.Fatalf("got %d options", len(opts))
	}
	if p := opts[0].Pos; p.Line != 2 || p.Col != 3 {
		t.Errorf("ExecStart at %v, want line 2 col 3", p)
	}
	if p := opts[0].ValuePos; p.Line != 2 || p.Col != 15 {
		t.Errorf("ExecStart value at %v, want line 2 col 15", p)
	}
	if p := opts[1].Pos; p.Line != 4 || p.Col != 1 {
		t.Errorf("Type at %v, want line 4 col 1", p)
	}
}

func TestParseINILongLine(t *testing.T) {
	in := "[Unit]\nDescription=" + strings.Repeat("x", MaxLineLength) + "\n"
	_, diags := ParseINI("x.service", []byte(in))
	if !diags.HasErrors() {
		t.Fatal("an over-long line must make the file unusable")
	}
}

// FuzzParseINI checks that no input panics the reader or the builder, that
// options always carry positions inside the file, and that every
// diagnostic names the file.
func FuzzParseINI(f *testing.F) {
	for _, s := range []string{
		"[Unit]\nDescription=x\n",
		"[Service]\nExecStart=/bin/echo \"a b\" 'c' $X ${Y} ; /bin/true\nType=oneshot\n",
		"[Unit]\nAfter=a \\\n# c\n b\n",
		"[Socket]\nListenStream=[::1]:80\nAccept=yes\n",
		"[Timer]\nOnCalendar=Mon..Fri 10:00\n",
		"[Service]\nEnvironment=\"A=b c\" D=\\x41\nLimitNOFILE=1:2\nCPUQuota=150%\n",
		"\xef\xbb\xbf[X-Foo]\nA=1\n[Install]\nWantedBy=%n\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		opts, diags := ParseINI("f.service", []byte(s))
		lines := strings.Count(s, "\n") + strings.Count(s, "\r") + strings.Count(s, "\x00") + 1
		for _, o := range opts {
			if o.Pos.Line < 1 || o.Pos.Line > lines || o.Pos.File != "f.service" {
				t.Fatalf("option %+v has a position outside the file", o)
			}
		}
		for _, d := range diags {
			if d.Pos.File != "f.service" {
				t.Fatalf("diagnostic without file: %v", d)
			}
		}
		for _, name := range []string{"f.service", "f.socket", "f.timer", "f@i.service", "f.target"} {
			u, _ := Build(name, []File{{Path: "f", Options: opts}}, goldenHost)
			if u == nil || u.Name != name {
				t.Fatalf("Build(%s) returned %+v", name, u)
			}
		}
	})
}
