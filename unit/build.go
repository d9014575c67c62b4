package unit

// File is one source of options for a unit: its fragment, a drop-in, or the
// part of a YAML file that describes it.
type File struct {
	Path    string
	Options []Option
	// DropIn is true for drop-ins (recorded in Unit.DropInPaths).
	DropIn bool
}

// Build makes a unit named name from its files, fragment first and then
// drop-ins in the order they apply. Specifiers are expanded with host (nil
// means an empty Host). The unit's LoadState is "loaded", or "bad-setting"
// when a problem makes it unusable.
func Build(name string, files []File, host *Host) (*Unit, Diagnostics) {
	return nil, nil
}
