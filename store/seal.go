package store

import (
	"crypto/rand"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"runtime"
	"strings"

	"github.com/klauspost/compress/s2"
	"github.com/klauspost/compress/zstd"
)

// maxValueLen bounds a decompressed value: 4 MiB FHIR values with room.
const maxValueLen = 64 << 20

// Sealed value layout:
//
//	version (1) ‖ nonce (12) ‖ AES-256-GCM( codec (1) ‖ payload ) ‖ tag (16)
//
// The additional data is the value's bucket path and key, so a sealed value
// only opens where it was written.
const (
	sealVersion = 1

	codecRaw      = 0 // payload stored as is
	codecS2Dict   = 1 // compressed with S2 and the FHIR dictionary v1 (fhir-v1.s2dict)
	codecZstdDict = 2 // compressed with zstd and the FHIR dictionary v1 (fhir-v1.zdict)

	// compressMin is the smallest payload worth compressing.
	compressMin = 128
)

// Values are compressed one at a time (each is sealed alone), so both codecs
// use a dictionary of the strings FHIR resources repeat (element names, code
// system and profile URLs, narrative boilerplate), trained on synthetic data
// only (app/bench/gendict). A stored value names its codec, so a dictionary
// must never change: a new one is a new file and a new codec.
//
// Measured on 1.5 KB demo.Bulk resources the dictionaries were not trained
// on (one value at a time): zstd at its default level without a dictionary
// gets to 48 % of the size in about 16 µs; S2 alone to 61 % in 2.5 µs; S2 with
// its dictionary to 26 % in 3–4 µs; zstd (fastest) with a 16 KiB dictionary to
// 20 % in about 6 µs. A resource's JSON, the bulk of the store, uses zstd;
// index entries and small documents, read far more often, use S2.

//go:embed fhir-v1.s2dict
var fhirDictBytes []byte

//go:embed fhir-v1.zdict
var fhirZstdDictBytes []byte

var fhirDict = func() *s2.Dict {
	d := s2.NewDict(fhirDictBytes)
	if d == nil {
		panic("store: the embedded FHIR S2 dictionary is invalid")
	}
	return d
}()

// zstd coders are safe for concurrent EncodeAll/DecodeAll, but each call
// takes one of the coder's states and waits while all are busy: one state
// per core, so sealPuts' workers compress in parallel (with one, they took
// turns and compression ran on a single core). A 32 KiB window holds a whole
// resource and the dictionary, and is quicker to reset per value than zstd's
// default; no frame checksum, since AES-GCM authenticates every value already.
var (
	zenc = mustZstd(zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(runtime.GOMAXPROCS(0)),
		zstd.WithEncoderDict(fhirZstdDictBytes), zstd.WithWindowSize(1<<15), zstd.WithEncoderCRC(false), zstd.WithZeroFrames(true)))
	zdec = mustZstd(zstd.NewReader(nil, zstd.WithDecoderDicts(fhirZstdDictBytes), zstd.WithDecoderConcurrency(0),
		zstd.WithDecoderMaxMemory(maxValueLen)))
)

func mustZstd[T any](v T, err error) T {
	if err != nil {
		panic("store: the embedded FHIR zstd dictionary is invalid: " + err.Error())
	}
	return v
}

// TamperError says where a value failed authentication. It matches
// ErrTampered with errors.Is. Where names buckets and keys by their
// pseudonyms, never by what they stand for.
type TamperError struct{ Where string }

func (e *TamperError) Error() string { return fmt.Sprintf("%v at %s", ErrTampered, e.Where) }

// Is makes errors.Is(err, ErrTampered) true.
func (e *TamperError) Is(target error) bool { return target == ErrTampered }

// location is a bucket path plus a key: the additional data of a sealed value.
type location struct {
	path [][]byte
	key  []byte
}

func loc(key []byte, path ...[]byte) location { return location{path: path, key: key} }

// aad encodes the location unambiguously (length-prefixed parts).
func (l location) aad(dst []byte) []byte {
	dst = append(dst, "chartline/v1\x00"...)
	for _, p := range l.path {
		dst = append(dst, byte(len(p)))
		dst = append(dst, p...)
	}
	dst = append(dst, 0xff)
	return append(dst, l.key...)
}

