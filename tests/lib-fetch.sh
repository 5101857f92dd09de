# tests/lib-fetch.sh: helpers for pprof-fetch's tests (t02xx), sourced after
# tests/lib.sh. Builds the Go test servers of testdata/go once per build
# directory, starts them on loopback ports they pick themselves (port 0,
# written to a file), stops them when the test script exits, and checks an
# archive for what must always hold: every snapshot file decodes (go tool
# pprof and test-tool), no temporary is left, and the manifest lists every
# file exactly once with its size.

FETCH_PIDS=$TRASH/.server-pids
: >"$FETCH_PIDS"
# At exit: unmount what a test mounted ($FETCH_UMOUNT), kill only the
# servers this script started (by pid), remove the scratch directory.
FETCH_UMOUNT=
fetch_cleanup() {
	[ -n "$FETCH_UMOUNT" ] && umount "$FETCH_UMOUNT" 2>/dev/null
	while read -r _pid; do kill "$_pid" 2>/dev/null; done <"$FETCH_PIDS"
	rm -rf "$TRASH"
}
trap fetch_cleanup EXIT
GO_BIN=$LW_BUILD/go-bin
GAWK_CSV='([^,]*)|("([^"]|"")*")'

# fetch_build_servers: leakyserver and badserver into $GO_BIN (rebuilt only
# when their sources are newer).
fetch_build_servers() {
	mkdir -p "$GO_BIN" || return 1
	for _s in leakyserver badserver; do
		if [ -x "$GO_BIN/$_s" ] &&
			[ -z "$(find "$TESTDATA/go/$_s" -type f -newer "$GO_BIN/$_s")" ]; then
			continue
		fi
		lw_go_build "$GO_BIN/$_s.tmp.$$" "$TESTDATA/go/$_s" &&
			mv -f "$GO_BIN/$_s.tmp.$$" "$GO_BIN/$_s" || return 1
	done
}

# wait_file FILE: until FILE is non-empty (10 s at most).
wait_file() {
	_i=0
	while [ ! -s "$1" ]; do
		_i=$((_i + 1))
		[ $_i -gt 200 ] && { echo "timed out waiting for $1"; return 1; }
		sleep 0.05
	done
}

# start_server PORTFILE CMD...: runs CMD (which writes PORTFILE when it
# listens) in the background, waits for PORTFILE; its pid is in $SERVER_PID.
start_server() {
	_pf=$1; shift
	rm -f "$_pf"
	"$@" >"$_pf.log" 2>&1 &
	SERVER_PID=$!
	echo "$SERVER_PID" >>"$FETCH_PIDS"
	wait_file "$_pf"
}

# manifest_field FILE COLUMN [RESULT]: prints COLUMN (1-based) of every row
# (after the header) of a manifest, optionally only rows with that result.
manifest_field() {
	gawk -v FPAT="$GAWK_CSV" -v col="$2" -v want="${3:-}" \
		'NR > 1 && (want == "" || $7 == want) { print $col }' "$1"
}

# check_archive DIR: the invariants of an archive directory.
check_archive() {
	_dir=$1
	_bad=0
	_tmp=$(find "$_dir" -name '*.tmp.*')
	if [ -n "$_tmp" ]; then echo "temporaries left: $_tmp"; _bad=1; fi
	for _t in "$_dir"/*/; do
		_t=${_t%/}
		_m=$_t/manifest.csv
		[ -f "$_m" ] || { echo "no manifest in $_t"; _bad=1; continue; }
		# Every row has 9 fields, the header exactly once.
		gawk -v FPAT="$GAWK_CSV" 'NF != 9 { print FILENAME ": line " NR " has " NF " fields"; bad = 1 }
			NR > 1 && $1 == "time" { print FILENAME ": header repeated"; bad = 1 }
			END { exit bad }' "$_m" || _bad=1
		for _f in "$_t"/*-*.*; do
			[ -e "$_f" ] || continue
			_b=$(basename "$_f")
			case $_b in
			*.pb.gz)
				go tool pprof -raw "$_f" >/dev/null 2>"$TRASH/.pprof.err" ||
					{ echo "go tool pprof cannot read $_f:"; cat "$TRASH/.pprof.err"; _bad=1; }
				;;
			esac
			test-tool check "$_f" >/dev/null || { echo "test-tool check $_f failed"; _bad=1; }
			_n=$(manifest_field "$_m" 3 | grep -c -x -F "$_b")
			[ "$_n" -eq 1 ] || { echo "$_b listed $_n times in $_m"; _bad=1; }
		done
		# Every row that names a file: the file exists, with that size.
		gawk -v FPAT="$GAWK_CSV" 'NR > 1 && $3 != "" { print $3, $4 }' "$_m" |
			while read -r _f _bytes; do
				if [ ! -f "$_t/$_f" ]; then echo "$_f in manifest, missing"; exit 1; fi
				_sz=$(wc -c <"$_t/$_f")
				[ "$_sz" -eq "$_bytes" ] || { echo "$_f: $_sz bytes, manifest $_bytes"; exit 1; }
			done || _bad=1
	done
	return $_bad
}
