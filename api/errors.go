package api

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/pm-project/pm/manager"
	"github.com/pm-project/pm/unit"
)

// Domain is the ErrorInfo domain of pm's errors.
const Domain = "pm.v1"

// Reasons of ErrorInfo, as listed at the top of pm.proto.
const (
	ReasonUnitNotFound           = "UNIT_NOT_FOUND"
	ReasonUnitExists             = "UNIT_EXISTS"
	ReasonUnitActive             = "UNIT_ACTIVE"
	ReasonUnitInactive           = "UNIT_INACTIVE"
	ReasonUnitMasked             = "UNIT_MASKED"
	ReasonUnitNotLoaded          = "UNIT_NOT_LOADED"
	ReasonUnitNotAPI             = "UNIT_NOT_API"
	ReasonJobNotApplicable       = "JOB_NOT_APPLICABLE"
	ReasonOnlyByDependency       = "ONLY_BY_DEPENDENCY"
	ReasonStartLimitHit          = "START_LIMIT_HIT"
	ReasonTransactionDestructive = "TRANSACTION_DESTRUCTIVE"
	ReasonTransactionInvalid     = "TRANSACTION_INVALID"
	ReasonJobNotFound            = "JOB_NOT_FOUND"
	ReasonInvalidField           = "INVALID_FIELD"
	ReasonPermissionDenied       = "PERMISSION_DENIED"
	ReasonShuttingDown           = "SHUTTING_DOWN"
	ReasonUnitFilesUnavailable   = "UNIT_FILES_UNAVAILABLE"
	ReasonUnitFileError          = "UNIT_FILE_ERROR"
	ReasonNoStateDir             = "NO_STATE_DIR"
)

// newStatus builds a status with an ErrorInfo of reason and metadata given
// as key, value pairs.
func newStatus(code codes.Code, reason, msg string, kv ...string) *status.Status {
	st := status.New(code, msg)
	info := &errdetails.ErrorInfo{Domain: Domain, Reason: reason}
	if len(kv) > 0 {
		info.Metadata = map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] != "" {
				info.Metadata[kv[i]] = kv[i+1]
			}
		}
	}
	if d, err := st.WithDetails(info); err == nil {
		return d
	}
	return st
}

func errStatus(code codes.Code, reason, msg string, kv ...string) error {
	return newStatus(code, reason, msg, kv...).Err()
}

// FieldViolation is one bad field of a request.
type fieldViolation struct {
	field, msg string
}

// invalidFields is InvalidArgument with reason INVALID_FIELD and a
// BadRequest naming the fields. The message is the first violation's.
func invalidFields(vs ...fieldViolation) error {
	if len(vs) == 0 {
		return status.Error(codes.InvalidArgument, "invalid request")
	}
	msg := vs[0].field + ": " + vs[0].msg
	st := status.New(codes.InvalidArgument, msg)
	br := &errdetails.BadRequest{}
	for _, v := range vs {
		br.FieldViolations = append(br.FieldViolations, &errdetails.BadRequest_FieldViolation{Field: v.field, Description: v.msg})
	}
	info := &errdetails.ErrorInfo{Domain: Domain, Reason: ReasonInvalidField, Metadata: map[string]string{"field": vs[0].field}}
	if d, err := st.WithDetails(info, br); err == nil {
		return d.Err()
	}
	return st.Err()
}

func invalidField(field, format string, args ...any) error {
	return invalidFields(fieldViolation{field, fmt.Sprintf(format, args...)})
}

// notFound is the error for a unit reference that names nothing.
func notFound(ref string) error {
	return errStatus(codes.NotFound, ReasonUnitNotFound, fmt.Sprintf("Unit %s not found.", ref), "unit", ref)
}

// shuttingDown is the error of calls and streams while pmd stops.
func shuttingDown() error {
	return errStatus(codes.Unavailable, ReasonShuttingDown, "pmd is shutting down.")
}

