#!/bin/sh
# leak-blame's outputs: the text report (a golden, on the synthetic archive),
# Markdown, the JSON schema of leak-blame.1 on every archive, and the alert
# document as scripts/notify takes it (dry run: generic webhook, Slack and
# Alertmanager payloads; stable ids; an empty list when nothing fires).
# LW_REWRITE_GOLDENS=1 rewrites testdata/blame/golden/*.
. "$(dirname "$0")/lib.sh"

G=$TESTDATA/blame/golden

test_expect_success 'setup: synthetic archive' '
	sh "$TESTDATA/blame/synth.sh" "$TRASH/arch"
'

# q-values come from the trend library's tests across all series: they are
# checked by its own tests, not frozen here.
unq() { sed -e 's/q=[0-9][0-9.e+-]*[0-9]/q=Q/g'; }

test_expect_success 'text report: golden' '
	test_expect_code 1 leak-blame --stacks=2 "$TRASH/arch" >out.txt &&
	unq <out.txt >actual &&
	if [ -n "${LW_REWRITE_GOLDENS:-}" ]; then mkdir -p "$G" && cp actual "$G/synth.txt"; fi &&
	test_cmp "$G/synth.txt" actual
'

test_expect_success 'markdown: golden, balanced fences and details' '
	test_expect_code 1 leak-blame --format=markdown "$TRASH/arch" >out.md &&
	unq <out.md >actual &&
	if [ -n "${LW_REWRITE_GOLDENS:-}" ]; then cp actual "$G/synth.md"; fi &&
	test_cmp "$G/synth.md" actual &&
	test $(($(grep -c "^\`\`\`" out.md) % 2)) -eq 0 &&
	test $(grep -c "<details>" out.md) -eq $(grep -c "</details>" out.md) &&
	grep -q "^| 1 | \`main.(\*Store).add\` | store.go:12 | heap growth (low) | +60.00 MiB/h | 67% | leak | 1.00 |\$" out.md
'

# The JSON schema of leak-blame.1: every suspect has every field, typed.
schema() {
	python3 - "$1" <<-\EOF
	import json, sys
	d = json.load(open(sys.argv[1]))
	num = (int, float, type(None))
	for k in ("tool", "version", "archive", "fail_on", "verdict", "services", "suspects"):
	    assert k in d, k
	assert d["tool"] == "leak-blame" and d["verdict"] in ("leak", "growing", "ok")
	for sv in d["services"]:
	    for k in ("service", "target", "snapshots", "kinds", "suspects", "note", "picture"):
	        assert k in sv, k
	    if sv["picture"]:
	        for p in sv["picture"]["parts"]:
	            assert set(p) == {"part", "first", "last", "bytes_per_hour", "verdict"}, p
	        n = len(sv["picture"]["times"])
	        assert all(len(v) == n for v in sv["picture"]["values"].values())
	ranks = {}
	for s in d["suspects"]:
	    for k, t in (("rank", int), ("service", str), ("function", str), ("file", (str, type(None))),
	                 ("line", (int, type(None))), ("source", str), ("pattern", str),
	                 ("pattern_confidence", str), ("verdict", str), ("bytes_per_hour", num),
	                 ("goroutines_per_hour", num), ("share", num), ("confidence", num), ("q", num),
	                 ("unit", str), ("first", num), ("last", num), ("points", int),
	                 ("c_function", (str, type(None))), ("c_location", (dict, type(None))),
	                 ("goroutines", (dict, type(None))), ("related", list), ("code", list),
	                 ("evidence", list), ("assessment", str), ("recommendation", str),
	                 ("stack", list), ("stacks", list), ("series", (dict, type(None)))):
	        assert k in s and isinstance(s[k], t), (k, s.get(k))
	    assert s["source"] in ("heap", "cgo", "goroutine", "rss"), s["source"]
	    assert s["pattern"] in ("goroutine-leak", "ticker-leak", "slice-retention", "unbounded-map",
	                            "cgo-leak", "unexplained-rss", "heap-growth"), s["pattern"]
	    assert s["pattern_confidence"] in ("high", "medium", "low")
	    assert s["verdict"] in ("leak", "growing")
	    assert s["bytes_per_hour"] > 0 and 0 <= s["confidence"] <= 1
	    assert s["recommendation"] and s["assessment"] and s["evidence"]
	    for q in s["code"]:
	        assert set(q) == {"file", "line", "text", "note"}, q
	    if s["series"]:
	        assert len(s["series"]["times"]) == len(s["series"]["values"]) > 0
	    ranks.setdefault(s["service"], []).append(s["rank"])
	for v in ranks.values():
	    assert v == list(range(1, len(v) + 1)), v
	EOF
}

