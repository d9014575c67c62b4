package api

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/pm-project/pm/api/pmv1"
)

func TestUnitFiles(t *testing.T) {
	e := newEnv(t, envOpts{root: true, units: map[string]string{
		"web.service":       "[Service]\nExecStart=/bin/sleep 1000\n[Install]\nWantedBy=multi-user.target\n",
		"static.service":    "[Service]\nExecStart=/bin/true\n",
		"multi-user.target": "[Unit]\nDescription=Multi-User\n",
		"rescue.target":     "[Unit]\nDescription=Rescue\nAllowIsolate=yes\n",
	}})
	etc := filepath.Join(filepath.Dir(filepath.Dir(filepath.Dir(e.units))), "etc/systemd/system")
	en, err := e.c.Enable(e.ctx(), &pmv1.UnitFilesRequest{Units: []string{"web"}})
	if err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(etc, "multi-user.target.wants", "web.service")
	if len(en.GetChanges()) != 1 || en.GetChanges()[0].GetType() != "symlink" || en.GetChanges()[0].GetPath() != link ||
		!strings.HasPrefix(en.GetChanges()[0].GetMessage(), "Created symlink "+link+" → ") || !en.GetCarriesInstallInfo() {
		t.Fatalf("got %v, want a symlink %s", en, link)
	}
	if _, err := os.Lstat(link); err != nil {
		t.Fatal(err)
	}
	is, err := e.c.IsEnabled(e.ctx(), &pmv1.IsEnabledRequest{Units: []string{"web", "static.service", "nope.service"}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"enabled", "static", "not-found"}
	for i, s := range is.GetStates() {
		if s.GetState() != want[i] {
			t.Errorf("is-enabled %s: got %s, want %s", s.GetUnit(), s.GetState(), want[i])
		}
	}
	st, err := e.c.Enable(e.ctx(), &pmv1.UnitFilesRequest{Units: []string{"static"}})
	if err != nil {
		t.Fatal(err)
	}
	if st.GetCarriesInstallInfo() || len(st.GetChanges()) != 0 {
		t.Errorf("got %v, want no changes and no install info for a static unit", st)
	}
	d, _ := e.c.Describe(e.ctx(), &pmv1.DescribeRequest{Unit: "web"})
	if d.GetUnit().GetUnitFileState() != "enabled" {
		t.Errorf("got UnitFileState %q, want enabled", d.GetUnit().GetUnitFileState())
	}
	dis, err := e.c.Disable(e.ctx(), &pmv1.UnitFilesRequest{Units: []string{"web"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(dis.GetChanges()) != 1 || dis.GetChanges()[0].GetMessage() != `Removed "`+link+`".` {
		t.Errorf("got %v, want the symlink removed", dis.GetChanges())
	}
	if _, err := e.c.Mask(e.ctx(), &pmv1.UnitFilesRequest{Units: []string{"web"}}); err != nil {
		t.Fatal(err)
	}
	files, err := e.c.ListUnitFiles(e.ctx(), &pmv1.ListUnitFilesRequest{Patterns: []string{"web*"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(files.GetFiles()) != 1 || files.GetFiles()[0].GetState() != "masked" {
		t.Errorf("got %v, want web.service masked", files.GetFiles())
	}
	// Enabling a masked unit fails; the status says so and carries the
	// changes.
	_, err = e.c.Enable(e.ctx(), &pmv1.UnitFilesRequest{Units: []string{"web"}})
	wantStatus(t, err, codes.FailedPrecondition, ReasonUnitMasked, "")
	if s, _ := status.FromError(err); !strings.Contains(s.Message(), "masked") {
		t.Errorf("got message %q, want it to say masked", s.Message())
	}
	if _, err := e.c.Unmask(e.ctx(), &pmv1.UnitFilesRequest{Units: []string{"web"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.Reenable(e.ctx(), &pmv1.UnitFilesRequest{Units: []string{"web"}}); err != nil {
		t.Fatal(err)
	}
	_, err = e.c.Enable(e.ctx(), &pmv1.UnitFilesRequest{Units: []string{"nope"}})
	wantStatus(t, err, codes.NotFound, ReasonUnitNotFound, "")
	_, err = e.c.Enable(e.ctx(), &pmv1.UnitFilesRequest{})
	wantStatus(t, err, codes.InvalidArgument, ReasonInvalidField, "units")

	if _, err := e.c.SetDefault(e.ctx(), &pmv1.SetDefaultRequest{Unit: "rescue.target"}); err != nil {
		t.Fatal(err)
	}
	def, err := e.c.GetDefault(e.ctx(), &pmv1.GetDefaultRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if def.GetUnit() != "rescue.target" {
		t.Errorf("got default %q, want rescue.target", def.GetUnit())
	}
	_, err = e.c.SetDefault(e.ctx(), &pmv1.SetDefaultRequest{Unit: "web.service"})
	wantStatus(t, err, codes.InvalidArgument, "", "")
}

func TestUnitFilesWithoutRoot(t *testing.T) {
	e := newEnv(t, envOpts{units: map[string]string{"web.service": "[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\n"}})
	_, err := e.c.Enable(e.ctx(), &pmv1.UnitFilesRequest{Units: []string{"web"}})
	wantStatus(t, err, codes.FailedPrecondition, ReasonUnitFilesUnavailable, "")
	_, err = e.c.ListUnitFiles(e.ctx(), &pmv1.ListUnitFilesRequest{})
	wantStatus(t, err, codes.FailedPrecondition, ReasonUnitFilesUnavailable, "")
	def, err := e.c.GetDefault(e.ctx(), &pmv1.GetDefaultRequest{})
	if err != nil || def.GetUnit() != "default.target" {
		t.Errorf("got %v %v, want default.target", def, err)
	}
	// Units created over the API know their state without the layout.
	if _, err := e.c.Create(e.ctx(), &pmv1.CreateRequest{Name: "made", Spec: &pmv1.UnitSpec{Command: "/bin/true"}}); err != nil {
		t.Fatal(err)
	}
	is, err := e.c.IsEnabled(e.ctx(), &pmv1.IsEnabledRequest{Units: []string{"made"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(is.GetStates()) != 1 || is.GetStates()[0].GetState() != "disabled" {
		t.Errorf("got %v, want made.service disabled", is.GetStates())
	}
}
