#!/bin/sh
# t0090: conventions every tool keeps: --help (stdout, exit 0), --version,
# a bad option (usage on stderr, exit 2), a man page that documents every
# long option --help lists (and no option --help lacks), and make install
# putting tools and man pages under DESTDIR/PREFIX.
. "$(dirname "$0")/lib.sh"

tools=$(cd "$LW_ROOT/tools" && ls)

test_expect_success 'the six tools of the README exist' '
	for t in pprof-fetch cgo-trace pprof-decode pprof-diff trend-fit leak-blame; do
		test -x "$LW_BUILD/bin/$t" || { echo "missing $t"; exit 1; }
	done
'

# Long options as written in --help ("--name" followed by space, "=", "[" or ",").
help_opts() { "$1" --help | grep -o -- '--[a-z][a-z0-9-]*' | sort -u; }
# Long options the man page documents: the tag lines of its .TP/.IP entries
# (examples may mention other tools' options).
man_opts() {
	awk '/^\.(TP|IP)/ { tag = 1; if ($0 ~ /^\.IP /) print; next } tag { print; tag = 0 }' "$1" |
		sed 's/\\-/-/g; s/\\f[BIRP]//g' | grep -o -- '--[a-z][a-z0-9-]*' | sort -u
}

for t in $tools; do
	test_expect_success "$t: --help on stdout, exit 0, starts with usage" '
		"$t" --help >out 2>err &&
		test ! -s err &&
		head -n 1 out | grep -qi "^usage: *$t"
	'
	test_expect_success "$t: --version prints the version, exit 0" '
		"$t" --version >out &&
		grep -q "^$t (leakwatch) [0-9]" out
	'
	test_expect_success "$t: a bad option: message on stderr, nothing on stdout, exit 2" '
		test_expect_code 2 "$t" --no-such-option >out 2>err &&
		test ! -s out &&
		grep -q "$t" err
	'
	test_expect_success "$t: the man page documents exactly the options of --help" '
		man=$LW_ROOT/tools/$t/$t.1 &&
		test -f "$man" &&
		help_opts "$t" >help.opts &&
		man_opts "$man" >man.opts &&
		comm -23 help.opts man.opts >missing-in-man &&
		comm -13 help.opts man.opts >missing-in-help &&
		test_cmp /dev/null missing-in-man &&
		test_cmp /dev/null missing-in-help
	'
	test_expect_success "$t: the man page renders without warnings" '
		if command -v groff >/dev/null 2>&1; then
			groff -man -Tutf8 -ww "$LW_ROOT/tools/$t/$t.1" >/dev/null 2>warn &&
			test_cmp /dev/null warn
		else
			grep -q "^\.TH" "$LW_ROOT/tools/$t/$t.1"
		fi
	'
done

test_expect_success 'make install puts tools, scripts and man pages under DESTDIR/PREFIX' '
	make -s -C "$LW_ROOT" BUILD="$LW_BUILD" SANITIZE="${LW_SANITIZE:-}" \
		install DESTDIR="$TRASH/dest" PREFIX=/opt/lw >install.log 2>&1 &&
	for t in $tools; do
		test -x "$TRASH/dest/opt/lw/bin/$t" &&
		test -f "$TRASH/dest/opt/lw/share/man/man1/$t.1" || exit 1
	done &&
	test -x "$TRASH/dest/opt/lw/bin/leakwatch" &&
	test -x "$TRASH/dest/opt/lw/bin/postmortem"
'

test_done
