#!/bin/sh
# scripts/notify against a real Prometheus Alertmanager and a webhook
# receiver, both started here on loopback: delivery (labels, annotations,
# times), deduplication, re-sending after the repeat interval, resolution,
# a changed severity, failed deliveries retried, the generic JSON and Slack
# payloads, and bad input that must change nothing.
. "$(dirname "$0")/lib.sh"

if ! test_have_prereq ALERTMANAGER; then
	test_skip_all 'prometheus-alertmanager is not installed (scripts/install-deps installs it)'
fi
for c in python3 curl; do
	if ! command -v $c >/dev/null 2>&1; then
		test_skip_all "$c is not installed (scripts/install-deps installs it)"
	fi
done

PIDS=''
trap 'for p in $PIDS; do kill "$p" 2>/dev/null; done; rm -rf "$TRASH"' EXIT

# A webhook receiver (tests/webhook-receiver.py): every POST as one JSON
# line in $TRASH/rx/log; 500 while $TRASH/rx/fail exists; port in rx/port.
mkdir -p "$TRASH/rx"
python3 "$LW_ROOT/tests/webhook-receiver.py" "$TRASH/rx" 2>"$TRASH/rx/err" &
PIDS="$PIDS $!"

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Alertmanager: temporary config and storage, no clustering; it forwards
# its notifications (resolved ones too) to the receiver, quickly.
wait_for() { # wait_for FILE-OR-URL
	_i=0
	while :; do
		case $1 in
		http*) curl -sf -o /dev/null "$1" && return 0 ;;
		*) [ -s "$1" ] && return 0 ;;
		esac
		_i=$((_i + 1))
		[ $_i -gt 200 ] && { echo "timed out waiting for $1"; return 1; }
		sleep 0.05
	done
}
wait_for "$TRASH/rx/port" || { test_expect_success 'webhook receiver starts' false; test_done; exit; }
RX=http://127.0.0.1:$(cat "$TRASH/rx/port")
mkdir -p "$TRASH/am"
cat >"$TRASH/am/am.yml" <<EOF
route:
  receiver: rx
  group_by: [leakwatch_id]
  group_wait: 0s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: rx
    webhook_configs:
      - url: $RX/from-alertmanager
        send_resolved: true
EOF
AMPORT=$(free_port)
AM=http://127.0.0.1:$AMPORT
prometheus-alertmanager --config.file="$TRASH/am/am.yml" --storage.path="$TRASH/am/data" \
	--web.listen-address=127.0.0.1:$AMPORT --cluster.listen-address= >"$TRASH/am/log" 2>&1 &
PIDS="$PIDS $!"
test_expect_success 'alertmanager starts on loopback' '
	wait_for "$AM/-/ready" || { cat "$TRASH/am/log"; false; }
'

# Two alerts as trend-fit --alerts writes them (the second without its
# summary, which notify then writes itself).
cat >"$TRASH/two.json" <<'EOF'
{"tool": "trend-fit", "service": "checkout", "alerts": [
 {"id": "trend-fit/checkout/inuse_space/main.(*Cache).Put/rate", "tool": "trend-fit",
  "service": "checkout", "what": "main.(*Cache).Put", "kind": "inuse_space", "rule": "rate",
  "severity": "warning", "rate_per_hour": 12582912, "unit": "bytes", "confidence": 0.97,
  "time_to_limit_seconds": 18000,
  "top_keys": [{"key": "main.(*Cache).Put", "kind": "heap", "verdict": "leak", "rate_per_hour": 11953766, "share": 0.95},
               {"key": "main.handleLookup", "kind": "heap", "verdict": "growing", "rate_per_hour": 524288, "share": 0.04}],
  "summary": "checkout: inuse_space main.(*Cache).Put grows 12.00 MiB/h (leak, q=0.03)",
  "target": "checkout", "series_kind": "heap", "verdict": "leak", "ci_per_hour": [11000000, 14000000],
  "threshold_per_hour": 10485760, "q": 0.03, "points": 48, "first": 1048576, "last": 9437184},
 {"id": "trend-fit/checkout/goroutine/total/rate", "tool": "trend-fit", "service": "checkout",
  "what": "total", "kind": "goroutine", "rule": "rate", "severity": "critical",
  "rate_per_hour": 3600, "unit": "goroutines", "confidence": 0.999, "time_to_limit_seconds": null,
  "top_keys": [{"key": "main.leakGoroutineWorker", "kind": "goroutine", "verdict": "leak", "rate_per_hour": 3600, "share": 1}],
  "target": "checkout", "series_kind": "goroutine", "verdict": "leak", "ci_per_hour": [3500, 3700],
  "threshold_per_hour": 100, "q": 0.001, "points": 48, "first": 10, "last": 190}
], "limit_bytes": 1073741824}
EOF
# The same with the goroutine alert gone, and with its severity changed.
python3 -c 'import json,sys; d = json.load(open(sys.argv[1])); d["alerts"] = d["alerts"][:1]; json.dump(d, sys.stdout)' \
	"$TRASH/two.json" >"$TRASH/one.json"
