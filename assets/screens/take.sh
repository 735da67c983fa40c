#!/bin/sh
# take.sh: the README's screenshots, from the real window on the built-in
# demo: the binary runs under Xvfb in the light theme with a throwaway home,
# xdotool drives it by its keyboard shortcuts (Ctrl+1…4 the rail, Ctrl+F
# search, Alt+1…5 the patient's tabs), ImageMagick's import captures it.
#
#   make screens        (or: assets/screens/take.sh BINARY [SIZE...])
#
# SIZE is 1280x800 (files NAME.png) or 1920x1080 (files NAME-1920.png);
# without one it takes both sets.
#
# It waits 60 s first: the demo's story (a high NEWS2 alert, a trial match,
# an admission) has happened by then.
set -eu
bin=$(readlink -f "${1:-/tmp/chartline}")
[ $# -gt 0 ] && shift
sizes=${*:-1280x800 1920x1080}
out=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/config/chartline"
echo '{"theme":"light"}' >"$work/config/chartline/config.json"

cat >"$work/drive.sh" <<'EOF'
#!/bin/sh
set -eu
out=$1 bin=$2 w=$3 h=$4 suffix=$5
"$bin" demo >"$XDG_CONFIG_HOME/demo.log" 2>&1 &
app=$!
sleep 60
win=$(xdotool search --sync --name '^Chartline')
xdotool windowsize --sync "$win" "$w" "$h" 2>/dev/null || xdotool windowsize "$win" "$w" "$h"
xdotool windowmove "$win" 0 0
xdotool windowactivate --sync "$win" 2>/dev/null || xdotool windowfocus --sync "$win"
sleep 2
shot() { sleep "${2:-2}"; import -window "$win" "$out/$1$suffix.png"; }
keys() { xdotool key --delay 150 "$@"; }
open() { # a patient by MRN, from the census
	keys ctrl+1 ctrl+f ctrl+a BackSpace
	xdotool type --delay 60 "$1"
	keys Return
}
keys ctrl+1
shot census
keys ctrl+2
sleep 2
keys Down # the inbox with its first alert selected
shot inbox
open KV-100231 # the deteriorating patient
shot summary 3
keys alt+2
shot timeline
keys alt+3
shot trends 3
keys alt+4
shot patient-alerts
open KV-101562 # the NSCLC patient, eligible since her EGFR result
keys alt+5
shot trials 3
keys ctrl+3
sleep 1
xdotool mousemove --window "$win" 400 237 click 1 # the first refused record
shot quarantine
keys ctrl+4
shot settings
kill "$app"
wait "$app" || true
EOF
chmod +x "$work/drive.sh"
for size in $sizes; do
	w=${size%x*} h=${size#*x} suffix=-$w
	[ "$size" = 1280x800 ] && suffix=
	XDG_CONFIG_HOME="$work/config" xvfb-run -a -s "-screen 0 ${size}x24" "$work/drive.sh" "$out" "$bin" "$w" "$h" "$suffix"
done
for f in "$out"/*.png; do # smaller files, same pixels where lossless
	if command -v pngquant >/dev/null; then pngquant --force --skip-if-larger --quality 90-100 --output "$f" "$f" || true; fi
	if command -v optipng >/dev/null; then optipng -quiet -o2 "$f" || true; fi
done
ls -l "$out"/*.png
