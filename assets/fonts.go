package assets

import "embed"

// Fonts holds DejaVu Sans and DejaVu Sans Bold (version 2.37, unmodified,
// from Debian's fonts-dejavu-core; licence in fonts/LICENSE: Bitstream Vera
// licence, DejaVu changes public domain, free to embed and redistribute).
// The handover PDF embeds them (subset) so names in every Latin, Greek and
// Cyrillic script print on a fresh machine with no fonts installed.
//
//go:embed fonts/DejaVuSans.ttf fonts/DejaVuSans-Bold.ttf
var Fonts embed.FS
