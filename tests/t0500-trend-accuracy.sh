#!/bin/sh
# trend-fit on archives recorded from real Go runs (testdata/go/trendprogs,
# recorded by tests/record-trend-archives.sh; default 512 KiB heap sampling,
# churn, GC sawtooth, snapshots repeated without a GC; the cgo leak's C
# heap traced by cgo-trace): every leaking function (truth.txt) must be
# flagged "leak" in its group (heap, goroutine or cgo), no other key may
# be, the leak scenarios must alert (exit 1) and the steady and plateau
# runs must not (exit 0) at the defaults. Prints the confusion matrices, and beside them
# what a naive detector (least-squares slope above --min-rate) would say.
. "$(dirname "$0")/lib.sh"

A=$TESTDATA/archives/trend
SCENARIOS="goroutine-leak ticker-leak slice-retention unbounded-map slow-leak-noisy cgo-leak steady-churn cache-plateau"

# score SCENARIO CSV: one line per scored key: "TRUTH PREDICTED NAIVE kind key"
score() {
	awk -F, -v truth="$A/$1/truth.txt" '
	BEGIN {
		while ((getline l < truth) > 0) {
			if (l ~ /^#/ || l == "") continue
			split(l, f, " "); t[f[1] " " f[2]] = f[3]
		}
	}
	NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
	$col["kind"] != "heap" && $col["kind"] != "goroutine" && $col["kind"] != "cgo" { next }
	$col["key"] == "total" { next }
	{
		k = $col["kind"] " " $col["key"]
		if (t[k] == "either") next
		truth_leak = (t[k] == "leak") ? "P" : "N"
		pred = ($col["verdict"] == "leak") ? "P" : "N"
		naive = ($col["slope_per_hour"] + 0 >= 1048576 && $col["kind"] != "goroutine") || \
			($col["slope_per_hour"] + 0 >= 60 && $col["kind"] == "goroutine") ? "P" : "N"
		print truth_leak, pred, naive, k
		seen[k] = 1
	}
	END {
		# a leaking key that never showed up counts as missed
		for (k in t) if (t[k] == "leak" && !(k in seen)) print "P N N", k
	}' "$2"
}

for s in $SCENARIOS; do
	test_expect_success "$s: archive present" "test -f '$A/$s/truth.txt' && test -f '$A/$s/memstats.csv'"
done

: >"$TRASH/all.score"
for s in $SCENARIOS; do
	test_expect_success "$s: every leaking key flagged, no other key" "
		trend-fit --format=csv --kinds=heap,goroutine,cgo '$A/$s' >out.csv
		rc=\$? && [ \$rc -le 1 ] &&
		score $s out.csv >score &&
		cat score >>'$TRASH/all.score' &&
		! grep -v '^P P\|^N N' score
	"
done

for s in goroutine-leak ticker-leak slice-retention unbounded-map slow-leak-noisy cgo-leak; do
	test_expect_success "$s: alert fires at the defaults (exit 1)" "
		test_expect_code 1 trend-fit --alerts=alerts.json '$A/$s' >out.txt &&
		grep -q '^ALERT' out.txt &&
		python3 -c 'import json,sys; d = json.load(open(\"alerts.json\")); assert d[\"alerts\"], d' 
	"
done
for s in steady-churn cache-plateau; do
	test_expect_success "$s: no alert at the defaults (exit 0)" "
		test_expect_code 0 trend-fit --alerts=alerts.json '$A/$s' >out.txt &&
		grep -q '^verdict: no leak' out.txt &&
		python3 -c 'import json,sys; d = json.load(open(\"alerts.json\")); assert d[\"alerts\"] == [], d'
	"
done

test_expect_success 'cache-plateau: the cache is a plateau, not a leak' "
	test_expect_code 0 trend-fit --format=csv '$A/cache-plateau' >out.csv &&
	grep -q '^main.cacheFill,heap,.*,plateau,' out.csv &&
	grep -q '^total,heap,.*,plateau,' out.csv
"
test_expect_success 'slow-leak-noisy: the leak hides in the heap total, not per function' "
	test_expect_code 1 trend-fit --format=csv '$A/slow-leak-noisy' >out.csv &&
	grep -q '^main.appendAudit,heap,.*,leak,' out.csv &&
	! grep -q '^total,heap,.*,leak,' out.csv
"
test_expect_success 'cgo-leak: the C function leaks in the cgo group, the Go heap does not' "
	test_expect_code 1 trend-fit --format=csv --alerts=alerts.json '$A/cgo-leak' >out.csv &&
	test \$(ls '$A/cgo-leak'/cgo-*.pb.gz | wc -l) -ge 36 &&
	grep -q '^thumb_render,cgo,.*,leak,' out.csv &&
	grep -q '^total,cgo,.*,leak,' out.csv &&
	! grep -q ',heap,.*,leak,' out.csv &&
	python3 -c '
import json
d = json.load(open(\"alerts.json\"))
a = [x for x in d[\"alerts\"] if x[\"kind\"] == \"cgo\"]
assert a and a[0][\"top_keys\"][0][\"key\"] == \"thumb_render\", d
'
"

# The matrices: trend-fit and the naive slope threshold on the same keys.
matrix() { # matrix COLUMN NAME
	awk -v c="$1" -v name="$2" '
	{ k = $1 $c; n[k]++ }
	END {
		printf "# %-28s  flagged  not flagged\n", name
		printf "#   leaking (truth)          %7d  %11d\n", n["PP"], n["PN"]
		printf "#   not leaking (truth)      %7d  %11d\n", n["NP"], n["NN"]
	}' "$TRASH/all.score"
}
say "# confusion matrix over $(wc -l <"$TRASH/all.score") scored keys (heap, goroutine and cgo, 8 scenarios):"
matrix 2 "trend-fit (defaults)"
matrix 3 "naive: LS slope >= 1MiB/h"
test_expect_success 'confusion matrix: no false negative, no false positive' "
	test -s '$TRASH/all.score' &&
	! grep -v '^P P\|^N N' '$TRASH/all.score' &&
	grep -c '^P P' '$TRASH/all.score' >tp && test \$(cat tp) -ge 7
"
test_done
