package store

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"sync"

	"golang.org/x/crypto/argon2"
)

// KDF is the Argon2id cost used to derive the key that wraps the store's
// master key from the passphrase. It is stored (with the salt) in the file,
// so a store keeps opening after the defaults change.
type KDF struct {
	Time    uint32 `json:"time"`    // passes over memory
	Memory  uint32 `json:"memory"`  // KiB
	Threads uint8  `json:"threads"` // lanes
}

// DefaultKDF is RFC 9106's second recommended Argon2id option (§4: t = 3,
// p = 4, m = 64 MiB), about half a second on the reference 2-core machine
// (BenchmarkKDF). It is the only cost an attacker with a copy of the file
// can't skip, so it is as high as a clinician at the unlock screen will
// bear; 64 MiB rather than RFC 9106's first option (2 GiB) keeps a
// workstation's peak memory modest.
var DefaultKDF = KDF{Time: 3, Memory: 64 * 1024, Threads: 4}

// TestKDF is a cheap cost for tests only: it gives no protection.
var TestKDF = KDF{Time: 1, Memory: 64, Threads: 1}

// Lengths of the cryptographic material.
const (
	masterKeyLen = 32 // AES-256 and HMAC-SHA-256 keys are derived from it
	saltLen      = 16
	nonceLen     = 12 // AES-GCM standard nonce
	tagLen       = 16 // pseudonym length: 128 bits of HMAC-SHA-256
	typeTagLen   = 8  // resource type prefix of a resource key
)

// kdfRecord is the plaintext KDF description kept in the meta bucket.
type kdfRecord struct {
	Alg  string `json:"alg"`
	KDF  KDF    `json:"kdf"`
	Salt []byte `json:"salt"`
}

// wrapAAD binds the wrapped key to its KDF record, so neither can be swapped.
func wrapAAD(rec []byte) []byte {
	return append([]byte("chartline/v1/wrap\x00"), rec...)
}

func newKDFRecord(k KDF) (kdfRecord, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return kdfRecord{}, fmt.Errorf("salt: %w", err)
	}
	if k.Time == 0 || k.Memory == 0 || k.Threads == 0 {
		return kdfRecord{}, errors.New("argon2id cost must be positive")
	}
	return kdfRecord{Alg: "argon2id", KDF: k, Salt: salt}, nil
}

func (r kdfRecord) kek(passphrase []byte) ([]byte, error) {
	if r.Alg != "argon2id" {
		return nil, fmt.Errorf("%w: unknown key derivation %q", ErrNewerFormat, r.Alg)
	}
	return argon2.IDKey(passphrase, r.Salt, r.KDF.Time, r.KDF.Memory, r.KDF.Threads, 32), nil
}

// wrapKey seals the master key under the passphrase; it returns the KDF
// record and wrapped key to store.
func wrapKey(master, passphrase []byte, k KDF) (rec, wrapped []byte, err error) {
	kr, err := newKDFRecord(k)
	if err != nil {
		return nil, nil, err
	}
	kek, err := kr.kek(passphrase)
	if err != nil {
		return nil, nil, err
	}
	aead, err := newGCM(kek)
	if err != nil {
		return nil, nil, err
	}
	rec, err = json.Marshal(kr)
	if err != nil {
		return nil, nil, err
	}
	nonce := make([]byte, nonceLen)
	if _, err := rand.Read(nonce); err != nil {
		return nil, nil, err
	}
	return rec, aead.Seal(nonce, nonce, master, wrapAAD(rec)), nil
}

