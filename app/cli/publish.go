package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/chartline/chartline/app/census"
	"github.com/chartline/chartline/app/kafka"
	"github.com/chartline/chartline/app/publish"
	"github.com/chartline/chartline/app/record"
	"github.com/chartline/chartline/store"
)

// PublishOptions are `chartline publish`'s options.
type PublishOptions struct {
	Conn   kafka.Conn
	Topics kafka.Topics
	Source string   // the source header, default "chartline-publish"
	Files  []string // FHIR Bundles, single resources or NDJSON
	// Refs is the patient-reference rule (config local_fhir_bases,
	// -local-fhir-bases, CHARTLINE_LOCAL_FHIR_BASES). Default: no local base.
	Refs record.RefRule
	// Strict publishes nothing when any entry is refused (all-or-nothing);
	// by default every entry that can be published is.
	Strict bool
	// Census, when set, also writes census list Census (spv.census.<list>)
	// from the input's Encounters with a location: per patient the latest
	// one admits (with its location) or, finished, discharges (a
	// tombstone). See app/census.FromEncounter. Default "": none.
	Census string
}

// ErrRefused means some entries were refused: what could be published was
// (unless Strict), each refusal was printed, and the exit status is 1.
var ErrRefused = errors.New("entries refused")

// FileRefusal is one refused entry of one input file.
type FileRefusal struct {
	File string // the file's base name
	*publish.Refusal
}

func runPublish(ctx context.Context, args []string, io IO) error {
	var cf connFlags
	var o PublishOptions
	fs := newFlags("publish", io)
	cf.register(fs)
	fs.StringVar(&o.Source, "source", "chartline-publish", "value of the records' source header")
	fs.BoolVar(&o.Strict, "strict", false, "all-or-nothing: publish nothing if any entry is refused")
	if err := parse(fs, args); err != nil {
		return err
	}
	o.Files = fs.Args()
	if len(o.Files) == 0 {
		return fmt.Errorf("%w: no input files", ErrUsage)
	}
	cfg, err := cf.config()
	if err != nil {
		return err
	}
	o.Conn, o.Topics, o.Refs = cfg.Conn, cfg.Topics, record.NewRefRule(cfg.LocalFHIRBases)
	if o.Census = cf.census; o.Census != "" && !kafka.ValidCensusList(o.Census) {
		return fmt.Errorf("%w: census list %q: want 1 to 64 of A-Z a-z 0-9 . _ -", ErrUsage, o.Census)
	}
	counts, refused, err := Publish(ctx, o)
	printRefusals(io.Err, refused, o.Strict)
	fmt.Fprint(io.Out, counts.String())
	return err
}

// printRefusals writes each refusal (file, entry, reason, detail) and a count
// per reason.
func printRefusals(w io.Writer, refused []FileRefusal, strict bool) {
	if len(refused) == 0 {
		return
	}
	byReason := map[string]int{}
	for _, r := range refused {
		where := r.Where
		if where == "" {
			where = "the input"
		}
		fmt.Fprintf(w, "refused: %s: %s: %s (%s)\n", r.File, where, r.Detail, r.Reason)
		byReason[r.Reason]++
	}
	fmt.Fprintf(w, "refused %d entries:", len(refused))
	for _, k := range slices.Sorted(maps.Keys(byReason)) {
		fmt.Fprintf(w, " %s %d;", k, byReason[k])
	}
	fmt.Fprintln(w)
	if strict {
		fmt.Fprintln(w, "-strict: nothing was published")
	}
}

// Publish splits every file and produces every record that can be published,
// creating topics with Chartline's policies. Entries that cannot be published
// are returned as refusals, and the error is then ErrRefused (after
// publishing the rest, or, with Strict, without publishing anything). An
// unreadable file is a refusal of its own.
func Publish(ctx context.Context, o PublishOptions) (publish.Counts, []FileRefusal, error) {
	var total publish.Counts
	var recs []publish.Record
	var refused []FileRefusal
	for _, f := range o.Files {
		name := filepath.Base(f)
		data, err := os.ReadFile(f)
		if err != nil {
			refused = append(refused, FileRefusal{name, &publish.Refusal{Reason: "unreadable file", Detail: err.Error()}})
			continue
		}
		r, bad := publish.SplitAll(data, o.Topics, publish.Options{Source: o.Source, Refs: o.Refs})
		for _, b := range bad {
			refused = append(refused, FileRefusal{name, b})
		}
		recs = append(recs, r...)
	}
	if o.Census != "" {
		recs = append(recs, censusRecords(o.Topics, o.Census, recs)...)
	}
	if len(refused) > 0 && o.Strict {
		return total, refused, fmt.Errorf("%w: %d (-strict: nothing published)", ErrRefused, len(refused))
	}
	if len(recs) > 0 {
		connOpts, err := o.Conn.Options()
		if err != nil {
			return total, refused, err
		}
		cl, err := kgo.NewClient(append(connOpts, publish.ProducerOptions()...)...)
		if err != nil {
			return total, refused, err
		}
		defer cl.Close()
		if total, err = publish.NewPublisher(cl, o.Topics).Publish(ctx, recs); err != nil {
			return total, refused, err
		}
	}
	if len(refused) > 0 {
		return total, refused, fmt.Errorf("%w: %d of them (the rest published)", ErrRefused, len(refused))
	}
	return total, nil, nil
}

// censusRecords derives census list entries from the Encounters among recs
// (app/census.Records), to be produced after them.
func censusRecords(topics kafka.Topics, list string, recs []publish.Record) []publish.Record {
	var encs []census.Encounter
	for _, r := range recs {
		patient, ok := topics.Collection(r.Topic)
		if !ok || r.Value == nil || !store.IsPatient(patient) || !bytes.HasPrefix(r.Key, []byte("Encounter/")) {
			continue
		}
		encs = append(encs, census.Encounter{Patient: patient, JSON: r.Value})
	}
	var out []publish.Record
	for _, c := range census.Records(topics, list, encs) {
		out = append(out, publish.Record{Topic: c.Topic, Key: c.Key, Value: c.Value,
			Headers: []kgo.RecordHeader{{Key: "content-type", Value: []byte("application/json")}}})
	}
	return out
}
