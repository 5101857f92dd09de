#!/bin/sh
# leak-blame --limit: the time until a service's total memory reaches the
# limit, in the alerts (time_to_limit_seconds, limit_bytes), the JSON
# report (services[].limit) and the text and Markdown reports, exact on
# the synthetic archive (testdata/blame/synth.sh: every value a straight
# line, so the Theil-Sen fit is exact): RSS when memstats.csv has it, else
# the Go heap plus the traced C heap; the same figure as trend-fit --limit.
. "$(dirname "$0")/lib.sh"

MiB=1048576

test_expect_success 'setup: synthetic archive, a profiles-only service, a flat one' '
	sh "$TESTDATA/blame/synth.sh" "$TRASH/arch" &&
	mkdir "$TRASH/mix" &&
	cp "$TRASH"/arch/heapsvc/heap-*.txt "$TRASH"/arch/cgosvc/cgo-*.txt "$TRASH/mix/" &&
	mkdir "$TRASH/flat" &&
	awk "BEGIN { print \"time,HeapInuse,StackInuse,Sys,rss\"
		for (i = 0; i < 20; i++)
			printf \"2026-01-01T00:%02d:00.000Z,4194304,524288,12582912,67108864\\n\", i }" \
		>"$TRASH/flat/memstats.csv"
'

# ttl FILE: the time_to_limit_seconds of every alert of an alert document,
# one per line ("null" for null), then its limit_bytes.
ttl() {
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
for a in d["alerts"]:
    print(a["what"], "null" if a["time_to_limit_seconds"] is None else "%.6f" % a["time_to_limit_seconds"])
print("limit_bytes", d["limit_bytes"])' "$1"
}

# heapsvc: rss = heap + 512 KiB + 8 MiB grows 1.5 MiB a minute (90 MiB/h),
# 40.5 MiB at the last snapshot: 60 minutes more to 40.5 + 90 MiB.
test_expect_success 'rss known: the hour to rss + 90 MiB, in every alert' '
	limit=$((42467328 + 90 * MiB)) &&
	test_expect_code 1 leak-blame --limit=$limit --alerts=alerts.json "$TRASH/arch/heapsvc" >out.txt &&
	ttl alerts.json >actual &&
	cat >expect <<-EOF &&
	main.(*Store).add 3600.000000
	main.poolGet 3600.000000
	limit_bytes $limit
	EOF
	test_cmp expect actual &&
	sed -n 3p out.txt >actual &&
	echo "time to limit: in 1h00m (limit 130.50 MiB; rss 40.50 MiB, +90.00 MiB/h, leak)" >expect &&
	test_cmp expect actual
'

test_expect_success 'rss known: the HTML report says the same' '
	test_expect_code 1 leak-blame --limit=$((42467328 + 90 * MiB)) --format=html "$TRASH/arch/heapsvc" >out.html &&
	grep "<p class=\"limit\">" out.html >actual &&
	echo "<p class=\"limit\">Time to limit: in 1h00m (limit 130.50 MiB; rss 40.50 MiB, +90.00 MiB/h, leak)</p>" >expect &&
	test_cmp expect actual &&
	leak-blame --format=html "$TRASH/arch/heapsvc" >nolimit.html;
	! grep "class=\"limit\"" nolimit.html
'

test_expect_success 'rss known: the JSON report says the same' '
	test_expect_code 1 leak-blame --limit=$((42467328 + 90 * MiB)) --format=json "$TRASH/arch/heapsvc" >out.json &&
	python3 -c "
