// The chart's NEWS2 vital signs and clinic measurements.

package demo

import (
	"math"
	"time"
)

// vitals is one set of the NEWS2 vital signs (RCP NEWS2 chart 2017).
type vitals struct {
	RR       int     // respiratory rate, /min
	SpO2     int     // pulse oximetry, %
	O2       float64 // inhaled oxygen flow, L/min; 0 on room air
	SBP, DBP int     // blood pressure, mm[Hg]
	HR       int     // pulse, /min
	Temp     float64 // body temperature, °C
	ACVPU    code    // level of consciousness
	TempF    bool    // chart the temperature in [degF]
}

// newsVitals writes one full NEWS2 set at t, as a ward observation round
// records it: respiratory rate, pulse oximetry (with the inhaled oxygen flow
// when on oxygen), blood pressure panel, heart rate, temperature, ACVPU.
func (c *chart) newsVitals(t time.Time, v vitals, device bool) []string {
	urls := make([]string, 0, 6)
	urls = append(urls, c.respRate(t, v.RR, device))
	urls = append(urls, c.spo2(t, v.SpO2, v.O2, true, device))
	urls = append(urls, c.bloodPressure(t, v.SBP, v.DBP, device))
	urls = append(urls, c.heartRate(t, v.HR, device))
	urls = append(urls, c.temperature(t, v.Temp, v.TempF))
	urls = append(urls, c.consciousness(t, v.ACVPU))
	return urls
}

func (c *chart) respRate(t time.Time, rr int, device bool) string {
	val, key := quantityValue(float64(rr), "breaths/minute", "/min")
	return c.observe(obsSpec{t: t, category: "vital-signs", code: loincRespRate, profile: "resprate", value: val, valueKey: key, device: device})
}

func (c *chart) heartRate(t time.Time, hr int, device bool) string {
	val, key := quantityValue(float64(hr), "beats/minute", "/min")
	return c.observe(obsSpec{t: t, category: "vital-signs", code: loincHeartRate, profile: "heartrate", value: val, valueKey: key, device: device})
}

// spo2 charts pulse oximetry. On oxygen it carries the inhaled oxygen flow
// (LOINC 3151-8); on air, when chartAir, a flow of 0 L/min, so NEWS2 sees
// "air" charted rather than missing.
func (c *chart) spo2(t time.Time, spo2 int, o2 float64, chartAir, device bool) string {
	val, key := quantityValue(float64(spo2), "%", "%")
	var comps []object
	if o2 > 0 || chartAir {
		comps = []object{component(loincO2Flow, o2, "L/min", "L/min")}
	}
	return c.observe(obsSpec{t: t, category: "vital-signs", code: loincSpO2, also: []code{loincSaO2}, profile: "oxygensat", value: val, valueKey: key, components: comps, device: device})
}

func (c *chart) bloodPressure(t time.Time, sbp, dbp int, device bool) string {
	return c.observe(obsSpec{t: t, category: "vital-signs", code: loincBPPanel, profile: "bp", device: device, components: []object{
		component(loincSystolic, float64(sbp), "mm[Hg]", "mm[Hg]"),
		component(loincDiastolic, float64(dbp), "mm[Hg]", "mm[Hg]"),
	}})
}

// temperature charts °C, or °F when asked (F = C × 9/5 + 32, one decimal).
func (c *chart) temperature(t time.Time, celsius float64, fahrenheit bool) string {
	val, key := quantityValue(round(celsius, 1), "Cel", "Cel")
	if fahrenheit {
		val, key = quantityValue(round(celsius*9/5+32, 1), "degF", "[degF]")
	}
	return c.observe(obsSpec{t: t, category: "vital-signs", code: loincBodyTemp, profile: "bodytemp", value: val, valueKey: key})
}

func (c *chart) consciousness(t time.Time, answer code) string {
	return c.observe(obsSpec{t: t, category: "vital-signs", code: loincConscious, value: concept(answer), valueKey: "valueCodeableConcept"})
}

// clinicVitals writes the vital signs of an outpatient visit.
func (c *chart) clinicVitals(t time.Time, v vitals, weight, height float64) {
	c.bloodPressure(t, v.SBP, v.DBP, false)
	c.heartRate(t, v.HR, false)
	c.respRate(t, v.RR, false)
	c.temperature(t, v.Temp, v.TempF)
	c.spo2(t, v.SpO2, 0, false, false)
	if weight > 0 {
		val, key := quantityValue(round(weight, 1), "kg", "kg")
		c.observe(obsSpec{t: t, category: "vital-signs", code: loincBodyWeight, profile: "bodyweight", value: val, valueKey: key})
	}
	if height > 0 {
		val, key := quantityValue(round(height, 1), "cm", "cm")
		c.observe(obsSpec{t: t, category: "vital-signs", code: loincBodyHeight, profile: "bodyheight", value: val, valueKey: key})
		if weight > 0 {
			bmi := weight / math.Pow(height/100, 2)
			val, key := quantityValue(round(bmi, 1), "kg/m2", "kg/m2")
			c.observe(obsSpec{t: t, category: "vital-signs", code: loincBMI, profile: "bmi", value: val, valueKey: key})
		}
	}
}
