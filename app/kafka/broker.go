package kafka

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"regexp"
	"strconv"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Broker defaults, documented on BrokerOptions.
const (
	DefaultBrokerAddr   = "127.0.0.1:9092"
	DefaultCompactEvery = 5 * time.Minute
)

// ErrRemoteListen means the broker was asked to listen on a non-loopback
// address without BrokerOptions.AllowRemote.
var ErrRemoteListen = errors.New("the embedded broker listens on loopback only unless remote listening is allowed explicitly")

// User is one SASL user of the embedded broker.
type User struct {
	Mechanism string // PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512
	Name      string
	Password  string
}

// BrokerOptions configures the embedded broker. Every zero field has a
// working default.
type BrokerOptions struct {
	// Addr is the listen address, default DefaultBrokerAddr
	// ("127.0.0.1:9092"); port 0 picks a free port (see Broker.Addr). The
	// host must be a loopback address or "localhost" unless AllowRemote is
	// set, and it is what the broker advertises to clients, so it must name
	// one interface (never 0.0.0.0).
	Addr string
	// AllowRemote is the explicit consent to listen on a non-loopback
	// address. Without TLS and SASL anyone on that network could read every
	// patient topic.
	AllowRemote bool
	// DataDir keeps the log on disk (kfake's DataDir): a broker started
	// again with the same DataDir has every topic, config and record the
	// last one had when it was closed. "" keeps everything in memory.
	// Records produced after the last Close are not guaranteed to survive
	// a crash (no fsync per batch).
	DataDir string
	// Topics are the names whose policies the broker applies to topics it
	// creates; default DefaultTopics().
	Topics Topics
	// CompactEvery is how often compacted topics are compacted, default
	// DefaultCompactEvery (5 min); negative turns periodic compaction off
	// (Broker.Cluster().Compact() still works). kfake never compacts a partition's
	// newest batch, and each pass rewrites every compacted partition while
	// holding the broker: about 0.2 s per 100,000 one-kilobyte records on a
	// 2-core machine. Every 30 s that was a tenth of the demo's idle CPU
	// (#19, p9); Kafka's own cleaner waits for half a log to be dirty, so
	// every 5 min is still far more eager than a real cluster.
	CompactEvery time.Duration
	// TLS, if set, makes the listener speak TLS with this configuration
	// (set ClientCAs and ClientAuth for mutual TLS). See Certs.ServerTLS.
	TLS *tls.Config
	// SASL, if not empty, requires SASL authentication with one of these
	// users (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512). A wrong user or password
	// is answered SASL_AUTHENTICATION_FAILED, as by a real broker. kfake
	// offers only the v1 SASL handshake, which kcat cannot use.
	SASL []User
	// MaxMessageBytes is the broker's message.max.bytes, default
	// MaxMessageBytes (8 MiB): a 4 MiB FHIR value with headers and batch
	// overhead fits.
	MaxMessageBytes int
	// Logger receives the broker's warnings and errors, with patient topic
	// names redacted; nil discards them.
	Logger *slog.Logger
}

// Broker is the embedded Kafka-protocol broker (franz-go's kfake): one node
// that creates topics on first use with Chartline's policies (Topics.Config:
// compacted, one partition per patient topic, spv.audit with retention),
// compacts them periodically, and optionally persists its log, speaks TLS and
// requires SASL.
//
// Topics are created when a client asks for them in a metadata request that
// allows auto-creation (a producer's first record to a topic: kgo with
// kgo.AllowAutoTopicCreation, kcat -P) or by CreateTopics; a CreateTopics that
// leaves out cleanup.policy, max.message.bytes, retention.ms or the partition
// count of a Chartline topic gets Chartline's. Names that are not Chartline's
// are auto-created with the broker defaults (one partition, delete policy). The
// six shared topics exist from the start.
//
// With SASL on, auto-creation waits for the client to authenticate: the topic
// is created right after the client's first authenticated metadata request, so
// the client sees it on its next metadata refresh rather than on the first.
type Broker struct {
	cluster *kfake.Cluster
	addr    string
	topics  Topics
	log     *slog.Logger

	cancel    context.CancelFunc
	wg        sync.WaitGroup
	stopAfter func() bool
	closeOnce sync.Once
	mu        sync.Mutex // guards stopAfter
}

