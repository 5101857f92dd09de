#!/bin/sh
# testdata/blame/record-archives.sh: (re)records leak-blame's pattern
# archives from the demo service (testdata/demo), so the tests need no Go.
#
#   LW_BUILD=$PWD/build-blame sh testdata/blame/record-archives.sh [SCENARIO...]
#
# Each scenario runs `scripts/record --demo MODES` (pprof-fetch with kinds
# heap,goroutine,goroutine-dump,memstats; cgo-trace too when run as root,
# except for cgo-untraced) into testdata/archives/blame/<scenario>/demo/,
# writes its ground truth to testdata/archives/blame/<scenario>/truth.txt,
# then thins the goroutine dumps (every 4th is kept: the leak shows as well
# in 10 dumps as in 40, and dumps are large text) so that each archive
# stays under 1 MB. Needs Go (Debian's 1.19) and, for the cgo scenario,
# root with BPF. Takes about 4 minutes.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$root/testdata/archives/blame
: "${LW_BUILD:=$root/build}"
export LW_BUILD

# run NAME MODES RATE INTERVAL DURATION FLAGS TRUTH: records one scenario.
# TRUTH lines: "top FUNCTION PATTERN" for the expected top suspect, "leak
# FUNCTION PATTERN" for every other leaking function, "c FUNCTION" for the C
# function a cgo leak must name; none: no suspect at all. '#' comments.
run() {
	name=$1 modes=$2 rate=$3 interval=$4 duration=$5 flags=$6 truth=$7
	echo "recording $name"
	rm -rf "${out:?}/$name"
	mkdir -p "$out/$name"
	# shellcheck disable=SC2086 # flags is a word list
	sh "$root/scripts/record" -q -o "$out/$name" --demo "$modes" --rate "$rate" --qps 20 \
		--interval "$interval" --duration "$duration" $flags
	printf '%s' "$truth" >"$out/$name/truth.txt"
	i=0
	for f in "$out/$name"/demo/goroutine-dump-*.txt; do
		[ -f "$f" ] || continue
		[ $((i % 4)) -eq 0 ] || rm -f "$f"
		i=$((i + 1))
	done
	du -sk "$out/$name" | awk -v s="$name" '$1 > 1024 { print s ": archive over 1 MB"; exit 1 } { print s ": " $1 " KiB" }'
}

all="$*"
# sel NAME: NAME was asked for (or no name was: all of them)
sel() { [ -z "$all" ] || case " $all " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

nl='
'
sel goroutine && run goroutine goroutine 2 2s 80s "--no-cgo-trace" \
	"# the demo's goroutine leak: session workers wait on ctx.Done() of a context nobody cancels${nl}top main.leakGoroutineWorker goroutine-leak${nl}"
sel ticker && run ticker ticker 20 500ms 18s "--no-cgo-trace" \
	"# the demo's ticker leak: time.NewTicker with no Stop, one goroutine per ticker${nl}top main.startTickerPoller ticker-leak${nl}"
sel subslice && run subslice subslice 20 500ms 18s "--no-cgo-trace" \
	"# the demo's sub-slice retention: 32-byte headers keep 64 KiB buffers alive${nl}top main.readHeader slice-retention${nl}"
sel map && run map map 300 500ms 18s "--no-cgo-trace" \
	"# the demo's unbounded cache: a map nothing evicts from${nl}top main.(*Cache).Put unbounded-map${nl}"
sel cgo && run cgo cgo 60 500ms 18s "" \
	"# the demo's cgo leak traced by cgo-trace: C buffers never freed, C.CString never freed${nl}top main.renderNative cgo-leak${nl}c leaky_c_alloc${nl}leak main.registerName cgo-leak${nl}"
sel cgo-untraced && run cgo-untraced cgo 300 500ms 18s "--no-cgo-trace" \
	"# the demo's cgo leak without cgo-trace: RSS grows, Go's own figures do not${nl}top (unexplained) unexplained-rss${nl}"
sel steady && run steady steady 100 500ms 18s "--no-cgo-trace" \
	"# the demo's steady mode: heavy churn over a fixed working set, no leak${nl}"
du -sk "$out" | awk '{ print "total " $1 " KiB" }'
