package main

import (
	"errors"
	"fmt"
	"strings"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// systemctl's exit codes (LSB init script codes, systemd's exit-status.h).
const (
	exitFailure       = 1
	exitNotRunning    = 3 // EXIT_PROGRAM_NOT_RUNNING; also EXIT_NOTIMPLEMENTED
	exitNoPermission  = 4 // also EXIT_PROGRAM_OR_SERVICES_STATUS_UNKNOWN
	exitNotInstalled  = 5
	exitNotConfigured = 6
)

// rpcError is what a gRPC status says, with pm's ErrorInfo and BadRequest
// details unpacked.
type rpcError struct {
	code   codes.Code
	msg    string
	reason string
	meta   map[string]string
	fields []*errdetails.BadRequest_FieldViolation
}

func parseRPCError(err error) rpcError {
	st := status.Convert(err)
	r := rpcError{code: st.Code(), msg: st.Message()}
	for _, d := range st.Details() {
		switch d := d.(type) {
		case *errdetails.ErrorInfo:
			r.reason, r.meta = d.GetReason(), d.GetMetadata()
		case *errdetails.BadRequest:
			r.fields = append(r.fields, d.GetFieldViolations()...)
		}
	}
	return r
}

// isNotFound reports whether err says the unit does not exist.
func isNotFound(err error) bool {
	if errors.Is(err, errNotFound) {
		return true
	}
	r := parseRPCError(err)
	return r.code == codes.NotFound || r.reason == "UNIT_NOT_FOUND" ||
		(r.reason == "UNIT_NOT_LOADED" && r.meta["load_state"] == "not-found")
}

// notConnected reports whether err is a call that reached no daemon.
func notConnected(err error) bool {
	r := parseRPCError(err)
	return r.code == codes.Unavailable && r.reason != "SHUTTING_DOWN"
}

// describe renders an error of an operation on unit in systemd's words
// and returns systemctl's exit code for it.
func describeError(err error, unit string) (string, int) {
	if errors.Is(err, errNotFound) {
		return fmt.Sprintf("Unit %s not found.", unit), exitNotInstalled
	}
	r := parseRPCError(err)
	if u := r.meta["unit"]; u != "" {
		unit = u
	}
	switch r.reason {
	case "UNIT_NOT_FOUND":
		return fmt.Sprintf("Unit %s not found.", unit), exitNotInstalled
	case "UNIT_MASKED":
		return fmt.Sprintf("Unit %s is masked.", unit), exitFailure
	case "UNIT_NOT_LOADED":
		switch r.meta["load_state"] {
		case "not-found":
			return fmt.Sprintf("Unit %s not found.", unit), exitNotInstalled
		case "bad-setting":
			return fmt.Sprintf("Unit %s has a bad unit file setting.", unit), exitFailure
		}
		why := r.meta["load_error"]
		if why == "" {
			why = r.msg
		}
		return fmt.Sprintf("Unit %s failed to load properly, please adjust/correct and reload service manager: %s", unit, why), exitNotConfigured
	case "UNIT_EXISTS":
		return fmt.Sprintf("Unit %s exists already.", unit), exitFailure
	case "UNIT_ACTIVE":
		state := r.meta["active_state"]
		if sub := r.meta["sub_state"]; sub != "" && sub != state {
			state += " (" + sub + ")"
		}
		if state == "" {
			state = "active"
		}
		return fmt.Sprintf("Unit %s is %s.", unit, state), exitFailure
	case "UNIT_NOT_API":
		return fmt.Sprintf("Unit %s was not created over pm's API; only such units can be updated or deleted (edit its file instead).", unit), exitFailure
	case "JOB_NOT_APPLICABLE":
		return sentence(r.msg), exitNotRunning
	case "ONLY_BY_DEPENDENCY":
		return fmt.Sprintf("Operation refused, unit %s may be requested by dependency only (it is configured to refuse manual start/stop).", unit), exitNoPermission
	case "TRANSACTION_DESTRUCTIVE":
		return sentence(r.msg), exitNoPermission
	case "PERMISSION_DENIED":
		return "Access denied", exitNoPermission
	case "INVALID_FIELD":
		return invalidFields(r), exitFailure
	}
	switch r.code {
	case codes.NotFound:
		if unit != "" && !strings.Contains(r.msg, unit) {
			return fmt.Sprintf("Unit %s not found.", unit), exitNotInstalled
		}
		return sentence(r.msg), exitNotInstalled
	case codes.PermissionDenied:
		return "Access denied", exitNoPermission
	case codes.InvalidArgument:
		return invalidFields(r), exitFailure
	case codes.Unimplemented:
		return "Not supported by this pmd: " + r.msg, exitFailure
	}
	return sentence(r.msg), exitFailure
}

// invalidFields names the flags behind the fields a BadRequest lists.
func invalidFields(r rpcError) string {
	if len(r.fields) == 0 {
		return sentence(r.msg)
	}
	var parts []string
	for _, f := range r.fields {
		parts = append(parts, fmt.Sprintf("invalid %s: %s", fieldFlag(f.GetField()), f.GetDescription()))
	}
	return strings.Join(parts, "; ")
}

// fieldFlag turns a request field ("spec.restart_sec") into the flag that
// sets it ("--restart-sec"), or the field name when no flag does.
func fieldFlag(field string) string {
	f := field[strings.LastIndexByte(field, '.')+1:]
	if i := strings.IndexByte(f, '['); i >= 0 {
		f = f[:i]
	}
	switch f {
	case "directives":
		return "--property"
	case "unit", "name", "command", "args":
		return strings.ToUpper(f)
	}
	if isSpecField(f) {
		return "--" + strings.ReplaceAll(f, "_", "-")
	}
	return field
}

// sentence ends a message with a full stop, as systemd's messages do.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.HasSuffix(s, ".") {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:] + "."
}

