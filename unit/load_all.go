package unit

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// LoadAll loads every unit found on the search path and in the config
// dirs: each name of a unit file or symlink (but templates, which need an
// instance) and each YAML unit. Every unit is loaded once; its aliases map
// to the same *Unit. Names that lead to no unit file (dangling symlinks,
// alias loops) are left out of the set; the diagnostics say why.
//
// The units are read and built in parallel; the result and the order of
// the diagnostics do not depend on it.
func (l *Loader) LoadAll() (*Set, Diagnostics) {
	x, diags := l.Scan()
	set := &Set{Units: map[string]*Unit{}, Index: x, host: l.Host}

	// Find every unit's files, one name after the other, so that each
	// unit is claimed by the first of its names.
	type job struct {
		src   *Sources
		diags Diagnostics
		u     *Unit
		built Diagnostics
	}
	type entry struct {
		name  string
		j     *job
		owner bool
	}
	var (
		jobs    []*job
		entries []entry
	)
	claimed := map[string]*job{}
	for _, n := range x.Names() {
		if pn, err := ParseName(n); err != nil || pn.IsTemplate() {
			continue
		}
		s, d := x.sources(n, false)
		if s == nil {
			diags = append(diags, d...)
			continue
		}
		if j, ok := claimed[s.Name]; ok && !s.NotFound {
			entries = append(entries, entry{name: n, j: j})
			continue
		}
		j := &job{src: s, diags: d}
		claimed[s.Name] = j
		jobs = append(jobs, j)
		entries = append(entries, entry{name: n, j: j, owner: true})
	}

	// Read, parse and build in parallel: the Index is safe for it, and
	// Build is a pure function.
	var (
		next atomic.Int64
		wg   sync.WaitGroup
	)
	for range min(runtime.GOMAXPROCS(0), len(jobs)) {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(jobs) {
					return
				}
				j := jobs[i]
				j.u, j.built = j.src.build(l.Host, false)
			}
		})
	}
	wg.Wait()

	// Record the units and their diagnostics in name order. Problems of a
	// drop-in are reported once, with the first unit that uses it.
	reported := map[string]bool{}
	for _, e := range entries {
		if _, ok := set.Units[e.name]; ok {
			continue
		}
		j := e.j
		if e.owner {
			diags = append(diags, j.diags...)
			for _, p := range j.src.DropIns {
				if reported[p] {
					continue
				}
				reported[p] = true
				for _, d := range x.dropInCache[p].diags {
					d.Unit = j.src.Name
					diags = append(diags, d)
				}
			}
			diags = append(diags, j.built...)
		}
		if j.u != nil && j.u.LoadState != LoadNotFound {
			set.add(e.name, j.u)
		}
	}
	return set, diags
}
