package reliability

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/chartline/chartline/app/kafka"
	"github.com/chartline/chartline/app/publish"
	"github.com/chartline/chartline/app/session"
	"github.com/chartline/chartline/app/testenv"
	"github.com/chartline/chartline/store"
)

// TestSealedSecretNeverLeaks: a SASL password the user asked to remember is
// sealed in the store and nowhere else. `chartline ingest` against a broker
// that requires SCRAM-SHA-512 authenticates with it (so it was really used),
// and the password is in neither the store file's bytes, the settings file,
// the child's command line or environment, nor its logs (verbose).
func TestSealedSecretNeverLeaks(t *testing.T) {
	t.Parallel()
	secret := "sasl-" + strings.Repeat("Sealed-", 3) + "7f3c9e"
	b, err := kafka.StartBroker(context.Background(), kafka.BrokerOptions{Addr: "127.0.0.1:0",
		SASL: []kafka.User{{Mechanism: kafka.MechanismSHA512, Name: "ward7", Password: secret}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	conn := kafka.Conn{Brokers: []string{b.Addr()}, SASL: kafka.SASL{Mechanism: kafka.MechanismSHA512, User: "ward7", Password: secret}}
	e := &testenv.Env{T: t, Broker: b, Topics: kafka.DefaultTopics()}
	e.Prod = testenv.Client(t, conn, append(publish.ProducerOptions(), kgo.AllowAutoTopicCreation())...)
	e.Pub = publish.NewPublisher(e.Prod, e.Topics)
	e.Publish(`{"resourceType":"Patient","id":"pt-sealed","name":[{"family":"Sealedtest"}]}`)

	home := t.TempDir()
	passphrase := "store-" + strings.Repeat("phrase-", 3) + "0xBEEF"
	passFile := filepath.Join(home, "passphrase")
	os.WriteFile(passFile, []byte(passphrase+"\n"), 0o600)
	db := filepath.Join(home, "profile", "chartline.db")
	s, err := store.Create(db, []byte(passphrase), &store.Options{KDF: store.TestKDF})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetSecret(session.SecretSASLPassword, []byte(secret)); err != nil {
		t.Fatal(err)
	}
	s.Close()
	settings := filepath.Join(home, "settings.json")

	p := start(t, "cli", childEnv(home), "ingest", "-brokers", b.Addr(), "-settings", settings,
		"-sasl-mechanism", kafka.MechanismSHA512, "-sasl-user", "ward7",
		"-db", db, "-passphrase-file", passFile, "-until-caught-up", "-v")
	for _, f := range []string{"cmdline", "environ"} {
		raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/%s", p.cmd.Process.Pid, f))
		if err == nil && bytes.Contains(raw, []byte(secret)) {
			t.Errorf("the SASL password is in the child's /proc/<pid>/%s", f)
		}
	}
	if code := p.wait(90 * time.Second); code != 0 {
		t.Fatalf("ingest with the sealed password exited %d: %s", code, p.err.String())
	}
	logs := p.out.String() + p.err.String()
	if !strings.Contains(logs, "ingested") {
		t.Fatalf("no final line: %s", logs)
	}
	if strings.Contains(logs, secret) {
		t.Error("the SASL password is in the ingest log")
	}
	file, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(file, []byte(secret)) || bytes.Contains(file, []byte(session.SecretSASLPassword)) {
		t.Error("the SASL password (or its name) is in the store file in plaintext")
	}
	if raw, err := os.ReadFile(settings); err == nil && bytes.Contains(raw, []byte(secret)) {
		t.Error("the SASL password is in the settings file")
	}
	s, err = store.Open(db, []byte(passphrase), &store.Options{KDF: store.TestKDF, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, ok, _ := s.Entry("pt-sealed"); !ok {
		t.Error("ingest did not read the patient: the sealed password was not used")
	}
}
