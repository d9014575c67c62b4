package unit

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestParseYAMLFile covers whole files: multi-unit files, and what makes a
// file unreadable.
func TestParseYAMLFile(t *testing.T) {
	type unitWant struct {
		name string
		opts []string
	}
	tests := []struct {
		name  string
		file  string
		src   string
		want  []unitWant
		diags []string
	}{
		{
			name: "empty file",
			file: "web.yaml",
			src:  "",
			want: []unitWant{{"web.service", nil}},
		},
		{
			name: "comments only",
			file: "web.yaml",
			src:  "# nothing yet\n",
			want: []unitWant{{"web.service", nil}},
		},
		{
			name: "empty mapping",
			file: "app.target.yaml",
			src:  "{}",
			want: []unitWant{{"app.target", nil}},
		},
		{
			name: "processes and sockets",
			file: "stack.yaml",
			src: "processes:\n  web:\n    command: /bin/true\n  worker.service:\n    command: /bin/false\n" +
				"sockets:\n  web:\n    listen_stream: 8000\ntimers:\n  nightly: {on_calendar: daily, unit: worker}\ntargets:\n  app: {wants: [web, worker]}\n",
			want: []unitWant{
				{"web.service", []string{"[Service] ExecStart=/bin/true"}},
				{"worker.service", []string{"[Service] ExecStart=/bin/false"}},
				{"web.socket", []string{"[Socket] ListenStream=8000"}},
				{"nightly.timer", []string{"[Timer] OnCalendar=daily", "[Timer] Unit=worker.service"}},
				{"app.target", []string{"[Unit] Wants=web.service", "[Unit] Wants=worker.service"}},
			},
		},
		{
			name: "x- keys hold anchors in a multi-unit file",
			file: "stack.yaml",
			src:  "x-common: &common\n  restart: always\n  user: nobody\nprocesses:\n  a: {<<: *common, command: /bin/a}\n  b:\n    <<: *common\n    restart: no\n    command: /bin/b\n",
			want: []unitWant{
				{"a.service", []string{"[Service] Restart=always", "[Service] User=nobody", "[Service] ExecStart=/bin/a"}},
				{"b.service", []string{"[Service] User=nobody", "[Service] Restart=no", "[Service] ExecStart=/bin/b"}},
			},
		},
		{
			name: "entry with no settings",
			file: "stack.yaml",
			src:  "targets:\n  app:\nprocesses: ~\n",
			want: []unitWant{{"app.target", nil}},
		},
		{
			name: "names that do not fit their map",
			file: "stack.yaml",
			src:  "processes:\n  web.socket: {}\n  data.mount: {}\n  \"bad name\": {}\n  ok: 5\nsockets: [a]\n",
			diags: []string{
				"2:3: warning: processes holds service units, but web.socket is a socket; move it to sockets:",
				"3:3: warning: processes: data.mount is a mount, which a multi-unit file cannot describe; give it a file of its own (data.mount.yaml)",
				`4:3: warning: invalid unit name "bad name.service"`,
				"5:3: warning: ok: expected a mapping of settings, got a scalar",
				"6:1: warning: sockets: expected a mapping of unit names to their settings, got a list",
			},
		},
		{
			name:  "the same unit twice",
			file:  "stack.yaml",
			src:   "processes:\n  web: {}\n  web.service: {}\n",
			want:  []unitWant{{"web.service", nil}},
			diags: []string{"3:3: warning: unit web.service is already described at stack.yaml:2:3"},
		},
		{
			name:  "unknown top-level key",
			file:  "stack.yaml",
			src:   "proceses: {}\nsockets: {}\n",
			diags: []string{`1:1: warning: unknown key "proceses" (did you mean "processes"?)`},
		},
		{
			name:  "single-unit keys next to processes",
			file:  "stack.yaml",
			src:   "processes:\n  web: {}\ncommand: /bin/true\n",
			diags: []string{`3:1: error: "command" describes a single unit, but this file describes several with processes:, sockets:, timers:, targets:`},
		},
		{
			name:  "broken syntax",
			file:  "web.yaml",
			src:   "command: /bin/true\n  description: x\n",
			diags: []string{"2: error: invalid YAML: mapping values are not allowed in this context"},
		},
		{
			name:  "unclosed quote",
			file:  "web.yaml",
			src:   "description: \"abc\n",
			diags: []string{"error: invalid YAML: "},
		},
		{
			name:  "tabs for indentation",
			file:  "web.yaml",
			src:   "service:\n\tType: simple\n",
			diags: []string{"2: error: invalid YAML: found character that cannot start any token"},
		},
		{
			name:  "unknown alias",
			file:  "web.yaml",
			src:   "command: *nope\n",
			diags: []string{"error: invalid YAML: unknown anchor 'nope' referenced"},
		},
		{
			name:  "two documents",
			file:  "web.yaml",
			src:   "description: a\n---\ndescription: b\n",
			diags: []string{"2:1: error: file holds more than one YAML document"},
		},
		{
			name: "an empty second document is fine",
			file: "web.yaml",
			src:  "---\ndescription: a\n---\n...\n",
			want: []unitWant{{"web.service", []string{"[Unit] Description=a"}}},
		},
		{
			name:  "top level is a list",
			file:  "web.yaml",
			src:   "- command: /bin/true\n",
			diags: []string{"1:1: error: the top level must be a mapping"},
		},
		{
			name:  "top level is a scalar",
			file:  "web.yaml",
			src:   "/bin/true\n",
			diags: []string{"1:1: error: the top level must be a mapping"},
		},
		{
			name:  "self-referencing alias",
			file:  "web.yaml",
			src:   "after: &a [*a]\n",
			want:  []unitWant{{"web.service", nil}},
			diags: []string{"1:8: warning: after: list elements must be scalars, not a list"},
		},
		{
			name:  "merge loop through a list",
			file:  "web.yaml",
			src:   "unit: &u\n  <<: [*u]\n",
			diags: []string{"2:3: error: merge key includes the mapping that holds it"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			units, diags := ParseYAML(tc.file, []byte(tc.src))
			checkDiags(t, diags, tc.diags)
			if len(units) != len(tc.want) {
				t.Fatalf("got %d units, want %d: %+v", len(units), len(tc.want), units)
			}
			for i, w := range tc.want {
				if units[i].Name != w.name {
					t.Errorf("unit %d: got %s, want %s", i, units[i].Name, w.name)
				}
				checkOpts(t, units[i].Options, w.opts)
			}
			for _, d := range diags {
				if d.Severity == Error && !errors.Is(d.Err, ErrUnusable) {
					t.Errorf("error %q does not wrap ErrUnusable", d)
				}
			}
		})
	}
}

