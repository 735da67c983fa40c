package store

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// FormatVersion is the layout version this package writes. A file with a
// higher version is refused with ErrNewerFormat and left untouched.
const FormatVersion = 1

// Top-level bucket names. They are fixed words and carry no PHI.
var (
	bMeta   = []byte("meta")
	bDir    = []byte("dir")
	bCol    = []byte("col")
	bRaw    = []byte("raw")
	bIDs    = []byte("ids")
	bOff    = []byte("off")
	bQuar   = []byte("quar")
	bDoc    = []byte("doc")
	bDirty  = []byte("dirty")
	bOutbox = []byte("outbox")

	topBuckets = [][]byte{bMeta, bDir, bCol, bRaw, bOff, bQuar, bDoc, bDirty, bOutbox}
)

// Keys of the meta bucket (plaintext: no PHI).
var (
	kFormat  = []byte("format")  // uint32 big-endian
	kKDF     = []byte("kdf")     // JSON kdfRecord
	kWrapped = []byte("wrapped") // nonce ‖ AES-GCM(master key)
	kSeq     = []byte("seq")     // uint64 big-endian commit sequence
	kCreated = []byte("created") // RFC 3339
)

// initialMmap is the address space bbolt maps up front: 1 GiB.
const initialMmap = 1 << 30

// Options tune Open and Create. The zero value is the production default.
type Options struct {
	// KDF is the Argon2id cost for Create and ChangePassphrase; zero means
	// DefaultKDF (about 0.5 s). Tests pass TestKDF.
	KDF KDF
	// LockTimeout is how long Open waits for another process to release the
	// file before it returns ErrLocked. Default 1 s.
	LockTimeout time.Duration
	// ReadOnly opens the file with a shared lock and refuses writes.
	ReadOnly bool
	// NoSync skips fsync on commit. Only for tests and benchmarks that
	// measure something else: a crash may then lose committed batches.
	NoSync bool
}

// Store is an open Chartline store. It is safe for concurrent use: one
// writer at a time (Apply serialises), any number of readers.
type Store struct {
	db   *bolt.DB
	path string
	keys *keyring
	opts Options

	mu       sync.Mutex // guards subs, seq and closed
	commitMu sync.Mutex // held from a commit through its announcement
	offsets  offsetMemo // offset records opened (read.go)
	subs     map[*Subscription]struct{}
	seq      uint64
	closed   bool
	released time.Time // last time the file's mapped pages were released
}

// releaseEvery is how often, at most, a commit hands the file pages the
// process has mapped back to the page cache (see releaseMapped).
const releaseEvery = 2 * time.Second

// DefaultPath is the store's default location: chartline/chartline.db under
// the OS user config dir (for example ~/.config/chartline/chartline.db).
func DefaultPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("find user config dir: %w", err)
	}
	return filepath.Join(dir, "chartline", "chartline.db"), nil
}

// Exists reports whether a file exists at path.
func Exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// Create makes a new store at path (mode 0600, parent directories 0700)
// protected by passphrase. It fails with ErrExists if a file is already there.
func Create(path string, passphrase []byte, o *Options) (*Store, error) {
	opts := options(o)
	if len(passphrase) == 0 {
		return nil, errors.New("create store: empty passphrase")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create store %s: %w", path, err)
	}
	// O_EXCL: never adopt or truncate a file that appeared meanwhile.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("create store %s: %w", path, ErrExists)
		}
		return nil, fmt.Errorf("create store %s: %w", path, err)
	}
	f.Close()

	master := make([]byte, masterKeyLen)
	if _, err := rand.Read(master); err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("create store: random key: %w", err)
	}
	rec, wrapped, err := wrapKey(master, passphrase, opts.KDF)
	if err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("create store: %w", err)
	}
	db, err := bolt.Open(path, 0o600, boltOptions(opts))
	if err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("create store %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, name := range topBuckets {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		m := tx.Bucket(bMeta)
		return errors.Join(
			m.Put(kFormat, binary.BigEndian.AppendUint32(nil, FormatVersion)),
			m.Put(kKDF, rec),
			m.Put(kWrapped, wrapped),
			m.Put(kSeq, binary.BigEndian.AppendUint64(nil, 0)),
			m.Put(kCreated, []byte(time.Now().UTC().Format(time.RFC3339))),
		)
	})
	if err != nil {
		db.Close()
		os.Remove(path)
		return nil, fmt.Errorf("create store %s: %w", path, err)
	}
	os.Chmod(path, 0o600) // in case the umask widened it
	return newStore(db, path, master, opts)
}

