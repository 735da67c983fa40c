package clinical

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// UCUM conversion for eligibility quantities (The Unified Code for Units of
// Measure, ucum.org, version 2.1), without a terminology server.
//
// How equivalence is decided: a unit is parsed into a factor and a
// dimension, the exponents of the base dimensions length (m), mass (g), time
// (s), amount of substance (mol), temperature (K), plus two that UCUM leaves
// arbitrary and Chartline keeps apart: international units ([iU], [IU]) and
// nucleotide bases. Two units are the same quantity when their dimensions are
// equal; the value converts by the ratio of their factors. UCUM annotations
// ({beats}, {#}, {cells}) mean nothing (they are 1), except the genomic ones
// {base}, {Base}, {bases}, {nucleotide}, which count a base: otherwise every
// count per something would equal every other. So for tumour mutational
// burden `1/1000000{Base}` (one per million bases, mCODE) and `{#}/[Mb]`
// (mutations per megabase, [Mb] = 10⁶ bases) are both 10⁻⁶ per base: the same
// unit. A percentage is dimensionless and never equals a count per base.
// Units Chartline cannot parse are compared as written (annotations and
// blanks ignored), as before.

// dim indexes the base dimensions.
const (
	dimLength = iota
	dimMass
	dimTime
	dimAmount
	dimTemp
	dimIU
	dimBase
	nDims
)

// unitValue is a parsed unit: value in base units = factor × value in this unit.
type unitValue struct {
	factor float64
	dim    [nDims]int
}

func (u unitValue) mul(v unitValue, sign int) unitValue {
	out := u
	if sign > 0 {
		out.factor *= v.factor
	} else {
		out.factor /= v.factor
	}
	for i := range out.dim {
		out.dim[i] += sign * v.dim[i]
	}
	return out
}

func (u unitValue) pow(n int) unitValue {
	out := unitValue{factor: math.Pow(u.factor, float64(n))}
	for i := range out.dim {
		out.dim[i] = u.dim[i] * n
	}
	return out
}

func base(d int) unitValue {
	u := unitValue{factor: 1}
	u.dim[d] = 1
	return u
}

// ucumAtoms are the unit atoms Chartline reads (UCUM tables 1–6, the ones
// clinical results use), in base units.
var ucumAtoms = func() map[string]unitValue {
	m, g, s, mol, k := base(dimLength), base(dimMass), base(dimTime), base(dimAmount), base(dimTemp)
	one := unitValue{factor: 1}
	scaled := func(u unitValue, f float64) unitValue { u.factor *= f; return u }
	liter := scaled(m.pow(3), 1e-3)
	pascal := scaled(g.mul(m, -1).mul(s.pow(2), -1), 1e3) // kg/(m·s²)
	return map[string]unitValue{
		"m": m, "g": g, "s": s, "mol": mol, "K": k,
		"min": scaled(s, 60), "h": scaled(s, 3600), "d": scaled(s, 86400), "wk": scaled(s, 604800),
		"mo": scaled(s, 2629800), "a": scaled(s, 31557600),
		"L": liter, "l": liter,
		"eq":    mol,
		"%":     scaled(one, 0.01),
		"[ppm]": scaled(one, 1e-6), "[ppb]": scaled(one, 1e-9),
		"Pa": pascal, "bar": scaled(pascal, 1e5),
		"m[Hg]": scaled(pascal, 133322.387415), "[mmHg]": scaled(pascal, 133.322387415),
		"[iU]": base(dimIU), "[IU]": base(dimIU),
		"U":    scaled(mol.mul(s, -1), 1e-6/60), // enzyme unit: µmol/min
		"[Mb]": scaled(base(dimBase), 1e6),      // megabase (genomics; not in UCUM's tables)
		"[kb]": scaled(base(dimBase), 1e3),
		"[b]":  base(dimBase),
	}
}()

// ucumPrefixes are UCUM's metric prefixes (table 2).
var ucumPrefixes = map[string]float64{
	"Y": 1e24, "Z": 1e21, "E": 1e18, "P": 1e15, "T": 1e12, "G": 1e9, "M": 1e6, "k": 1e3, "h": 1e2,
	"da": 1e1, "d": 1e-1, "c": 1e-2, "m": 1e-3, "u": 1e-6, "n": 1e-9, "p": 1e-12, "f": 1e-15,
	"a": 1e-18, "z": 1e-21, "y": 1e-24,
}

// genomicAnnotations count a nucleotide base (see the doc above).
var genomicAnnotations = map[string]bool{"base": true, "bases": true, "nucleotide": true, "nucleotides": true, "bp": true}

// parseUCUM parses a UCUM expression: components joined by '.' and '/', each
// an atom with an optional prefix and exponent, a number, "10*n" / "10^n", a
// parenthesised term, or an annotation. Celsius and Fahrenheit are not
// ratio units and do not parse: they are compared as written.
func parseUCUM(s string) (unitValue, bool) {
	p := &ucumParser{s: strings.TrimSpace(s)}
	if p.s == "" {
		return unitValue{factor: 1}, true
	}
	u, ok := p.term()
	return u, ok && p.i == len(p.s)
}

