package demo

import (
	"encoding/hex"
	"math"
	"math/rand/v2"
	"time"
)

// gen is a deterministic random source: a PCG generator, so the same seed
// gives the same stream (and the same bytes) on every platform and Go release.
type gen struct {
	r *rand.Rand
}

func newGen(seed, stream uint64) *gen {
	return &gen{r: rand.New(rand.NewPCG(seed, stream))}
}

// uuid returns a random version-4 UUID drawn from the generator.
func (g *gen) uuid() string {
	var b [16]byte
	hi, lo := g.r.Uint64(), g.r.Uint64()
	for i := 0; i < 8; i++ {
		b[i] = byte(hi >> (56 - 8*i))
		b[8+i] = byte(lo >> (56 - 8*i))
	}
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:], b[10:])
	return string(s[:])
}

// intn returns a uniform int in [lo, hi].
func (g *gen) intn(lo, hi int) int {
	if hi <= lo {
		return lo
	}
	return lo + g.r.IntN(hi-lo+1)
}

// uniform returns a uniform float in [lo, hi] rounded to the given decimals.
func (g *gen) uniform(lo, hi float64, decimals int) float64 {
	return round(lo+g.r.Float64()*(hi-lo), decimals)
}

// norm returns a normally distributed value rounded to the given decimals.
func (g *gen) norm(mean, sd float64, decimals int) float64 {
	return round(mean+g.r.NormFloat64()*sd, decimals)
}

// chance is true with probability p.
func (g *gen) chance(p float64) bool { return g.r.Float64() < p }

// pick returns one of the codes.
func (g *gen) pick(cs ...code) code { return cs[g.r.IntN(len(cs))] }

// jitter returns d plus or minus up to frac of d.
func (g *gen) jitter(d time.Duration, frac float64) time.Duration {
	return d + time.Duration((g.r.Float64()*2-1)*frac*float64(d))
}

func round(v float64, decimals int) float64 {
	p := math.Pow10(decimals)
	r := math.Round(v*p) / p
	if r == 0 {
		return 0 // never "-0"
	}
	return r
}

func clamp(v, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, v)) }
