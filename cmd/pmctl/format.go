package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/sys/unix"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/pm-project/pm/unit"
)

// The ANSI sequences systemd uses.
const (
	ansiNormal    = "\x1b[0m"
	ansiRed       = "\x1b[0;1;31m"
	ansiGreen     = "\x1b[0;1;32m"
	ansiYellow    = "\x1b[0;1;38;5;185m"
	ansiBold      = "\x1b[0;1;39m"
	ansiGrey      = "\x1b[0;38;5;245m"
	ansiUnderline = "\x1b[0;4m"
)

// The glyphs systemctl draws with.
const (
	glyphBlackCircle = "●"
	glyphWhiteCircle = "○"
	glyphMultiply    = "×"
	glyphCircleArrow = "↻"
	glyphTreeBranch  = "├─"
	glyphTreeRight   = "└─"
	glyphTreeVert    = "│ "
	glyphTreeSpace   = "  "
	glyphArrow       = "→"
	glyphEllipsis    = "…"
)

// terminal reports whether w is a terminal that takes colours, and its
// width (0 when w is not a terminal). Colours are off with NO_COLOR and
// TERM=dumb; SYSTEMD_COLORS=0 turns them off and =1 on, as for systemctl.
func terminal(w io.Writer, getenv func(string) string) (color bool, width int) {
	f, ok := w.(*os.File)
	tty := false
	if ok {
		if _, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS); err == nil {
			tty = true
			if ws, err := unix.IoctlGetWinsize(int(f.Fd()), unix.TIOCGWINSZ); err == nil {
				width = int(ws.Col)
			}
		}
	}
	if c, err := strconv.Atoi(getenv("COLUMNS")); err == nil && c > 0 && tty {
		width = c
	}
	color = tty && getenv("TERM") != "dumb"
	switch strings.ToLower(getenv("SYSTEMD_COLORS")) {
	case "0", "false", "no", "off":
		color = false
	case "1", "true", "yes", "on", "16", "256":
		color = true
	}
	if getenv("NO_COLOR") != "" {
		color = false
	}
	return color, width
}

// paint wraps s in an ANSI colour when colours are on.
func (e *cliEnv) paint(color, s string) string {
	if !e.color || color == "" || s == "" {
		return s
	}
	return color + s + ansiNormal
}

// activeGlyph is systemd's glyph for an active state.
func activeGlyph(state string) string {
	switch state {
	case "reloading":
		return glyphCircleArrow
	case "inactive", "maintenance":
		return glyphWhiteCircle
	case "failed":
		return glyphMultiply
	}
	return glyphBlackCircle
}

// activeColor is systemd's colour of an active state.
func activeColor(state string) string {
	switch state {
	case "failed":
		return ansiRed
	case "active", "reloading":
		return ansiGreen
	}
	return ""
}

// pmStateColor is the colour of pm's simple state.
func pmStateColor(state string) string {
	switch state {
	case "running", "exited":
		return ansiGreen
	case "crashed":
		return ansiRed
	case "starting", "stopping":
		return ansiYellow
	}
	return ""
}

// fmtTimestamp is systemd's FORMAT_TIMESTAMP: "Wed 2026-11-25 22:41:34 UTC".
func (e *cliEnv) fmtTimestamp(t time.Time) string {
	return t.In(e.loc).Format("Mon 2006-01-02 15:04:05 MST")
}

