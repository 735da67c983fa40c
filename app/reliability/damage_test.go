package reliability

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/chartline/chartline/app/cli"
	"github.com/chartline/chartline/app/kafka"
	"github.com/chartline/chartline/app/testenv"
	"github.com/chartline/chartline/store"
)

// runCLI runs a chartline verb in process and returns its exit status and
// stderr. Verbs that open a store get the test passphrase from a file (the
// environment is shared by tests running in parallel).
func runCLI(t *testing.T, args ...string) (int, string) {
	t.Helper()
	if len(args) > 0 && (args[0] == "ingest" || args[0] == "inspect") {
		pf := filepath.Join(t.TempDir(), "passphrase")
		if err := os.WriteFile(pf, testenv.Passphrase, 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, "-passphrase-file", pf)
	}
	var out, errs bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	code := cli.Run(ctx, args, cli.IO{Out: &out, Err: &errs})
	return code, errs.String()
}

func fileSum(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// TestStoreDamageThroughCLI damages a store file every way a workstation
// might and runs `chartline inspect` and `chartline ingest` on it: each says
// so in one clear line on stderr, exits 1, and leaves the file byte for byte
// as it was. A locked store (ingest running in another process) is refused
// the same way while the first instance goes on.
func TestStoreDamageThroughCLI(t *testing.T) {
	t.Parallel()
	d := newDamageRig(t)
	for _, c := range d.cases() {
		t.Run(c.name, func(t *testing.T) { d.damagedFile(t, c) })
	}
	t.Run("a data page garbled", d.dataPageGarbled)
	t.Run("locked by a running ingest", d.lockedByIngest)
}

// damageRig is a good store file ingested from a broker, which each case of
// TestStoreDamageThroughCLI copies and damages.
type damageRig struct {
	e        *testenv.Env
	w        *workload
	settings string
	img      []byte // the good store file
	used     int64  // the bytes of it in use
	pageSize int
	rng      *rand.Rand
}

// newDamageRig ingests a workload into a new store and keeps its file image.
func newDamageRig(t *testing.T) *damageRig {
	t.Helper()
	e := testenv.New(t, kafka.BrokerOptions{CompactEvery: -1})
	w := newWorkload(20261128, 300, 3)
	produce(t, e.Prod, w.wave(300))
	dir := t.TempDir()
	settings := filepath.Join(dir, "settings.json")
	good := filepath.Join(dir, "good.db")
	createStore(t, good)
	if code, errs := runCLI(t, "ingest", "-brokers", e.Broker.Addr(), "-settings", settings, "-db", good, "-until-caught-up"); code != 0 {
		t.Fatalf("ingest: %s", errs)
	}
	img, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	var used int64
	{
		s := openStore(t, good, false)
		used = s.Size()
		s.Close()
	}
	return &damageRig{e: e, w: w, settings: settings, img: img, used: used,
		pageSize: os.Getpagesize(), rng: rand.New(rand.NewPCG(20261128, 5))}
}

// garbage returns n random bytes.
func (d *damageRig) garbage(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(d.rng.Uint32())
	}
	return b
}

// overwrite returns a copy of the good file with the bytes at at replaced.
func (d *damageRig) overwrite(at int, with []byte) []byte {
	out := append([]byte{}, d.img...)
	copy(out[at:], with)
	return out
}

// newerFormat marks the store at path as written by a newer Chartline.
func newerFormat(t *testing.T, path string) {
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte("meta")).Put([]byte("format"), binary.BigEndian.AppendUint32(nil, store.FormatVersion+1))
	})
	if err != nil {
		t.Fatal(err)
	}
}

// damageCase is a damaged store file and what the verbs must say of it.
type damageCase struct {
	name    string
	content []byte                       // the damaged file
	edit    func(t *testing.T, p string) // or an edit of a good copy
	says    string
}

// cases are the damaged files, built from the good one.
func (d *damageRig) cases() []damageCase {
	img, used, pageSize := d.img, d.used, d.pageSize
	return []damageCase{
		{name: "empty file", content: []byte{}, says: "store file is damaged or not a Chartline store"},
		{name: "truncated to half its pages", content: img[:used/2], says: "truncated"},
		{name: "truncated inside the first page", content: img[:pageSize/2], says: "store file is damaged or not a Chartline store"},
		{name: "both meta pages overwritten", content: d.overwrite(0, d.garbage(2*pageSize)), says: "store file is damaged or not a Chartline store"},
		{name: "not a store at all", content: []byte(strings.Repeat("this is a spreadsheet, not a store\n", 4000)), says: "store file is damaged or not a Chartline store"},
		{name: "newer format", edit: newerFormat, says: "store was written by a newer Chartline"},
	}
}