// callError turns the error of a call about unit into the message and
// exit code systemctl gives: "Failed to start foo.service: Unit
// foo.service not found." (exit 5). op is systemctl's verb for it ("start",
// "get properties", …); a call that found no daemon says which socket it
// tried.
func (e *cliEnv) callError(op, unit string, err error) error {
	if notConnected(err) {
		return e.connectError()
	}
	msg, code := describeError(err, unit)
	switch {
	case op != "" && unit != "":
		msg = fmt.Sprintf("Failed to %s %s: %s", op, unit, msg)
	case op != "":
		msg = fmt.Sprintf("Failed to %s: %s", op, msg)
	}
	return &exitError{code: code, err: fmt.Errorf("%s", msg), bare: true}
}

// jobFailure is systemctl's message for a job that ended with result on
// unit (whose service result is unitResult), or "" when the job
// succeeded.
func jobFailure(unit, result, unitResult, prog string) string {
	switch result {
	case "", "done", "skipped":
		return ""
	case "canceled":
		return fmt.Sprintf("Job for %s canceled.", unit)
	case "timeout":
		return fmt.Sprintf("Job for %s timed out.", unit)
	case "dependency":
		return fmt.Sprintf("A dependency job for %s failed. See '%s status %s' for details.", unit, prog, unit)
	case "invalid":
		return fmt.Sprintf("%s is not active, cannot reload.", unit)
	case "assert":
		return fmt.Sprintf("Assertion failed on job for %s.", unit)
	case "unsupported":
		return fmt.Sprintf("Operation on or unit type of %s not supported on this system.", unit)
	case "collected":
		return fmt.Sprintf("Queued job for %s was garbage collected.", unit)
	case "once":
		return fmt.Sprintf("Unit %s was started already once and can't be started again.", unit)
	}
	if !strings.HasSuffix(unit, ".service") {
		return fmt.Sprintf("Job failed. See '%s status %s' for details.", prog, unit)
	}
	see := fmt.Sprintf("See \"%s status %s\" for details.", prog, unit)
	if prog == "pmctl" {
		see = fmt.Sprintf("See \"pmctl status %s\" and \"pmctl logs %s\" for details.", unit, unit)
	}
	if why, ok := serviceResults[unitResult]; ok {
		return fmt.Sprintf("Job for %s failed because %s.\n%s", unit, why, see)
	}
	return fmt.Sprintf("Job for %s failed.\n%s", unit, see)
}

// serviceResults explain a service's Result= as systemctl does.
var serviceResults = map[string]string{
	"resources":       "of unavailable resources or another system error",
	"protocol":        "the service did not take the steps required by its unit configuration",
	"timeout":         "a timeout was exceeded",
	"exit-code":       "the control process exited with error code",
	"signal":          "a fatal signal was delivered to the control process",
	"core-dump":       "a fatal signal was delivered causing the control process to dump core",
	"watchdog":        "the service failed to send watchdog ping",
	"start-limit-hit": "start of the service was attempted too often",
	"oom-kill":        "of an out-of-memory (OOM) situation",
}