// Open opens the store at path with passphrase. It returns ErrNotFound when
// there is no file, ErrWrongPassphrase when the passphrase is wrong,
// ErrLocked when another process holds the file, ErrNewerFormat or ErrCorrupt
// when the file can't be read. None of these change the file.
func Open(path string, passphrase []byte, o *Options) (*Store, error) {
	opts := options(o)
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("open store %s: %w", path, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	// bbolt would initialise an empty file as a fresh database; a store is
	// never empty, so an empty file is damage, not a place to write.
	if fi.Size() < 4096 {
		return nil, fmt.Errorf("open store %s: %w (file is %d bytes)", path, ErrCorrupt, fi.Size())
	}
	if err := checkHighWater(path, fi.Size()); err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	db, err := openBolt(path, opts)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	var master []byte
	var seq uint64
	err = view(db, func(tx *bolt.Tx) error {
		// A file shorter than bbolt's high-water mark was truncated: reading
		// its pages would fault.
		if tx.Size() > fi.Size() {
			return fmt.Errorf("%w: file is %d bytes but holds %d (truncated)", ErrCorrupt, fi.Size(), tx.Size())
		}
		m := tx.Bucket(bMeta)
		if m == nil {
			return fmt.Errorf("%w: no meta bucket", ErrCorrupt)
		}
		format := m.Get(kFormat)
		if len(format) != 4 {
			return fmt.Errorf("%w: no format version", ErrCorrupt)
		}
		if v := binary.BigEndian.Uint32(format); v > FormatVersion {
			return fmt.Errorf("%w (format %d, this build reads up to %d)", ErrNewerFormat, v, FormatVersion)
		}
		for _, name := range topBuckets {
			if tx.Bucket(name) == nil {
				return fmt.Errorf("%w: missing bucket %s", ErrCorrupt, name)
			}
		}
		if s := m.Get(kSeq); len(s) == 8 {
			seq = binary.BigEndian.Uint64(s)
		}
		var err error
		master, err = unwrapKey(m.Get(kKDF), m.Get(kWrapped), passphrase)
		return err
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	s, err := newStore(db, path, master, opts)
	if err != nil {
		return nil, err
	}
	s.seq = seq
	// Give the key derivation's memory back to the OS now rather than at
	// the garbage collector's leisure.
	debug.FreeOSMemory()
	return s, nil
}

// checkHighWater reads bbolt's two meta pages and refuses a file shorter than
// the pages its newest meta says are in use: bbolt would map past the end of
// such a file and die of SIGBUS on the first read of a missing page. It also
// refuses a damaged freelist page: bbolt panics reading it after it has
// locked the file, and the lock would outlive the refusal.
//
// bbolt page layout (internal/common): a 16-byte page header (id u64, flags
// u16, count u16, overflow u32), then the meta: magic u32, version u32, page
// size u32, flags u32, root bucket (16), freelist u64, pgid u64 (high-water
// mark), txid u64, checksum u64 (FNV-64a of the meta before it).
func checkHighWater(path string, size int64) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	const (
		magic        = 0xED0CDAED
		freelistFlag = 0x10
		noFreelist   = 0xffffffffffffffff // bbolt's pgidNoFreelist
	)
	le := binary.LittleEndian
	var best struct{ txid, pgid, freelist, pageSize uint64 }
	found := false
	buf := make([]byte, 80)
	for _, at := range []int64{0, -1} {
		if at < 0 {
			at = int64(best.pageSize) // the second meta page
			if !found {
				at = int64(os.Getpagesize()) // bbolt's default page size
			}
		}
		if _, err := f.ReadAt(buf, at); err != nil {
			continue
		}
		if le.Uint32(buf[16:]) != magic {
			continue
		}
		sum := fnv.New64a()
		sum.Write(buf[16:72])
		if sum.Sum64() != le.Uint64(buf[72:]) {
			continue // bbolt skips a meta page that fails its checksum too
		}
		pageSize, freelist, pgid, txid := uint64(le.Uint32(buf[24:])), le.Uint64(buf[48:]), le.Uint64(buf[56:]), le.Uint64(buf[64:])
		if !found || txid > best.txid {
			best.txid, best.pgid, best.freelist, best.pageSize = txid, pgid, freelist, pageSize
			found = true
		}
	}
	if !found {
		return fmt.Errorf("%w: no bbolt meta page", ErrCorrupt)
	}
	if need := int64(best.pgid * best.pageSize); need > size {
		return fmt.Errorf("%w: file is %d bytes but its pages reach %d (truncated)", ErrCorrupt, size, need)
	}
	if best.freelist != noFreelist {
		hdr := make([]byte, 16)
		if best.freelist < 2 || best.freelist >= best.pgid {
			return fmt.Errorf("%w: freelist page %d out of range", ErrCorrupt, best.freelist)
		}
		if _, err := f.ReadAt(hdr, int64(best.freelist*best.pageSize)); err != nil {
			return fmt.Errorf("%w: read the freelist page: %v", ErrCorrupt, err)
		}
		if le.Uint64(hdr) != best.freelist || le.Uint16(hdr[8:]) != freelistFlag {
			return fmt.Errorf("%w: freelist page %d is damaged", ErrCorrupt, best.freelist)
		}
	}
	return nil
}

func openBolt(path string, opts Options) (db *bolt.DB, err error) {
	// bbolt panics on some damaged files instead of returning an error.
	defer func() {
		if r := recover(); r != nil {
			db, err = nil, fmt.Errorf("%w: %v", ErrCorrupt, r)
		}
	}()
	db, err = bolt.Open(path, 0o600, boltOptions(opts))
	switch {
	case err == nil:
		return db, nil
	case errors.Is(err, berrors.ErrTimeout):
		return nil, ErrLocked
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrChecksum),
		errors.Is(err, berrors.ErrVersionMismatch), errors.Is(err, berrors.ErrInvalidMapping):
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	default:
		return nil, err
	}
}

func options(o *Options) Options {
	var opts Options
	if o != nil {
		opts = *o
	}
	if opts.KDF == (KDF{}) {
		opts.KDF = DefaultKDF
	}
	if opts.LockTimeout == 0 {
		opts.LockTimeout = time.Second
	}
	return opts
}

func boltOptions(opts Options) *bolt.Options {
	return &bolt.Options{
		Timeout:  opts.LockTimeout,
		ReadOnly: opts.ReadOnly,
		NoSync:   opts.NoSync,
		// The freelist is written on every commit (one page): rebuilding it
		// on open instead would read every page of the file, slow for a big
		// store and fatal (SIGBUS) for a damaged one.
		FreelistType: bolt.FreelistMapType,
		// Growing the memory map waits for every open read transaction; a
		// large initial map (address space only, not memory) keeps the
		// writer from stalling behind the screens' reads.
		InitialMmapSize: initialMmap,
		// Records are about 600 bytes: 16 KiB pages waste 2 % at their
		// ends where 4 KiB pages wasted 8 %. Used when the file is created;
		// an existing file keeps its own page size.
		PageSize: pageSize,
	}
}

// allocSize is how much the file grows at a time once past it: 1 MiB rather
// than bbolt's 16 MiB, so the file is not mostly slack (each growth is one
// ftruncate and fsync, a few per second at full ingest speed).
const allocSize = 1 << 20

// pageSize is the bbolt page size of new stores.
const pageSize = 4 << 10

func newStore(db *bolt.DB, path string, master []byte, opts Options) (*Store, error) {
	db.AllocSize = allocSize
	keys, err := newKeyring(master)
	clear(master)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	return &Store{db: db, path: path, keys: keys, opts: opts, subs: map[*Subscription]struct{}{}}, nil
}

// Path is the store file's path.
func (s *Store) Path() string { return s.path }

// Seq is the sequence number of the last commit.
func (s *Store) Seq() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.seq
}

