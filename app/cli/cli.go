// Package cli holds Chartline's headless command-line verbs: broker,
// publish, ingest and inspect (README, "`inspect` output"). main.go hands every verb but
// the desktop app to Run. Each verb is a function taking a context and its
// parsed options; Run parses flags with the standard library's flag package.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/chartline/chartline/app/config"
	"github.com/chartline/chartline/app/jsontime"
	"github.com/chartline/chartline/app/kafka"
	"github.com/chartline/chartline/app/schemareg"
)

// Env names the headless commands read.
const (
	EnvPassphrase = "CHARTLINE_PASSPHRASE"
	EnvPrefix     = "CHARTLINE_TOPIC_PREFIX"
	// EnvLocalFHIRBases lists, comma-separated, the base URLs whose absolute
	// Patient references name local patients (config local_fhir_bases).
	EnvLocalFHIRBases = "CHARTLINE_LOCAL_FHIR_BASES"
)

// IO is where a verb writes: its result on Out, progress and errors on Err.
type IO struct {
	Out, Err io.Writer
}

// synced returns io with each writer behind its own lock: a verb's progress
// lines and the log lines of its feed and engine goroutines go to the same
// stderr, and a caller's writer (a test's bytes.Buffer) need not be safe for
// concurrent use.
func (o IO) synced() IO {
	return IO{Out: &lockedWriter{w: o.Out}, Err: &lockedWriter{w: o.Err}}
}

// lockedWriter serialises writes to w.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// Verbs lists the headless verbs and what each does (for usage).
var Verbs = []struct{ Name, Usage string }{
	{"broker", "run the embedded Kafka-protocol broker [-addr 127.0.0.1:9092] [-data-dir DIR] [-fixtures] [-simulate]"},
	{"publish", "split FHIR Bundles or NDJSON into per-patient topics and produce them: -brokers H:P FILE..."},
	{"ingest", "materialise the topics into the store without the GUI: -brokers H:P -db PATH [-until-caught-up]"},
	{"inspect", "print what the store holds as JSON: -db PATH [-patient ID [-keys]] [-quarantine]"},
	{"export", "write a patient's International Patient Summary (FHIR document Bundle): -db PATH -patient ID [-o FILE]"},
	{"handover", "print an I-PASS handover sheet (PDF): -db PATH [-census LIST | -patients ID,...] -o FILE.pdf"},
	{"bench", "measure ingest against kcat and raw bbolt (make bench)"},
}

// Usage writes the command summary.
func Usage(w io.Writer) {
	fmt.Fprintln(w, "usage: chartline [demo | COMMAND [flags]]")
	fmt.Fprintln(w, "  (no command)  the desktop app with the saved settings")
	fmt.Fprintln(w, "  demo          the desktop app on the built-in demo (embedded broker, fixtures, simulator)")
	for _, v := range Verbs {
		fmt.Fprintf(w, "  %-13s %s\n", v.Name, v.Usage)
	}
	fmt.Fprintln(w, "run 'chartline COMMAND -h' for a command's flags")
}

// ErrUsage marks a command-line mistake (exit status 2).
var ErrUsage = errors.New("usage")

// Run runs one headless verb with its arguments and returns the exit status:
// 0 success, 1 failure (a one-line error on stderr), 2 bad usage.
func Run(ctx context.Context, args []string, io IO) int {
	if len(args) == 0 {
		Usage(io.Err)
		return 2
	}
	io = io.synced()
	verb, rest := args[0], args[1:]
	var err error
	switch verb {
	case "broker":
		err = runBroker(ctx, rest, io)
	case "publish":
		err = runPublish(ctx, rest, io)
	case "ingest":
		err = runIngest(ctx, rest, io)
	case "inspect":
		err = runInspect(ctx, rest, io)
	case "bench":
		err = runBench(ctx, rest, io)
	case "export":
		err = runExport(ctx, rest, io)
	case "handover":
		err = runHandover(ctx, rest, io)
	case "help", "-h", "-help", "--help":
		Usage(io.Out)
		return 0
	default:
		fmt.Fprintf(io.Err, "chartline: unknown command %q\n", verb)
		Usage(io.Err)
		return 2
	}
	switch {
	case err == nil, errors.Is(err, context.Canceled):
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, ErrUsage):
		fmt.Fprintf(io.Err, "chartline %s: %v\n", verb, err)
		return 2
	default:
		fmt.Fprintf(io.Err, "chartline %s: %v\n", verb, err)
		return 1
	}
}