python3 -c 'import json,sys; d = json.load(open(sys.argv[1])); d["alerts"][1]["severity"] = "warning"; json.dump(d, sys.stdout)' \
	"$TRASH/two.json" >"$TRASH/two-warning.json"

ST=$TRASH/state.json
notify_all() { # notify_all ALERTS [options]: to every destination
	_in=$1; shift
	notify --state "$ST" --alertmanager "$AM" --webhook "$RX/generic" \
		--slack-webhook "$RX/slack" --generator-url http://leakwatch.example/report.html "$@" "$_in"
}
# am_alerts: the alerts Alertmanager holds, one line each, sorted:
# id|alertname|service|function|severity|kind|summary|status|generatorURL|startsAt
am_alerts() {
	curl -sf "$AM/api/v2/alerts" | python3 -c '
import json, sys
for a in sorted(json.load(sys.stdin), key=lambda a: a["labels"]["leakwatch_id"]):
    l = a["labels"]
    print("|".join([l["leakwatch_id"], l["alertname"], l["service"], l["function"], l["severity"],
                    l["kind"], a["annotations"]["summary"], a["status"]["state"],
                    a.get("generatorURL", ""), a["startsAt"]]))'
}
rx_count() { [ -f "$TRASH/rx/log" ] && wc -l <"$TRASH/rx/log" | tr -d ' ' || echo 0; }
# rx_new N: the receiver lines after the first N, the AM forwards left out.
rx_new() { tail -n +"$(($1 + 1))" "$TRASH/rx/log" | awk '!/"path": "\/from-alertmanager"/'; }

test_expect_success 'first run: both alerts delivered to every destination' '
	notify_all "$TRASH/two.json" 2>err &&
	cat >expect <<-\EOF &&
	notify: 2 alert(s) firing in the input
	notify: alertmanager AM: 2 firing to send, 0 resolved to send, 0 already sent
	notify: webhook RX/generic: 2 firing to send, 0 resolved to send, 0 already sent
	notify: slack RX/slack: 2 firing to send, 0 resolved to send, 0 already sent
	EOF
	sed -e "s|$AM|AM|" -e "s|$RX|RX|" err >actual && test_cmp expect actual
'

test_expect_success 'alertmanager holds them with the right labels and annotations' '
	am_alerts | cut -d"|" -f1-9 >actual &&
	cat >expect <<-\EOF &&
	trend-fit/checkout/goroutine/total/rate|GoroutineLeak|checkout|total|critical|goroutine|checkout: goroutine total grows 3600 goroutines/h|active|http://leakwatch.example/report.html
	trend-fit/checkout/inuse_space/main.(*Cache).Put/rate|MemoryLeak|checkout|main.(*Cache).Put|warning|inuse_space|checkout: inuse_space main.(*Cache).Put grows 12.00 MiB/h (leak, q=0.03)|active|http://leakwatch.example/report.html
	EOF
	test_cmp expect actual &&
	curl -sf "$AM/api/v2/alerts?filter=function=%22main.(*Cache).Put%22" >put.json &&
	python3 -c "