// StartBroker starts the embedded broker. It runs until Close, or until ctx
// is cancelled.
func StartBroker(ctx context.Context, o BrokerOptions) (*Broker, error) {
	if o.Addr == "" {
		o.Addr = DefaultBrokerAddr
	}
	if o.Topics == (Topics{}) {
		o.Topics = DefaultTopics()
	}
	if err := o.Topics.Validate(); err != nil {
		return nil, fmt.Errorf("start broker: %w", err)
	}
	if o.CompactEvery == 0 {
		o.CompactEvery = DefaultCompactEvery
	}
	if o.MaxMessageBytes <= 0 {
		o.MaxMessageBytes = MaxMessageBytes
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if err := checkListenAddr(o.Addr, o.AllowRemote); err != nil {
		return nil, fmt.Errorf("start broker on %s: %w", o.Addr, err)
	}

	addr, sasl, serverTLS := o.Addr, len(o.SASL) > 0, o.TLS
	listen := func(network, _ string) (net.Listener, error) {
		ln, err := net.Listen(network, addr)
		if err != nil || !sasl {
			return ln, err
		}
		return replyListener{Listener: ln, tls: serverTLS}, nil
	}
	opts := []kfake.Opt{
		kfake.NumBrokers(1),
		kfake.ClusterID("chartline"),
		kfake.ListenFn(listen),
		kfake.DefaultNumPartitions(1),
		kfake.BrokerConfigs(map[string]string{"message.max.bytes": strconv.Itoa(o.MaxMessageBytes)}),
		kfake.WithLogger(newSlogLogger(o.Logger, o.Topics)),
	}
	if len(o.SASL) == 0 {
		// Without SASL the metadata control below creates Chartline's
		// topics before kfake's own auto-creation sees the request.
		opts = append(opts, kfake.AllowAutoTopicCreation())
	}
	if o.DataDir != "" {
		opts = append(opts, kfake.DataDir(o.DataDir))
	}
	if o.TLS != nil && !sasl {
		opts = append(opts, kfake.TLS(o.TLS)) // with SASL, replyListener speaks TLS
	}
	if len(o.SASL) > 0 {
		opts = append(opts, kfake.EnableSASL())
		for _, u := range o.SASL {
			m, ok := NormalMechanism(u.Mechanism)
			if !ok {
				return nil, fmt.Errorf("start broker: user %q: SASL mechanism %q: %w", u.Name, u.Mechanism, ErrUnknownMechanism)
			}
			if u.Name == "" || u.Password == "" {
				return nil, fmt.Errorf("start broker: a %s user: %w", m, ErrNoCredentials)
			}
			opts = append(opts, kfake.User(m, u.Name, u.Password))
		}
	}
	cl, err := kfake.NewCluster(opts...)
	if err != nil {
		return nil, fmt.Errorf("start broker on %s: %w", o.Addr, err)
	}

	inner, cancel := context.WithCancel(context.Background())
	b := &Broker{
		cluster: cl,
		addr:    cl.ListenAddrs()[0],
		topics:  o.Topics,
		log:     o.Logger,
		cancel:  cancel,
	}
	cl.ControlKey(int16(kmsg.CreateTopics), b.fillCreateTopics)
	if len(o.SASL) == 0 {
		cl.ControlKey(int16(kmsg.Metadata), b.autoCreate)
	} else {
		b.watchAuthenticatedMetadata(inner)
	}
	for _, t := range o.Topics.Shared() {
		if err := b.ensureTopic(t); err != nil {
			b.Close()
			return nil, fmt.Errorf("start broker: %w", err)
		}
	}
	if o.CompactEvery > 0 {
		b.wg.Go(func() { b.compactLoop(inner, o.CompactEvery) })
	}
	b.mu.Lock() // Close may already run if ctx is done
	b.stopAfter = context.AfterFunc(ctx, b.Close)
	b.mu.Unlock()
	b.log.Info("embedded Kafka broker listening", "addr", b.addr, "tls", o.TLS != nil, "sasl", len(o.SASL) > 0, "persistent", o.DataDir != "")
	return b, nil
}

// Addr returns the host:port the broker listens on and advertises.
func (b *Broker) Addr() string { return b.addr }

// Conn returns a plaintext, unauthenticated Conn to the broker; add TLS and
// SASL settings when the broker was started with them.
func (b *Broker) Conn() Conn { return Conn{Brokers: []string{b.addr}} }

// Cluster returns the underlying kfake cluster. The chartline binary does
// not use it; it is part of the broker's embedding surface: whoever embeds
// the broker (in practice Chartline's tests, through app/testenv) reaches
// kfake's fault injection (ControlKey, to fail or count requests) and its
// inspection and compaction (PartitionInfo, Compact) through it, which
// re-wrapping method by method here would only copy. Do not Close it
// directly: call Broker.Close. Its administrative methods (TopicInfo,
// Compact, CreateTopic, …) block forever once the broker is closed.
func (b *Broker) Cluster() *kfake.Cluster { return b.cluster }

// Close stops the broker, saving its log when it has a DataDir. It is safe to
// call more than once and from several goroutines.
func (b *Broker) Close() {
	b.closeOnce.Do(func() {
		b.mu.Lock()
		stop := b.stopAfter
		b.mu.Unlock()
		if stop != nil {
			stop()
		}
		b.cancel()
		b.wg.Wait() // the loops below call into the cluster: end them first
		b.cluster.Close()
		b.log.Info("embedded Kafka broker stopped", "addr", b.addr)
	})
}

// compactLoop compacts every interval until ctx ends.
func (b *Broker) compactLoop(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			b.cluster.Compact()
		}
	}
}

