#!/bin/sh
# pprof-decode's own views and errors against reviewed goldens
# (testdata/decode/view-cases.txt + expect/; LW_UPDATE_GOLDENS=1 rewrites
# them), then properties that hold whatever the goldens say: JSON parses,
# CSV has its header and columns, folded stacks add up to the total, every
# malformed input exits 2 with one "pprof-decode: '<file>': ..." line, and
# -o never leaves a partial file.
. "$(dirname "$0")/lib.sh"

EXPECT=$TESTDATA/decode/expect
while IFS='	' read -r name code args; do
	case $name in '#'*|'') continue ;; esac
	if [ -n "${LW_UPDATE_GOLDENS:-}" ]; then
		(cd "$TESTDATA" && eval "pprof-decode $args") >"$EXPECT/$name.out" 2>&1
	fi
	test_expect_success "view: $name" "
		(cd \"\$TESTDATA\" && test_expect_code $code pprof-decode $args) >actual 2>&1;
		rc=\$? &&
		grep -v '^error: ' actual >out || :;
		test_cmp \"$EXPECT/$name.out\" out && test \$rc -eq 0
	"
done <"$TESTDATA/decode/view-cases.txt"

G=$TESTDATA/go1.19

for f in rate1_heap_2.pb.gz rate512k_goroutine.pb.gz rate512k_heap_2.debug1.txt; do
	for v in --top --samples --folded --info; do
		test_expect_success "json is valid: $v $f" "
			pprof-decode $v --format=json \"$G/$f\" >out.json &&
			python3 -m json.tool out.json >/dev/null
		"
	done
done

test_expect_success 'top csv: header, 7 columns, flats add up to the shown total' '
	pprof-decode --format=csv --nodefraction=0 "$G/rate1_heap_2.pb.gz" >top.csv &&
	pprof-decode --format=json --nodefraction=0 "$G/rate1_heap_2.pb.gz" >top.json &&
	python3 - <<-PY
	import csv, json
	rows = list(csv.reader(open("top.csv", newline="")))
	assert rows[0] == ["flat", "flat_pct", "sum_pct", "cum", "cum_pct", "name", "inline"], rows[0]
	assert all(len(r) == 7 for r in rows), "ragged csv"
	j = json.load(open("top.json"))
	assert sum(int(r[0]) for r in rows[1:]) == j["shown_flat"] == j["total"] > 0
	assert [r[5] for r in rows[1:]] == [r["name"] for r in j["rows"]]
	PY
'

test_expect_success 'samples csv: one row per merged sample, values add up' '
	pprof-decode --samples --format=csv "$G/rate1_heap_2.pb.gz" >s.csv &&
	pprof-decode --info --format=json "$G/rate1_heap_2.pb.gz" >info.json &&
	python3 - <<-PY
	import csv, json
	rows = list(csv.reader(open("s.csv", newline="")))
	info = json.load(open("info.json"))
	types = [t["type"] for t in info["sample_types"]]
	assert rows[0] == types + ["labels", "stack"], rows[0]
	for i, t in enumerate(info["sample_types"]):
	    assert sum(abs(int(r[i])) for r in rows[1:]) == t["total"], t
	PY
'

for f in rate1_heap_2.pb.gz rate512k_heap_2.pb.gz rate1_allocs_2.pb.gz; do
	for si in alloc_objects alloc_space inuse_objects inuse_space; do
		test_expect_success "folded $f $si adds up to the total" "
			pprof-decode --folded --sample-index=$si \"$G/$f\" >folded &&
			sum=\$(awk '{s += \$NF} END {print s}' folded) &&
			pprof-decode --info --format=json \"$G/$f\" >info.json &&
			total=\$(python3 -c \"import json; print([t['total'] for t in json.load(open('info.json'))['sample_types'] if t['type'] == '$si'][0])\") &&
			test \"\$sum\" = \"\$total\"
		"
	done
done

test_expect_success 'folded lines are root first: main.main before the allocator' '
	pprof-decode --folded "$G/rate1_heap_2.pb.gz" >folded &&
	grep -q "^runtime.main;main.main;main.leakSmall [0-9]*$" folded
'

test_expect_success '--proto writes a profile pprof-decode reads back identically' '
	pprof-decode --proto -o re.pb.gz "$G/rate512k_heap_2.pb.gz" &&
	pprof-decode "$G/rate512k_heap_2.pb.gz" >expect &&
	pprof-decode re.pb.gz >actual &&
	test_cmp expect actual
'

test_expect_success '--proto to stdout is gzip' '
	pprof-decode --proto "$G/rate1_goroutine.pb.gz" >p.gz &&
	gzip -t p.gz
'

test_expect_success 'a failing run leaves no partial -o file' '
	echo keep >out.txt &&
	test_expect_code 2 pprof-decode -o out.txt "$G/malformed/truncated_heap_2.pb.gz" &&
	echo keep >expect && test_cmp expect out.txt &&
	test_expect_code 2 pprof-decode --proto -o out.pb.gz "$G/malformed/empty_file" &&
	test ! -e out.pb.gz &&
	test -z "$(ls -A | grep tmp)"
'

test_expect_success 'truncation at every byte of a small profile: exit 0 or 2, never a crash' '
	f="$G/rate512k_goroutine.pb.gz" && gzip -dc "$f" >whole &&
	n=$(wc -c <whole) && i=0 && bad=0 &&
	while [ $i -lt $n ]; do
		head -c $i whole >cut
		pprof-decode cut >/dev/null 2>err; rc=$?
		if [ $rc -ne 0 ] && [ $rc -ne 2 ]; then echo "offset $i: exit $rc"; bad=1; fi
		if [ $rc -eq 2 ] && ! grep -q "^pprof-decode: " err; then echo "offset $i: no message"; bad=1; fi
		i=$((i + 7))
	done &&
	test $bad -eq 0
'

test_expect_success '--help goes to stdout and exits 0; --version' '
	pprof-decode --help >help && grep -q "^usage: pprof-decode" help &&
	pprof-decode --version >v && grep -q "pprof-decode" v
'

test_expect_success 'man page documents every long option of --help' '
	pprof-decode --help | grep -o -- "--[a-z-]*" | sort -u >opts &&
	while read -r o; do
		grep -q -- "$(echo "$o" | sed "s/-/\\\\\\\\-/g")" "$LW_ROOT/tools/pprof-decode/pprof-decode.1" ||
		{ echo "missing $o"; exit 1; }
	done <opts
'

test_expect_success 'no sample types: -s is an input error naming the file, not a range [0..SIZE_MAX]' '
	printf "\062\000" >notypes.pb &&
	pprof-decode --info notypes.pb >out &&
	test_expect_code 2 pprof-decode --info -s 0 notypes.pb >out 2>err &&
	test $(wc -l <err) -eq 1 &&
	grep -x "pprof-decode: notypes.pb: profile has no samples" err
'

test_done
