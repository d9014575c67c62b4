package main

import (
	"errors"
	"testing"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func TestDescribeError(t *testing.T) {
	withInfo := func(c codes.Code, msg, reason string, meta map[string]string) error {
		st, _ := status.New(c, msg).WithDetails(&errdetails.ErrorInfo{Domain: "pm.v1", Reason: reason, Metadata: meta})
		return st.Err()
	}
	badField, _ := status.New(codes.InvalidArgument, "bad").WithDetails(
		&errdetails.ErrorInfo{Domain: "pm.v1", Reason: "INVALID_FIELD"},
		&errdetails.BadRequest{FieldViolations: []*errdetails.BadRequest_FieldViolation{{Field: "spec.restart_sec", Description: "invalid time span \"x\""}}})
	tests := []struct {
		name string
		err  error
		msg  string
		code int
	}{
		{"not found", withInfo(codes.NotFound, "no", "UNIT_NOT_FOUND", map[string]string{"unit": "a.service"}), "Unit a.service not found.", 5},
		{"plain NotFound", status.Error(codes.NotFound, "gone"), "Unit a.service not found.", 5},
		{"not found locally", errNotFound, "Unit a.service not found.", 5},
		{"access denied", withInfo(codes.PermissionDenied, "read only", "PERMISSION_DENIED", nil), "Access denied", 4},
		{"plain PermissionDenied", status.Error(codes.PermissionDenied, "no"), "Access denied", 4},
		{"masked", withInfo(codes.FailedPrecondition, "m", "UNIT_MASKED", nil), "Unit a.service is masked.", 1},
		{"not applicable", withInfo(codes.FailedPrecondition, "Job type reload is not applicable for unit a.service.", "JOB_NOT_APPLICABLE", nil),
			"Job type reload is not applicable for unit a.service.", 3},
		{"destructive", withInfo(codes.FailedPrecondition, "transaction is destructive", "TRANSACTION_DESTRUCTIVE", nil), "Transaction is destructive.", 4},
		{"refused", withInfo(codes.FailedPrecondition, "x", "ONLY_BY_DEPENDENCY", nil),
			"Operation refused, unit a.service may be requested by dependency only (it is configured to refuse manual start/stop).", 4},
		{"bad setting", withInfo(codes.FailedPrecondition, "x", "UNIT_NOT_LOADED", map[string]string{"load_state": "bad-setting"}),
			"Unit a.service has a bad unit file setting.", 1},
		{"load error", withInfo(codes.FailedPrecondition, "x", "UNIT_NOT_LOADED", map[string]string{"load_state": "error", "load_error": "Permission denied"}),
			"Unit a.service failed to load properly, please adjust/correct and reload service manager: Permission denied", 6},
		{"exists", withInfo(codes.AlreadyExists, "x", "UNIT_EXISTS", nil), "Unit a.service exists already.", 1},
		{"active", withInfo(codes.FailedPrecondition, "x", "UNIT_ACTIVE", map[string]string{"active_state": "active", "sub_state": "running"}),
			"Unit a.service is active (running).", 1},
		{"invalid field", badField.Err(), `invalid --restart-sec: invalid time span "x"`, 1},
		{"other", status.Error(codes.Internal, "boom"), "Boom.", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg, code := describeError(tt.err, "a.service")
			if msg != tt.msg || code != tt.code {
				t.Errorf("describeError = %q, %d; want %q, %d", msg, code, tt.msg, tt.code)
			}
		})
	}
}

func TestJobFailure(t *testing.T) {
	tests := []struct {
		result, unitResult, prog, want string
	}{
		{"done", "", "pmctl", ""},
		{"skipped", "", "pmctl", ""},
		{"canceled", "", "pmctl", "Job for a.service canceled."},
		{"timeout", "", "pmctl", "Job for a.service timed out."},
		{"failed", "exit-code", "systemctl", "Job for a.service failed because the control process exited with error code.\nSee \"systemctl status a.service\" for details."},
		{"failed", "", "systemctl", "Job for a.service failed.\nSee \"systemctl status a.service\" for details."},
		{"failed", "start-limit-hit", "pmctl", "Job for a.service failed because start of the service was attempted too often.\nSee \"pmctl status a.service\" and \"pmctl logs a.service\" for details."},
	}
	for _, tt := range tests {
		t.Run(tt.result+"/"+tt.unitResult, func(t *testing.T) {
			if got := jobFailure("a.service", tt.result, tt.unitResult, tt.prog); got != tt.want {
				t.Errorf("got %q want %q", got, tt.want)
			}
		})
	}
}

func TestTarget(t *testing.T) {
	tests := []struct {
		name          string
		flags         globalFlags
		env           map[string]string
		address, sock string
	}{
		{"flag", globalFlags{socket: "/x.sock"}, map[string]string{"PM_SOCKET": "/y.sock"}, "", "/x.sock"},
		{"environment", globalFlags{}, map[string]string{"PM_SOCKET": "/y.sock"}, "", "/y.sock"},
		{"address flag", globalFlags{address: "h:1"}, map[string]string{"PM_SOCKET": "/y.sock"}, "h:1", ""},
		{"address environment", globalFlags{}, map[string]string{"PM_ADDRESS": "h:2"}, "h:2", ""},
		{"socket flag beats address environment", globalFlags{socket: "/x.sock"}, map[string]string{"PM_ADDRESS": "h:2"}, "", "/x.sock"},
		{"user", globalFlags{user: true}, map[string]string{"XDG_RUNTIME_DIR": "/run/user/7"}, "", "/run/user/7/pm/pm.sock"},
		{"system", globalFlags{system: true}, nil, "", "/run/pm/pm.sock"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, _, _ := testEnv()
			e.g = tt.flags
			e.getenv = func(k string) string { return tt.env[k] }
			if a, s := e.target(); a != tt.address || s != tt.sock {
				t.Errorf("target() = %q, %q; want %q, %q", a, s, tt.address, tt.sock)
			}
		})
	}
}

func TestErrnoText(t *testing.T) {
	if got := errnoText(errors.New("plain")); got != "plain" {
		t.Errorf("got %q", got)
	}
	if got := errnoText(syscallErrno(2)); got != "No such file or directory" {
		t.Errorf("got %q", got)
	}
}
