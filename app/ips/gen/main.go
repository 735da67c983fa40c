// Command gen derives app/ips/profiles.json, the cardinality table the IPS
// checker reads, from the HL7 International Patient Summary implementation
// guide's package (hl7.fhir.uv.ips, version in ipsVersion) as published on
// the npm registry. It is run by `go generate ./app/ips`; the package itself
// is never committed.
//
// The package is read from -package DIR (an unpacked package/ folder, or a
// folder holding the .tgz); without it, gen runs `npm pack
// hl7.fhir.uv.ips@VERSION` into the user cache dir
// (~/.cache/chartline/ips) once and reads it from there.
//
// From each StructureDefinition it keeps, in its snapshot, the elements that
// constrain what an instance must hold: min > 0, max 0, or a max below the
// base resource's. Sliced elements are kept only where the checker knows the
// discriminator (Composition.section by section code, Bundle.entry by the
// profile of its resource); their pattern code is kept with them.
package main

import (
	"archive/tar"
	"compress/gzip"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

const (
	ipsPackage = "hl7.fhir.uv.ips"
	ipsVersion = "2.0.0"
)

// profiles are the StructureDefinitions (file names in the package) whose
// tables the checker needs: the document, and every resource profile an
// exported entry may be checked against.
var profiles = []string{
	"Bundle-uv-ips", "Composition-uv-ips", "Patient-uv-ips", "AllergyIntolerance-uv-ips",
	"Condition-uv-ips", "MedicationStatement-uv-ips", "MedicationRequest-uv-ips", "Medication-uv-ips",
	"Immunization-uv-ips", "Observation-results-laboratory-pathology-uv-ips", "Procedure-uv-ips",
	"Device-uv-ips", "Practitioner-uv-ips", "PractitionerRole-uv-ips", "Organization-uv-ips",
	"DiagnosticReport-uv-ips", "Specimen-uv-ips",
}

// Table is the generated file.
type Table struct {
	Source   string             `json:"source"`
	Profiles map[string]Profile `json:"profiles"`
}

// Profile is one StructureDefinition's constraints.
type Profile struct {
	URL      string    `json:"url"`
	Type     string    `json:"type"`
	Elements []Element `json:"elements"`
}

// Element is one constrained element of a snapshot.
type Element struct {
	ID  string `json:"id"`
	Min int    `json:"min"`
	Max string `json:"max"`
	// Code is the pattern or fixed code of a slice (a section's LOINC code)
	// or of a code element (Bundle.type "document").
	Code string `json:"code,omitempty"`
	// Profile is the profile a sliced Bundle entry's resource must meet.
	Profile string `json:"profile,omitempty"`
}

type sdElement struct {
	ID   string `json:"id"`
	Path string `json:"path"`
	Min  int    `json:"min"`
	Max  string `json:"max"`
	Base struct {
		Max string `json:"max"`
	} `json:"base"`
	SliceName string `json:"sliceName"`
	FixedCode string `json:"fixedCode"`
	Pattern   *struct {
		Coding []struct {
			Code string `json:"code"`
		} `json:"coding"`
	} `json:"patternCodeableConcept"`
	Type []struct {
		Code    string   `json:"code"`
		Profile []string `json:"profile"`
	} `json:"type"`
}

type structureDefinition struct {
	URL      string `json:"url"`
	Type     string `json:"type"`
	Snapshot struct {
		Element []sdElement `json:"element"`
	} `json:"snapshot"`
}

func main() {
	dir := flag.String("package", "", "unpacked hl7.fhir.uv.ips package folder (default: npm pack into the user cache dir)")
	out := flag.String("o", "profiles.json", "output file")
	flag.Parse()
	if err := run(*dir, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(dir, out string) error {
	if dir == "" {
		var err error
		if dir, err = fetch(); err != nil {
			return err
		}
	}
	t := Table{Source: ipsPackage + "@" + ipsVersion + " (npm), snapshot elements with min>0, max 0 or max below base", Profiles: map[string]Profile{}}
	for _, name := range profiles {
		raw, err := os.ReadFile(filepath.Join(dir, "StructureDefinition-"+name+".json"))
		if err != nil {
			return err
		}
		var sd structureDefinition
		if err := json.Unmarshal(raw, &sd); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		t.Profiles[sd.URL] = Profile{URL: sd.URL, Type: sd.Type, Elements: keep(sd)}
	}
	b, err := json.MarshalIndent(t, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(out, append(b, '\n'), 0o644)
}

// keep picks the constraining elements of a snapshot.
func keep(sd structureDefinition) []Element {
	var out []Element
	for _, e := range sd.Snapshot.Element {
		if !strings.Contains(e.ID, ".") {
			continue // the resource itself
		}
		if strings.Contains(e.ID, ":") && !knownSlice(e.ID) {
			continue
		}
		el := Element{ID: e.ID, Min: e.Min, Max: e.Max, Code: e.FixedCode}
		if e.Pattern != nil && len(e.Pattern.Coding) > 0 {
			el.Code = e.Pattern.Coding[0].Code
		}
		if strings.HasPrefix(e.ID, "Bundle.entry:") && strings.HasSuffix(e.ID, ".resource") {
			for _, ty := range e.Type {
				if len(ty.Profile) > 0 {
					el.Profile = strings.SplitN(ty.Profile[0], "|", 2)[0]
				}
			}
		}
		constrains := e.Min > 0 || e.Max == "0" || (e.Max != e.Base.Max && e.Base.Max == "*") || el.Profile != "" || e.SliceName != ""
		if !constrains {
			continue
		}
		out = append(out, el)
	}
	return out
}

// knownSlice reports whether the checker can tell which instance items an
// element id's slices select: sections by code, Bundle entries by profile.
// Slices below those (a section's entry slices by profile) are not kept.
func knownSlice(id string) bool {
	parts := strings.Split(id, ".")
	sliced := 0
	for _, p := range parts {
		if strings.Contains(p, ":") {
			sliced++
		}
	}
	if sliced != 1 {
		return false
	}
	return strings.HasPrefix(id, "Composition.section:") || strings.HasPrefix(id, "Bundle.entry:")
}

// fetch returns the unpacked package folder in the user cache dir, running
// npm pack the first time.
func fetch() (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(cache, "chartline", "ips", ipsVersion)
	pkg := filepath.Join(dir, "package")
	if _, err := os.Stat(filepath.Join(pkg, "package.json")); err == nil {
		return pkg, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	cmd := exec.Command("npm", "pack", ipsPackage+"@"+ipsVersion)
	cmd.Dir, cmd.Stderr = dir, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("npm pack %s@%s: %w", ipsPackage, ipsVersion, err)
	}
	return pkg, untar(filepath.Join(dir, ipsPackage+"-"+ipsVersion+".tgz"), dir)
}

func untar(tgz, dir string) error {
	f, err := os.Open(tgz)
	if err != nil {
		return err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return err
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		name := filepath.Clean(h.Name)
		if h.Typeflag != tar.TypeReg || strings.HasPrefix(name, "..") || filepath.IsAbs(name) {
			continue
		}
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		b, err := io.ReadAll(io.LimitReader(tr, 64<<20))
		if err != nil {
			return err
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			return err
		}
	}
}
