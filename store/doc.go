// Package store is Chartline's encrypted local view of the FHIR topics: a single
// bbolt file per user profile holding every materialised resource, the consumed
// Kafka offsets, quarantined records, and the clinical engine's derived documents
// (alerts, risk scores, matches, audit events, the outbox).
//
// # Security
//
// A random 256-bit master key is created with the store and wrapped with a key
// derived from the user's passphrase by Argon2id; the salt, the Argon2 cost and
// the wrapped key live in the plaintext meta bucket. From the master key, HKDF
// derives an AES-256-GCM key that seals every value and an HMAC-SHA-256 key that
// turns every bucket name or key that could identify a patient (patient ids,
// resource ids, topic names, alert ids) into a 16-byte pseudonym. Values are
// compressed (zstd) and then sealed with a fresh random nonce, using the value's
// bucket path and key as additional data, so a value copied or moved to another
// place fails authentication and is reported as ErrTampered, never returned.
// Nothing in the file is readable without the passphrase: no names, ids, codes or
// clinical values in plaintext.
//
// # Shape
//
// One writer and many readers. Writers call Apply with a Batch: upserts and
// deletes of resources across any number of collections, quarantined records,
// the next Kafka offset per topic-partition, derived documents and outbox
// changes, all in one bbolt transaction. Readers see only committed state. After
// every commit the store announces a Change to every subscriber without ever
// blocking the writer: a slow subscriber gets the changes merged.
//
// A collection is where resources live: a patient id for a patient's own
// resources, or one of the shared collection names (Reference, Studies, Risk,
// Matches, AlertState, Audit), which start with '~' and so can never clash with
// a FHIR id.
//
// # Layout inside the file
//
//	meta                      format version, KDF parameters, salt, wrapped key, commit sequence (plaintext, no PHI)
//	dir   / HMAC(collection)  sealed Entry: collection name, demographics, counts per type, status
//	col   / HMAC(collection) / ids / tag(type) ‖ HMAC(collection/type/id)  sequence of the resource's record (order only)
//	raw   / sequence                                           sealed record: compressed index entry (binary Meta) and raw JSON
//	off   / HMAC(topic) ‖ partition                            sealed offset record
//	quar  / HMAC(topic/partition/offset)                       sealed Quarantined record
//	doc   / HMAC(kind) / HMAC(patient) ‖ HMAC(key)             sealed Doc
//	dirty / HMAC(patient)                                      sealed patient id and commit sequence
//	outbox/ sequence                                           sealed OutboxItem
//
// Records are keyed by a store-wide sequence so new resources append at the
// end of one bucket (full pages, few pages written per commit) instead of
// landing at random places; a collection's ids bucket maps each resource's
// keyed identity (grouped by type) to its sequence, and updates overwrite in
// place. A record is sealed with its sequence
// and collection as additional data and names its resource inside.
package store
