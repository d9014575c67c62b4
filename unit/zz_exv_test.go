package unit

import (
	"os"
	"path/filepath"
	"testing"
)

func TestZZExportExamples(t *testing.T) {
	for name, data := range exampleFiles(t) {
		out, diags := YAMLToINI(name, data)
		if len(diags) > 0 {
			t.Fatal(diags)
		}
		for _, c := range out {
			os.WriteFile(filepath.Join("/tmp/exv", c.Name), c.Data, 0o644)
		}
	}
}