// Size is the store file's size in bytes.
func (s *Store) Size() int64 {
	var n int64
	s.db.View(func(tx *bolt.Tx) error { n = tx.Size(); return nil })
	return n
}

func (s *Store) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// Close closes the file and ends every subscription.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	subs := s.subs
	s.subs = nil
	s.mu.Unlock()
	for sub := range subs {
		sub.end()
	}
	return s.db.Close()
}

// ChangePassphrase re-wraps the master key under a new passphrase. No data is
// rewritten. It returns ErrWrongPassphrase, and changes nothing, when old is
// wrong.
func (s *Store) ChangePassphrase(old, new []byte) error {
	if len(new) == 0 {
		return errors.New("change passphrase: empty passphrase")
	}
	return s.update(func(tx *bolt.Tx) error {
		m := tx.Bucket(bMeta)
		master, err := unwrapKey(m.Get(kKDF), m.Get(kWrapped), old)
		if err != nil {
			return fmt.Errorf("change passphrase: %w", err)
		}
		defer clear(master)
		rec, wrapped, err := wrapKey(master, new, s.opts.KDF)
		if err != nil {
			return fmt.Errorf("change passphrase: %w", err)
		}
		return errors.Join(m.Put(kKDF, rec), m.Put(kWrapped, wrapped))
	})
}

// update runs a write transaction; a damaged page met on the way is
// ErrCorrupt and the transaction is rolled back (see damaged).
func (s *Store) update(fn func(tx *bolt.Tx) error) (err error) {
	defer damaged(&err)
	return s.db.Update(fn)
}

// view runs a read transaction on db; a damaged page is ErrCorrupt.
func view(db *bolt.DB, fn func(tx *bolt.Tx) error) (err error) {
	defer damaged(&err)
	return db.View(fn)
}

// damaged turns a panic inside a transaction into ErrCorrupt. bbolt asserts
// its page structure instead of returning errors ("assertion failed: Page
// expected to be: 7, but self identifies as …"), so a page damaged on disk
// would crash the process the first time a read or a write reaches it.
// bbolt rolls the transaction back as the panic passes, so nothing of it is
// committed. The message names pages, never what they hold.
func damaged(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("%w: %v", ErrCorrupt, r)
	}
}
