package unit

import "go.yaml.in/yaml/v3"

// friendlyForm writes one of pm's own sections in the form YAML users
// write it: [X-Health] as health_check:, [X-Resources] as resources:,
// [X-PM] AutoStart= as auto_start:. It returns the key and value nodes,
// or nil when that form would not lower back to exactly the same options
// (a repeated key, a value the friendly form normalises, a key it lacks);
// the section is then written in the full spelling (x-health: …).
func friendlyForm(sec string, opts []Option) []*yaml.Node {
	var pairs []*yaml.Node
	switch sec {
	case SectionPM:
		pairs = autoStartForm(opts)
	case SectionHealth:
		pairs = healthForm(opts)
	case SectionResources:
		pairs = resourcesForm(opts)
	}
	if pairs == nil || !lowersTo(pairs, opts) {
		return nil
	}
	return pairs
}

// lowersTo reports whether a body of the given key and value nodes lowers
// to exactly want, without a diagnostic.
func lowersTo(pairs []*yaml.Node, want []Option) bool {
	l := &yamlLowerer{file: "<output>"}
	body := &yaml.Node{Kind: yaml.MappingNode, Content: pairs}
	got := l.lowerBody(l.mapEntries(body, 0, nil))
	if len(l.diags) > 0 {
		return false
	}
	_, ok := sameOptions(want, got)
	return ok
}

func autoStartForm(opts []Option) []*yaml.Node {
	if len(opts) != 1 || opts[0].Key != "AutoStart" {
		return nil
	}
	v := valueNode(opts[0].Value)
	switch opts[0].Value {
	case "yes":
		v = boolNode(true)
	case "no":
		v = boolNode(false)
	}
	return []*yaml.Node{keyNode("auto_start"), v}
}

// healthSeedKeys map [X-Health] directives to the keys of health_check:.
var healthSeedKeys = map[string]string{
	"HTTPGet":      "http",
	"TCPSocket":    "tcp",
	"Exec":         "exec",
	"IntervalSec":  "interval",
	"TimeoutSec":   "timeout",
	"Retries":      "retries",
	"RestartAfter": "restart_after",
}

func healthForm(opts []Option) []*yaml.Node {
	if !runsUnique(opts) {
		return nil
	}
	m := &yaml.Node{Kind: yaml.MappingNode}
	for i := 0; i < len(opts); {
		j := i + 1
		for j < len(opts) && opts[j].Key == opts[i].Key {
			j++
		}
		key, ok := healthSeedKeys[opts[i].Key]
		if !ok {
			return nil
		}
		m.Content = append(m.Content, keyNode(key), valuesNode(opts[i:j]))
		i = j
	}
	return []*yaml.Node{keyNode("health_check"), m}
}

func resourcesForm(opts []Option) []*yaml.Node {
	root := &yaml.Node{Kind: yaml.MappingNode}
	groups := map[string]*yaml.Node{}
	seen := map[string]bool{}
	for _, o := range opts {
		group, sub := splitResourceKey(o.Key)
		if group == "" || seen[o.Key] {
			return nil
		}
		seen[o.Key] = true
		g := groups[group]
		if g == nil {
			g = &yaml.Node{Kind: yaml.MappingNode}
			groups[group] = g
			root.Content = append(root.Content, keyNode(group), g)
		}
		g.Content = append(g.Content, keyNode(sub), valueNode(o.Value))
	}
	return []*yaml.Node{keyNode("resources"), root}
}

// splitResourceKey splits an [X-Resources] directive into the keys of
// resources: ("LimitsCPU" is limits, cpu).
func splitResourceKey(key string) (group, sub string) {
	for g, keys := range resourceKeys {
		for s, k := range keys {
			if k == key {
				return g, s
			}
		}
	}
	return "", ""
}