// newFlags makes a verb's flag set writing its help to stderr.
func newFlags(verb string, io IO) *flag.FlagSet {
	fs := flag.NewFlagSet("chartline "+verb, flag.ContinueOnError)
	fs.SetOutput(io.Err)
	return fs
}

func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", ErrUsage, err)
	}
	return nil
}

// connFlags are the connection flags shared by publish and ingest. The
// settings file gives the base, the environment overrides it, and flags
// override both.
type connFlags struct {
	settings, brokers, prefix            string
	tlsCA, tlsCert, tlsKey, tlsServer    string
	insecure                             bool
	saslMech, saslUser, saslPasswordFile string
	failover                             string
	registry, registryUser, registryPass string
	registryCA, census                   string
	failoverAfter                        time.Duration
	localBases                           string
}

func (c *connFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.settings, "settings", "", "settings file (default: the desktop app's, under the user config dir)")
	fs.StringVar(&c.brokers, "brokers", "", "bootstrap brokers, comma-separated host:port (env CHARTLINE_BROKERS)")
	fs.StringVar(&c.prefix, "topic-prefix", "", "patient topic prefix (env CHARTLINE_TOPIC_PREFIX; default fhir.patient.)")
	fs.StringVar(&c.tlsCA, "tls-ca", "", "PEM CA file: turns TLS on (env CHARTLINE_TLS_CA)")
	fs.StringVar(&c.tlsCert, "tls-cert", "", "PEM client certificate (env CHARTLINE_TLS_CERT)")
	fs.StringVar(&c.tlsKey, "tls-key", "", "PEM client key (env CHARTLINE_TLS_KEY)")
	fs.StringVar(&c.tlsServer, "tls-server-name", "", "server name to verify (default: the broker host)")
	fs.BoolVar(&c.insecure, "tls-insecure-skip-verify", false, "DANGEROUS: accept any server certificate")
	fs.StringVar(&c.saslMech, "sasl-mechanism", "", "PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (env CHARTLINE_SASL_MECHANISM)")
	fs.StringVar(&c.saslUser, "sasl-user", "", "SASL user (env CHARTLINE_SASL_USER)")
	fs.StringVar(&c.saslPasswordFile, "sasl-password-file", "", "file holding the SASL password (or env CHARTLINE_SASL_PASSWORD)")
	fs.StringVar(&c.failover, "failover-brokers", "", "bootstrap brokers of the failover cluster (mirrored topics, same offsets; env CHARTLINE_FAILOVER_BROKERS)")
	fs.StringVar(&c.registry, "schema-registry", "", "Schema Registry URL: framed values' schema ids must exist and be JSON Schemas (env CHARTLINE_SCHEMA_REGISTRY)")
	fs.StringVar(&c.registryUser, "schema-registry-user", "", "Schema Registry basic-auth user (env CHARTLINE_SCHEMA_REGISTRY_USER)")
	fs.StringVar(&c.registryPass, "schema-registry-password-file", "", "file holding the Schema Registry password (or env CHARTLINE_SCHEMA_REGISTRY_PASSWORD)")
	fs.StringVar(&c.registryCA, "schema-registry-ca", "", "PEM CA file for an https Schema Registry (env CHARTLINE_SCHEMA_REGISTRY_CA)")
	fs.DurationVar(&c.failoverAfter, "failover-after", 0, "switch to the other cluster after the one read is silent this long (default 15s)")
	fs.StringVar(&c.census, "census", "", "follow the patients of census list LIST (spv.census.LIST) instead of every patient topic")
	fs.StringVar(&c.localBases, "local-fhir-bases", "", "comma-separated base URLs of this deployment's FHIR servers: absolute Patient references under any other base name a patient on another server (env "+EnvLocalFHIRBases+"; default none)")
}

