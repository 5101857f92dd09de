#!/bin/sh
# leak-blame's accuracy on archives recorded from real Go runs:
#  - trend-fit's archives (testdata/archives/trend: one leak pattern per
#    program, among them a cgo leak traced by cgo-trace, a steady service
#    and a cache that plateaus; ground truth in
#    testdata/blame/truth-trend.txt and each archive's truth.txt), with
#    --source testdata/go/trendprogs;
#  - the demo service's archives (testdata/archives/blame: goroutine, ticker,
#    sub-slice, map, cgo traced by cgo-trace, cgo untraced, steady; truth in
#    each truth.txt), with --source testdata/demo.
# Every leaking function must be the top suspect of its archive with the
# right pattern (and, for cgo, the C function and its Go caller named); no
# suspect at all on steady and plateau runs. Prints precision and recall,
# with the source and from the profiles alone (there, the suspect must still
# name the leaking function, as its own, or as the function its goroutines
# wait in or were created by; patterns are reported, not required).
. "$(dirname "$0")/lib.sh"

T=$TESTDATA/archives/trend
B=$TESTDATA/archives/blame

# truth FILE: lines "top F P" / "leak F P" / "c F" / "named KEY"
trend_truth() { # trend_truth SCENARIO
	awk -v s="$1" '$1 == s && $2 == "top" { print "top", $3, $4 } $1 == s && $2 == "c" { print "c", $3 }' \
		"$TESTDATA/blame/truth-trend.txt"
	awk '!/^#/ && NF == 3 && $3 == "leak" { print "named", $2 }' "$T/$1/truth.txt"
}
blame_truth() { grep -v '^#' "$B/$1/truth.txt" || true; }

# score NAME TRUTH JSON MODE: one line "NAME ok|FAIL tp fp fn detail"
score() {
	python3 - "$@" <<-\EOF
	import json, sys
	name, truth, js, mode = sys.argv[1:5]
	d = json.load(open(js))
	sus = d["suspects"]
	lines = [l.split() for l in open(truth) if l.strip()]
	want = [(l[1], l[2]) for l in lines if l[0] in ("top", "leak")]
	top = [(l[1], l[2]) for l in lines if l[0] == "top"]
	problems = []
	def frames(s):
	    out = set()
	    for st in [s["stack"]] + [x["frames"] for x in s["stacks"]]:
	        out.update(f.split(" ")[0] for f in st)
	    return out
	strict = mode == "source"
	def same(s, f, p):
	    if strict:
	        return s["function"] == f and s["pattern"] == p
	    # profiles alone: the suspect names f (a ticker leak seen as its
	    # goroutines names the function that starts them)
	    g = s.get("goroutines") or {}
	    return f in (s["function"], g.get("waiting_in"), (g.get("created_by") or {}).get("function"))
	tp = sum(1 for f, p in want if any(same(s, f, p) for s in sus))
	fn = len(want) - tp
	fp = sum(1 for s in sus if not any(same(s, f, p) for f, p in want))
	if top:
	    f, p = top[0]
	    if not sus:
	        problems.append("no suspect, want %s" % f)
	    elif not same(sus[0], f, p):
	        problems.append("top is %s (%s), want %s (%s)" % (sus[0]["function"], sus[0]["pattern"], f, p))
	    if sus:
	        pat_ok = sus[0]["pattern"] == p
	        print("#   %-28s top %-28s %-16s %-6s %s" % (name, sus[0]["function"], sus[0]["pattern"],
	              sus[0]["pattern_confidence"], "" if pat_ok else "(want %s)" % p))
	elif sus:
	    problems.append("suspects on a run without a leak: %s" % [s["function"] for s in sus])
	else:
	    print("#   %-28s no suspect" % name)
	for l in lines:
	    if l[0] == "c" and not any(s.get("c_function") == l[1] for s in sus):
	        problems.append("C function %s not named" % l[1])
	    if l[0] == "named" and sus:
	        s = sus[0]
	        names = {s["function"]} | {r["function"] for r in s["related"]} | frames(s)
	        if s.get("goroutines"):
	            names.add(s["goroutines"]["waiting_in"])
	        if l[1] not in names:
	            problems.append("leaking key %s not named by the top suspect" % l[1])
	pattern_ok = int(bool(top) and bool(sus) and sus[0]["pattern"] == top[0][1])
	print("SCORE %s %s %d %d %d %d %d %s" % (name, "FAIL" if problems else "ok", tp, fp, fn,
	      int(bool(top)), pattern_ok, "; ".join(problems)))
	EOF
}

for mode in source profiles; do
	: >"$TRASH/score.$mode"
	: >"$TRASH/table.$mode"
	for s in goroutine-leak ticker-leak slice-retention unbounded-map slow-leak-noisy cgo-leak steady-churn cache-plateau; do
		src="--source=$TESTDATA/go/trendprogs"
		[ $mode = profiles ] && src=
		test_expect_success "trend/$s ($mode): right top suspect, nothing else" "
			trend_truth $s >truth &&
			leak-blame --no-profile-paths $src --format=json '$T/$s' >out.json
			rc=\$? && [ \$rc -le 1 ] &&
			score trend/$s truth out.json $mode >score &&
			grep '^#' score >>'$TRASH/table.$mode'; grep '^SCORE' score >>'$TRASH/score.$mode' &&
			grep -q '^SCORE [^ ]* ok ' score
		"
	done
	for s in goroutine ticker subslice map cgo cgo-untraced steady; do
		src="--source=$TESTDATA/demo"
		[ $mode = profiles ] && src=
		test_expect_success "blame/$s ($mode): right top suspect, nothing else" "
			blame_truth $s >truth &&
			leak-blame --no-profile-paths $src --format=json '$B/$s' >out.json
			rc=\$? && [ \$rc -le 1 ] &&
			score blame/$s truth out.json $mode >score &&
			grep '^#' score >>'$TRASH/table.$mode'; grep '^SCORE' score >>'$TRASH/score.$mode' &&
			grep -q '^SCORE [^ ]* ok ' score
		"
	done
