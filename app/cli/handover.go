package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/chartline/chartline/app/config"
	"github.com/chartline/chartline/app/engine"
	"github.com/chartline/chartline/app/handover"
	"github.com/chartline/chartline/app/session"
	"github.com/chartline/chartline/store"
)

// HandoverOptions are `chartline handover`'s options.
type HandoverOptions struct {
	Config   config.Config // topics, identity, NEWS2 policy, the census list followed
	Store    *store.Store
	Census   string   // the census list to hand over, in bed order ("" with no Patients: every patient)
	Patients []string // these patients, in this order
	Out      string   // the PDF file
	Open     bool     // show it in the desktop viewer, or print it when a printer is set up
}

func runHandover(ctx context.Context, args []string, io IO) error {
	var sf storeFlags
	var o HandoverOptions
	var settings, patients string
	fs := newFlags("handover", io)
	sf.register(fs)
	fs.StringVar(&settings, "settings", "", "settings file, for the user, workstation and census list (default: the desktop app's)")
	fs.StringVar(&o.Census, "census", "", "the patients on census list LIST, in bed order (as the store holds the list: the workstation follows it)")
	fs.StringVar(&patients, "patients", "", "these patients, comma-separated ids, in this order")
	fs.StringVar(&o.Out, "o", "", "the PDF file to write (required)")
	fs.BoolVar(&o.Open, "open", false, "then print it (lp, when CUPS has a default printer) or open it in the desktop viewer")
	if err := parse(fs, args); err != nil {
		return err
	}
	if o.Out == "" {
		return fmt.Errorf("%w: -o FILE.pdf is required", ErrUsage)
	}
	if o.Census != "" && patients != "" {
		return fmt.Errorf("%w: -census and -patients exclude each other", ErrUsage)
	}
	for p := range strings.SplitSeq(patients, ",") {
		if p = strings.TrimSpace(p); p != "" {
			o.Patients = append(o.Patients, p)
		}
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
	pr, err := Handover(ctx, o)
	if err != nil {
		return err
	}
	fmt.Fprintf(io.Err, "wrote an I-PASS handover sheet: %d patients on %d pages", len(pr.Sheet.Patients), pr.Pages)
	if pr.Sheet.Missing > 0 {
		fmt.Fprintf(io.Err, " (%d ids not in the store)", pr.Sheet.Missing)
	}
	fmt.Fprintln(io.Err)
	if o.Open {
		did, err := handover.Open(ctx, o.Out)
		if err != nil {
			return err
		}
		fmt.Fprintln(io.Err, did)
	}
	return nil
}

// Handover writes the I-PASS handover sheet of a census list (the patients
// the store holds when it follows that list) or of named patients, and one
// export AuditEvent per patient on it, queued for spv.audit.
func Handover(ctx context.Context, o HandoverOptions) (handover.Printed, error) {
	ids := o.Patients
	title := "Selected patients"
	switch {
	case len(ids) > 0:
	case o.Census != "":
		err := o.Store.View(func(r *store.Reader) error {
			var err error
			ids, err = handover.CensusPatients(r, o.Census)
			return err
		})
		if err != nil {
			return handover.Printed{}, err
		}
		title = "Census " + o.Census
	default:
		all, err := o.Store.Census()
		if err != nil {
			return handover.Printed{}, err
		}
		for _, e := range all {
			if e.Patient != nil {
				ids = append(ids, e.Collection)
			}
		}
		title = "All patients"
	}
	eo := session.EngineOptions(o.Config, o.Store, nil)
	eng, err := engine.New(eo)
	if err != nil {
		return handover.Printed{}, err
	}
	return handover.Write(o.Store, handover.Options{
		Patients: ids, Title: title, User: o.Config.User, Workstation: o.Config.Workstation, NEWS2: eo.NEWS2,
	}, o.Out, func(doc string, patients []string) error {
		return eng.Exported(engine.ExportHandover, doc, patients...)
	})
}