// unitErr maps an error of the manager about the unit name to a status.
// st, if known, adds the unit's state to the details.
func unitErr(err error, name string, st *manager.UnitStatus) error {
	if err == nil {
		return nil
	}
	if _, ok := status.FromError(err); ok {
		return err
	}
	var inv *manager.InvalidError
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return status.FromContextError(err).Err()
	case errors.As(err, &inv):
		return invalidDiags(inv.Diags, nil)
	case errors.Is(err, manager.ErrShuttingDown), errors.Is(err, manager.ErrStopped):
		return shuttingDown()
	case errors.Is(err, manager.ErrNoSuchUnit):
		return notFound(name)
	case errors.Is(err, manager.ErrNoStateDir):
		return errStatus(codes.FailedPrecondition, ReasonNoStateDir, "pmd has no state directory, so units cannot be created over the API.")
	case errors.Is(err, manager.ErrExists):
		return errStatus(codes.AlreadyExists, ReasonUnitExists, fmt.Sprintf("Unit %s exists already.", name), "unit", name)
	case errors.Is(err, manager.ErrUnitMasked):
		return errStatus(codes.FailedPrecondition, ReasonUnitMasked, fmt.Sprintf("Unit %s is masked.", name), "unit", name)
	case errors.Is(err, manager.ErrBadSetting):
		kv := []string{"unit", name}
		if st != nil {
			kv = append(kv, "load_state", string(st.LoadState), "load_error", st.LoadError)
		}
		return errStatus(codes.FailedPrecondition, ReasonUnitNotLoaded,
			fmt.Sprintf("Unit %s has a bad unit file setting.", name), kv...)
	case errors.Is(err, manager.ErrNotAPI):
		return errStatus(codes.FailedPrecondition, ReasonUnitNotAPI,
			fmt.Sprintf("Unit %s was not created over the API; only such units can be updated or deleted.", name), "unit", name)
	case errors.Is(err, manager.ErrActive):
		kv := []string{"unit", name}
		msg := fmt.Sprintf("Unit %s is active; stop it first or use force.", name)
		if st != nil {
			kv = append(kv, "active_state", string(st.ActiveState), "sub_state", st.SubState)
			msg = fmt.Sprintf("Unit %s is %s (%s); stop it first or use force.", name, st.ActiveState, st.SubState)
		}
		return errStatus(codes.FailedPrecondition, ReasonUnitActive, msg, kv...)
	case errors.Is(err, manager.ErrNotActive):
		return errStatus(codes.FailedPrecondition, ReasonUnitInactive, fmt.Sprintf("Unit %s is not active.", name), "unit", name)
	case errors.Is(err, manager.ErrNoReload):
		return errStatus(codes.FailedPrecondition, ReasonJobNotApplicable,
			fmt.Sprintf("Job type reload is not applicable for unit %s.", name), "unit", name)
	case errors.Is(err, manager.ErrJobNotApplicable), errors.Is(err, manager.ErrUnsupported), errors.Is(err, manager.ErrNoIsolate):
		return errStatus(codes.FailedPrecondition, ReasonJobNotApplicable, capitalize(err.Error())+".", "unit", name)
	case errors.Is(err, manager.ErrRefused):
		return errStatus(codes.FailedPrecondition, ReasonOnlyByDependency,
			fmt.Sprintf("Operation refused, unit %s may be requested by dependency only (it is configured to refuse manual start/stop).", name), "unit", name)
	case errors.Is(err, manager.ErrStartLimit):
		return errStatus(codes.FailedPrecondition, ReasonStartLimitHit,
			fmt.Sprintf("Start request repeated too quickly for %s.", name), "unit", name)
	case errors.Is(err, manager.ErrDestructive):
		return errStatus(codes.FailedPrecondition, ReasonTransactionDestructive, capitalize(err.Error())+".", "unit", name)
	case errors.Is(err, manager.ErrTransactionCycle), errors.Is(err, manager.ErrConflictingJobs):
		return errStatus(codes.FailedPrecondition, ReasonTransactionInvalid, capitalize(err.Error())+".", "unit", name)
	case errors.Is(err, manager.ErrNoSuchJob):
		return errStatus(codes.NotFound, ReasonJobNotFound, capitalize(err.Error())+".")
	case errors.Is(err, unit.ErrBadName):
		return invalidField("unit", "Invalid unit name %q.", name)
	}
	return status.Error(codes.Internal, err.Error())
}

// jobErr maps the error of CancelJob.
func jobErr(err error, id uint32) error {
	if errors.Is(err, manager.ErrNoSuchJob) {
		return errStatus(codes.NotFound, ReasonJobNotFound, fmt.Sprintf("Job %d not found.", id), "job", strconv.FormatUint(uint64(id), 10))
	}
	return unitErr(err, "", nil)
}

// capitalize makes the first letter upper case, as systemd's messages
// start.
func capitalize(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// rewriteViolations renames the fields of an INVALID_FIELD status.
func rewriteViolations(err error, rename func(string) string) error {
	st, ok := status.FromError(err)
	if !ok || st.Code() != codes.InvalidArgument {
		return err
	}
	var vs []fieldViolation
	for _, d := range st.Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			for _, v := range br.GetFieldViolations() {
				vs = append(vs, fieldViolation{rename(v.GetField()), v.GetDescription()})
			}
		}
	}
	if len(vs) == 0 {
		return err
	}
	return invalidFields(vs...)
}
