#!/bin/sh
# trend-fit: verdicts on series whose answer is known exactly (--series CSV),
# the CSV/JSON/text reports, the alerts document, time to limit, warm-up,
# the input forms, exit codes and the one-line errors.
. "$(dirname "$0")/lib.sh"

A=$TESTDATA/archives/trend

# gen_series: deterministic series, one row per point: time,key,value
# (times 10 minutes apart, written both as RFC 3339 and as unix seconds).
gen_series() {
	awk 'BEGIN {
		MiB = 1048576; t0 = 1790000000
		print "time,key,value"
		for (i = 0; i < 48; i++) {
			t = t0 + 600 * i
			ts = strftime("%Y-%m-%dT%H:%M:%SZ", t, 1)
			print ts ",leaky," 100 * MiB + i * MiB             # +6 MiB/h
			print t ",slow," 50 * MiB + i * 8192 * 10          # +480 KiB/h: growing
			print t ",flat," 20 * MiB + (i % 3) * 524288       # sampling-step jitter
			v = (i < 20) ? i * 2 * MiB : 40 * MiB + (i % 2) * 524288
			print t ",cache," v                                # grows, then stops
			print t ",down," 80 * MiB - i * MiB                # shrinking
			if (i < 5) print t ",short," i * MiB               # 5 points
		}
	}'
}

test_expect_success 'series: exact verdicts' '
	gen_series >s.csv &&
	trend-fit --format=csv --series=s.csv >out.csv &&
	awk -F, "NR > 1 { print \$1, \$13 }" out.csv | sort >actual &&
	cat >expect <<-\EOT &&
	cache plateau
	down shrinking
	flat steady
	leaky leak
	short too-short
	slow growing
	EOT
	test_cmp expect actual
'

test_expect_success 'series: Theil-Sen rate, interval and R^2 of an exact line' '
	grep "^leaky," out.csv | awk -F, "{ print \$6, \$7, \$8, \$9, \$10 }" >actual &&
	echo "6291456 6291456 6291456 6291456 1" >expect &&
	test_cmp expect actual
'

test_expect_success 'series: auto warm-up leaves out the first 10% of the span' '
	grep "^leaky," out.csv | cut -d, -f3,17 >actual &&
	echo "43,5" >expect &&
	test_cmp expect actual
'

test_expect_success 'series: --warmup=N and --warmup=DURATION' '
	trend-fit --format=csv --warmup=10 --series=s.csv >w.csv &&
	grep "^leaky," w.csv | cut -d, -f3,17 >actual && echo "38,10" >expect && test_cmp expect actual &&
	trend-fit --format=csv --warmup=1h --series=s.csv >w.csv &&
	grep "^leaky," w.csv | cut -d, -f3,17 >actual && echo "42,6" >expect && test_cmp expect actual &&
	trend-fit --format=csv --warmup=0 --series=s.csv >w.csv &&
	grep "^leaky," w.csv | cut -d, -f3,4,17 >actual && echo "48,104857600,0" >expect &&
	test_cmp expect actual
'

test_expect_success 'series: no alert below --alert-rate, alert and exit 1 above it' '
	test_expect_code 0 trend-fit --series=s.csv >out.txt &&
	grep "^verdict: leaks below the alert thresholds" out.txt &&
	test_expect_code 1 trend-fit --alert-rate=5MiB/h --alerts=al.json --series=s.csv >out.txt &&
	grep "^ALERT: series growth: series leaky at +6.00 MiB/h" out.txt &&
	python3 -c "
