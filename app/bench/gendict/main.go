// Command gendict trains the compression dictionaries the store seals FHIR
// with (store/fhir-v1.zdict for resources' JSON, store/fhir-v1.s2dict for
// index entries and other values) on synthetic data only: the demo
// fixtures (at most -per-type resources of each type, so the dictionary
// reflects a hospital mix rather than the ICU patient's 20,000 vital signs)
// and -bulk resources of demo.Bulk with a seed no benchmark uses. The
// dictionary holds the strings FHIR JSON repeats (element names, code system
// and profile URLs, narrative boilerplate), never a real patient's data.
//
// A store keeps reading what it wrote with a dictionary, so a dictionary must
// never change once released: a new one gets a new file and a new codec in
// store/seal.go. Run it (`go run ./app/bench/gendict -o store/fhir-v2.s2dict`)
// only to make such a new one; the builder is not deterministic.
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"io"
	"io/fs"
	"log"
	"os"
	"sort"

	"github.com/klauspost/compress/dict"
	"github.com/klauspost/compress/s2"

	"github.com/chartline/chartline/app/demo"
	"github.com/chartline/chartline/assets"
)

func main() {
	out := flag.String("o", "store/fhir-v1.s2dict", "S2 dictionary file")
	zout := flag.String("zstd", "store/fhir-v1.zdict", "zstd dictionary file")
	zsize := flag.Int("zstd-size", 16<<10, "zstd dictionary size")
	perType := flag.Int("per-type", 200, "most fixture resources of one type to train on")
	bulk := flag.Int("bulk", 2000, "demo.Bulk resources to train on")
	flag.Parse()

	names, err := fs.Glob(assets.Fixtures, "fixtures/*.json.gz")
	if err != nil {
		log.Fatal(err)
	}
	sort.Strings(names)
	byType := map[string][][]byte{}
	for _, name := range names {
		f, err := assets.Fixtures.Open(name)
		if err != nil {
			log.Fatal(err)
		}
		zr, err := gzip.NewReader(f)
		if err != nil {
			log.Fatal(err)
		}
		raw, err := io.ReadAll(zr)
		f.Close()
		if err != nil {
			log.Fatal(err)
		}
		var b struct {
			Entry []struct {
				Resource json.RawMessage `json:"resource"`
			} `json:"entry"`
		}
		if err := json.Unmarshal(raw, &b); err != nil {
			log.Fatalf("%s: %v", name, err)
		}
		for _, e := range b.Entry {
			var head struct {
				ResourceType string `json:"resourceType"`
			}
			if json.Unmarshal(e.Resource, &head) != nil || len(byType[head.ResourceType]) >= *perType {
				continue
			}
			var c bytes.Buffer
			if json.Compact(&c, e.Resource) == nil {
				byType[head.ResourceType] = append(byType[head.ResourceType], c.Bytes())
			}
		}
	}
	types := make([]string, 0, len(byType))
	for t := range byType {
		types = append(types, t)
	}
	sort.Strings(types)
	var samples [][]byte
	for _, t := range types {
		samples = append(samples, byType[t]...)
	}
	demo.Bulk(424242, *bulk, 40, func(_ string, _ []byte, v []byte) bool {
		samples = append(samples, v)
		return true
	})
	zd, err := dict.BuildZstdDict(samples, dict.Options{MaxDictSize: 64 << 10, HashBytes: 6, ZstdDictID: 1})
	if err != nil {
		log.Fatal(err)
	}
	d := s2.MakeDict(zd, nil).Bytes()
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, d, 0o644); err != nil {
		log.Fatal(err)
	}
	// zstd: a small dictionary, since EncodeAll loads it into the window for
	// every value (16 KiB: 20 % of the raw size at the speed of 8 KiB).
	small, err := dict.BuildZstdDict(samples, dict.Options{MaxDictSize: *zsize, HashBytes: 6, ZstdDictID: 1})
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*zout, small, 0o644); err != nil {
		log.Fatal(err)
	}
	log.Printf("trained on %d resources of %d types: %d-byte dictionary", len(samples), len(types), len(d))
}