// unwrapKey returns the master key, or ErrWrongPassphrase.
func unwrapKey(rec, wrapped, passphrase []byte) ([]byte, error) {
	var kr kdfRecord
	if err := json.Unmarshal(rec, &kr); err != nil {
		return nil, fmt.Errorf("%w: unreadable key derivation record", ErrCorrupt)
	}
	kek, err := kr.kek(passphrase)
	if err != nil {
		return nil, err
	}
	aead, err := newGCM(kek)
	if err != nil {
		return nil, err
	}
	if len(wrapped) < nonceLen+aead.Overhead() {
		return nil, fmt.Errorf("%w: wrapped key too short", ErrCorrupt)
	}
	master, err := aead.Open(nil, wrapped[:nonceLen], wrapped[nonceLen:], wrapAAD(rec))
	if err != nil {
		return nil, ErrWrongPassphrase
	}
	return master, nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// keyring holds the keys derived from the master key: the AEAD that seals
// values and the HMAC key that makes pseudonyms.
type keyring struct {
	aead cipher.AEAD
	macs sync.Pool // of *mac keyed with the pseudonym key

	typesMu sync.RWMutex
	types   map[string]*[typeTagLen]byte // resource type -> its tag, a small fixed set
}

// mac is a pooled HMAC with the buffer its input is assembled in, so a
// pseudonym (one per resource a read checks) allocates nothing.
type mac struct {
	h   hash.Hash
	buf []byte
	sum [sha256.Size]byte
}

func newKeyring(master []byte) (*keyring, error) {
	sealKey, err := hkdf.Key(sha256.New, master, nil, "chartline/v1/seal", 32)
	if err != nil {
		return nil, err
	}
	macKey, err := hkdf.Key(sha256.New, master, nil, "chartline/v1/pseudonym", 32)
	if err != nil {
		return nil, err
	}
	aead, err := newGCM(sealKey)
	if err != nil {
		return nil, err
	}
	k := &keyring{aead: aead, types: map[string]*[typeTagLen]byte{}}
	k.macs.New = func() any { return &mac{h: hmac.New(sha256.New, macKey)} }
	return k, nil
}

// Pseudonym domains keep equal names in different roles apart.
const (
	domCollection = "col"
	domResource   = "res"
	domType       = "type"
	domTopic      = "topic"
	domRecord     = "rec"
	domKind       = "kind"
	domDoc        = "doc"
)

// tag returns the keyed pseudonym of name in a domain, appended to dst.
func (k *keyring) tag(dst []byte, domain, name string, n int) []byte {
	return k.tagOf(dst, domain, n, name)
}

// tagOf is tag of the name the parts make end to end.
func (k *keyring) tagOf(dst []byte, domain string, n int, parts ...string) []byte {
	m := k.macs.Get().(*mac)
	m.buf = append(append(m.buf[:0], domain...), 0)
	for _, p := range parts {
		m.buf = append(m.buf, p...)
	}
	m.h.Reset()
	m.h.Write(m.buf)
	dst = append(dst, m.h.Sum(m.sum[:0])[:n]...)
	k.macs.Put(m)
	return dst
}

// collectionTag is the bucket name of a collection.
func (k *keyring) collectionTag(collection string) []byte {
	return k.tag(nil, domCollection, collection, tagLen)
}

// typeTag is the 8-byte prefix that groups a type's resources in a
// collection, so reading one type is a prefix scan.
func (k *keyring) typeTag(typ string) []byte {
	k.typesMu.RLock()
	t := k.types[typ]
	k.typesMu.RUnlock()
	if t != nil {
		return t[:]
	}
	t = new([typeTagLen]byte)
	copy(t[:], k.tag(nil, domType, typ, typeTagLen))
	k.typesMu.Lock()
	if len(k.types) < maxTypeTags { // resource types are a fixed set; names past it are not kept
		k.types[typ] = t
	}
	k.typesMu.Unlock()
	return t[:]
}

// maxTypeTags bounds the type tags kept: FHIR R4 has about 150 resource types.
const maxTypeTags = 1024

// idKey is a resource's key in its collection's ids bucket:
// tag(type) ‖ HMAC(collection/type/id). Grouping by type tag makes reading
// one type a prefix scan.
func (k *keyring) idKey(collection, typ, id string) []byte {
	return k.appendIDKey(make([]byte, 0, typeTagLen+tagLen), collection, typ, id)
}

// appendIDKey appends a resource's idKey to dst.
func (k *keyring) appendIDKey(dst []byte, collection, typ, id string) []byte {
	dst = append(dst, k.typeTag(typ)...)
	return k.tagOf(dst, domResource, tagLen, collection, "\x00", typ, "/", id)
}

// offsetKey is HMAC(topic) ‖ partition, big-endian.
func (k *keyring) offsetKey(topic string, partition int32) []byte {
	key := k.tag(make([]byte, 0, tagLen+4), domTopic, topic, tagLen)
	return binary.BigEndian.AppendUint32(key, uint32(partition))
}

// recordKey identifies one Kafka record (for quarantine, idempotent on replay).
func (k *keyring) recordKey(topic string, partition int32, offset int64) []byte {
	return k.tag(nil, domRecord, fmt.Sprintf("%s/%d/%d", topic, partition, offset), tagLen)
}

// docKey is HMAC(patient) ‖ HMAC(key) inside the kind's bucket, so one
// patient's documents are a prefix scan.
func (k *keyring) docKey(patient, key string) []byte {
	b := k.tag(make([]byte, 0, 2*tagLen), domCollection, patient, tagLen)
	return k.tag(b, domDoc, key, tagLen)
}

func (k *keyring) kindTag(kind string) []byte {
	return k.tag(nil, domKind, kind, tagLen)
}
