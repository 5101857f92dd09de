# attribute.awk: sums a `go tool pprof -raw` heap profile by the innermost
# frame whose function matches PREFIX (default "t_"), inline frames
# included. Prints "FUNC INUSE_OBJECTS INUSE_BYTES ALLOC_OBJECTS ALLOC_BYTES",
# sorted by the caller. With -v leaf=1 it prints "FUNC LEAF CALLER..."
# instead: the sample's leaf function and the NCALLERS (default 3) distinct
# functions below FUNC (recursion folded), once per distinct line.
# Samples without such a frame are ignored.
BEGIN { if (PREFIX == "") PREFIX = "t_"; if (NCALLERS == "") NCALLERS = 3 }
/^Samples:/ { mode = "s"; next }
/^Locations/ { mode = "l"; next }
/^Mappings/ { mode = "m"; next }
mode == "s" && /^ *-?[0-9]+ +-?[0-9]+ +-?[0-9]+ +-?[0-9]+:/ {
	n++
	split($0, parts, ":")
	split(parts[1], v, " ")
	an[n] = v[1]; ab[n] = v[2]; in_[n] = v[3]; ib[n] = v[4]
	stk[n] = parts[2]
	next
}
mode == "l" && /^ +[0-9]+: / {
	cur = $1; sub(":", "", cur)
	i = ($3 ~ /^M=/) ? 4 : 3
	nl[cur] = 0
	if (i <= NF && $i !~ /^s=/) line[cur, nl[cur]++] = $i
	next
}
mode == "l" && /^ +[^ ]/ { line[cur, nl[cur]++] = $1; next }
END {
	for (s = 1; s <= n; s++) {
		k = split(stk[s], ids, " ")
		# the sample's frames, innermost first, inline lines expanded
		nf = 0
		for (j = 1; j <= k; j++)
			for (l = 0; l < nl[ids[j]]; l++)
				fr[++nf] = line[ids[j], l]
		for (j = 1; j <= nf; j++)
			if (index(fr[j], PREFIX) == 1)
				break
		if (j > nf)
			continue
		f = fr[j]
		if (leaf) {
			c = ""; prev = f; got = 0
			for (m = j + 1; m <= nf && got < NCALLERS; m++) {
				if (fr[m] == prev) continue
				c = c " " fr[m]; prev = fr[m]; got++
			}
			out[f " " fr[1] c] = 1
			continue
		}
		seen[f] = 1
		IN[f] += in_[s]; IB[f] += ib[s]; AN[f] += an[s]; AB[f] += ab[s]
	}
	if (leaf) {
		for (o in out) print o | "sort"
		exit
	}
	for (f in seen) print f, IN[f], IB[f], AN[f], AB[f] | "sort"
}