import json, sys
a = json.load(open(\"put.json\"))
assert len(a) == 1, a
ann = a[0][\"annotations\"]
print(ann[\"description\"]); print(ann[\"rate\"], ann[\"confidence\"], ann[\"time_to_limit\"])
print(ann[\"top_keys\"])" >actual &&
	cat >expect <<-\EOF &&
	inuse_space main.(*Cache).Put leak (trend-fit), rate 12.0 MiB/h, confidence 0.97, time to limit 5h00m
	top: main.(*Cache).Put (11.4 MiB/h, 95% of growth); main.handleLookup (512.0 KiB/h, 4% of growth)
	12.0 MiB/h 0.97 5h00m
	main.(*Cache).Put (11.4 MiB/h, 95% of growth)
	main.handleLookup (512.0 KiB/h, 4% of growth)
	EOF
	test_cmp expect actual
'

test_expect_success 'alertmanager endsAt is now + 3 x repeat-interval (4h)' '
	curl -sf "$AM/api/v2/alerts" | python3 -c "
import json, sys, datetime
for a in json.load(sys.stdin):
    p = lambda s: datetime.datetime.fromisoformat(s.replace(\"Z\", \"+00:00\"))
    print(round((p(a[\"endsAt\"]) - p(a[\"startsAt\"])).total_seconds()))" >actual &&
	printf "43200\n43200\n" >expect && test_cmp expect actual
'

test_expect_success 'generic webhook: one JSON document per alert' '
	grep "\"path\": \"/generic\"" "$TRASH/rx/log" | python3 -c "
import json, sys
for l in sys.stdin:
    r = json.loads(l); b = r[\"body\"]
    print(r[\"ctype\"], b[\"status\"], b[\"id\"], b[\"service\"], b[\"function\"], b[\"kind\"], b[\"severity\"],
          b[\"rate_per_hour\"], b[\"unit\"], b[\"confidence\"], b[\"time_to_limit_seconds\"],
          b[\"endsAt\"], b[\"source\"], b[\"tool\"], b[\"startsAt\"].endswith(\"Z\"), len(b[\"top_keys\"]),
          b[\"points\"], b[\"ci_per_hour\"])
" >actual &&
	cat >expect <<-\EOF &&
	application/json firing trend-fit/checkout/goroutine/total/rate checkout total goroutine critical 3600 goroutines 0.999 None None leakwatch trend-fit True 1 48 [3500, 3700]
	application/json firing trend-fit/checkout/inuse_space/main.(*Cache).Put/rate checkout main.(*Cache).Put inuse_space warning 12582912 bytes 0.97 18000 None leakwatch trend-fit True 2 48 [11000000, 14000000]
	EOF
	test_cmp expect actual
'

test_expect_success 'slack webhook: {"text": ...} with the summary' '
	grep "\"path\": \"/slack\"" "$TRASH/rx/log" | python3 -c "
import json, sys
for l in sys.stdin:
    b = json.loads(l)[\"body\"]
    print(len(b), b[\"text\"].split(chr(10))[0])
" >actual &&
	cat >expect <<-\EOF &&
	1 :rotating_light: *[FIRING]* checkout: goroutine total grows 3600 goroutines/h [critical]
	1 :rotating_light: *[FIRING]* checkout: inuse_space main.(*Cache).Put grows 12.00 MiB/h (leak, q=0.03) [warning]
	EOF
	test_cmp expect actual
'

test_expect_success 'second run: deduplicated, nothing sent anywhere' '
	n=$(rx_count) &&
	am_alerts >before &&
	curl -sf "$AM/api/v2/alerts" | python3 -c "import json,sys; print(sorted(a[\"updatedAt\"] for a in json.load(sys.stdin)))" >upd.before &&
	notify_all "$TRASH/two.json" 2>err &&
	grep -c "0 firing to send, 0 resolved to send, 2 already sent" err >actual &&
	echo 3 >expect && test_cmp expect actual &&
	rx_new $n >actual && test_cmp /dev/null actual &&
	curl -sf "$AM/api/v2/alerts" | python3 -c "import json,sys; print(sorted(a[\"updatedAt\"] for a in json.load(sys.stdin)))" >upd.after &&
	test_cmp upd.before upd.after
'

test_expect_success 'after the repeat interval, still-firing alerts are sent again' '
	python3 -c "
import json, sys
st = json.load(open(sys.argv[1]))
for d in st[\"destinations\"].values():
    for a in d.values():
        a[\"last_sent\"] -= 3600
json.dump(st, open(sys.argv[1], \"w\"))" "$ST" &&
	am_alerts | cut -d"|" -f10 >starts.before &&
	n=$(rx_count) &&
	notify_all "$TRASH/two.json" --repeat-interval 30m 2>err &&
	grep -c "2 firing to send, 0 resolved to send, 0 already sent" err >actual &&
	echo 3 >expect && test_cmp expect actual &&
	rx_new $n | wc -l >actual && echo 4 >expect && test_cmp expect actual &&
	am_alerts | cut -d"|" -f10 >starts.after &&
	test_cmp starts.before starts.after
'

test_expect_success 'a changed severity is sent at once, the old labels ended' '
	notify_all "$TRASH/two-warning.json" 2>err &&
	grep "alertmanager" err >actual &&
	echo "notify: alertmanager $AM: 1 firing to send, 0 resolved to send, 1 already sent" >expect &&
	test_cmp expect actual &&
	am_alerts | cut -d"|" -f1,5 >actual &&
	cat >expect <<-\EOF &&
	trend-fit/checkout/goroutine/total/rate|warning
	trend-fit/checkout/inuse_space/main.(*Cache).Put/rate|warning
	EOF
	test_cmp expect actual
'

test_expect_success 'an alert gone from the input is sent once as resolved' '
	n=$(rx_count) &&
	notify_all "$TRASH/one.json" 2>err &&
	grep -c "0 firing to send, 1 resolved to send, 1 already sent" err >actual &&
	echo 3 >expect && test_cmp expect actual &&
	am_alerts | cut -d"|" -f1 >actual &&
	echo "trend-fit/checkout/inuse_space/main.(*Cache).Put/rate" >expect && test_cmp expect actual &&
	rx_new $n | python3 -c "
import json, sys
for l in sys.stdin:
    r = json.loads(l); b = r[\"body\"]
    if r[\"path\"] == \"/slack\":
        print(\"slack\", b[\"text\"])
    else:
        print(\"generic\", b[\"status\"], b[\"id\"], b[\"endsAt\"] is not None)
" >actual &&
	cat >expect <<-\EOF &&
	generic resolved trend-fit/checkout/goroutine/total/rate True
	slack :white_check_mark: *[RESOLVED]* checkout: goroutine total grows 3600 goroutines/h [warning]
	EOF
	test_cmp expect actual &&
	n=$(rx_count) &&
	notify_all "$TRASH/one.json" 2>err &&
	rx_new $n >actual && test_cmp /dev/null actual
'

test_expect_success 'alertmanager itself notified the resolution (send_resolved)' '
	cat >expect <<-\EOF &&
	trend-fit/checkout/goroutine/total/rate critical
	trend-fit/checkout/goroutine/total/rate warning
	EOF
	# Alertmanager may send the two resolutions in separate notifications
	# (one per group_interval): wait for both, up to 30 s.
	i=0 &&
	while :; do
		grep "from-alertmanager" "$TRASH/rx/log" | python3 -c "
import json, sys
seen = set()
for l in sys.stdin:
    for a in json.loads(l)[\"body\"][\"alerts\"]:
        if a[\"status\"] == \"resolved\":
            seen.add((a[\"labels\"][\"leakwatch_id\"], a[\"labels\"][\"severity\"]))
for s in sorted(seen): print(*s)" >actual &&
		cmp -s expect actual && break
		i=$((i + 1)) && test $i -lt 300 || break
		sleep 0.1
	done &&
	test_cmp expect actual
'

test_expect_success 'a failed delivery exits 1, keeps the state and is retried' '
	cp "$ST" state.before &&
	: >"$TRASH/rx/fail" &&
	test_expect_code 1 notify --state "$ST" --webhook "$RX/generic" "$TRASH/two.json" 2>err &&
	grep "HTTP 500: receiver failing on purpose" err &&
	test_cmp state.before "$ST" &&
	rm "$TRASH/rx/fail" &&
	n=$(rx_count) &&
	notify --state "$ST" --webhook "$RX/generic" "$TRASH/two.json" 2>err &&
	rx_new $n | python3 -c "import json,sys; [print(json.loads(l)[\"body\"][\"id\"]) for l in sys.stdin]" >actual &&
	echo "trend-fit/checkout/goroutine/total/rate" >expect && test_cmp expect actual
'

test_expect_success 'an alertmanager that is down: exit 1, a one-line error' '
	port=$(free_port) &&
	test_expect_code 1 notify --no-state --alertmanager http://127.0.0.1:$port "$TRASH/one.json" 2>err &&
	grep "^notify: alertmanager http://127.0.0.1:$port/api/v2/alerts: curl: (7)" err
'

test_expect_success 'bad input: exit 2, nothing sent, the state untouched' '
	cp "$ST" state.before &&
	n=$(rx_count) &&
	echo "{\"alerts\": [" >bad.json &&
	test_expect_code 2 notify_all bad.json 2>err &&
	grep "^notify: .bad.json.: not JSON" err &&
	echo "{\"alerts\": [{\"id\": \"x\", \"rate_per_hour\": \"fast\"}]}" >bad2.json &&
	test_expect_code 2 notify_all bad2.json 2>err &&
	grep "alert field .rate_per_hour. is not a number" err &&
	test_expect_code 2 notify_all missing.json 2>err &&
	grep "cannot read alert document .missing.json." err &&
	echo "{\"version\": 1, \"destinations\": [" >badstate.json &&
	test_expect_code 2 notify --state badstate.json --webhook "$RX/generic" "$TRASH/two.json" 2>err &&
	grep "bad state file" err &&
	test_cmp state.before "$ST" &&
	rx_new $n >actual && test_cmp /dev/null actual
'

test_expect_success 'an empty document means nothing firing: all resolved' '
	: >empty.json &&
	notify_all empty.json 2>err &&
	am_alerts >actual && test_cmp /dev/null actual &&
	python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[\"destinations\"])" "$ST" >actual &&
	echo "{}" >expect && test_cmp expect actual
'

test_expect_success 'other inputs: stdin, JSON Lines, a bare array, leak-blame suspects' '
	printf "%s\n%s\n" "{\"id\": \"a\", \"service\": \"s1\", \"what\": \"main.f\"}" \
		"{\"tool\": \"x\", \"alerts\": [{\"key\": \"main.g\", \"kind\": \"cgo\", \"what\": \"cgo growth\", \"target\": \"t\"}]}" >lines.json &&
	notify -n --no-state --webhook "$RX/x" - <lines.json >out 2>err &&
	grep -e "^ \"id\"" -e "^ \"function\"" out >actual &&
	cat >expect <<-\EOF &&
	 "function": "main.f",
	 "id": "a",
	 "function": "main.g",
	 "id": "x/t/cgo/main.g/cgo growth",
	EOF
	test_cmp expect actual &&
	echo "[{\"id\": \"b\", \"key\": \"main.h\", \"severity\": \"critical\"}]" >arr.json &&
	notify -n --no-state --alertmanager "$AM" arr.json >out &&
	grep -c "\"severity\": \"critical\"" out &&
	cat >blame.json <<-\EOF &&
	{"tool": "leak-blame", "service": "demo", "suspects": [
	 {"rank": 1, "function": "main.readHeader", "file": "leaks.go", "line": 92, "source": "heap",
	  "pattern": "slice retention", "bytes_per_hour": 1.5e9, "share": 0.9, "confidence": 0.99,
	  "recommendation": "copy the header out of the buffer"}]}
	EOF
	notify -n --no-state --slack-webhook "$RX/s" blame.json >out &&
	grep "main.readHeader (leaks.go:92): slice retention" out &&
	grep "rate 1.4 GiB/h" out
'

test_expect_success 'a time-to-limit alert: MemoryLimitSoon, critical by default' '
	cat >ttl.json <<-\EOF &&
	{"alerts": [{"what": "rss", "service": "api", "kind": "rss", "rule": "ttl",
	  "unit": "bytes", "verdict": "leak", "rate_per_hour": 104857600, "confidence": 1,
	  "time_to_limit_seconds": 9000, "top_keys": []}], "limit_bytes": 1073741824}
	EOF
	notify -n --no-state --alertmanager "$AM" ttl.json >out &&
	grep -e alertname -e severity -e summary -e leakwatch_id -e time_to_limit out >actual &&
	cat >expect <<-\EOF &&
	   "summary": "api: memory reaches the limit in 2h30m (rss 100.0 MiB/h)",
	   "time_to_limit": "2h30m"
	   "alertname": "MemoryLimitSoon",
	   "leakwatch_id": "trend-fit/api/rss/rss/ttl",
	   "severity": "critical"
	EOF
	test_cmp expect actual
'

test_expect_success 'a header file adds headers (a token kept out of argv)' '
	echo "Authorization: Bearer s3cret" >hdr &&
	n=$(rx_count) &&
	notify --no-state --header-file hdr --webhook "$RX/auth" "$TRASH/one.json" 2>err &&
	rx_new $n | python3 -c "import json,sys; [print(json.loads(l)[\"auth\"]) for l in sys.stdin]" >actual &&
	echo "Bearer s3cret" >expect && test_cmp expect actual
'

# Two runs on one state file at once (overlapping cron jobs): the second
# waits for the first, then finds everything sent. The receiver answers
# slowly so that, unlocked, both would be sending at the same time.
test_expect_success 'two runs sharing a state file: each alert delivered once' '
	n0=$(rx_count) &&
	echo 1 >"$TRASH/rx/delay" &&
	{ notify --state locked.json --webhook "$RX/locked" "$TRASH/two.json" 2>err1 & } && p1=$! &&
	notify --state locked.json --webhook "$RX/locked" "$TRASH/two.json" 2>err2 &&
	wait $p1 &&
	rm -f "$TRASH/rx/delay" &&
	test "$(rx_new $n0 | grep -c "\"path\": \"/locked\"")" = 2 &&
	cat err1 err2 | grep -c "2 firing to send" >n && echo 1 >expect && test_cmp expect n &&
	test -f locked.json.lock
'

# The real producer: trend-fit's alerts on recorded archives, a leak, then
# a steady run of the same service, whose empty document resolves it.
if [ -x "$LW_BUILD/bin/trend-fit" ]; then
	test_expect_success 'trend-fit --alerts on a leaking archive, delivered' '
		test_expect_code 1 trend-fit --service shop --alerts leak.json \
			"$TESTDATA/archives/trend/unbounded-map" >/dev/null &&
		notify --state st2.json --alertmanager "$AM" leak.json 2>err &&
		python3 -c "import json,sys; [print(a[\"id\"]) for a in json.load(open(sys.argv[1]))[\"alerts\"]]" \
			leak.json | sort >expect &&
		test -s expect &&
		curl -sf "$AM/api/v2/alerts?filter=service=%22shop%22" | python3 -c "
import json, sys
for a in sorted(json.load(sys.stdin), key=lambda a: a[\"labels\"][\"leakwatch_id\"]):
    print(a[\"labels\"][\"leakwatch_id\"])
    assert a[\"annotations\"][\"top_keys\"].startswith(\"main.remember (\"), a
    assert a[\"labels\"][\"alertname\"] == \"MemoryLeak\", a
" >actual &&
		test_cmp expect actual
	'
	test_expect_success 'trend-fit on a steady archive: no alert, the leak resolved' '
		trend-fit --service shop --alerts ok.json "$TESTDATA/archives/trend/steady-churn" >/dev/null &&
		notify --state st2.json --alertmanager "$AM" ok.json 2>err &&
		grep "0 firing to send, [1-9][0-9]* resolved to send" err &&
		curl -sf "$AM/api/v2/alerts?filter=service=%22shop%22" >actual &&
		echo "[]" >expect && test_cmp expect actual
	'
else
	test_skip "trend-fit is not built in $LW_BUILD (the end-to-end alert test needs it)"
fi

test_done