// fmtRelative is systemd's FORMAT_TIMESTAMP_RELATIVE: "5s ago",
// "1h 3min ago", "2 days ago", "3min 2s left".
func fmtRelative(t, now time.Time) string {
	d := now.Sub(t)
	suffix := "ago"
	if d < 0 {
		d, suffix = -d, "left"
	}
	const (
		day   = 24 * time.Hour
		week  = 7 * day
		month = 2629800 * time.Second
		year  = 31557600 * time.Second
	)
	plural := func(n int64, one, many string) string {
		if n == 1 {
			return one
		}
		return many
	}
	switch {
	case d >= year:
		y, m := int64(d/year), int64(d%year/month)
		return fmt.Sprintf("%d %s %d %s %s", y, plural(y, "year", "years"), m, plural(m, "month", "months"), suffix)
	case d >= month:
		m, dd := int64(d/month), int64(d%month/day)
		return fmt.Sprintf("%d %s %d %s %s", m, plural(m, "month", "months"), dd, plural(dd, "day", "days"), suffix)
	case d >= week:
		w, dd := int64(d/week), int64(d%week/day)
		return fmt.Sprintf("%d %s %d %s %s", w, plural(w, "week", "weeks"), dd, plural(dd, "day", "days"), suffix)
	case d >= 2*day:
		return fmt.Sprintf("%d days %s", d/day, suffix)
	case d >= 25*time.Hour:
		return fmt.Sprintf("1 day %dh %s", (d-day)/time.Hour, suffix)
	case d >= 6*time.Hour:
		return fmt.Sprintf("%dh %s", d/time.Hour, suffix)
	case d >= time.Hour:
		return fmt.Sprintf("%dh %dmin %s", d/time.Hour, d%time.Hour/time.Minute, suffix)
	case d >= 5*time.Minute:
		return fmt.Sprintf("%dmin %s", d/time.Minute, suffix)
	case d >= time.Minute:
		return fmt.Sprintf("%dmin %ds %s", d/time.Minute, d%time.Minute/time.Second, suffix)
	case d >= time.Second:
		return fmt.Sprintf("%ds %s", d/time.Second, suffix)
	case d >= time.Millisecond:
		return fmt.Sprintf("%dms %s", d/time.Millisecond, suffix)
	case d >= time.Microsecond:
		return fmt.Sprintf("%dus %s", d/time.Microsecond, suffix)
	}
	return "now"
}

// fmtAgo is a short relative time for table cells: "5s ago", "3min
// ago", "2h ago", "4d ago"; "-" for an unset time.
func fmtAgo(ts *timestamppb.Timestamp, now time.Time) string {
	if !set(ts) {
		return "-"
	}
	d := now.Sub(ts.AsTime())
	if d < 0 {
		d = 0
	}
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds ago", d/time.Second)
	case d < time.Hour:
		return fmt.Sprintf("%dmin ago", d/time.Minute)
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh ago", d/time.Hour)
	}
	return fmt.Sprintf("%dd ago", d/(24*time.Hour))
}

// set reports whether a timestamp carries a time (systemd's
// timestamp_is_set).
func set(ts *timestamppb.Timestamp) bool {
	return ts != nil && (ts.GetSeconds() != 0 || ts.GetNanos() != 0)
}

// fmtSince is "Wed 2026-11-25 22:41:34 UTC; 5s ago".
func (e *cliEnv) fmtSince(ts *timestamppb.Timestamp) string {
	t := ts.AsTime()
	return e.fmtTimestamp(t) + "; " + fmtRelative(t, e.now())
}

// fmtTimespan is systemd's FORMAT_TIMESPAN with the given accuracy.
func fmtTimespan(d, accuracy time.Duration) string {
	return unit.Duration(d).Timespan(unit.Duration(accuracy))
}

// fmtDuration renders a proto duration as systemd's timespan ("1min 30s");
// "-" when unset.
func fmtDuration(d *durationpb.Duration) string {
	if d == nil {
		return "-"
	}
	if d.GetSeconds() >= 1<<62/int64(time.Second) {
		return "infinity"
	}
	return fmtTimespan(d.AsDuration(), time.Microsecond)
}

// fmtBytes is systemd's FORMAT_BYTES: "512B", "1.5K", "12.3M".
func fmtBytes(n uint64) string {
	suffixes := []string{"E", "P", "T", "G", "M", "K"}
	for i, s := range suffixes {
		factor := uint64(1) << (10 * (len(suffixes) - i))
		if n < factor {
			continue
		}
		var tenth uint64
		if i < len(suffixes)-1 {
			tenth = (n / (factor >> 10) * 10 / 1024) % 10
		} else {
			tenth = (n * 10 / factor) % 10
		}
		return fmt.Sprintf("%d.%d%s", n/factor, tenth, s)
	}
	return fmt.Sprintf("%dB", n)
}

// column of a table: its header, and whether it may be shortened to fit
// the terminal.
type column struct {
	name    string
	elastic bool
	// json is the column's key in JSON output ("" = the lower-case name).
	json string
}

// cell is a table cell with its colour.
type cell struct {
	text, color string
}

// table prints rows as systemd's format-table does: upper-case headers,
// one space between columns, no padding after the last.
type table struct {
	cols []column
	rows [][]cell
}

