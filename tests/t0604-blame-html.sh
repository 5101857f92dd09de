#!/bin/sh
# leak-blame --format=html: one self-contained file (no scripts, no links
# or URLs out, inline SVG charts), well-formed, and rendered by headless
# Chromium into a screenshot that is not blank.
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup: reports of the synthetic archive and a demo recording' '
	sh "$TESTDATA/blame/synth.sh" "$TRASH/arch" &&
	test_expect_code 1 leak-blame --format=html -o synth.html "$TRASH/arch" &&
	test_expect_code 1 leak-blame --format=html --no-profile-paths --source="$TESTDATA/demo" \
		-o demo.html "$TESTDATA/archives/blame/goroutine"
'

for f in synth demo; do
	test_expect_success "$f.html: self-contained: no URL, script, link, iframe or external source" "
		! grep -Eqi 'https?:|//[a-z0-9.-]+\\.[a-z]{2,}/|<script|<link|<iframe|<img|<object|<embed|src=|href=|url\\(|@import' $f.html
	"
	test_expect_success "$f.html: inline SVG charts, one per suspect and the memory picture" "
		python3 - $f.html <<-\\EOF
		import sys
		h = open(sys.argv[1]).read()
		n_sus = h.count('<section class=\"suspect\"')
		n_pic = h.count('<h3>Memory picture</h3>')
		n_svg = h.count('<svg class=\"chart\"')
		assert n_sus > 0, n_sus
		assert n_svg == n_sus + h.count('<title>Resident memory (RSS) and its parts'), (n_svg, n_sus, n_pic)
		assert h.count('</svg>') == n_svg
		assert '<polyline' in h and '<polygon' in h
		EOF
	"
	test_expect_success "$f.html: well-formed (every element closed, in order)" "
		python3 - $f.html <<-\\EOF
		import sys
		from html.parser import HTMLParser
		VOID = {'meta', 'br', 'line', 'rect', 'polyline', 'polygon', 'input', 'hr', 'img'}
		class P(HTMLParser):
		    def __init__(self):
		        super().__init__()
		        self.stack = []
		    def handle_starttag(self, tag, attrs):
		        if tag not in VOID:
		            self.stack.append(tag)
		    def handle_startendtag(self, tag, attrs):
		        pass
		    def handle_endtag(self, tag):
		        if tag in VOID:
		            return
		        assert self.stack and self.stack[-1] == tag, (tag, self.stack[-5:], self.getpos())
		        self.stack.pop()
		p = P()
		p.feed(open(sys.argv[1]).read())
		p.close()
		assert p.stack == [], p.stack
		EOF
	"
done

test_expect_success 'html: text is escaped (a function name with <>&)' '
	mkdir -p esc/svc && i=0 &&
	while [ $i -lt 12 ]; do
		n=$(( (i + 1) * 1024 )) mm=$(printf %02d $i)
		printf "heap profile: %d: %d [%d: %d] @ heap/2\n%d: %d [%d: %d] @ 0x11\n#\t0x10\tmain.f[go.shape.<a&b>]+0x0\t/src/x.go:3\n" \
			$n $((n * 1024)) $n $((n * 1024)) $n $((n * 1024)) $n $((n * 1024)) \
			>esc/svc/heap-20260101T00${mm}00.000Z.txt
		i=$((i + 1))
	done &&
	test_expect_code 1 leak-blame --format=html -o esc.html esc &&
	grep -q "main.f\[go.shape.&lt;a&amp;b&gt;\]" esc.html && ! grep -q "<a&b>" esc.html
'

png_check() { # png_check FILE: a real PNG of the window size, not blank
	python3 - "$1" <<-\EOF
	import struct, sys, zlib
	data = open(sys.argv[1], "rb").read()
	assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
	pos, idat, w = 8, b"", 0
	while pos < len(data):
	    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
	    body = data[pos + 8:pos + 8 + n]
	    if kind == b"IHDR":
	        w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
	    elif kind == b"IDAT":
	        idat += body
	    pos += 12 + n
	raw = zlib.decompress(idat)
	assert w == 1200 and h == 2000, (w, h)
	# filter bytes aside, a blank page is one value; count distinct bytes
	# and the share of bytes that are not white/black
	distinct = len(set(raw))
	busy = sum(1 for b in raw[::97] if b not in (0, 255)) / len(raw[::97])
	print("# %s: %dx%d, %d distinct byte values, %.1f%% non-blank samples" % (sys.argv[1], w, h, distinct, 100 * busy))
	assert distinct > 40 and busy > 0.01, (distinct, busy)
	EOF
}

if test_have_prereq CHROMIUM; then
	for f in synth demo; do
		test_expect_success "$f.html: headless Chromium renders a screenshot that is not blank" "
			HOME='$TRASH' timeout 120 chromium --headless --no-sandbox --disable-gpu \
				--disable-background-networking --disable-component-update --disable-sync \
				--screenshot='$TRASH/$f.png' --window-size=1200,2000 'file://$TRASH/$f.html' \
				>chromium.log 2>&1 &&
			png_check '$TRASH/$f.png'
		"
	done
else
	test_skip 'chromium not installed (scripts/install-deps installs it): screenshots not checked'
fi

test_done
