#!/bin/sh
# t0010: the pprof reader and writer through test-tool (check / raw /
# roundtrip): malformed inputs fail with one exact line naming the file,
# truncation at every offset and bit flips never crash, rewritten profiles
# read the same in `go tool pprof`.
. "$(dirname "$0")/lib.sh"

G=$TESTDATA/go1.19
M=$G/malformed
P=$TESTDATA/public

# expect_error FILE MESSAGE: check exits 2 with exactly that one line.
expect_error() {
	printf "test-tool: '%s': %s\n" "$1" "$2" >expect &&
	test_expect_code 2 test-tool check "$1" 2>actual &&
	test_cmp expect actual
}

test_expect_success 'every generated protobuf fixture decodes' '
	for f in "$G"/*.pb.gz "$G"/*.pb "$G"/goldens/*.pb.gz; do
		test-tool check "$f" || { echo "failed: $f"; exit 1; }
	done
'

test_expect_success 'every public protobuf fixture decodes' '
	for f in "$P"/parca/pkg/query/testdata/*.pb.gz "$P"/parca/pkg/query/testdata/many/*.pb.gz \
		"$P"/parca/pkg/normalizer/profile.pb.gz \
		"$P"/parca/pkg/symbolizer/testdata/normal-cpu.stripped.pprof \
		"$P"/dd-trace-go/profiler/internal/fastdelta/testdata/*.pprof \
		"$P"/google-pprof/internal/driver/testdata/go.nomappings.crash \
		"$P"/google-pprof/internal/driver/testdata/cppbench.cpu_no_samples_type \
		"$P"/google-pprof/internal/report/testdata/sample.cpu; do
		test-tool check "$f" || { echo "failed: $f"; exit 1; }
	done
'

test_expect_success 'concatenated raw profiles' '
	expect_error "$M/concat_heap_1_2.pb" "concatenated profiles detected"
'
test_expect_success 'concatenated profiles in one gzip stream' '
	expect_error "$M/concat_heap_1_2.pb.gz" "concatenated profiles detected"
'
test_expect_success 'empty file' '
	expect_error "$M/empty_file" "empty input file"
'
test_expect_success 'no string table' '
	expect_error "$M/no_string_table.pb" "malformed profile: missing string table"
'
test_expect_success 'string_table[0] not empty' '
	expect_error "$M/string_table0_not_empty.pb" \
		"malformed profile: string_table[0] is not empty"
'
test_expect_success 'truncated raw profile' '
	expect_error "$M/truncated_heap_2.pb" "truncated protobuf"
'
test_expect_success 'truncated gzip profile' '
	expect_error "$M/truncated_heap_2.pb.gz" "truncated gzip stream"
'
# pprof decodes it too and only its report says "profile has no samples".
test_expect_success 'a string table with only "" is an empty, valid profile' '
	test-tool raw "$M/only_empty_string_table.pb" >out &&
	grep "^source proto" out &&
	! grep "^sample" out
'

test_expect_success 'malformed public fuzz input: one line naming the file' '
	f=$P/google-pprof/fuzz/testdata/7e3c92482f6f39fc502b822ded792c589849cca8 &&
	test_expect_code 2 test-tool check "$f" 2>err &&
	test $(wc -l <err) -eq 1 &&
	grep "^test-tool: '\''$f'\'': " err
'

test_expect_success 'missing file' '
	expect_error nonexistent.pb.gz "cannot read: No such file or directory"
'

test_expect_success 'stdin is read and named <stdin>' '
	test-tool raw - <"$G/rate512k_heap_2.pb.gz" >from-stdin &&
	test-tool raw "$G/rate512k_heap_2.pb.gz" >from-file &&
	test_cmp from-file from-stdin &&
	printf "" | test_expect_code 2 test-tool check - 2>err &&
	echo "test-tool: '\''<stdin>'\'': empty input file" >expect &&
	test_cmp expect err
'

test_expect_success 'gzip, raw and unpacked encodings decode identically' '
	test-tool raw "$G/rate512k_heap_2.pb.gz" >gz &&
	test-tool raw "$G/rate512k_heap_2.pb" >raw &&
	test-tool raw "$G/rate512k_heap_2.unpacked.pb.gz" >unpacked &&
	test_cmp gz raw &&
	test_cmp gz unpacked
'

test_expect_success 'raw: exact values of the 416-byte sample' '
	test-tool raw "$G/rate512k_heap_2.pb.gz" >out &&
	grep -A1 "^sample values=1260,524496,1260,524496 locations=" out >s &&
	grep "^  label key=\"bytes\" num=416 num_unit=\"\"$" s
'

# Crafted wire-level defects (printf octal escapes).
test_expect_success 'varint longer than 10 bytes' '
	printf "\062\000\110\377\377\377\377\377\377\377\377\377\377\001" >v.pb &&
	expect_error v.pb "malformed protobuf: bad varint in Profile"
'
test_expect_success 'length larger than the input' '
	printf "\062\000\022\377\377\377\377\017\000" >l.pb &&
	expect_error l.pb "truncated protobuf"
'
test_expect_success 'length of 2^64-1' '
	printf "\062\377\377\377\377\377\377\377\377\377\001" >l64.pb &&
	expect_error l64.pb "truncated protobuf"
'
test_expect_success 'a sample with a bad nested varint' '
	printf "\062\000\022\002\020\200" >n.pb &&
	expect_error n.pb "truncated protobuf"
'
test_expect_success 'a string index out of range' '
	printf "\012\004\010\005\020\000\062\000" >s.pb &&
	expect_error s.pb "malformed profile: sample_type type string index 5 out of range (string table has 1 entries)"
'
test_expect_success 'gzip with trailing garbage' '
	cp "$G/rate512k_goroutine.pb.gz" g.pb.gz && printf "xx" >>g.pb.gz &&
	expect_error g.pb.gz "invalid gzip header after the first member"
'
test_expect_success 'two gzip members of one profile = concatenated' '
	cat "$G/rate512k_heap_1.pb.gz" "$G/rate512k_heap_2.pb.gz" >two.pb.gz &&
	expect_error two.pb.gz "concatenated profiles detected"
'
test_expect_success 'gzip of an empty file' '
	printf "" | gzip -c >e.gz &&
	expect_error e.gz "empty input file"
'

# check_prefixes FILE: every prefix exits 0 or 2 with one line naming the
# prefix file; prints how many were accepted.
check_prefixes() {
	size=$(wc -c <"$1") acc=0 i=0
	while [ $i -lt "$size" ]; do
		head -c $i "$1" >t
		test-tool check t 2>err
		rc=$?
		case $rc in
		0) acc=$((acc + 1)) ;;
		2) [ $(wc -l <err) -eq 1 ] && grep -q "^test-tool: 't': " err ||
			{ echo "offset $i: bad message" >&2; cat err >&2; return 1; } ;;
		*) echo "offset $i: exit $rc" >&2; cat err >&2; return 1 ;;
		esac
		i=$((i + 1))
	done
	echo $acc
}

# The goroutine profile is the smallest real one (809 bytes gzip, 1229 raw).
test_expect_success 'raw profile truncated at every offset: rejected, no crash' '
	gzip -dc "$G/rate512k_goroutine.pb.gz" >g.pb &&
	test $(wc -c <g.pb) -eq 1229 &&
	check_prefixes g.pb >accepted &&
	echo 0 >expect && test_cmp expect accepted
'
test_expect_success 'gzip profile truncated at every offset: rejected, no crash' '
	check_prefixes "$G/rate512k_goroutine.pb.gz" >accepted &&
	echo 0 >expect && test_cmp expect accepted
'
# A cut on a top-level field boundary before the string table parses as
# protobuf; the validation must still refuse it.
test_expect_success 'prefix ending on a field boundary is refused (no string table)' '
	head -c 6 "$G/rate512k_heap_2.pb" >b.pb &&
	expect_error b.pb "malformed profile: missing string table"
'

test_expect_success 'bit flips in the first 128 bytes: exit 0 or 2, never a crash' '
	i=0 && rej=0 &&
	while [ $i -lt 1024 ]; do
		test-tool flip "$G/rate512k_heap_2.pb" f.pb $i &&
		{ test-tool check f.pb 2>err; rc=$?; } &&
		case $rc in 0) ;; 2) rej=$((rej + 1)) ;; *) echo "bit $i: exit $rc"; exit 1 ;; esac &&
		i=$((i + 9))
	done &&
	test $rej -gt 0
'

test_expect_success 'roundtrip writes gzip; raw form unchanged' '
	for f in "$G"/*.pb.gz "$G"/goldens/*.pb.gz; do
		test-tool roundtrip "$f" out.pb.gz &&
		test "$(head -c 2 out.pb.gz | od -An -tx1 | tr -d " ")" = 1f8b &&
		test-tool raw "$f" >a && test-tool raw out.pb.gz >b &&
		test_cmp a b || { echo "differs: $f"; exit 1; }
	done
'

test_expect_success 'roundtrip to a missing directory fails cleanly' '
	test_expect_code 2 test-tool roundtrip "$G/rate512k_heap_2.pb.gz" nodir/x.pb.gz 2>err &&
	grep "^test-tool: '\''nodir/x.pb.gz'\'': cannot write: " err &&
	test ! -e nodir
'

test_expect_success 'roundtrip to stdout' '
	test-tool roundtrip "$G/rate512k_goroutine.pb.gz" - >out.pb.gz &&
	test-tool raw out.pb.gz >b && test-tool raw "$G/rate512k_goroutine.pb.gz" >a &&
	test_cmp a b
'

test_expect_success 'clone is a faithful deep copy' '
	test-tool raw "$G/rate1_heap_2.pb.gz" >a &&
	test-tool clone "$G/rate1_heap_2.pb.gz" >b &&
	test_cmp a b
'

if test_have_prereq GO; then
	test_expect_success 'go tool pprof -raw: rewritten profiles read the same' '
		for f in "$G"/*.pb.gz "$G"/*.pb "$G"/goldens/*.pb.gz \
			"$P"/parca/pkg/query/testdata/alloc_space_delta.pb.gz \
			"$P"/parca/pkg/query/testdata/many/1644509299337903000.pb.gz \
			"$P"/parca/pkg/normalizer/profile.pb.gz \
			"$P"/parca/pkg/symbolizer/testdata/normal-cpu.stripped.pprof \
			"$P"/dd-trace-go/profiler/internal/fastdelta/testdata/heap.pprof \
			"$P"/google-pprof/internal/driver/testdata/go.nomappings.crash \
			"$P"/google-pprof/internal/driver/testdata/cppbench.cpu_no_samples_type \
			"$P"/google-pprof/internal/report/testdata/sample.cpu; do
			test-tool roundtrip "$f" rt.pb.gz &&
			go tool pprof -symbolize=none -raw "$f" >a 2>&1 &&
			go tool pprof -symbolize=none -raw rt.pb.gz >b 2>&1 &&
			test_cmp a b || { echo "differs: $f"; exit 1; }
		done
	'
	test_expect_success 'go tool pprof reads a synthetic profile with every field' '
		test-tool synth 300 50 s.pb.gz &&
		go tool pprof -symbolize=none -raw s.pb.gz >raw.txt 2>&1 &&
		grep "^PeriodType: space bytes" raw.txt &&
		test $(grep -c "bytes:\[" raw.txt) -gt 0
	'
else
	test_skip 'go not installed: go tool pprof comparisons'
fi

test_done