func (t *table) add(cells ...cell) { t.rows = append(t.rows, cells) }

// plain turns strings into uncoloured cells.
func plain(ss ...string) []cell {
	out := make([]cell, len(ss))
	for i, s := range ss {
		out[i] = cell{text: s}
	}
	return out
}

// print writes the table; header: print the header line.
func (e *cliEnv) printTable(t *table, header bool) {
	n := len(t.cols)
	widths := make([]int, n)
	if header {
		for i, c := range t.cols {
			widths[i] = utf8.RuneCountInString(c.name)
		}
	}
	for _, r := range t.rows {
		for i := 0; i < n && i < len(r); i++ {
			widths[i] = max(widths[i], utf8.RuneCountInString(r[i].text))
		}
	}
	if e.width > 0 && !e.g.full {
		total := n - 1
		for _, w := range widths {
			total += w
		}
		for i := n - 1; i >= 0 && total > e.width; i-- {
			if !t.cols[i].elastic {
				continue
			}
			minW := max(utf8.RuneCountInString(t.cols[i].name), 8)
			cut := min(total-e.width, widths[i]-minW)
			if cut > 0 {
				widths[i] -= cut
				total -= cut
			}
		}
	}
	var b strings.Builder
	line := func(cells []cell, head bool) {
		var l strings.Builder
		for i := 0; i < n; i++ {
			var c cell
			if i < len(cells) {
				c = cells[i]
			}
			text := ellipsize(c.text, widths[i])
			if i > 0 {
				l.WriteByte(' ')
			}
			pad := ""
			if i < n-1 {
				pad = strings.Repeat(" ", widths[i]-utf8.RuneCountInString(text))
			}
			switch {
			case head && e.color:
				l.WriteString(ansiUnderline + text + pad + ansiNormal)
			default:
				l.WriteString(e.paint(c.color, text) + pad)
			}
		}
		b.WriteString(strings.TrimRight(l.String(), " ") + "\n")
	}
	if header {
		h := make([]cell, n)
		for i, c := range t.cols {
			h[i] = cell{text: strings.ToUpper(c.name)}
		}
		line(h, true)
	}
	for _, r := range t.rows {
		line(r, false)
	}
	fmt.Fprint(e.stdout, b.String())
}

// ellipsize shortens s to w runes, ending in "…".
func ellipsize(s string, w int) string {
	if utf8.RuneCountInString(s) <= w {
		return s
	}
	if w <= 0 {
		return ""
	}
	r := []rune(s)
	return string(r[:w-1]) + glyphEllipsis
}

// tableJSON writes the table as systemd writes tables with --output=json:
// an array of objects keyed by the lower-case column names.
func (e *cliEnv) tableJSON(t *table) error {
	out := make([]map[string]string, 0, len(t.rows))
	for _, r := range t.rows {
		m := make(map[string]string, len(t.cols))
		for i, c := range t.cols {
			key := c.json
			if key == "" {
				key = strings.ReplaceAll(strings.ToLower(c.name), " ", "_")
			}
			if key == "-" || i >= len(r) {
				continue
			}
			m[key] = r[i].text
		}
		out = append(out, m)
	}
	return e.printJSONValue(out)
}

// printJSONValue writes v as JSON (indented with -o json-pretty).
func (e *cliEnv) printJSONValue(v any) error {
	enc := json.NewEncoder(e.stdout)
	enc.SetEscapeHTML(false)
	if e.g.output == "json-pretty" {
		enc.SetIndent("", "  ")
	}
	return enc.Encode(v)
}

// printProto writes a message with protojson, using the .proto field
// names; one line per message with -o json, indented with json-pretty.
func (e *cliEnv) printProto(m proto.Message) error {
	o := protojson.MarshalOptions{UseProtoNames: true}
	if e.g.output == "json-pretty" {
		o.Multiline, o.Indent = true, "  "
	}
	b, err := o.Marshal(m)
	if err != nil {
		return err
	}
	if e.g.output != "json-pretty" {
		// protojson adds random spaces to discourage byte comparisons; a
		// line is a line.
		var buf bytes.Buffer
		if err := json.Compact(&buf, b); err == nil {
			b = buf.Bytes()
		}
	}
	_, err = fmt.Fprintf(e.stdout, "%s\n", b)
	return err
}
