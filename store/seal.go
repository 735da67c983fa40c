package store

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/klauspost/compress/zstd"
)

// Sealed value layout:
//
//	version (1) ‖ nonce (12) ‖ AES-256-GCM( codec (1) ‖ payload ) ‖ tag (16)
//
// The additional data is the value's bucket path and key, so a sealed value
// only opens where it was written.
const (
	sealVersion = 1

	codecRaw  = 0 // payload stored as is
	codecZstd = 1 // payload compressed with zstd

	// compressMin is the smallest payload worth compressing: below it zstd's
	// frame overhead outweighs what it saves.
	compressMin = 128
)

// zstd coders are safe for concurrent EncodeAll/DecodeAll; one pair serves
// every store. SpeedDefault (level 3) on 1.5 KB FHIR JSON gives about 2.5x in
// a few microseconds; better levels cost more than they save here.
var (
	zenc, _ = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedDefault),
		zstd.WithEncoderConcurrency(1), zstd.WithLowerEncoderMem(true), zstd.WithZeroFrames(true))
	zdec, _ = zstd.NewReader(nil, zstd.WithDecoderConcurrency(0), zstd.WithDecoderMaxMemory(64<<20))
)

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

// seal compresses (when it pays) and encrypts plaintext for a location.
func (k *keyring) seal(l location, plaintext []byte, compress bool) ([]byte, error) {
	codec := byte(codecRaw)
	payload := plaintext
	if compress && len(plaintext) >= compressMin {
		c := zenc.EncodeAll(plaintext, make([]byte, 0, len(plaintext)/2))
		if len(c) < len(plaintext) {
			codec, payload = codecZstd, c
		}
	}
	var aadBuf [128]byte
	aad := l.aad(aadBuf[:0])
	inner := make([]byte, 0, 1+len(payload))
	inner = append(inner, codec)
	inner = append(inner, payload...)

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
	if len(sealed) < 1+nonceLen+k.aead.Overhead() || sealed[0] != sealVersion {
		return nil, &TamperError{Where: l.String()}
	}
	var aadBuf [128]byte
	inner, err := k.aead.Open(nil, sealed[1:1+nonceLen], sealed[1+nonceLen:], l.aad(aadBuf[:0]))
	if err != nil || len(inner) == 0 {
		return nil, &TamperError{Where: l.String()}
	}
	switch inner[0] {
	case codecRaw:
		return inner[1:], nil
	case codecZstd:
		out, err := zdec.DecodeAll(inner[1:], nil)
		if err != nil {
			// Authenticated but undecodable: only a bug or a forged key could do this.
			return nil, &TamperError{Where: l.String() + " (bad compressed payload)"}
		}
		return out, nil
	default:
		return nil, &TamperError{Where: l.String() + " (unknown codec)"}
	}
}
