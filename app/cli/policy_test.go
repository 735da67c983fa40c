package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chartline/chartline/app/config"
)

// TestSitePolicyHeadless: the headless verbs run under the site policy too,
// over the settings file and the -brokers flag; a broken policy stops them.
func TestSitePolicyHeadless(t *testing.T) {
	dir := t.TempDir()
	pol := filepath.Join(dir, "policy.json")
	os.WriteFile(pol, []byte(`{"observation_window":"6h","brokers":["site-kafka:9093"]}`), 0o644)
	t.Setenv(config.EnvPolicy, pol)
	c := connFlags{settings: filepath.Join(dir, "none.json"), brokers: "flag-kafka:9092"}
	cfg, err := c.config()
	if err != nil {
		t.Fatal(err)
	}
	if time.Duration(cfg.StaleVitals) != 6*time.Hour || len(cfg.Conn.Brokers) != 1 || cfg.Conn.Brokers[0] != "site-kafka:9093" {
		t.Fatalf("policy not applied: window %v brokers %v", time.Duration(cfg.StaleVitals), cfg.Conn.Brokers)
	}
	os.WriteFile(pol, []byte(`{"observation_windw":"6h"}`), 0o644)
	if _, err := c.config(); err == nil || !strings.Contains(err.Error(), pol) {
		t.Fatalf("a misspelt policy: %v", err)
	}
}
