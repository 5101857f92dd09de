/* pprof_text_count.c: goroutine/threadcreate `?debug=1` text
 * (runtime/pprof printCountProfile), read as Go 1.19's go tool pprof reads
 * it (legacy_profile.go parseGoCount), plus what pprof drops:
 *   <name> profile: total N
 *   <count> @ 0xPC 0xPC ...
 *   # labels: {"k":"v", "k2":"v2"}       (Go %q strings; optional)
 *   #\t0xPC-1\tfunc+0xoff\tfile:line     (one per shown frame)
 * One sample per record, sample type = period type = <name>/count, period 1,
 * every address adjusted by -1, '#' lines name the locations, the labels
 * line becomes string labels. Leading comment/blank lines are skipped and a
 * line starting with "---" ends the records, as in pprof.
 */
#include "pprof_text.h"
#include "pprof_text_int.h"

/* "<name> profile: total <digits>" with name = \S+ (pprof's countStartRE). */
static int parse_start(const char *s, size_t n, const char **nm, size_t *nn)
{
	const char *q = s, *end = s + n;
	while (q < end && !lw_tspace(*q))
		q++;
	if (q == s)
		return -1;
	*nm = s;
	*nn = (size_t)(q - s);
	if (!lw_tprefix(q, (size_t)(end - q), " profile: total "))
		return -1;
	q += 16;
	uint64_t total;
	if (lw_tparse_u64(&q, end, &total))
		return -1;
	lw_tskip_blanks(&q, end);
	return q == end ? 0 : -1;
}

/* strconv.ParseInt(s, 0, 64) on \d+: a leading 0 means octal. */
static int parse_count(const char **q, const char *end, int64_t *out)
{
	const char *s = *q, *e = s;
	while (e < end && *e >= '0' && *e <= '9')
		e++;
	if (e == s)
		return -1;
	uint64_t v = 0;
	unsigned base = (e - s > 1 && *s == '0') ? 8 : 10;
	for (const char *c = s; c < e; c++) {
		unsigned d = (unsigned)(*c - '0');
		if (d >= base || v > ((uint64_t)INT64_MAX - d) / base)
			return -1;
		v = v * base + d;
	}
	*out = (int64_t)v;
	*q = e;
	return 0;
}

struct labels {
	char *buf; /* key\0value\0key\0value\0... */
	size_t len, cap;
	size_t *off; /* start offsets of keys and values */
	size_t n, cap_off;
};

/* {"k":"v", "k2":"v2"} after "# labels:". 0, -1 syntax, -2 OOM. */
static int parse_labels(struct labels *L, const char *s, size_t n)
{
	const char *q = s + 9, *end = s + n; /* after "# labels:" */
	lw_tskip_blanks(&q, end);
	if (q >= end || *q++ != '{')
		return -1;
	lw_tskip_blanks(&q, end);
	if (q < end && *q == '}') {
		q++;
	} else {
		for (;;) {
			for (int kv = 0; kv < 2; kv++) {
				if (L->n + 1 > L->cap_off) {
					size_t nc = L->cap_off ? L->cap_off * 2 : 8;
					size_t *no = realloc(L->off, nc * sizeof(*no));
					if (!no)
						return -2;
					L->off = no;
					L->cap_off = nc;
				}
				L->off[L->n++] = L->len;
				int rc = lw_tunquote(&q, end, &L->buf, &L->len, &L->cap);
				if (rc)
					return rc;
				L->len++; /* keep the NUL */
				lw_tskip_blanks(&q, end);
				if (kv == 0) {
					if (q >= end || *q++ != ':')
						return -1;
					lw_tskip_blanks(&q, end);
				}
			}
			if (q >= end)
				return -1;
			if (*q == '}') {
				q++;
				break;
			}
			if (*q++ != ',')
				return -1;
			lw_tskip_blanks(&q, end);
		}
	}
	lw_tskip_blanks(&q, end);
	return q == end ? 0 : -1;
}