// TestParseYAMLLimits checks that hostile files are refused quickly.
func TestParseYAMLLimits(t *testing.T) {
	// Each mapping merges the one before it twice: 2^40 keys to visit.
	var merges strings.Builder
	merges.WriteString("x-0: &m0 {A: 1, B: 2}\n")
	for i := 1; i < 40; i++ {
		fmt.Fprintf(&merges, "x-%d: &m%d {<<: [*m%d, *m%d], K%d: 1}\n", i, i, i-1, i-1, i)
	}
	var chain strings.Builder
	chain.WriteString("x-0: &m0 {A: 1}\n")
	for i := 1; i < 20; i++ {
		fmt.Fprintf(&chain, "x-%d: &m%d {<<: *m%d}\n", i, i, i-1)
	}
	var lists strings.Builder
	lists.WriteString("x-a: &a [" + strings.Repeat("a, ", 1000) + "a]\n")
	lists.WriteString("service:\n")
	for i := range 500 {
		fmt.Fprintf(&lists, "  K%d: *a\n", i)
	}
	tests := []struct {
		name string
		src  string
		want string
	}{
		{"too large", "description: " + strings.Repeat("x", MaxYAMLSize), "file is larger than"},
		{"doubling merges", merges.String(), "document is too large once aliases and merge keys are expanded"},
		{"merge chain", chain.String(), "merge keys nested more than 16 deep"},
		{"aliased lists", lists.String(), "document is too large once aliases and merge keys are expanded"},
		{"deep nesting", strings.Repeat("[", 20000), "invalid YAML"},
		{"aliased long arguments", "x-a: &a \"" + strings.Repeat("a", 400000) + "\"\ncommand: /bin/echo\nargs: [*a, *a, *a]\n", "value is longer than a unit file line may be"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			units, diags := ParseYAML("web.yaml", []byte(tc.src))
			if !diags.HasErrors() || !strings.Contains(diags.String(), tc.want) {
				t.Fatalf("got %v, want an error containing %q", diags, tc.want)
			}
			if len(units) != 0 && len(units[0].Options) != 0 {
				t.Errorf("got %d units with options, want none", len(units))
			}
		})
	}
}
