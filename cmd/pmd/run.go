package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"

	"github.com/pm-project/pm/api/client"
	"github.com/pm-project/pm/manager"
	"github.com/pm-project/pm/unit"
)

// options are pmd's flags.
type options struct {
	unitPath    []string
	configDir   string
	runtimeDir  string
	stateDir    string
	notify      string
	dirs        manager.DirRoots
	logLevel    string
	logFormat   string
	system      bool
	defaultUnit string
	pid1        bool
	markers     bool
	markerDir   string
	// unitPathSet: --unit-path was given.
	unitPathSet bool
	api         apiOptions
	dbus        dbusOptions
}

func defaults() options {
	o := options{system: os.Geteuid() == 0, logFormat: "text", defaultUnit: "default.target",
		pid1: os.Getpid() == 1, markerDir: "/run/systemd"}
	if o.system {
		o.unitPath = append([]string(nil), unit.SystemUnitPath...)
		o.runtimeDir = "/run/pm"
		o.stateDir = "/var/lib/pm"
		o.dirs = manager.SystemDirRoots
		return o
	}
	home, _ := os.UserHomeDir()
	rt := client.UserRuntimeDir(os.Getenv)
	cfg := os.Getenv("XDG_CONFIG_HOME")
	if cfg == "" {
		cfg = filepath.Join(home, ".config")
	}
	state := os.Getenv("XDG_STATE_HOME")
	if state == "" {
		state = filepath.Join(home, ".local", "state")
	}
	cache := os.Getenv("XDG_CACHE_HOME")
	if cache == "" {
		cache = filepath.Join(home, ".cache")
	}
	o.unitPath = []string{filepath.Join(cfg, "pm", "units")}
	o.runtimeDir = filepath.Join(rt, "pm")
	o.stateDir = filepath.Join(state, "pm")
	o.dirs = manager.DirRoots{Runtime: rt, State: state, Cache: cache, Logs: filepath.Join(state, "log"), Configuration: cfg}
	return o
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	o := defaults()
	fs := pflag.NewFlagSet("pmd", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringSliceVar(&o.unitPath, "unit-path", o.unitPath, "unit directories, highest precedence first (repeat or separate with commas)")
	fs.StringVar(&o.configDir, "config-dir", "", "directory of pm YAML files (default $PM_CONFIG_DIR, else /etc/pm/processes.d if it exists)")
	fs.StringVar(&o.runtimeDir, "runtime-dir", o.runtimeDir, "pm's runtime directory (sockets)")
	fs.StringVar(&o.stateDir, "state-dir", o.stateDir, "pm's state directory")
	fs.StringVar(&o.notify, "notify-socket", "", "path of the sd_notify socket (default RUNTIME-DIR/notify)")
	fs.StringVar(&o.dirs.Runtime, "runtime-directory-root", o.dirs.Runtime, "where RuntimeDirectory= is created")
	fs.StringVar(&o.dirs.State, "state-directory-root", o.dirs.State, "where StateDirectory= is created")
	fs.StringVar(&o.dirs.Cache, "cache-directory-root", o.dirs.Cache, "where CacheDirectory= is created")
	fs.StringVar(&o.dirs.Logs, "logs-directory-root", o.dirs.Logs, "where LogsDirectory= is created")
	fs.StringVar(&o.dirs.Configuration, "configuration-directory-root", o.dirs.Configuration, "where ConfigurationDirectory= is created")
	fs.StringVar(&o.logLevel, "log-level", "", "debug, info, warn or error (default $PM_LOG, else info)")
	fs.StringVar(&o.logFormat, "log-format", o.logFormat, "text or json")
	fs.BoolVar(&o.system, "system", o.system, "run as the system manager (default when root)")
	fs.StringVar(&o.defaultUnit, "default-unit", o.defaultUnit, "the unit to start at boot (what default.target is)")
	fs.BoolVar(&o.pid1, "pid1", o.pid1, "act as PID 1 (default when pmd is PID 1): kill every process left at exit")
	fs.BoolVar(&o.markers, "systemd-markers", true, "in system mode, create RUN-SYSTEMD-DIR/system/, which tells systemd-aware programs that a service manager runs")
	fs.StringVar(&o.markerDir, "run-systemd-dir", o.markerDir, "systemd's runtime directory, for the marker")
	addAPIFlags(fs, &o.api)
	addDBusFlags(fs, &o.dbus)
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	o.unitPathSet = fs.Changed("unit-path")
	o.applyRoot(o.unitPathSet)
	for i, d := range o.unitPath {
		if a, err := filepath.Abs(d); err == nil {
			o.unitPath[i] = a
		}
	}
	if err := o.checkTransport(); err != nil {
		return o, err
	}
	return o, nil
}

// configDir applies the seed's precedence: the flag, $PM_CONFIG_DIR, then
// /etc/pm/processes.d if it exists.
func (o *options) resolveConfigDir(log *slog.Logger) []string {
	// Absolute, so that units name their files unambiguously (status,
	// FragmentPath) whatever directory a client runs in.
	abs := func(d string) []string {
		if a, err := filepath.Abs(d); err == nil {
			d = a
		}
		return []string{d}
	}
	switch {
	case o.configDir != "":
		return abs(o.configDir)
	case os.Getenv("PM_CONFIG_DIR") != "":
		return abs(os.Getenv("PM_CONFIG_DIR"))
	}
	if st, err := os.Stat("/etc/pm/processes.d"); err == nil && st.IsDir() {
		return []string{"/etc/pm/processes.d"}
	}
	log.Warn("no YAML config directory: none given with --config-dir or $PM_CONFIG_DIR, and /etc/pm/processes.d does not exist")
	return nil
}

func newLogger(o options, w io.Writer) (*slog.Logger, error) {
	lvl := o.logLevel
	if lvl == "" {
		lvl = os.Getenv("PM_LOG")
	}
	var level slog.Level
	switch strings.ToLower(lvl) {
	case "", "info":
		level = slog.LevelInfo
	case "debug", "trace":
		level = slog.LevelDebug
	case "warn", "warning":
		level = slog.LevelWarn
	case "error":
		level = slog.LevelError
	default:
		return nil, fmt.Errorf("--log-level/$PM_LOG: unknown level %q (want debug, info, warn or error)", lvl)
	}
	hopts := &slog.HandlerOptions{Level: level}
	switch o.logFormat {
	case "text":
		return slog.New(slog.NewTextHandler(w, hopts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, hopts)), nil
	}
	return nil, fmt.Errorf("--log-format: unknown format %q (want text or json)", o.logFormat)
}

func run(args []string, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	if err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(stderr, "pmd:", err)
		return 2
	}
	log, err := newLogger(o, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "pmd:", err)
		return 2
	}
	m, err := manager.New(manager.Config{
		UnitPath:     o.unitPath,
		ConfigDirs:   o.resolveConfigDir(log),
		RuntimeDir:   o.runtimeDir,
		StateDir:     o.stateDir,
		NotifySocket: o.notify,
		Dirs:         o.dirs,
		System:       o.system,
		Logger:       log,
		Output:       stdout,
	})
	if err != nil {
		log.Error("cannot start", "err", err)
		return 1
	}
	for _, d := range m.Diagnostics() {
		switch d.Severity {
		case unit.Error:
			log.Error(d.String())
		case unit.Warning:
			log.Warn(d.String())
		default:
			log.Debug(d.String())
		}
	}
	if o.system && o.markers {
		remove, err := createMarker(o.markerDir)
		if err != nil {
			log.Warn("cannot create the systemd marker directory", "err", err)
		}
		defer remove()
	}
	return serve(m, log, o)
}
