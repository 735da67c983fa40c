package clinical

import (
	"strings"
	"testing"
	"time"

	"github.com/chartline/chartline/store"
)

func pregCondition(id string, onset time.Time, status string, codes ...string) store.Item {
	return store.Item{Ref: store.Ref{Collection: testPatient, Type: "Condition", ID: id},
		Meta: store.Meta{Time: onset, Codes: codes, Status: status}}
}

func TestApplies(t *testing.T) {
	at := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	adult := &store.Demographics{BirthDate: "1970-01-01", Sex: "female"}
	cases := []struct {
		name       string
		demo       *store.Demographics
		facts      PatientFacts
		conds, obs []store.Item
		news2      bool
		pews       bool
		band       string
		why        string
	}{
		{"adult", adult, PatientFacts{}, nil, nil, true, false, "", ""},
		{"15 y 364 d: child", &store.Demographics{BirthDate: "2010-11-23"}, PatientFacts{}, nil, nil, false, true, AgeBandTeenager, "NEWS2 does not apply: age 15 — PEWS shown"},
		{"16 y 0 d: adult", &store.Demographics{BirthDate: "2010-11-22"}, PatientFacts{}, nil, nil, true, false, "", ""},
		{"age 7", &store.Demographics{BirthDate: "2019-05-01"}, PatientFacts{}, nil, nil, false, true, AgeBandChild, "NEWS2 does not apply: age 7 — PEWS shown"},
		{"11 months", &store.Demographics{BirthDate: "2025-12-01"}, PatientFacts{}, nil, nil, false, true, AgeBandInfant, "NEWS2 does not apply: age 11 months — PEWS shown"},
		{"12 months", &store.Demographics{BirthDate: "2025-11-22"}, PatientFacts{}, nil, nil, false, true, AgeBandToddler, "NEWS2 does not apply: age 1 — PEWS shown"},
		{"partial birth year read at its latest day", &store.Demographics{BirthDate: "2010"}, PatientFacts{}, nil, nil, false, true, AgeBandTeenager, "age 15"},
		{"no birth date: NEWS2 said to be assumed", &store.Demographics{}, PatientFacts{}, nil, nil, true, false, "", "age not recorded"},
		{"deceased with date", adult, PatientFacts{Deceased: true, DeceasedAt: time.Date(2012, 3, 14, 0, 0, 0, 0, time.UTC)}, nil, nil, false, false, "", "NEWS2 does not apply: deceased 14 Mar 2012"},
		{"deceased flag on the index entry", &store.Demographics{BirthDate: "1970", Deceased: true}, PatientFacts{}, nil, nil, false, false, "", "deceased"},
		{"deceased child: no PEWS either", &store.Demographics{BirthDate: "2019-05-01"}, PatientFacts{Deceased: true}, nil, nil, false, false, "", "deceased"},
		{"pregnant: SNOMED condition", adult, PatientFacts{}, []store.Item{pregCondition("c", at.AddDate(0, -3, 0), "active", SystemSNOMED+"|72892002")}, nil, false, false, "", "pregnant"},
		{"pregnant: ICD-10-CM O26.89", adult, PatientFacts{}, []store.Item{pregCondition("c", at.AddDate(0, -2, 0), "active", SystemICD10CM+"|O26.89")}, nil, false, false, "", "pregnant"},
		{"pregnant: ICD-10-CM Z34.00", adult, PatientFacts{}, []store.Item{pregCondition("c", at.AddDate(0, -2, 0), "active", SystemICD10CM+"|Z34.00")}, nil, false, false, "", "pregnant"},
		{"pregnancy resolved", adult, PatientFacts{}, []store.Item{pregCondition("c", at.AddDate(0, -3, 0), "resolved", SystemSNOMED+"|72892002")}, nil, true, false, "", ""},
		{"pregnancy condition 3 years old, never closed", adult, PatientFacts{}, []store.Item{pregCondition("c", at.AddDate(-3, 0, 0), "active", SystemSNOMED+"|72892002")}, nil, true, false, "", ""},
		{"not a pregnancy code (ICD-10 other chapter)", adult, PatientFacts{}, []store.Item{pregCondition("c", at.AddDate(0, -3, 0), "active", SystemICD10CM+"|I10")}, nil, true, false, "", ""},
		{"pregnancy status says pregnant", adult, PatientFacts{}, nil, []store.Item{coded("ps", at.AddDate(0, 0, -10), CodePregnancyStatus, CodePregnant, "")}, false, false, "", "pregnancy status"},
		{"newest pregnancy status says not pregnant", adult, PatientFacts{}, []store.Item{pregCondition("c", at.AddDate(0, -9, 0), "active", SystemSNOMED+"|77386006")},
			[]store.Item{coded("ps1", at.AddDate(0, -8, 0), CodePregnancyStatus, CodePregnant, ""), coded("ps2", at.AddDate(0, 0, -1), CodePregnancyStatus, CodeNotPregnant, "")}, true, false, "", ""},
		{"pregnant child: PEWS (the age rule first)", &store.Demographics{BirthDate: "2011-01-01"}, PatientFacts{}, []store.Item{pregCondition("c", at.AddDate(0, -2, 0), "active", SystemSNOMED+"|72892002")}, nil, false, true, AgeBandTeenager, "age 15"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := Applies(c.demo, c.facts, c.conds, c.obs, at)
			if a.NEWS2 != c.news2 || a.PEWS != c.pews || a.AgeBand != c.band || !strings.Contains(a.Why, c.why) || (c.why == "" && a.Why != "") {
				t.Fatalf("got news2 %v pews %v band %q why %q; want %v %v %q %q", a.NEWS2, a.PEWS, a.AgeBand, a.Why, c.news2, c.pews, c.band, c.why)
			}
		})
	}
}

func TestParsePatientFacts(t *testing.T) {
	cases := []struct {
		json string
		dead bool
		at   string
	}{
		{`{"resourceType":"Patient"}`, false, ""},
		{`{"resourceType":"Patient","deceasedBoolean":false}`, false, ""},
		{`{"resourceType":"Patient","deceasedBoolean":true}`, true, ""},
		{`{"resourceType":"Patient","deceasedDateTime":"2012-03-14T08:00:00Z"}`, true, "2012-03-14"},
		{`{"resourceType":"Patient","deceasedDateTime":"2012-03-14"}`, true, "2012-03-14"},
	}
	for _, c := range cases {
		f, err := ParsePatientFacts([]byte(c.json))
		if err != nil || f.Deceased != c.dead || (c.at != "" && f.DeceasedAt.Format("2006-01-02") != c.at) {
			t.Errorf("%s: %+v %v", c.json, f, err)
		}
	}
	if _, err := ParsePatientFacts([]byte(`{"deceasedBoolean":`)); err == nil {
		t.Error("truncated JSON read without error")
	}
}