func (l location) String() string {
	var b strings.Builder
	for _, p := range l.path {
		if isPrintable(p) {
			b.Write(p)
		} else {
			b.WriteString(hex.EncodeToString(p))
		}
		b.WriteByte('/')
	}
	if isPrintable(l.key) {
		b.Write(l.key)
	} else {
		b.WriteString(hex.EncodeToString(l.key))
	}
	return b.String()
}

// isPrintable is true for the store's own fixed bucket names, which carry no PHI.
func isPrintable(p []byte) bool {
	if len(p) == 0 || len(p) > 12 {
		return false
	}
	for _, c := range p {
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// appendPart appends codec ‖ payload: the plaintext compressed with the
// codec asked for when it pays, else as is.
func appendPart(dst, plaintext []byte, codec byte) []byte {
	if codec != codecRaw && len(plaintext) >= compressMin {
		var c []byte
		switch codec {
		case codecS2Dict:
			c = fhirDict.Encode(make([]byte, s2.MaxEncodedLen(len(plaintext))), plaintext)
		case codecZstdDict:
			c = zenc.EncodeAll(plaintext, make([]byte, 0, len(plaintext)/3))
		}
		if len(c) < len(plaintext) {
			dst = append(dst, codec)
			return append(dst, c...)
		}
	}
	dst = append(dst, codecRaw)
	return append(dst, plaintext...)
}

// openPart is the inverse of appendPart; errors name no location (the
// caller adds it). A payload stored raw is returned in place; one
// compressed with S2 is decoded into *buf's storage when buf is not nil
// (growing it as needed), else into a new slice.
func openPart(part []byte, buf *[]byte) ([]byte, error) {
	if len(part) == 0 {
		return nil, errors.New("empty payload")
	}
	switch part[0] {
	case codecRaw:
		return part[1:], nil
	case codecS2Dict:
		n, err := s2.DecodedLen(part[1:])
		if err != nil || n > maxValueLen {
			return nil, errors.New("bad compressed payload")
		}
		if buf == nil {
			return fhirDict.Decode(make([]byte, n), part[1:])
		}
		if cap(*buf) < n {
			*buf = make([]byte, n)
		}
		return fhirDict.Decode((*buf)[:n], part[1:])
	case codecZstdDict:
		return zdec.DecodeAll(part[1:], nil)
	default:
		return nil, errors.New("unknown codec")
	}
}

// seal compresses (when asked and it pays) and encrypts plaintext for a
// location.
func (k *keyring) seal(l location, plaintext []byte, compress bool) ([]byte, error) {
	var aadBuf [128]byte
	aad := l.aad(aadBuf[:0])
	codec := byte(codecRaw)
	if compress {
		codec = codecS2Dict
	}
	inner := appendPart(make([]byte, 0, 1+len(plaintext)), plaintext, codec)

	out := make([]byte, 1+nonceLen, 1+nonceLen+len(inner)+k.aead.Overhead())
	out[0] = sealVersion
	if _, err := rand.Read(out[1 : 1+nonceLen]); err != nil {
		return nil, fmt.Errorf("nonce: %w", err)
	}
	return k.aead.Seal(out, out[1:1+nonceLen], inner, aad), nil
}

// unseal authenticates, decrypts and decompresses a value read at a location.
// Any failure is a TamperError: a value that does not authenticate is never
// returned.
func (k *keyring) unseal(l location, sealed []byte) ([]byte, error) {
	return k.unsealInto(l, sealed, nil)
}

// unsealInto is unseal decrypting into *buf's storage, which it grows as
// needed: the plaintext may then be overwritten by the next use of *buf.
// A nil buf allocates the plaintext.
func (k *keyring) unsealInto(l location, sealed []byte, buf *[]byte) ([]byte, error) {
	if len(sealed) < 1+nonceLen+k.aead.Overhead() || sealed[0] != sealVersion {
		return nil, &TamperError{Where: l.String()}
	}
	var dst []byte
	if buf != nil {
		dst = (*buf)[:0]
	}
	var aadBuf [128]byte
	inner, err := k.aead.Open(dst, sealed[1:1+nonceLen], sealed[1+nonceLen:], l.aad(aadBuf[:0]))
	if err != nil || len(inner) == 0 {
		return nil, &TamperError{Where: l.String()}
	}
	if buf != nil {
		*buf = inner
	}
	out, err := openPart(inner, nil)
	if err != nil {
		// Authenticated but unreadable: only a bug or a forged key could do this.
		return nil, &TamperError{Where: l.String() + " (" + err.Error() + ")"}
	}
	return out, nil
}