done

summary() { # summary MODE TITLE
	awk -v title="$2" '{ tp += $4; fp += $5; fn += $6; tops += $7; pats += $8 }
	END {
		p = tp + fp ? tp / (tp + fp) : 1; r = tp + fn ? tp / (tp + fn) : 1
		printf "# %s: %d leaks, %d found (TP), %d false suspects (FP), %d missed (FN): precision %.2f, recall %.2f; top pattern right in %d of %d\n",
			title, tp + fn, tp, fp, fn, p, r, pats, tops
	}' "$TRASH/score.$1"
}
say "# top suspects with the source (--source):"
cat "$TRASH/table.source"
summary source "with source, function and pattern"
say "# top suspects from the profiles alone (--no-profile-paths, no --source):"
cat "$TRASH/table.profiles"
summary profiles "profiles only, function"

test_expect_success 'with source: precision and recall 1 (every function and pattern)' "
	test \$(wc -l <'$TRASH/score.source') -eq 15 &&
	! grep -v '^SCORE [^ ]* ok ' '$TRASH/score.source' &&
	awk '{ fp += \$5; fn += \$6; tp += \$4 } END { exit !(fp == 0 && fn == 0 && tp == 13) }' '$TRASH/score.source'
"
test_expect_success 'profiles only: every leaking function still found, nothing else' "
	awk '{ fp += \$5; fn += \$6 } END { exit !(fp == 0 && fn == 0) }' '$TRASH/score.profiles'
"
test_expect_success 'cgo: the C function and its Go caller named, with the quoted C line' "
	leak-blame --no-profile-paths --source='$TESTDATA/demo' --format=json '$B/cgo' >out.json
	python3 -c '
import json
d = json.load(open(\"out.json\"))
s = d[\"suspects\"][0]
assert s[\"function\"] == \"main.renderNative\" and s[\"c_function\"] == \"leaky_c_alloc\", s
assert s[\"c_location\"][\"file\"].endswith(\"leaky.c\") and s[\"c_location\"][\"line\"] == 21, s
assert any(q[\"text\"].startswith(\"char *p = malloc(n);\") for q in s[\"code\"]), s[\"code\"]
assert any(q[\"text\"].startswith(\"p := C.leaky_c_alloc(\") for q in s[\"code\"]), s[\"code\"]
'
"
test_expect_success 'trend/cgo-leak: the Go caller of the _Cfunc_ wrapper, the C function named' "
	leak-blame --no-profile-paths --source='$TESTDATA/go/trendprogs' --format=json '$T/cgo-leak' >out.json
	python3 -c '
import json
d = json.load(open(\"out.json\"))
assert len(d[\"suspects\"]) == 1, [s[\"function\"] for s in d[\"suspects\"]]
s = d[\"suspects\"][0]
assert s[\"function\"] == \"main.renderThumbnail\" and s[\"pattern\"] == \"cgo-leak\", s
assert s[\"source\"] == \"cgo\" and s[\"pattern_confidence\"] == \"high\", s
assert s[\"c_function\"] == \"thumb_render\", s
assert s[\"c_location\"][\"file\"].endswith(\"native.c\") and s[\"c_location\"][\"line\"] == 15, s
st = [f.split(\" \")[0] for f in s[\"stack\"]]
i = st.index(\"main.renderThumbnail\")
assert st[i + 1] == \"main._Cfunc_thumb_render\" and st[-1] == \"thumb_render\", st
assert any(q[\"text\"].startswith(\"p := C.thumb_render(\") for q in s[\"code\"]), s[\"code\"]
assert any(q[\"text\"].startswith(\"unsigned char *p = malloc(n);\") for q in s[\"code\"]), s[\"code\"]
'
"
test_expect_success 'the source settles it: quoted lines of each pattern' "
	leak-blame --no-profile-paths --source='$TESTDATA/demo' --format=json '$B/subslice' >sub.json
	leak-blame --no-profile-paths --source='$TESTDATA/demo' --format=json '$B/ticker' >tick.json
	leak-blame --no-profile-paths --source='$TESTDATA/demo' --format=json '$B/goroutine' >gor.json
	leak-blame --no-profile-paths --source='$TESTDATA/demo' --format=json '$B/map' >map.json
	python3 -c '
import json
def code(f):
    return [(q[\"line\"], q[\"text\"].split(\" //\")[0], q[\"note\"]) for q in json.load(open(f))[\"suspects\"][0][\"code\"]]
assert (97, \"return data[a:b], nil\", \"returns a sub-slice of the buffer\") in code(\"sub.json\"), code(\"sub.json\")
assert (72, \"t := time.NewTicker(period)\", \"creates a ticker or timer\") in code(\"tick.json\"), code(\"tick.json\")
assert (61, \"<-ctx.Done()\", \"they block here\") in code(\"gor.json\"), code(\"gor.json\")
assert (52, \"_ = cancel\", \"drops the cancel function\") in code(\"gor.json\"), code(\"gor.json\")
assert (153, \"c.items[key] = v\", \"inserts into a map\") in code(\"map.json\"), code(\"map.json\")
g = json.load(open(\"gor.json\"))[\"suspects\"][0][\"goroutines\"]
assert g[\"state\"] == \"chan receive\" and g[\"wait_minutes_max\"] >= 1, g
assert g[\"created_by\"][\"function\"] == \"main.startSessionWorker\", g
'
"
test_done