// ensureTopic creates a Chartline topic with its policy unless it exists.
func (b *Broker) ensureTopic(topic string) error {
	if b.cluster.TopicInfo(topic) != nil {
		return nil
	}
	cfg := make(map[string]string)
	for k, v := range b.topics.Config(topic) {
		cfg[k] = *v
	}
	err := b.cluster.CreateTopic(topic, b.topics.Partitions(topic), cfg)
	if err != nil && !errors.Is(err, kerr.TopicAlreadyExists) {
		return fmt.Errorf("create a %s topic: %w", b.topics.Kind(topic), err)
	}
	return nil
}

// autoCreate is the metadata control of a broker without SASL: before kfake
// handles a metadata request that allows auto-creation, it creates the
// Chartline topics the request names with their policy. It never answers the
// request itself.
func (b *Broker) autoCreate(req kmsg.Request) (kmsg.Response, error, bool) {
	m, ok := req.(*kmsg.MetadataRequest)
	if !ok || !m.AllowAutoTopicCreation {
		return nil, nil, false
	}
	for _, rt := range m.Topics {
		if rt.Topic == nil || b.topics.Kind(*rt.Topic) == "" {
			continue
		}
		if err := b.ensureTopic(*rt.Topic); err != nil {
			b.log.Warn("auto-create topic", "err", err)
		}
	}
	return nil, nil, false
}

