# Chartline: `make demo` runs the product on the built-in demo, `make test` runs
# every test. Both install what a fresh Debian machine lacks first (only what is
# missing), so they are the only two commands a newcomer needs.

SHELL := /bin/bash
GO    ?= go
# Fyne 2.8 builds GLFW for X11 and Wayland unless told otherwise; X11 alone
# needs only xorg-dev (README, "Why each library"). Every go command uses the same tags, so
# the build cache is shared between build, vet and test.
TAGS  := x11
export CGO_ENABLED := 1

# Debian packages: cgo + GL/X11 headers for Fyne, Xvfb for headless screens,
# kcat for the wire-compatibility tests and the benchmark, poppler-utils
# (pdftotext, pdftoppm) for the handover PDF tests.
DEB_PACKAGES := gcc libgl1-mesa-dev xorg-dev xvfb kcat xauth poppler-utils

BIN := ./chartline
# staticcheck, pinned: `make test` fails on any finding of its default checks.
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: demo test deps build bench soak package clean fixtures screens

deps:
	@missing=""; for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	  $$sudo apt-get update -q && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -q --no-install-recommends $$missing; \
	fi
	@command -v $(GO) >/dev/null || { echo "Go 1.26 is required (https://go.dev/dl/)"; exit 1; }

build: deps
	$(GO) build -tags $(TAGS) -trimpath -o $(BIN) .

demo: build
	$(BIN) demo

# Every package's tests with the race detector. Screens test headless through
# fyne's test driver; xvfb-run gives the few tests that open a real window a
# display.
test: deps
	$(GO) vet -tags $(TAGS) ./...
	$(GO) run $(STATICCHECK) -tags $(TAGS) ./...
	xvfb-run -a -s "-screen 0 1600x1000x24" $(GO) test -race -tags $(TAGS) -timeout 12m ./...

# Side-by-side figures against kcat and raw bbolt (issues #9 and 19), each
# the median of 3 runs with min and max; JSON to $$BENCH_OUT (default
# bench.json). p2, p2r, p3r and p8 come from the views' benchmarks (their
# test binary is built first); p9 runs the demo under Xvfb. BENCH_FLAGS adds
# flags, e.g. BENCH_FLAGS="-idle-warmup -1s" skips p9.
bench: build
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	$(GO) test -tags $(TAGS) -c -o "$$tmp/views.test" ./views/ && \
	BENCH_OUT=$${BENCH_OUT:-bench.json} $(BIN) bench -views-test "$$tmp/views.test" $(BENCH_FLAGS)

# The long reliability runs: many crash/restart cycles and 60 s per fuzz target.
soak: build
	CHARTLINE_SOAK=1 $(GO) test -tags $(TAGS) -timeout 60m -run 'Crash|Outage|Burst' ./app/reliability
	TAGS=$(TAGS) .ci/fuzz FuzzDecode ./app/record 60s
	TAGS=$(TAGS) .ci/fuzz FuzzSplit ./app/publish 60s
	TAGS=$(TAGS) .ci/fuzz FuzzUnseal ./store 60s

# The README's screenshots: the real window on the demo under Xvfb, driven by
# xdotool, captured with ImageMagick (assets/screens/take.sh).
screens: build
	@for c in xdotool import; do command -v $$c >/dev/null || { echo "make screens needs xdotool and imagemagick"; exit 1; }; done
	assets/screens/take.sh $(BIN)

# Regenerate the demo fixtures (deterministic).
fixtures:
	$(GO) generate ./app/demo

package: deps
	$(GO) run fyne.io/tools/cmd/fyne@v1.7.4 package -os linux -tags $(TAGS) -release

clean:
	rm -f $(BIN) bench.json