// damagedFile runs inspect and ingest on the damaged file of c: each exits 1
// with one line saying what c says, and leaves the file as it was.
func (d *damageRig) damagedFile(t *testing.T, c damageCase) {
	p := filepath.Join(t.TempDir(), "damaged.db")
	content := c.content
	if c.edit != nil {
		os.WriteFile(p, d.img, 0o600)
		c.edit(t, p)
		content, _ = os.ReadFile(p)
	} else {
		os.WriteFile(p, content, 0o600)
	}
	before := sha256.Sum256(content)
	for _, verb := range [][]string{
		{"inspect", "-db", p},
		{"inspect", "-db", p, "-patient", "bulk-0000001"},
		{"ingest", "-brokers", d.e.Broker.Addr(), "-settings", d.settings, "-db", p, "-until-caught-up"},
	} {
		code, errs := runCLI(t, verb...)
		msg := strings.TrimSpace(errs)
		if code != 1 || strings.Contains(msg, "\n") || !strings.Contains(msg, c.says) {
			t.Errorf("%s: exit %d, stderr %q; want exit 1 and one line saying %q", verb[0], code, errs, c.says)
		}
		if fileSum(t, p) != before {
			t.Fatalf("%s changed the damaged file", verb[0])
		}
		t.Logf("%s: %s", verb[0], msg)
	}
}

// dataPageGarbled garbles a data page: the raw values' root page, which
// opening the store does not read but materialising new records does. Every
// verb either works (it never reads the page) or says the store is damaged
// in its last line and exits 1; none crashes, and the page is never
// overwritten.
func (d *damageRig) dataPageGarbled(t *testing.T) {
	pageSize := d.pageSize
	p := filepath.Join(t.TempDir(), "damaged.db")
	os.WriteFile(p, d.img, 0o600)
	db, err := bolt.Open(p, 0o600, &bolt.Options{FreelistType: bolt.FreelistMapType})
	if err != nil {
		t.Fatal(err)
	}
	var root int
	db.View(func(tx *bolt.Tx) error { root = int(tx.Bucket([]byte("raw")).Root()); return nil })
	db.Close()
	if root < 2 {
		t.Fatalf("the raw bucket has no page of its own (root %d)", root)
	}
	content, _ := os.ReadFile(p)
	page := d.garbage(pageSize)
	copy(content[root*pageSize:], page)
	os.WriteFile(p, content, 0o600)
	produce(t, d.e.Prod, d.w.wave(50)) // something new to materialise
	failed := 0
	for _, verb := range [][]string{
		{"inspect", "-db", p},
		{"inspect", "-db", p, "-patient", "bulk-0000001"},
		{"ingest", "-brokers", d.e.Broker.Addr(), "-settings", d.settings, "-db", p, "-until-caught-up"},
	} {
		code, errs := runCLI(t, verb...)
		lines := strings.Split(strings.TrimSpace(errs), "\n")
		last := lines[len(lines)-1]
		switch {
		case code == 1 && strings.Contains(last, "store file is damaged or not a Chartline store"):
			failed++
		case code != 0:
			t.Errorf("%s: exit %d, last line %q", verb[0], code, last)
		}
		now, _ := os.ReadFile(p)
		if !bytes.Equal(now[root*pageSize:(root+1)*pageSize], page) {
			t.Fatalf("%s overwrote the damaged page", verb[0])
		}
		t.Logf("%s: exit %d: %s", verb[0], code, last)
	}
	if failed == 0 {
		t.Fatal("no verb noticed the damaged page")
	}
}

// lockedByIngest: while an ingest in another process holds the store, a
// second inspect or ingest is refused in one line and changes nothing; the
// first goes on, and once it ends the store opens.
func (d *damageRig) lockedByIngest(t *testing.T) {
	e, settings := d.e, d.settings
	p := filepath.Join(t.TempDir(), "busy.db")
	os.WriteFile(p, d.img, 0o600)
	home := t.TempDir()
	first := start(t, "cli", childEnv(home, passEnv()), "ingest", "-brokers", e.Broker.Addr(), "-settings", settings, "-db", p)
	// The first instance holds the store once it reports progress.
	testenv.Eventually(t, 30*time.Second, "first ingest running", func() bool { return strings.Contains(first.err.String(), "behind") })
	before := fileSum(t, p)
	for _, verb := range [][]string{
		{"inspect", "-db", p},
		{"ingest", "-brokers", e.Broker.Addr(), "-settings", settings, "-db", p, "-until-caught-up"},
	} {
		code, errs := runCLI(t, verb...)
		msg := strings.TrimSpace(errs)
		if code != 1 || strings.Contains(msg, "\n") || !strings.Contains(msg, "store is in use by another Chartline process") {
			t.Errorf("%s: exit %d, stderr %q", verb[0], code, errs)
		}
		t.Logf("%s: %s", verb[0], msg)
	}
	if fileSum(t, p) != before {
		t.Fatal("the refused second instance changed the file")
	}
	if first.exited() {
		t.Fatalf("the first instance stopped (status %d)", first.code)
	}
	first.cmd.Process.Signal(os.Interrupt)
	if code := first.wait(20 * time.Second); code != 0 {
		t.Fatalf("the first instance exit %d after SIGINT:\n%s", code, first.err.String())
	}
	// Once it is gone, the store opens and holds what it held.
	if code, errs := runCLI(t, "inspect", "-db", p); code != 0 {
		t.Fatalf("inspect after the first instance ended: %s", errs)
	}
}
