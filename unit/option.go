package unit

// Option is one assignment read from a unit file or lowered from YAML:
// "Key=Value" in section [Section]. Both formats produce the same options so
// that one directive table validates both.
type Option struct {
	Section string `json:"section"`
	Key     string `json:"key"`
	Value   string `json:"value"`
	// Pos is where the key starts; for a continued line, the first physical
	// line of the logical line.
	Pos Pos `json:"pos"`
	// ValuePos is where the value starts.
	ValuePos Pos `json:"-"`
	// SectionPos is where the option's section header is, when known.
	SectionPos Pos `json:"-"`
}

// Section names of unit files.
const (
	SectionUnit    = "Unit"
	SectionInstall = "Install"
	SectionService = "Service"
	SectionSocket  = "Socket"
	SectionTimer   = "Timer"
	// SectionHealth holds pm's health probes ([X-Health]), the unit-file
	// spelling of YAML's health_check.
	SectionHealth = "X-Health"
	// SectionResources holds Kubernetes-style requests and limits
	// ([X-Resources]), the unit-file spelling of YAML's resources.
	SectionResources = "X-Resources"
	// SectionPM holds pm's own settings that have no systemd directive
	// ([X-PM]), such as AutoStart= from YAML's auto_start.
	SectionPM = "X-PM"
)