// splitList splits a comma-separated list, dropping blanks.
func splitList(s string) []string {
	var out []string
	for v := range strings.SplitSeq(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// config is the saved settings with the environment and flags laid over.
func (c *connFlags) config() (config.Config, error) {
	path := c.settings
	if path == "" {
		var err error
		if path, err = config.Path(); err != nil {
			return config.Config{}, err
		}
	}
	cfg, err := config.Load(path)
	if err != nil {
		return cfg, err
	}
	conn := kafka.ConnFromEnv(cfg.Conn)
	topics := cfg.Topics
	if v := os.Getenv(EnvPrefix); v != "" {
		topics.PatientPrefix = v
	}
	if c.brokers != "" {
		conn.Brokers = nil
		for b := range strings.SplitSeq(c.brokers, ",") {
			if b = strings.TrimSpace(b); b != "" {
				conn.Brokers = append(conn.Brokers, b)
			}
		}
	}
	if c.prefix != "" {
		topics.PatientPrefix = c.prefix
	}
	if c.tlsCA != "" {
		conn.TLS.CAFile, conn.TLS.Enabled = c.tlsCA, true
	}
	if c.tlsCert != "" {
		conn.TLS.CertFile, conn.TLS.Enabled = c.tlsCert, true
	}
	if c.tlsKey != "" {
		conn.TLS.KeyFile = c.tlsKey
	}
	if c.tlsServer != "" {
		conn.TLS.ServerName = c.tlsServer
	}
	if c.insecure {
		// The flag is the explicit permission the README says it needs.
		conn.TLS.Enabled, conn.TLS.InsecureSkipVerify, conn.TLS.AllowInsecure = true, true, true
	}
	if c.saslMech != "" {
		conn.SASL.Mechanism = c.saslMech
	}
	if c.saslUser != "" {
		conn.SASL.User = c.saslUser
	}
	if c.saslPasswordFile != "" {
		conn.SASL.PasswordFile = c.saslPasswordFile
	}
	if c.failover != "" {
		conn.Failover = kafka.SplitBrokers(c.failover)
	}
	reg := schemareg.SettingsFromEnv(cfg.SchemaRegistry)
	if c.registry != "" {
		reg.URL = c.registry
	}
	if c.registryUser != "" {
		reg.User = c.registryUser
	}
	if c.registryPass != "" {
		reg.PasswordFile = c.registryPass
	}
	if c.registryCA != "" {
		reg.TLS.CAFile = c.registryCA
	}
	cfg.SchemaRegistry = reg
	if c.census != "" {
		cfg.Census = c.census
	}
	if c.failoverAfter > 0 {
		cfg.FailoverAfter = jsontime.Duration(c.failoverAfter)
	}
	cfg.Conn, cfg.Topics = conn, topics
	if v := os.Getenv(EnvLocalFHIRBases); v != "" {
		cfg.LocalFHIRBases = splitList(v)
	}
	if c.localBases != "" {
		cfg.LocalFHIRBases = splitList(c.localBases)
	}
	// The site policy holds headless too, over the file, environment and flags.
	policy, err := config.LoadPolicy(config.PolicyPath())
	if err != nil {
		return cfg, err
	}
	cfg = policy.Apply(cfg, config.Fixed{})
	conn = cfg.Conn
	if len(conn.Brokers) == 0 {
		return cfg, fmt.Errorf("%w: no brokers (-brokers or CHARTLINE_BROKERS)", ErrUsage)
	}
	return cfg, nil
}

// logger is the headless commands' logger: text on stderr, warnings and up
// unless -v. Nothing logged names a patient.
func logger(w io.Writer, verbose bool) *slog.Logger {
	level := slog.LevelWarn
	if verbose {
		level = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}