for a in "$TRASH/arch" "$TESTDATA"/archives/blame/* "$TESTDATA"/archives/trend/*; do
	n=$(basename "$a")
	test_expect_success "json schema: $n" "
		leak-blame --format=json '$a' >out.json
		rc=\$? && [ \$rc -le 1 ] && schema out.json
	"
done

test_expect_success 'alerts: one per leak suspect, the notify schema, stable ids' '
	test_expect_code 1 leak-blame --alerts=a1.json "$TRASH/arch" >/dev/null &&
	test_expect_code 1 leak-blame --alerts=a2.json --format=json "$TRASH/arch" >/dev/null &&
	python3 -c "
import json
a, b = json.load(open(\"a1.json\")), json.load(open(\"a2.json\"))
assert a[\"tool\"] == \"leak-blame\" and len(a[\"alerts\"]) == 6, a
assert [x[\"id\"] for x in a[\"alerts\"]] == [x[\"id\"] for x in b[\"alerts\"]]
ids = {x[\"id\"] for x in a[\"alerts\"]}
assert \"leak-blame/heapsvc/heap/main.(*Store).add/heap-growth\" in ids, ids
assert \"leak-blame/gorsvc/goroutine/main.worker/goroutine-leak\" in ids, ids
for x in a[\"alerts\"]:
    for k in (\"id\", \"tool\", \"service\", \"what\", \"kind\", \"rule\", \"severity\", \"rate_per_hour\",
              \"unit\", \"confidence\", \"time_to_limit_seconds\", \"top_keys\", \"summary\", \"description\"):
        assert k in x, k
    assert x[\"unit\"] == \"bytes\" and x[\"rate_per_hour\"] > 0
"
'

test_expect_success 'notify takes the alerts: webhook, Slack and Alertmanager payloads' '
	notify --dry-run --no-state --webhook http://127.0.0.1:9/hook --slack-webhook http://127.0.0.1:9/slack \
		--alertmanager http://127.0.0.1:9 a1.json >sent 2>err &&
	test $(grep -c "^POST http://127.0.0.1:9/hook" sent) -eq 6 &&
	test $(grep -c "^POST http://127.0.0.1:9/slack" sent) -eq 6 &&
	grep -q "^POST http://127.0.0.1:9/api/v2/alerts" sent &&
	grep -q "\"alertname\": \"GoroutineLeak\"" sent &&
	grep -q "\"alertname\": \"MemoryLeak\"" sent &&
	grep -q "main.(\*Store).add (store.go:12) heap growth, +60.00 MiB/h" sent
'

test_expect_success 'notify also takes the JSON report itself' '
	test_expect_code 1 leak-blame --format=json "$TRASH/arch" >rep.json &&
	notify --dry-run --no-state --webhook http://127.0.0.1:9/hook rep.json >sent &&
	test $(grep -c "^POST" sent) -eq 6
'

test_expect_success 'nothing fires: an empty alert list, exit 0, notify sends nothing' '
	test_expect_code 0 leak-blame --alerts=none.json "$TESTDATA/archives/blame/steady" >/dev/null &&
	python3 -c "import json; assert json.load(open(\"none.json\"))[\"alerts\"] == []" &&
	notify --dry-run --no-state --webhook http://127.0.0.1:9/hook none.json >sent &&
	! grep -q "^POST" sent
'

test_expect_success '--fail-on=growing: growing suspects alert too' '
	test_expect_code 0 leak-blame --alerts=g.json --min-rate=1GiB/h --min-count-rate=1000000/h "$TRASH/arch" >/dev/null &&
	python3 -c "import json; assert json.load(open(\"g.json\"))[\"alerts\"] == []" &&
	test_expect_code 1 leak-blame --alerts=g.json --fail-on=growing --min-rate=1GiB/h --min-count-rate=1000000/h "$TRASH/arch" >/dev/null &&
	python3 -c "import json; a = json.load(open(\"g.json\"))[\"alerts\"]; assert len(a) == 6 and all(x[\"verdict\"] == \"growing\" for x in a), a"
'

test_done