type ucumParser struct {
	s string
	i int
}

func (p *ucumParser) term() (unitValue, bool) {
	u := unitValue{factor: 1}
	sign := 1
	if p.i < len(p.s) && p.s[p.i] == '/' {
		sign = -1
		p.i++
	}
	for {
		c, ok := p.component()
		if !ok {
			return u, false
		}
		u = u.mul(c, sign)
		if p.i >= len(p.s) || (p.s[p.i] != '.' && p.s[p.i] != '/') {
			return u, true
		}
		if p.s[p.i] == '/' {
			sign = -1
		} else {
			sign = 1
		}
		p.i++
	}
}

func (p *ucumParser) component() (unitValue, bool) {
	if p.i >= len(p.s) {
		return unitValue{}, false
	}
	var u unitValue
	switch c := p.s[p.i]; {
	case c == '(':
		p.i++
		t, ok := p.term()
		if !ok || p.i >= len(p.s) || p.s[p.i] != ')' {
			return u, false
		}
		p.i++
		u = t
	case c == '{':
		u = unitValue{factor: 1}
	case c >= '0' && c <= '9':
		j := p.i
		for j < len(p.s) && p.s[j] >= '0' && p.s[j] <= '9' {
			j++
		}
		n, err := strconv.ParseFloat(p.s[p.i:j], 64)
		if err != nil {
			return u, false
		}
		if j+1 < len(p.s) && p.s[p.i:j] == "10" && (p.s[j] == '*' || p.s[j] == '^') {
			p.i = j + 1
			e, ok := p.exponent()
			if !ok {
				return u, false
			}
			u = unitValue{factor: math.Pow(10, float64(e))}
		} else {
			p.i = j
			u = unitValue{factor: n}
		}
	default:
		j := p.i
		for j < len(p.s) && !strings.ContainsRune("./(){}", rune(p.s[j])) && !(p.s[j] >= '0' && p.s[j] <= '9') && p.s[j] != '+' && p.s[j] != '-' {
			if p.s[j] == '[' {
				k := strings.IndexByte(p.s[j:], ']')
				if k < 0 {
					return u, false
				}
				j += k
			}
			j++
		}
		atom, ok := lookupAtom(p.s[p.i:j])
		if !ok {
			return u, false
		}
		p.i = j
		u = atom
		if p.i < len(p.s) && (p.s[p.i] == '-' || p.s[p.i] == '+' || (p.s[p.i] >= '0' && p.s[p.i] <= '9')) {
			e, ok := p.exponent()
			if !ok {
				return u, false
			}
			u = u.pow(e)
		}
	}
	// an annotation after the component ("10*3{cells}", "{Base}")
	if p.i < len(p.s) && p.s[p.i] == '{' {
		k := strings.IndexByte(p.s[p.i:], '}')
		if k < 0 {
			return u, false
		}
		if genomicAnnotations[strings.ToLower(p.s[p.i+1:p.i+k])] {
			u = u.mul(base(dimBase), 1)
		}
		p.i += k + 1
	}
	return u, true
}

func (p *ucumParser) exponent() (int, bool) {
	j := p.i
	if j < len(p.s) && (p.s[j] == '-' || p.s[j] == '+') {
		j++
	}
	k := j
	for k < len(p.s) && p.s[k] >= '0' && p.s[k] <= '9' {
		k++
	}
	if k == j {
		return 0, false
	}
	e, err := strconv.Atoi(p.s[p.i:k])
	p.i = k
	return e, err == nil
}

// lookupAtom reads an atom, with a metric prefix when the whole is not an atom.
func lookupAtom(s string) (unitValue, bool) {
	if u, ok := ucumAtoms[s]; ok {
		return u, true
	}
	for _, n := range []int{2, 1} {
		if len(s) > n {
			if f, ok := ucumPrefixes[s[:n]]; ok {
				if u, ok := ucumAtoms[s[n:]]; ok && s[n:] != "%" {
					u.factor *= f
					return u, true
				}
			}
		}
	}
	return unitValue{}, false
}

// convertUnit converts v from unit from to unit to. ok is false when the
// units are not the same quantity; why says so in words.
func convertUnit(v float64, from, to string) (out float64, ok bool, why string) {
	if ucumBase(from) == ucumBase(to) {
		return v, true, ""
	}
	a, okA := parseUCUM(from)
	b, okB := parseUCUM(to)
	switch {
	case !okA || !okB:
		return 0, false, fmt.Sprintf("unit %q is not %q", from, to)
	case a.dim != b.dim:
		return 0, false, fmt.Sprintf("unit %q is not commensurable with %q", from, to)
	}
	return v * (a.factor / b.factor), true, ""
}