import json; d = json.load(open(\"al.json\")); a = d[\"alerts\"]
assert len(a) == 1, a
assert a[0][\"what\"] == \"leaky\" and a[0][\"rule\"] == \"rate\" and a[0][\"rate_per_hour\"] == 6291456, a
assert a[0][\"id\"] == \"trend-fit/unknown/series/leaky/rate\", a
assert a[0][\"severity\"] == \"warning\" and 0.99 < a[0][\"confidence\"] <= 1, a"
'

test_expect_success 'series: time to --limit, and the ttl alert' '
	test_expect_code 1 trend-fit --format=csv --limit=159MiB --series=s.csv >l.csv &&
	grep "^leaky," l.csv | cut -d, -f23 >actual && echo 2 >expect && test_cmp expect actual &&
	grep "^flat," l.csv | cut -d, -f23 >actual && echo inf >expect && test_cmp expect actual &&
	test_expect_code 1 trend-fit --limit=159MiB --alerts=al.json --series=s.csv >out.txt &&
	grep "^ALERT: .*leaky reaches the limit in 2.0 h" out.txt &&
	python3 -c "
import json; a = json.load(open(\"al.json\"))[\"alerts\"]
assert [x[\"rule\"] for x in a] == [\"ttl\"], a
assert a[0][\"time_to_limit_seconds\"] == 7200 and a[0][\"severity\"] == \"critical\", a" &&
	test_expect_code 0 trend-fit --limit=159MiB --alert-ttl=1h --series=s.csv >/dev/null
'

test_expect_success 'series: --min-points makes short series too-short' '
	trend-fit --format=csv --min-points=44 --series=s.csv >m.csv &&
	grep "^leaky," m.csv | cut -d, -f13 >actual && echo too-short >expect && test_cmp expect actual
'

test_expect_success 'series: count unit, and stdin' '
	printf "time,key,value\n" >g.csv &&
	awk "BEGIN { for (i = 0; i < 30; i++) print 1790000000 + 60 * i \",workers,\" 10 + 5 * i }" >>g.csv &&
	test_expect_code 1 trend-fit --series-unit=count --format=csv --series=- <g.csv >out.csv &&
	grep "^workers,series,27,25,155,300,300,300,300,1,.*,leak,,count," out.csv
'

test_expect_success 'csv: the documented columns, in order' '
	head -n 1 out.csv >actual &&
	echo "key,kind,points,first,last,slope_per_hour,theil_sen_per_hour,ci_low,ci_high,r2,mk_p,q,verdict,share,unit,target,warmup,growth,noise_floor,wander,late_per_hour,plateau_p,ttl_hours" >expect &&
	test_cmp expect actual
'

test_expect_success 'archive: csv has one row per series, total first per group' '
	trend-fit --format=csv "$A/unbounded-map" >out.csv; test $? -eq 1 &&
	awk -F, "NR > 1 { print \$2 }" out.csv | uniq >kinds &&
	printf "goroutine\nheap\nmemstats\n" >expect && test_cmp expect kinds &&
	awk -F, "NR > 1 && \$2 != prev { print \$1; prev = \$2 }" out.csv | head -n 2 >actual &&
	printf "total\ntotal\n" >expect && test_cmp expect actual &&
	grep -q "^main.remember,heap,43,.*,leak,0.99[0-9]*,bytes,,5,.*,2097152," out.csv
'

test_expect_success 'archive: json is valid and agrees with the csv' '
	trend-fit --format=json "$A/unbounded-map" >out.json; test $? -eq 1 &&
	python3 -c "
import json, csv
d = json.load(open(\"out.json\"))
rows = {(r[\"kind\"], r[\"key\"]): r for r in csv.DictReader(open(\"out.csv\"))}
n = 0
for g in d[\"groups\"]:
    for s in g[\"series\"]:
        r = rows[(g[\"kind\"], s[\"key\"])]
        assert r[\"verdict\"] == s[\"verdict\"], (r, s)
        assert int(r[\"points\"]) == s[\"points\"]
        n += 1
assert n == len(rows), (n, len(rows))
assert d[\"alerts\"] and d[\"alerts\"][0][\"tool\"] == \"trend-fit\"
assert g[\"snapshots\"] == 48
"
'

test_expect_success 'archive: text summary starts with the overall verdict' '
	trend-fit "$A/goroutine-leak" >out.txt; test $? -eq 1 &&
	head -n 1 out.txt >actual &&
	echo "verdict: ALERT (10 leaking series, 4 alerts)" >expect && test_cmp expect actual &&
	grep -q "^  leak .* main.leakyWorker\$" out.txt &&
	grep -q "^heap (bytes): 48 snapshots over 11.8s, warm-up 5, sampling step 512.00 KiB\$" out.txt
'

test_expect_success 'archive: alerts document for scripts/notify' '
	trend-fit --alerts=al.json --service=checkout "$A/goroutine-leak" >/dev/null; test $? -eq 1 &&
	python3 -c "
import json; d = json.load(open(\"al.json\"))
assert d[\"tool\"] == \"trend-fit\" and d[\"service\"] == \"checkout\"
ids = [a[\"id\"] for a in d[\"alerts\"]]
assert ids == [\"trend-fit/checkout/goroutine/total/goroutines\",
               \"trend-fit/checkout/inuse_space/total/rate\",
               \"trend-fit/checkout/rss/rss/rate\",
               \"trend-fit/checkout/goroutines/goroutines/goroutines\"], ids
tk = d[\"alerts\"][1][\"top_keys\"]
assert tk[0][\"key\"] == \"main.newWorkerState\" and tk[0][\"share\"] > 0.9, tk
for a in d[\"alerts\"]:
    for k in (\"what\", \"kind\", \"rule\", \"severity\", \"rate_per_hour\", \"unit\", \"confidence\",
              \"time_to_limit_seconds\", \"summary\"):
        assert k in a, (k, a)
"
'

test_expect_success 'archive: -o writes the report, --alerts even when nothing fires' '
	trend-fit -o rep.txt --alerts=none.json "$A/steady-churn" >stdout &&
	test ! -s stdout && grep -q "^verdict: no leak" rep.txt &&
	python3 -c "import json; assert json.load(open(\"none.json\"))[\"alerts\"] == []"
'

test_expect_success 'profiles: the heap files alone give the archive verdicts' '
	trend-fit --format=csv --kinds=heap "$A/ticker-leak" >a.csv; test $? -eq 1 &&
	trend-fit --format=csv "$A"/ticker-leak/heap-*.pb.gz >p.csv; test $? -eq 1 &&
	cut -d, -f1-5,13 a.csv >expect && cut -d, -f1-5,13 p.csv >actual && test_cmp expect actual
'

test_expect_success 'archive: --by=stack keys are folded stacks' '
	trend-fit --format=csv --by=stack --kinds=heap "$A/slice-retention" >out.csv; test $? -eq 1 &&
	grep -q "^[^,]*;main.readMessage,heap,.*,leak," out.csv
'

test_expect_success 'archive: --kinds=memstats and a parent archive directory' '
	mkdir -p arch && cp -r "$A/steady-churn" arch/svc &&
	trend-fit --format=csv --kinds=memstats arch >out.csv &&
	awk -F, "NR > 1 { print \$2, \$16 }" out.csv | sort -u >actual &&
	echo "memstats svc" >expect && test_cmp expect actual &&
	! grep -q "^Sys,\|^NextGC,\|^TotalAlloc," out.csv
'

test_expect_success 'errors: bad archive, bad profile, bad series: exit 2, one line' '
	test_expect_code 2 trend-fit /nonexistent 2>err && test_line_count=$(wc -l <err) &&
	test "$test_line_count" -eq 1 && grep -q "^trend-fit: .*/nonexistent" err &&
	mkdir empty && test_expect_code 2 trend-fit empty 2>err &&
	echo "trend-fit: '\''empty'\'': no snapshots or series found" >expect && test_cmp expect err &&
	cp -r "$A/steady-churn" bad && f=$(ls bad/heap-* | sed -n 10p) &&
	head -c 300 "$f" >cut && mv cut "$f" &&
	test_expect_code 2 trend-fit -o never.txt --alerts=never.json bad 2>err &&
	echo "trend-fit: '\''$f'\'': truncated gzip stream" >expect && test_cmp expect err &&
	test ! -e never.txt && test ! -e never.json &&
	printf "time,key,value\n2026-01-01T00:00:00Z,a,1\nyesterday,a,2\n" >b.csv &&
	test_expect_code 2 trend-fit --series=b.csv 2>err &&
	echo "trend-fit: '\''b.csv'\'': line 3: bad time '\''yesterday'\''" >expect && test_cmp expect err &&
	printf "1,a\n" >b2.csv && test_expect_code 2 trend-fit --series=b2.csv 2>err &&
	grep -q "^trend-fit: '\''b2.csv'\'': line 1: 2 fields, want 3" err &&
	test_expect_code 2 trend-fit "$A/steady-churn/memstats.csv" 2>err && test $(wc -l <err) -eq 1
'

test_expect_success 'errors: bad arguments exit 2 with a usage hint' '
	for a in --bogus --format=xml --by=line --warmup=abc --min-points=1 --confidence=1 \
		--fdr=0 --alert-rate=fast --limit=0 --kinds=heap,cpu --series-unit=apples \
		"--alert-ttl=1h --series=s.csv"; do
		# shellcheck disable=SC2086
		test_expect_code 2 trend-fit $a "$A/steady-churn" 2>err >out || return 1
		test ! -s out && grep -q "^Try .trend-fit --help." err || return 1
	done &&
	test_expect_code 2 trend-fit 2>err && grep -q "no archive, profile or --series" err
'

test_expect_success 'help and version' '
	trend-fit --help >out && grep -q "^usage: trend-fit" out &&
	trend-fit --version >out && grep -q "^trend-fit (leakwatch) " out
'

test_expect_success 'man page lists every option of --help' '
	trend-fit --help | grep -o -- "--[a-z-]*" | sort -u >opts &&
	while read -r o; do
		grep -q -- "$(echo "$o" | sed "s/-/\\\\\\\\-/g")" "$LW_ROOT/tools/trend-fit/trend-fit.1" ||
		{ echo "missing $o"; return 1; }
	done <opts
'
test_done
