package demo

// The demo's care providers: organizations, locations and practitioners that
// belong to no patient and travel on fhir.reference. Their ids are readable
// so patient resources can reference them literally ("Practitioner/pr-03").
// Every name here is invented.

type staff struct {
	id, name, org string
	given, family string
	prefix        string
	gender        string
	role          code // SNOMED CT occupation
}

type organization struct {
	id, name, kind, city string
}

type location struct {
	id, name, org string
	kind          code // HL7 v3 RoleCode
}

const (
	orgHospital = "org-kvgh"
	orgPractice = "org-rfp"
	orgCancer   = "org-ncc"
	orgHeart    = "org-hvhc"
	orgLab      = "org-kvpath"
	orgSponsor  = "org-cdrn"
)

func organizations() []organization {
	return []organization{
		{orgHospital, "Kestrel Vale General Hospital", "prov", "Kestrel Vale"},
		{orgPractice, "Riverside Family Practice", "prov", "Kestrel Vale"},
		{orgCancer, "Northgate Cancer Centre", "prov", "Northgate"},
		{orgHeart, "Harbour View Heart Clinic", "prov", "Harbour View"},
		{orgLab, "Kestrel Vale Pathology Laboratory", "prov", "Kestrel Vale"},
		{orgSponsor, "Chartline Demo Research Network", "crs", "Northgate"},
	}
}

const (
	locWard7B   = "loc-ward-7b"
	locWard4    = "loc-ward-4"
	locICU      = "loc-icu"
	locED       = "loc-ed"
	locOncology = "loc-onc-day"
	locCardio   = "loc-cardio"
	locPractice = "loc-rfp"
)

var (
	roleICU       = code{"http://terminology.hl7.org/CodeSystem/v3-RoleCode", "ICU", "Intensive care unit"}
	roleER        = code{"http://terminology.hl7.org/CodeSystem/v3-RoleCode", "ER", "Emergency room"}
	roleOncology  = code{"http://terminology.hl7.org/CodeSystem/v3-RoleCode", "ONCL", "Medical oncology clinic"}
	roleCardio    = code{"http://terminology.hl7.org/CodeSystem/v3-RoleCode", "CARD", "Ambulatory Health Care Facilities; Clinic/Center; Rehabilitation: Cardiac Facilities"}
	roleGP        = code{"http://terminology.hl7.org/CodeSystem/v3-RoleCode", "GIM", "General internal medicine clinic"}
	roleInpatient = code{"http://terminology.hl7.org/CodeSystem/v3-RoleCode", "HU", "Hospital unit"}
)

func locations() []location {
	return []location{
		{locWard7B, "Ward 7B Acute Medicine", orgHospital, roleInpatient},
		{locWard4, "Ward 4 Respiratory", orgHospital, roleInpatient},
		{locICU, "Intensive Care Unit", orgHospital, roleICU},
		{locED, "Emergency Department", orgHospital, roleER},
		{locOncology, "Oncology Day Unit", orgCancer, roleOncology},
		{locCardio, "Heart Failure Clinic", orgHeart, roleCardio},
		{locPractice, "Riverside Family Practice consulting rooms", orgPractice, roleGP},
	}
}

// Occupations, SNOMED CT International.
var (
	occGP          = code{sysSNOMED, "62247001", "General practitioner"}
	occPhysician   = code{sysSNOMED, "158965000", "Medical practitioner"}
	occNurse       = code{sysSNOMED, "224535009", "Registered nurse"}
	occOncologist  = code{sysSNOMED, "309295000", "Oncologist"}
	occCardiology  = code{sysSNOMED, "17561000", "Cardiologist"}
	occIntensivist = code{sysSNOMED, "309294001", "Intensive care specialist"}
)

