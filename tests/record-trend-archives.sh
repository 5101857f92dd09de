#!/bin/sh
# tests/record-trend-archives.sh: (re)records trend-fit's test archives from
# real Go runs, so the tests themselves need no Go.
#
#   [LW_BUILD=$PWD/build] sh tests/record-trend-archives.sh [SCENARIO...]
#
# Builds testdata/go/trendprogs (stdlib and cgo, offline) and runs each scenario
# once; each run records itself every 250 ms for 48 snapshots, as pprof-fetch
# with gc=1 would (heap + goroutine protobuf, memstats.csv), into
# testdata/archives/trend/<scenario>/, with the scenario's ground truth in
# truth.txt. Default MemProfileRate (512 KiB), so the sampling noise is the
# real one. Takes about 15 s per scenario.
#
# The cgo-leak scenario leaks C memory through cgo (testdata/go/trendprogs/
# cgoleak.go and native.c; the program is built with cgo, so a C compiler
# is needed), which Go's heap profile cannot see: it runs under
# `cgo-trace --out` (from $LW_BUILD/bin, default build/bin) with the same
# 250 ms interval, so the target directory also holds cgo-<time>.pb.gz
# snapshots, and it records 40 snapshots instead of 48 to stay under 1 MB.
# cgo-trace needs root (BPF): without root, name the other scenarios.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/testdata/archives/trend
: "${LW_BUILD:=$root/build}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

(cd "$root/testdata/go/trendprogs" && GOFLAGS=-mod=mod GOPROXY=off GOCACHE="$work/gocache" \
	GO111MODULE=on CGO_ENABLED=1 go build -buildvcs=false -o "$work/trendprogs" .)

if [ $# -eq 0 ]; then
	set -- $("$work/trendprogs" -list | awk '{print $1}')
fi
for s in "$@"; do
	[ "$s" = cgo-leak ] || continue
	if [ "$(id -u)" -ne 0 ]; then
		echo "cgo-leak needs root (cgo-trace); name the other scenarios to record only those" >&2
		exit 1
	fi
	[ -x "$LW_BUILD/bin/cgo-trace" ] || { echo "no $LW_BUILD/bin/cgo-trace (make first, or set LW_BUILD)" >&2; exit 1; }
done
for s in "$@"; do
	echo "recording $s"
	rm -rf "${out:?}/$s"
	if [ "$s" = cgo-leak ]; then
		# cgo-trace starts the program and snapshots its outstanding C
		# allocations every 250 ms (and once more at its exit) into the
		# same target directory, named as pprof-fetch names snapshots
		GODEBUG= "$LW_BUILD/bin/cgo-trace" --out "$out/$s" --interval 250ms -- \
			"$work/trendprogs" -scenario "$s" -out "$out/$s" -n 40 -interval 250ms
	else
		GODEBUG= "$work/trendprogs" -scenario "$s" -out "$out/$s" -n 48 -interval 250ms
	fi
	du -sk "$out/$s" | awk -v s="$s" '$1 > 1024 { print s ": archive over 1 MB"; exit 1 }'
done
du -sk "$out" | awk '$1 > 8192 { print "archives over 8 MB in total"; exit 1 } { print "total " $1 " KiB" }'
