package reliability

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"

	"github.com/chartline/chartline/app/config"
	"github.com/chartline/chartline/app/demo"
	"github.com/chartline/chartline/app/kafka"
	"github.com/chartline/chartline/app/testenv"
)

// phi is one identifying value of a fixture patient and what it is.
type phi struct {
	what, value string
}

// fixturePHI reads every fixture Patient resource and returns its
// identifying values: id, MRN (every identifier), family and given names and
// the name text, birth date, telephone numbers and address lines.
func fixturePHI(t *testing.T) (patients int, out []phi) {
	t.Helper()
	fixtureOnce.Do(func() { fixturePatients, fixtureValues, fixtureErr = readFixturePHI() })
	if fixtureErr != nil {
		t.Fatal(fixtureErr)
	}
	return fixturePatients, fixtureValues
}

// The fixtures are read once for every test that needs them.
var (
	fixtureOnce     sync.Once
	fixturePatients int
	fixtureValues   []phi
	fixtureErr      error
)

func readFixturePHI() (patients int, out []phi, err error) {
	files, err := demo.FixtureFiles()
	if err != nil {
		return 0, nil, err
	}
	seen := map[string]bool{}
	add := func(what, v string) {
		if v != "" && !seen[v] {
			seen[v] = true
			out = append(out, phi{what, v})
		}
	}
	for _, f := range files {
		var b struct {
			Entry []struct {
				Resource json.RawMessage `json:"resource"`
			} `json:"entry"`
		}
		if err := json.Unmarshal(f.JSON, &b); err != nil {
			return 0, nil, fmt.Errorf("fixture %s: %w", f.Name, err)
		}
		for _, e := range b.Entry {
			var p struct {
				ResourceType string `json:"resourceType"`
				ID           string `json:"id"`
				Identifier   []struct {
					Value string `json:"value"`
				} `json:"identifier"`
				Name []struct {
					Text   string   `json:"text"`
					Family string   `json:"family"`
					Given  []string `json:"given"`
				} `json:"name"`
				BirthDate string `json:"birthDate"`
				Telecom   []struct {
					Value string `json:"value"`
				} `json:"telecom"`
				Address []struct {
					Line []string `json:"line"`
				} `json:"address"`
			}
			if json.Unmarshal(e.Resource, &p) != nil || p.ResourceType != "Patient" {
				continue
			}
			patients++
			add("patient id", p.ID)
			add("birth date", p.BirthDate)
			for _, id := range p.Identifier {
				add("MRN", id.Value)
			}
			for _, n := range p.Name {
				add("name", n.Text)
				add("family name", n.Family)
				for _, g := range n.Given {
					add("given name", g)
				}
			}
			for _, tc := range p.Telecom {
				add("telephone", tc.Value)
			}
			for _, a := range p.Address {
				for _, l := range a.Line {
					add("address", l)
				}
			}
		}
	}
	for _, p := range demo.Patients() {
		add("patient id", p.ID)
		add("MRN", p.MRN)
		add("name", p.Name)
	}
	return patients, out, nil
}

// minBinaryNeedle is the shortest value searched for in binary data: a
// shorter one would turn up by chance in megabytes of ciphertext (a 4-byte
// string does in about one 40 MB file in 100), a 5-byte one in one in 25,000.
const minBinaryNeedle = 5

// wordIn reports whether v occurs in text as a whole word (not inside a
// longer run of letters or digits).
func wordIn(text, v string) bool {
	for i := 0; ; {
		j := strings.Index(text[i:], v)
		if j < 0 {
			return false
		}
		at := i + j
		before, _ := utf8.DecodeLastRuneInString(text[:at])
		after, _ := utf8.DecodeRuneInString(text[at+len(v):])
		isWord := func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }
		if (at == 0 || !isWord(before)) && (at+len(v) == len(text) || !isWord(after)) {
			return true
		}
		i = at + 1
	}
}