// Practitioners, by role in the population.
var (
	drHalvorsen = staff{"pr-01", "Dr. Ingrid Halvorsen", orgPractice, "Ingrid", "Halvorsen", "Dr.", "female", occGP}
	drQuinones  = staff{"pr-02", "Dr. Mateo Quiñones", orgPractice, "Mateo", "Quiñones", "Dr.", "male", occGP}
	drOSuilleab = staff{"pr-03", "Dr. Aisling Ó Súilleabháin", orgHospital, "Aisling", "Ó Súilleabháin", "Dr.", "female", occPhysician}
	drBrandtner = staff{"pr-04", "Dr. Tobias Brandtner", orgHospital, "Tobias", "Brandtner", "Dr.", "male", occPhysician}
	drAdebayo   = staff{"pr-05", "Dr. Yewande Adébáyọ̀", orgHospital, "Yewande", "Adébáyọ̀", "Dr.", "female", occIntensivist}
	drTsao      = staff{"pr-06", "Dr. Mei-Ling Tsao", orgCancer, "Mei-Ling", "Tsao", "Dr.", "female", occOncologist}
	drDuring    = staff{"pr-07", "Dr. Rafael Düring", orgHeart, "Rafael", "Düring", "Dr.", "male", occCardiology}
	nurseRowe   = staff{"pr-08", "Kalinda Rowe", orgHospital, "Kalinda", "Rowe", "", "female", occNurse}
	drSolberg   = staff{"pr-09", "Dr. Henrike Solberg", orgCancer, "Henrike", "Solberg", "Dr.", "female", occOncologist}
	drLindqvist = staff{"pr-10", "Dr. Oskar Lindqvist", orgHospital, "Oskar", "Lindqvist", "Dr.", "male", occPhysician}
)

func practitioners() []staff {
	return []staff{drHalvorsen, drQuinones, drOSuilleab, drBrandtner, drAdebayo, drTsao, drDuring, nurseRowe, drSolberg, drLindqvist}
}

func organizationName(id string) string {
	for _, o := range organizations() {
		if o.id == id {
			return o.name
		}
	}
	return id
}

func locationName(id string) string {
	for _, l := range locations() {
		if l.id == id {
			return l.name
		}
	}
	return id
}

// referenceBundle is fhir.reference's content: organizations, locations and
// practitioners, as a transaction Bundle of PUTs.
func referenceBundle(g *gen) object {
	var entries []object
	put := func(typ, id string, res object) {
		entries = append(entries, entry("urn:uuid:"+g.uuid(), res, "PUT", typ+"/"+id))
	}
	for _, o := range organizations() {
		kind := code{"http://terminology.hl7.org/CodeSystem/organization-type", o.kind, map[string]string{"prov": "Healthcare Provider", "crs": "Clinical Research Sponsor"}[o.kind]}
		put("Organization", o.id, obj(
			"resourceType", "Organization",
			"id", o.id,
			"meta", meta(anchor().AddDate(-6, 0, 0)),
			"identifier", []object{obj("system", "https://chartline.health/fhir/sid/organization", "value", o.id)},
			"active", true,
			"type", []object{concept(kind)},
			"name", o.name,
			"telecom", []object{obj("system", "phone", "value", "555-01"+o.id[len(o.id)-2:], "use", "work")},
			"address", []object{obj("line", []string{"1 " + o.name + " Way"}, "city", o.city, "postalCode", "KV1 0AA", "country", "GB")},
		))
	}
	for _, l := range locations() {
		put("Location", l.id, obj(
			"resourceType", "Location",
			"id", l.id,
			"meta", meta(anchor().AddDate(-6, 0, 0)),
			"status", "active",
			"name", l.name,
			"mode", "instance",
			"type", []object{concept(l.kind)},
			"physicalType", concept(code{"http://terminology.hl7.org/CodeSystem/location-physical-type", "wa", "Ward"}),
			"managingOrganization", refd("Organization/"+l.org, organizationName(l.org)),
		))
	}
	for i, s := range practitioners() {
		var prefix []string
		if s.prefix != "" {
			prefix = []string{s.prefix}
		}
		put("Practitioner", s.id, obj(
			"resourceType", "Practitioner",
			"id", s.id,
			"meta", meta(anchor().AddDate(-6, 0, 0)),
			"identifier", []object{obj("system", sysNPI, "value", "99990"+pad5(i*7919+1301))},
			"active", true,
			"name", []object{obj("use", "official", "family", s.family, "given", []string{s.given}, "prefix", prefix)},
			"telecom", []object{obj("system", "email", "value", lowerASCII(s.given)+"."+s.id+"@example.org", "use", "work")},
			"gender", s.gender,
			"qualification", []object{obj("code", concept(s.role))},
		))
	}
	return bundle(entries)
}

func pad5(n int) string {
	s := []byte("00000")
	for i := 4; i >= 0 && n > 0; i-- {
		s[i] = byte('0' + n%10)
		n /= 10
	}
	return string(s)
}

func lowerASCII(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z':
			b = append(b, c+'a'-'A')
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-':
			b = append(b, c)
		}
	}
	return string(b)
}
