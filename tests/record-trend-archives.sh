#!/bin/sh
# tests/record-trend-archives.sh: (re)records trend-fit's test archives from
# real Go runs, so the tests themselves need no Go.
#
#   sh tests/record-trend-archives.sh [SCENARIO...]
#
# Builds testdata/go/trendprogs (stdlib only, offline) and runs each scenario
# once; each run records itself every 250 ms for 48 snapshots, as pprof-fetch
# with gc=1 would (heap + goroutine protobuf, memstats.csv), into
# testdata/archives/trend/<scenario>/, with the scenario's ground truth in
# truth.txt. Default MemProfileRate (512 KiB), so the sampling noise is the
# real one. Takes about 15 s per scenario.
#
# Hook for the cgo leak: once tools/cgo-trace exists, a cgo scenario is to
# be recorded here by running a cgo program under `cgo-trace --out` (cgo-*.pb.gz
# files in the same target directory); trend-fit reads kind "cgo" already.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/testdata/archives/trend
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

(cd "$root/testdata/go/trendprogs" && GOFLAGS=-mod=mod GOPROXY=off GOCACHE="$work/gocache" \
	GO111MODULE=on go build -buildvcs=false -o "$work/trendprogs" .)

if [ $# -eq 0 ]; then
	set -- $("$work/trendprogs" -list | awk '{print $1}')
fi
for s in "$@"; do
	echo "recording $s"
	rm -rf "${out:?}/$s"
	GODEBUG= "$work/trendprogs" -scenario "$s" -out "$out/$s" -n 48 -interval 250ms
	du -sk "$out/$s" | awk -v s="$s" '$1 > 1024 { print s ": archive over 1 MB"; exit 1 }'
done
du -sk "$out" | awk '$1 > 8192 { print "archives over 8 MB in total"; exit 1 } { print "total " $1 " KiB" }'