// watchAuthenticatedMetadata arranges auto-creation for a broker with SASL.
// Controls run before kfake checks authentication, so creating there would
// let anyone create topics. kfake consults faults only after authentication:
// an observing fault on metadata requests hands the Chartline topic names a
// request asks to auto-create to a goroutine that creates them.
func (b *Broker) watchAuthenticatedMetadata(ctx context.Context) {
	names := make(chan string, 1024)
	b.cluster.Fault(kfake.Fault{
		Keys:     []kmsg.Key{kmsg.Metadata},
		TopLevel: true,
		Observe:  true,
		Count:    -1,
		When: func(req kmsg.Request) bool {
			m, ok := req.(*kmsg.MetadataRequest)
			if !ok || !m.AllowAutoTopicCreation {
				return false
			}
			for _, rt := range m.Topics {
				if rt.Topic == nil || b.topics.Kind(*rt.Topic) == "" {
					continue
				}
				select {
				case names <- *rt.Topic:
				default: // full: the client asks again on its next refresh
				}
			}
			return false
		},
	})
	b.wg.Go(func() {
		for {
			select {
			case <-ctx.Done():
				return
			case t := <-names:
				if err := b.ensureTopic(t); err != nil {
					b.log.Warn("auto-create topic", "err", err)
				}
			}
		}
	})
}

// fillCreateTopics completes a CreateTopics request for Chartline topics with
// the settings it leaves out (cleanup.policy, max.message.bytes, retention.ms,
// and one partition for a patient topic), then lets kfake handle it, with its
// authentication and authorization, as usual.
func (b *Broker) fillCreateTopics(req kmsg.Request) (kmsg.Response, error, bool) {
	c, ok := req.(*kmsg.CreateTopicsRequest)
	if !ok {
		return nil, nil, false
	}
	for i := range c.Topics {
		rt := &c.Topics[i]
		want := b.topics.Config(rt.Topic)
		if want == nil {
			continue
		}
		if rt.NumPartitions == -1 && len(rt.ReplicaAssignment) == 0 {
			rt.NumPartitions = b.topics.Partitions(rt.Topic)
		}
		have := make(map[string]bool, len(rt.Configs))
		for _, rc := range rt.Configs {
			have[rc.Name] = true
		}
		for k, v := range want {
			if !have[k] {
				rc := kmsg.NewCreateTopicsRequestTopicConfig()
				rc.Name, rc.Value = k, v
				rt.Configs = append(rt.Configs, rc)
			}
		}
	}
	return nil, nil, false
}

// checkListenAddr refuses addresses the broker must not or cannot listen on.
func checkListenAddr(addr string, allowRemote bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	ip := net.ParseIP(host)
	switch {
	case host == "" || ip != nil && ip.IsUnspecified():
		return errors.New("name one interface address: the broker advertises it to clients")
	case host == "localhost" || ip != nil && ip.IsLoopback():
		return nil
	case !allowRemote:
		return ErrRemoteListen
	}
	return nil
}

// slogLogger passes kfake's warnings and errors to slog, with patient topic
// names (which carry patient ids) redacted.
type slogLogger struct {
	l       *slog.Logger
	patient *regexp.Regexp
	redact  string
}

// newSlogLogger adapts l for kfake.
func newSlogLogger(l *slog.Logger, t Topics) *slogLogger {
	return &slogLogger{
		l:       l,
		patient: regexp.MustCompile(regexp.QuoteMeta(t.PatientPrefix) + `[A-Za-z0-9.\-]+`),
		redact:  t.PatientPrefix + "<redacted>",
	}
}

// Logf implements kfake.Logger.
func (s *slogLogger) Logf(level kfake.LogLevel, msg string, args ...any) {
	var lvl slog.Level
	switch level {
	case kfake.LogLevelError:
		lvl = slog.LevelError
	case kfake.LogLevelWarn:
		lvl = slog.LevelWarn
	case kfake.LogLevelInfo:
		lvl = slog.LevelInfo
	case kfake.LogLevelDebug:
		lvl = slog.LevelDebug
	default:
		return
	}
	ctx := context.Background()
	if !s.l.Enabled(ctx, lvl) {
		return
	}
	text := s.patient.ReplaceAllLiteralString(fmt.Sprintf(msg, args...), s.redact)
	s.l.Log(ctx, lvl, text, "component", "kfake")
}