// TestNothingIdentifyingLeaks publishes the demo fixtures (all 25 synthetic
// patients) and runs `chartline ingest -v` in a child process that creates
// the store itself, with the passphrase in a file. Then: no fixture
// patient's id, MRN, name, birth date, telephone or address is in the store
// file's bytes, in any bucket name or key (every bucket walked), in the
// ingest log, or in the broker's debug-level log; the file is mode 0600; the
// passphrase is in neither the logs, the settings file, nor the child's
// command line or environment.
func TestNothingIdentifyingLeaks(t *testing.T) {
	t.Parallel()
	var brokerLog syncBuffer
	e := testenv.New(t, kafka.BrokerOptions{CompactEvery: -1,
		Logger: slog.New(slog.NewTextHandler(&brokerLog, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	counts, err := demo.LoadFixtures(ctx, e.Pub, e.Topics)
	if err != nil {
		t.Fatal(err)
	}
	patients, needles := fixturePHI(t)
	if patients != 25 || len(demo.Patients()) != 25 {
		t.Fatalf("%d fixture Patient resources, %d listed: want the 25 fixture patients", patients, len(demo.Patients()))
	}

	home := t.TempDir()
	passphrase := "pass-" + strings.Repeat("phrase-", 3) + "0xC0FFEE"
	passFile := filepath.Join(home, "passphrase")
	os.WriteFile(passFile, []byte(passphrase+"\n"), 0o600)
	settings := filepath.Join(home, "settings.json")
	db := filepath.Join(home, "profile", "chartline.db")
	logs := ingestWithPassphraseFile(t, e, home, settings, db, passFile, passphrase, counts.Records)

	fi, err := os.Stat(db)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("store file mode %v, want 0600", fi.Mode().Perm())
	}
	file, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}

	keys, words := storeKeys(t, db)
	t.Logf("store file %d bytes, %d bucket names and keys; the readable ones are fixed words: %v", len(file), len(keys), words)

	leaks := searchPHI(t, needles, file, keys, logs, &brokerLog)
	for _, w := range words {
		for _, n := range needles {
			if strings.EqualFold(w, n.value) {
				t.Errorf("a readable key %q is a fixture %s", w, n.what)
			}
		}
	}
	for where, text := range map[string]string{"ingest log": logs, "broker log": brokerLog.String()} {
		if strings.Contains(text, passphrase) {
			t.Errorf("the passphrase is in the %s", where)
		}
	}
	if bytes.Contains(file, []byte(passphrase)) {
		t.Error("the passphrase is in the store file")
	}
	if b, err := os.ReadFile(settings); err == nil && bytes.Contains(b, []byte(passphrase)) {
		t.Error("the passphrase is in the settings file")
	}
	t.Logf("%d identifying values of %d patients searched for (%d of them in the binary file, the rest are under %d bytes); %d found; ingest log %d bytes, broker debug log %d bytes",
		len(needles), patients, countLong(needles), minBinaryNeedle, leaks, len(logs), brokerLog.b.Len())

	checkSavedSettings(t, home, passphrase)
}

// ingestWithPassphraseFile runs `chartline ingest -v` in a child process in
// home that creates the store at db with the passphrase in passFile, checks the
// passphrase is not in the child's command line or environment and that it
// ingested all records with info lines in its log, and returns that log.
func ingestWithPassphraseFile(t *testing.T, e *testenv.Env, home, settings, db, passFile, passphrase string, records int) string {
	t.Helper()
	p := start(t, "cli", childEnv(home), "ingest", "-brokers", e.Broker.Addr(), "-settings", settings,
		"-db", db, "-passphrase-file", passFile, "-until-caught-up", "-v")
	// The passphrase is not in the process's arguments or environment, which
	// other users (arguments) or tools (environment) can read.
	for _, f := range []string{"cmdline", "environ"} {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/%s", p.cmd.Process.Pid, f))
		if err != nil {
			t.Fatalf("read the child's %s: %v", f, err)
		}
		if bytes.Contains(b, []byte(passphrase)) {
			t.Errorf("the passphrase is in the child's /proc/<pid>/%s", f)
		}
		if f == "cmdline" && !bytes.Contains(b, []byte("-passphrase-file")) {
			t.Fatalf("read the wrong process's cmdline: %q", b)
		}
	}
	if code := p.wait(3 * time.Minute); code != 0 {
		t.Fatalf("ingest exit %d:\n%s", code, tail(p.err.String(), 20))
	}
	logs := p.err.String() + p.out.String()
	if !strings.Contains(logs, fmt.Sprintf("ingested %d records", records)) {
		t.Fatalf("ingest did not take every fixture record (%d):\n%s", records, tail(logs, 3))
	}
	if !strings.Contains(logs, "level=INFO") {
		t.Fatalf("the -v log has no info lines: the leak check would prove nothing:\n%s", tail(logs, 5))
	}
	return logs
}

// storeKeys returns every bucket name and key in the store file at db, and
// those that are readable words (the plaintext meta values).
func storeKeys(t *testing.T, db string) (keys [][]byte, words []string) {
	t.Helper()
	plainWords := regexp.MustCompile(`^[a-z]{1,12}$`)
	bdb, err := bolt.Open(db, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	var walk func(b *bolt.Bucket) error
	walk = func(b *bolt.Bucket) error {
		return b.ForEach(func(k, v []byte) error {
			keys = append(keys, bytes.Clone(k)) // k lives in the memory map
			if v == nil {
				return walk(b.Bucket(k))
			}
			return nil
		})
	}
	err = bdb.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			keys = append(keys, bytes.Clone(name))
			return walk(b)
		})
	})
	bdb.Close()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if utf8.Valid(k) && plainWords.Match(k) && !slices.Contains(words, string(k)) {
			words = append(words, string(k))
		}
	}
	return keys, words
}

