package cli

import (
	"context"
	"fmt"
	"os"

	"github.com/chartline/chartline/app/config"
	"github.com/chartline/chartline/app/engine"
	"github.com/chartline/chartline/app/ips"
	"github.com/chartline/chartline/store"
)

// ExportOptions are `chartline export`'s options.
type ExportOptions struct {
	Config  config.Config // topics and identity (user, workstation)
	Store   *store.Store
	Patient string
	Out     string // file; "" writes to standard output
}

func runExport(ctx context.Context, args []string, io IO) error {
	var sf storeFlags
	var o ExportOptions
	var settings string
	fs := newFlags("export", io)
	sf.register(fs)
	fs.StringVar(&settings, "settings", "", "settings file, for the user and workstation (default: the desktop app's)")
	fs.StringVar(&o.Patient, "patient", "", "the patient id (required)")
	fs.StringVar(&o.Out, "o", "", "write the IPS document Bundle to FILE (default: standard output)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if o.Patient == "" {
		return fmt.Errorf("%w: -patient is required", ErrUsage)
	}
	var err error
	if o.Config, err = loadSettings(settings); err != nil {
		return err
	}
	s, err := sf.open(false, store.KDF{})
	if err != nil {
		return err
	}
	defer s.Close()
	o.Store = s
	rep, err := Export(ctx, o, io)
	if err != nil {
		return err
	}
	empty := 0
	for _, sec := range rep.Sections {
		if sec.Empty {
			empty++
		}
	}
	fmt.Fprintf(io.Err, "exported an IPS document: %d entries, %d sections (%d without information), %d linked records, %d links dropped, %d entry problems\n",
		rep.Resources, len(rep.Sections), empty, rep.Linked, rep.Unlinked, len(rep.Problems))
	for _, p := range rep.Problems {
		fmt.Fprintf(io.Err, "  note: %s\n", p)
	}
	return nil
}

// Export writes one patient's International Patient Summary (app/ips) and
// its export AuditEvent, queued in the store's outbox for spv.audit (the
// next session or ingest on the store publishes it).
func Export(ctx context.Context, o ExportOptions, io IO) (ips.Report, error) {
	eng, err := engine.New(engine.Options{Store: o.Store, Topics: o.Config.Topics, User: o.Config.User, Workstation: o.Config.Workstation})
	if err != nil {
		return ips.Report{}, err
	}
	eo := ips.Options{Patient: o.Patient, User: o.Config.User, Workstation: o.Config.Workstation}
	audit := func(doc string) error { return eng.Exported(engine.ExportIPS, doc, o.Patient) }
	if o.Out == "" {
		return ips.Save(o.Store, eo, io.Out, audit)
	}
	return ips.SaveFile(o.Store, eo, o.Out, audit)
}

// loadSettings reads the settings file (default: the desktop app's), for
// the verbs that need only identity and topics, not a connection.
func loadSettings(path string) (config.Config, error) {
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
	if v := os.Getenv(EnvPrefix); v != "" {
		cfg.Topics.PatientPrefix = v
	}
	return cfg, nil
}
