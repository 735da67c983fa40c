package clinical

import (
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"strings"
)

// idEncoding is lower-case base32 without padding: letters and digits only, so
// an id is a valid FHIR id ([A-Za-z0-9.-]{1,64}) and a valid Kafka key.
var idEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// idHashChars is how many base32 characters of the SHA-256 an id keeps:
// 20 characters carry 100 bits, far beyond any chance collision.
const idHashChars = 20

// HashID returns a deterministic id: prefix, '-', and the first 20 characters
// of the lower-case base32 SHA-256 of parts. Each part is length-prefixed before
// hashing, so ("ab","c") and ("a","bc") differ. The same inputs give the same id
// on every workstation; nothing secret or random goes in.
func HashID(prefix string, parts ...string) string {
	h := sha256.New()
	var n [binary.MaxVarintLen64]byte
	for _, p := range parts {
		h.Write(n[:binary.PutUvarint(n[:], uint64(len(p)))])
		h.Write([]byte(p))
	}
	sum := idEncoding.EncodeToString(h.Sum(nil))
	return prefix + "-" + strings.ToLower(sum[:idHashChars])
}