// searchPHI looks for each identifying value in the store file's bytes, its
// bucket names and keys, the ingest log and the broker's log, and returns
// how many it found.
func searchPHI(t *testing.T, needles []phi, file []byte, keys [][]byte, logs string, brokerLog *syncBuffer) (leaks int) {
	t.Helper()
	for _, n := range needles {
		v := []byte(n.value)
		if len(v) >= minBinaryNeedle && bytes.Contains(file, v) {
			t.Errorf("a fixture %s is in the store file's bytes", n.what)
			leaks++
		}
		for _, k := range keys {
			// Keys are mostly HMACs: 1.6 MB of random bytes, in which a
			// 3-byte name turns up by chance about one run in ten. Shorter
			// values must not be a key; longer ones not inside one.
			if len(v) >= minBinaryNeedle && bytes.Contains(k, v) || bytes.Equal(k, v) {
				t.Errorf("a fixture %s is in a bbolt key or bucket name", n.what)
				leaks++
				break
			}
		}
		if wordIn(logs, n.value) {
			t.Errorf("a fixture %s is in the ingest log", n.what)
			leaks++
		}
		if wordIn(brokerLog.String(), n.value) {
			t.Errorf("a fixture %s is in the broker's debug log", n.what)
			leaks++
		}
	}
	return leaks
}

// checkSavedSettings checks the settings the desktop app saves hold no
// secret either, and are mode 0600.
func checkSavedSettings(t *testing.T, home, passphrase string) {
	t.Helper()
	cfg := config.Default()
	cfg.Conn.SASL = kafka.SASL{Mechanism: kafka.MechanismSHA512, User: "ward", Password: "sasl-" + passphrase}
	saved := filepath.Join(home, "saved.json")
	if err := cfg.Save(saved); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(saved)
	if bytes.Contains(b, []byte(passphrase)) {
		t.Error("a saved settings file holds the SASL password")
	}
	if fi, _ := os.Stat(saved); fi.Mode().Perm() != 0o600 {
		t.Errorf("saved settings mode %v, want 0600", fi.Mode().Perm())
	}
}

func countLong(ns []phi) int {
	n := 0
	for _, x := range ns {
		if len(x.value) >= minBinaryNeedle {
			n++
		}
	}
	return n
}