static int flush(struct lw_profile *p, struct lw_tstacks *t, int64_t count, struct labels *L)
{
	if (lw_tstacks_resolve(t))
		return -1;
	size_t nl = L->n / 2;
	struct lw_label *ls = NULL;
	if (nl) {
		ls = calloc(nl, sizeof(*ls));
		if (!ls)
			return -1;
		for (size_t i = 0; i < nl; i++) {
			ls[i].key = L->buf + L->off[2 * i];
			ls[i].str = L->buf + L->off[2 * i + 1];
		}
	}
	struct lw_sample *s = lw_profile_add_sample(p, t->rec, t->n_rec, &count, ls, nl);
	free(ls);
	L->n = 0;
	L->len = 0;
	return s ? 0 : -1;
}

struct lw_profile *lw_parse_count_text(const char *buf, size_t len, const char *name,
				       int *recognized, struct lw_error *err)
{
	struct lw_tline lr;
	const char *s, *nm = NULL;
	size_t n, nn = 0;

	*recognized = 0;
	lw_tline_init(&lr, buf, len);
	for (;;) {
		if (!lw_tline_next(&lr, &s, &n))
			return NULL;
		const char *ts = s;
		size_t tn = n;
		lw_ttrim(&ts, &tn);
		if (tn && ts[0] != '#')
			break;
	}
	if (parse_start(s, n, &nm, &nn))
		return NULL;
	*recognized = 1;

	struct lw_tstacks t;
	struct labels L;
	memset(&L, 0, sizeof(L));
	struct lw_profile *p = lw_tprofile_new(&t, err, name);
	if (!p)
		return NULL;
	p->source = LW_SRC_COUNT_TEXT;
	p->period = 1;
	const char *type = lw_profile_intern_n(p, nm, nn);
	const char *unit = lw_profile_intern(p, "count");
	if (!type || !unit || lw_profile_add_sample_type(p, type, unit))
		goto nomem;
	p->period_type.type = type;
	p->period_type.unit = unit;

	bool in_rec = false;
	int64_t count = 0;
	while (lw_tline_next(&lr, &s, &n)) {
		const char *ts = s;
		size_t tn = n;
		lw_ttrim(&ts, &tn);
		if (tn == 0)
			continue;
		if (ts[0] == '#') {
			struct lw_tframe f;
			if (!in_rec)
				continue;
			if (lw_tprefix(ts, tn, "# labels:")) {
				int rc = parse_labels(&L, ts, tn);
				if (rc == -2)
					goto nomem;
				if (rc) {
					lw_tfail(err, name, lr.lineno, "bad labels line");
					goto fail;
				}
			} else if (lw_tparse_frame(ts, tn, &f) && lw_tstacks_add_frame(&t, &f)) {
				goto nomem;
			}
			continue;
		}
		if (lw_tprefix(s, n, "---"))
			break;
		if (in_rec && flush(p, &t, count, &L))
			goto nomem;
		in_rec = false;

		/* "<count> @ 0x.. 0x.." */
		const char *q = s, *end = s + n;
		if (parse_count(&q, end, &count) || !lw_tprefix(q, (size_t)(end - q), " @")) {
			lw_tfail(err, name, lr.lineno, "bad record header");
			goto fail;
		}
		q += 2;
		if (q < end && *q != ' ' && *q != '\t') {
			lw_tfail(err, name, lr.lineno, "bad record header");
			goto fail;
		}
		lw_tstacks_begin(&t);
		for (;;) {
			lw_tskip_blanks(&q, end);
			if (q >= end)
				break;
			uint64_t pc;
			if (lw_tparse_hex(&q, end, &pc) || (q < end && *q != ' ' && *q != '\t')) {
				lw_tfail(err, name, lr.lineno, "bad address in record");
				goto fail;
			}
			if (lw_tstacks_add_pc(&t, pc - 1))
				goto nomem;
		}
		in_rec = true;
	}
	if (in_rec && flush(p, &t, count, &L))
		goto nomem;
	lw_tstacks_finish(&t);
	lw_tstacks_free(&t);
	free(L.buf);
	free(L.off);
	return p;
nomem:
	lw_tfail(err, name, 0, "out of memory");
fail:
	lw_tstacks_free(&t);
	free(L.buf);
	free(L.off);
	lw_profile_free(p);
	return NULL;
}
