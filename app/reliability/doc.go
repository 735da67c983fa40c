// Package reliability holds the tests that prove Chartline loses nothing and
// leaks nothing (issue #8). It has no code of its own: every test drives the
// real parts (the chartline command line in a child process, the embedded
// Kafka-protocol broker on loopback, real store files, real FHIR JSON).
package reliability
