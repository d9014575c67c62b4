package e2e

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/status"

	"github.com/pm-project/pm/api/client"
	"github.com/pm-project/pm/api/pmv1"
)

// clientEnv makes the test binary an API client: its value is the
// socket, its arguments are calls ("List", "Describe:web", "Start:web",
// …). It prints one line per call: the call, the gRPC code and the
// ErrorInfo reason ("Start:web PermissionDenied PERMISSION_DENIED").
const clientEnv = "PM_E2E_CLIENT"

func clientMain() int {
	c, err := client.Dial(client.Options{Socket: os.Getenv(clientEnv)})
	if err != nil {
		fmt.Println("dial:", err)
		return 1
	}
	defer c.Close()
	for _, call := range os.Args[1:] {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		verb, arg, _ := strings.Cut(call, ":")
		var err error
		switch verb {
		case "List":
			_, err = c.List(ctx, &pmv1.ListRequest{All: true})
		case "Describe":
			_, err = c.Describe(ctx, &pmv1.DescribeRequest{Unit: arg})
		case "Show":
			_, err = c.Show(ctx, &pmv1.ShowRequest{Unit: arg})
		case "Start":
			_, err = c.Start(ctx, &pmv1.JobRequest{Unit: arg})
		case "Stop":
			_, err = c.Stop(ctx, &pmv1.JobRequest{Unit: arg})
		case "Create":
			_, err = c.Create(ctx, &pmv1.CreateRequest{Name: arg, Spec: &pmv1.UnitSpec{Command: "/bin/sleep", Args: []string{"1000"}}})
		case "Delete":
			_, err = c.Delete(ctx, &pmv1.DeleteRequest{Unit: arg, Force: true})
		default:
			err = fmt.Errorf("unknown call %q", verb)
		}
		cancel()
		fmt.Println(call, describeErr(err))
	}
	return 0
}

// describeErr renders an error as "Code REASON" ("OK" for none).
func describeErr(err error) string {
	if err == nil {
		return "OK"
	}
	st := status.Convert(err)
	reason := "-"
	for _, d := range st.Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok {
			reason = info.GetReason()
		}
	}
	return st.Code().String() + " " + reason
}

// dial connects to pmd's socket once pmd says it listens.
func dial(t testing.TB, out *lines, socket string) *client.Client {
	t.Helper()
	out.wait(t, "API listening", 20*time.Second)
	c, err := client.Dial(client.Options{Socket: socket})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Ping(callCtx(t)); err != nil {
		t.Fatalf("pmd does not answer on %s: %v", socket, err)
	}
	return c
}

func callCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// dialTCP connects to a loopback TCP listener.
func dialTCP(t testing.TB, addr string) *client.Client {
	t.Helper()
	c, err := client.Dial(client.Options{Address: addr})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// waitActive waits, watching pmd's events, until the unit is active.
func waitActive(t testing.TB, c *client.Client, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	stream, err := c.Watch(ctx, &pmv1.WatchRequest{Patterns: []string{name}, Initial: true})
	if err != nil {
		t.Fatal(err)
	}
	for {
		ev, err := stream.Recv()
		if err != nil {
			t.Fatalf("waiting for %s to be active: %v", name, err)
		}
		if u := ev.GetUnit(); u.GetUnit() == name && u.GetActiveState() == "active" {
			return
		}
	}
}