// TestPanicOutputCarriesNoData proves what panic output can hold. Go's
// traceback prints arguments as machine words (a string is a pointer and a
// length), never what they point at, so a runtime error while patient data
// is in hand prints none of it: a child panics with every fixture patient's
// identifying values in its arguments and locals. The only other way data
// reaches panic output is a panic value that formats it; every panic call in
// app/ and store/ is listed below with why it carries no patient data, and a
// new one fails this test until it is reviewed and listed.
func TestPanicOutputCarriesNoData(t *testing.T) {
	t.Parallel()
	_, needles := fixturePHI(t)
	var args []string
	for _, n := range needles {
		args = append(args, n.value)
	}
	p := start(t, "panic", childEnv(t.TempDir()), args...)
	if code := p.wait(30 * time.Second); code != 2 {
		t.Fatalf("panicking child exit %d, want 2:\n%s", code, p.err.String())
	}
	out := p.err.String() + p.out.String()
	if !strings.Contains(out, "panic: runtime error: index out of range") || !strings.Contains(out, "crashHolding") {
		t.Fatalf("no runtime panic with a traceback in the output:\n%s", out)
	}
	for _, n := range needles {
		if len(n.value) >= 3 && wordIn(out, n.value) {
			t.Errorf("a fixture %s is in the panic output", n.what)
		}
	}

	// Every panic call site in the product's non-test code.
	reviewed := map[string]string{
		"app/clinical/fhir.go":       "marshalling the package's own types fails only on a programming error; the message names the type (%T) and json's error, which names types and NaN/Inf, not values",
		"app/record/schema.go":       "builds the schema from the R4 model types at start-up; names Go types and fields",
		"app/demo/population.go":     "the demo generator's own constant birth dates (synthetic, in the source)",
		"app/demo/json.go":           "the demo generator's own object builder; names Go types",
		"store/seal.go":              "the embedded compression dictionary fails to load; no data",
		"app/engine/export_audit.go": "marshalling the export AuditEvent's own structs (strings only) fails only on a programming error; json's error names types, not values",
	}
	found := map[string]int{}
	eachSourceFile(t, func(path, rel string) {
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		if err != nil {
			t.Fatalf("parse %s: %v", path, err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if c, ok := n.(*ast.CallExpr); ok {
				if id, ok := c.Fun.(*ast.Ident); ok && id.Name == "panic" {
					found[rel]++
				}
			}
			return true
		})
	})
	for file, n := range found {
		if _, ok := reviewed[file]; !ok {
			t.Errorf("%s has %d panic call(s) not reviewed for patient data in their message: review and list them here", file, n)
		}
	}
	t.Logf("panic sites in app/ and store/: %v", found)
}

// TestNoDebugLogsOutsideReviewedPlaces finds every debug-level log call in
// app/ and store/: the ingest log checked above runs at info (-v), so a
// debug call elsewhere would escape that check. The reviewed ones: the
// embedded broker's kfake adapter (checked at debug level above, patient
// topics redacted) and the demo simulator's fixed phrases.
func TestNoDebugLogsOutsideReviewedPlaces(t *testing.T) {
	t.Parallel()
	reviewed := map[string]bool{"app/kafka/broker.go": true, "app/demo/simulate.go": true}
	debug := regexp.MustCompile(`\.(Debug|DebugContext)\(|LevelDebug`)
	eachSourceFile(t, func(path, rel string) {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if debug.Match(b) && !reviewed[rel] {
			t.Errorf("%s logs at debug level: check it logs no patient data and list it here", rel)
		}
	})
}

// eachSourceFile calls fn with every non-test Go file of app/ and store/
// (testdata and zexp left out), its path and its slash-separated path from
// the repository root.
func eachSourceFile(t *testing.T, fn func(path, rel string)) {
	t.Helper()
	root := filepath.Join("..", "..")
	for _, dir := range []string{"app", "store"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && (d.Name() == "testdata" || d.Name() == "zexp") {
				return filepath.SkipDir
			}
			if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			rel, _ := filepath.Rel(root, path)
			fn(path, filepath.ToSlash(rel))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