import json
l = json.load(open(\"out.json\"))[\"services\"][0][\"limit\"]
assert l == {\"bytes\": 136839168, \"basis\": \"rss\", \"last\": 42467328,
             \"bytes_per_hour\": 94371840, \"verdict\": \"leak\", \"time_to_limit_seconds\": 3600}, l
"
'

test_expect_success 'rss known: the same time as trend-fit --limit (cgosvc: C heap in rss)' '
	limit=$((128 * MiB)) &&
	test_expect_code 1 leak-blame --limit=$limit --alerts=alerts.json "$TRASH/arch/cgosvc" >/dev/null &&
	test_expect_code 1 trend-fit --limit=$limit --format=csv "$TRASH/arch/cgosvc" >tf.csv &&
	python3 -c "
import csv, json
tf = [r for r in csv.DictReader(open(\"tf.csv\")) if r[\"key\"] == \"rss\" and r[\"kind\"] == \"memstats\"]
want = float(tf[0][\"ttl_hours\"]) * 3600
# rss = 14 MiB + C heap (1114112 B/min), 37027840 B at the last snapshot
exact = (134217728 - 37027840) / (1114112 * 60.0) * 3600
assert abs(want - exact) < 1e-3, (want, exact)
for a in json.load(open(\"alerts.json\"))[\"alerts\"]:
    assert abs(a[\"time_to_limit_seconds\"] - exact) < 1e-6, (a[\"time_to_limit_seconds\"], exact)
"
'

# mix: heapsvc's heap profiles and cgosvc's C heap, no memstats.csv: the
# total grows 1.5 MiB (Go) + 1088 KiB (C) = 2686976 bytes a minute and is
# 55902208 bytes at the last snapshot: 40 minutes to 55902208 + 40 x that.
test_expect_success 'no rss: Go heap + traced C heap, 40 minutes' '
	limit=$((55902208 + 40 * 2686976)) &&
	test_expect_code 1 leak-blame --limit=$limit --alerts=alerts.json --format=json "$TRASH/mix" >out.json &&
	ttl alerts.json >actual &&
	cat >expect <<-EOF &&
	main.(*Store).add 2400.000000
	main.renderNative 2400.000000
	main.poolGet 2400.000000
	main.registerName 2400.000000
	limit_bytes $limit
	EOF
	test_cmp expect actual &&
	python3 -c "
import json
l = json.load(open(\"out.json\"))[\"services\"][0][\"limit\"]
assert l[\"basis\"] == \"go heap + c heap\" and l[\"last\"] == 55902208, l
assert abs(l[\"bytes_per_hour\"] - 2686976 * 60) < 1e-6 and l[\"verdict\"] == \"leak\", l
assert abs(l[\"time_to_limit_seconds\"] - 2400) < 1e-6, l
"
'

test_expect_success 'no rss, heap only: the Go heap alone' '
	rm -f "$TRASH"/mix/cgo-*.txt &&
	test_expect_code 1 leak-blame --limit=$((33554432 + 1572864 * 30)) --format=json "$TRASH/mix" >out.json &&
	python3 -c "
import json
l = json.load(open(\"out.json\"))[\"services\"][0][\"limit\"]
assert l[\"basis\"] == \"go heap\" and l[\"last\"] == 33554432, l
assert abs(l[\"time_to_limit_seconds\"] - 1800) < 1e-6, l
"
'

test_expect_success 'already over the limit: 0, and the text says reached' '
	test_expect_code 1 leak-blame --limit=1MiB --alerts=alerts.json "$TRASH/arch/heapsvc" >out.txt &&
	ttl alerts.json >actual &&
	printf "main.(*Store).add 0.000000\nmain.poolGet 0.000000\nlimit_bytes 1048576\n" >expect &&
	test_cmp expect actual &&
	grep -q "^time to limit: reached (limit 1.00 MiB; rss 40.50 MiB" out.txt
'

test_expect_success 'rss flat: never reached (null), no alert' '
	test_expect_code 0 leak-blame --limit=1GiB --alerts=alerts.json --format=json "$TRASH/flat" >out.json &&
	ttl alerts.json >actual &&
	echo "limit_bytes 1073741824" >expect &&
	test_cmp expect actual &&
	python3 -c "
import json
l = json.load(open(\"out.json\"))[\"services\"][0][\"limit\"]
assert l[\"basis\"] == \"rss\" and l[\"verdict\"] == \"steady\" and l[\"time_to_limit_seconds\"] is None, l
" &&
	test_expect_code 0 leak-blame --limit=1GiB "$TRASH/flat" >out.txt &&
	grep -q "^time to limit: never at this trend (limit 1.00 GiB; rss 64.00 MiB, +0 B/h, steady)\$" out.txt
'

test_expect_success 'nothing to project from (goroutine dumps only): unknown, null' '
	test_expect_code 1 leak-blame --limit=1GiB --alerts=alerts.json --format=markdown "$TRASH/arch/gorsvc" >out.md &&
	ttl alerts.json >actual &&
	printf "main.worker null\nlimit_bytes 1073741824\n" >expect &&
	test_cmp expect actual &&
	grep -q "^\*\*Time to the limit\*\* (1.00 GiB): unknown (no rss, heap or cgo snapshots).\$" out.md
'

test_expect_success 'markdown: the time to the limit' '
	test_expect_code 1 leak-blame --limit=$((42467328 + 90 * MiB)) --format=markdown "$TRASH/arch/heapsvc" >out.md &&
	grep -q "^\*\*Time to the limit\*\* (130.50 MiB): in 1h00m; rss 40.50 MiB, +90.00 MiB/h, leak.\$" out.md
'

test_expect_success 'without --limit: null everywhere, no line in the text' '
	test_expect_code 1 leak-blame --alerts=alerts.json --format=json "$TRASH/arch/heapsvc" >out.json &&
	ttl alerts.json >actual &&
	printf "main.(*Store).add null\nmain.poolGet null\nlimit_bytes None\n" >expect &&
	test_cmp expect actual &&
	python3 -c "
import json
assert json.load(open(\"out.json\"))[\"services\"][0][\"limit\"] is None
" &&
	test_expect_code 1 leak-blame "$TRASH/arch/heapsvc" >out.txt &&
	! grep -q "time to limit" out.txt
'

test_expect_success '--limit does not change the suspects or their verdicts' '
	test_expect_code 1 leak-blame --format=json "$TRASH/arch" >a.json &&
	test_expect_code 1 leak-blame --limit=1GiB --format=json "$TRASH/arch" >b.json &&
	python3 -c "
import json
a, b = (json.load(open(f))[\"suspects\"] for f in (\"a.json\", \"b.json\"))
assert a == b
"
'

test_expect_success 'a bad --limit: usage error' '
	test_expect_code 2 leak-blame --limit=0 "$TRASH/arch" >out 2>err &&
	grep -q "invalid --limit .0." err &&
	test_expect_code 2 leak-blame --limit=lots "$TRASH/arch" >out 2>err &&
	grep -q "invalid --limit .lots." err &&
	test ! -s out
'

test_done
