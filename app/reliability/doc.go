// Package reliability holds the tests that prove Chartline loses nothing and
// leaks nothing when a workstation is killed, unplugged or fed garbage
// (issue #8). It has no code of its own: every test drives the real parts,
// the chartline command line in a child process, the embedded
// Kafka-protocol broker on loopback, real store files with real crypto, real
// FHIR JSON.
//
// # Child processes
//
// Building main needs cgo and GL, so the tests re-execute their own test
// binary: TestMain runs cli.Run (what main.go hands the verbs to) instead of
// the tests when CHARTLINE_RELIABILITY_CHILD=cli is set, and exits with its
// status. Children run with HOME and XDG_CONFIG_HOME in the test's temp dir,
// so nothing touches the real user's settings or store.
//
// # What the tests prove
//
//   - Crash (TestCrashIngestKilledAtRandom): `chartline ingest` is SIGKILLed
//     at random moments while it catches up and while live traffic arrives
//     (new resources from demo.Bulk, updates, tombstones, recreations,
//     hostile records, on patient topics and fhir.reference, the broker
//     compacting between runs). After every kill the store is a consistent
//     prefix: exactly the compacted content of the records before its stored
//     offsets, directory counts and quarantine included. After the last run
//     it equals the topics' compacted content byte for byte (no resource
//     lost, none stale, none duplicated; tombstoned keys absent; every
//     hostile record quarantined once) and its offsets equal the log end
//     offsets. Only kills that land mid-ingest count: 3 in make test, 20 in
//     soak.
//   - Outbox crash (TestCrashOutboxKilledWhileActing): a workstation acting
//     on alerts every few milliseconds is killed with the broker up (some
//     kills land between the broker's acknowledgement and the dequeue), with
//     the broker down (actions queue), and right after it comes back. No
//     saved action is lost, no record is published twice (chartline-id
//     header), every action is in its alert's latest state on
//     spv.alert-state, every AuditEvent is on spv.audit exactly once.
//   - Outage: the broker stops mid-ingest (persistent log) and the feed
//     reports offline with the time and a reason while the store serves
//     reads, then reconnects by itself on the broker's return and converges
//     exactly; a "broker" that accepts TCP and never answers is reported
//     offline (about 10 s: franz-go's dial timeout), never ends the feed, and
//     cancellation ends it at once (feed and CLI); a proxy that cuts every
//     connection after 2–64 KiB from the broker still lets ingest converge
//     exactly.
//   - Hostile input (TestHostileInputQuarantined), produced through the
//     broker, one row per kind, each beside the boundary it must not cross:
//     quarantined whole with its precise reason and detail, the next valid
//     record materialised, nothing of it in the log. A burst of 6 MiB
//     records (TestHostileBurstMemoryBounded) keeps the ingesting child's
//     heap bounded (about 90 MiB peak, whatever the burst's size) and
//     retains nothing.
//   - Secrets and PHI (TestNothingIdentifyingLeaks, TestPanicOutputCarriesNoData,
//     TestNoDebugLogsOutsideReviewedPlaces, TestInsecureTLSNeedsExplicitConsent):
//     after ingesting all 25 fixture patients, no patient id, MRN, name,
//     birth date, telephone or address is in the store file, any bbolt key,
//     the -v log or the broker's debug log; the file is mode 0600; the
//     passphrase is in no log, settings file, command line or environment;
//     panic output carries no data; TLS without verification needs the
//     -tls-insecure-skip-verify flag (a settings file alone is refused).
//   - Store damage (TestStoreDamageThroughCLI): empty, truncated, overwritten
//     or foreign files, a newer format, a garbled data page and a store in
//     use by another process each give one clear line on stderr and exit 1,
//     and the file (or the damaged page) is left as it was.
//
// # Long runs
//
// CHARTLINE_SOAK=1 turns on the long variants: 20 mid-ingest kills over 40
// patient topics, 20 outbox kills, 30,000 records through the outage and
// 20,000 through the cutting proxy, a 960 MiB hostile burst. make soak runs
//
//	CHARTLINE_SOAK=1 go test -tags x11 -timeout 60m -run 'Crash|Outage|Burst' ./app/...
//
// and then each fuzz target for 60 s: FuzzDecode (app/record), FuzzSplit
// (app/publish), FuzzUnseal (store).
//
// # Recovering a damaged store
//
// The store is a view of the topics, so a damaged file is rebuilt, not
// repaired:
//
//  1. Quit Chartline (and any `chartline ingest` on the same file).
//  2. Move the damaged file aside (keep it for a post-mortem; it is
//     encrypted):
//     mv ~/.config/chartline/chartline.db ~/.config/chartline/chartline.db.damaged
//  3. Start Chartline and create a new store at the unlock screen (or run
//     `chartline ingest -until-caught-up`, which creates it). With no stored
//     offsets, every partition is read from its beginning: the compacted
//     topics restore every patient's current resources, the reference data,
//     studies, risk assessments and matches.
//  4. Alert actions published by any workstation, this one included, come
//     back from spv.alert-state, and AuditEvents from spv.audit (within its
//     retention). The clinical engine re-derives NEWS2, alerts and trial
//     matches from the data.
//
// What is lost with the file: this workstation's outbox, that is alert
// actions and AuditEvents taken while offline and not yet published, and
// which notifications were already shown (they may show once more).
package reliability
