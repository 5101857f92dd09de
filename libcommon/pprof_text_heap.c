/* pprof_text_heap.c: heap/allocs `?debug=1` text (runtime/pprof
 * writeHeapInternal), read as Go 1.19's go tool pprof reads it
 * (legacy_profile.go parseHeap) so every value equals its `-raw` output:
 *   header  heap profile: I: IB [A: AB] @ heap/2*rate
 *   record  i: ib [a: ab] @ 0xPC 0xPC ...      (raw, unscaled counts)
 *           #\t0xPC-1\tfunc+0xoff\tfile:line   (one per shown frame)
 *   trailer # runtime.MemStats / # Name = value ...
 * Four sample types alloc_objects, alloc_space, inuse_objects, inuse_space
 * (pprof's order), or objects/space when the header's alloc pair equals
 * the in-use pair (string comparison, as pprof does); period = rate (the
 * header's number / 2 for "heap"), values scaled by scaleHeapSample; every
 * address adjusted by -1; numeric label "bytes" = average object size.
 * Unlike pprof we name locations from the '#' lines and keep the MemStats.
 * We do not set drop_frames/keep_frames as pprof's legacy parser does: the
 * text hides leading runtime.* frames and runtime.goexit, which stay
 * address-only, and pprof's pruning would then cut whole stacks at
 * runtime.main; Go's own protobuf profiles do not set them either.
 */
#include <inttypes.h>
#include <math.h>

#include "pprof_text.h"
#include "pprof_text_int.h"

struct hdr {
	int has_alloc;
	int scale; /* pprof's sampling "v2" */
	int64_t period;
};

/* "heap profile:" then a digit: the only way Go's heap text starts. */
static int looks_heap(const char *s, size_t n)
{
	lw_ttrim(&s, &n);
	if (!lw_tprefix(s, n, "heap profile:"))
		return 0;
	const char *q = s + 13, *end = s + n;
	lw_tskip_blanks(&q, end);
	return q < end && *q >= '0' && *q <= '9';
}

static int digits(const char **q, const char *end, const char **ds, size_t *dn)
{
	const char *s = *q;
	while (*q < end && **q >= '0' && **q <= '9')
		(*q)++;
	*ds = s;
	*dn = (size_t)(*q - s);
	return *dn ? 0 : -1;
}

static int expect(const char **q, const char *end, char c)
{
	lw_tskip_blanks(q, end);
	if (*q >= end || **q != c)
		return -1;
	(*q)++;
	lw_tskip_blanks(q, end);
	return 0;
}

static bool same(const char *a, size_t an, const char *b, size_t bn)
{
	return an == bn && memcmp(a, b, an) == 0;
}

/* 0, or -1 with *why set. */
static int parse_header(const char *s, size_t n, struct hdr *h, const char **why)
{
	const char *q, *end;
	const char *d[4];
	size_t dn[4];
	lw_ttrim(&s, &n);
	q = s + 13;
	end = s + n;
	*why = "bad heap profile header";
	lw_tskip_blanks(&q, end);
	if (digits(&q, end, &d[0], &dn[0]) || expect(&q, end, ':') ||
	    digits(&q, end, &d[1], &dn[1]) || expect(&q, end, '[') ||
	    digits(&q, end, &d[2], &dn[2]) || expect(&q, end, ':') ||
	    digits(&q, end, &d[3], &dn[3]) || expect(&q, end, ']') || expect(&q, end, '@'))
		return -1;
	const char *k = q;
	while (q < end && ((*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9') || *q == '_'))
		q++;
	size_t kn = (size_t)(q - k);
	uint64_t num = 0;
	bool has_num = false;
	if (q < end && *q == '/')
		q++;
	if (q < end && *q >= '0' && *q <= '9') {
		if (lw_tparse_u64(&q, end, &num) || num > INT64_MAX)
			return -1;
		has_num = true;
	}
	lw_tskip_blanks(&q, end);
	if (q != end)
		return -1;
	h->period = has_num ? (int64_t)num : 0;
	h->has_alloc = (!same(d[2], dn[2], d[0], dn[0]) && !same(d[2], dn[2], "0", 1)) ||
		       (!same(d[3], dn[3], d[1], dn[1]) && !same(d[3], dn[3], "0", 1));
	h->scale = 0;
	if (same(k, kn, "heap", 4)) {
		h->scale = 1;
		h->period /= 2; /* the runtime writes 2*MemProfileRate */
	} else if (same(k, kn, "heap_v2", 7) || same(k, kn, "heapz_v2", 8)) {
		h->scale = 1;
	} else if (same(k, kn, "heapprofile", 11)) {
		h->period = 1;
	} else if (same(k, kn, "growthz", 7) || same(k, kn, "growth", 6) ||
		   same(k, kn, "fragmentationz", 14) || same(k, kn, "fragmentation", 13)) {
		/* C++ growthz/fragmentationz: pprof reads them unscaled, 2 types */
		h->period = 1;
		h->has_alloc = 0;
	} else {
		*why = "unknown heap profile kind";
		return -1;
	}
	return 0;
}

/* Go's math.Exp on amd64 (src/math/exp_amd64.s, Go 1.19; unchanged since
 * Go 1.10): a Sleef-derived kernel, NOT correctly rounded, and with a
 * different result when the CPU has AVX+FMA. scaleHeapSample computes
 * 1/(1-exp(-avg/rate)), which turns a 1-ulp difference of exp into
 * differences of many units in large scaled values, so to print the same
 * numbers as go tool pprof we evaluate exp exactly as Go does on this
 * machine: the same operations in the same order, fused where Go fuses.
 * volatile keeps the compiler from contracting the unfused path. */
static int go_use_fma(void)
{
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
	static int v = -1;
	if (v < 0) {
		__builtin_cpu_init();
		v = __builtin_cpu_supports("avx") && __builtin_cpu_supports("fma");
	}
	return v;
#else
	return 1; /* arm64 and s390x kernels are fused too (approximation) */
#endif
}

static double bits2d(uint64_t b)
{
	double d;
	memcpy(&d, &b, sizeof d);
	return d;
}

static double go_exp(double x)
{
	static const double c[9] = { 0.5, 1.0, 2.0, 1.6666666666666666667e-1,
				     4.1666666666666666667e-2, 8.3333333333333333333e-3,
				     1.3888888888888888889e-3, 1.9841269841269841270e-4,
				     2.4801587301587301587e-5 };
	const double LOG2E = 1.4426950408889634073599246810018920;
	const double LN2U = 0.69314718055966295651160180568695068359375;
	const double LN2L = 0.28235290563031577122588448175013436025525412068e-12;
	uint64_t bx;
	memcpy(&bx, &x, sizeof bx);
	if ((bx & ~(1ULL << 63)) >= 0x7FF0000000000000ULL) /* Inf or NaN */
		return bx == 0xFFF0000000000000ULL ? 0 : x;
	if (x > 7.09782712893384e+02)
		return bits2d(0x7FF0000000000000ULL);
	volatile double x1 = LOG2E * x;
	/* CVTSD2SL: round to nearest even, out of range -> INT32_MIN */
	double r = nearbyint(x1);
	int32_t e = (r >= -2147483648.0 && r <= 2147483647.0) ? (int32_t)r : INT32_MIN;
	double fe = (double)e;
	volatile double x0 = x, t;
	if (go_use_fma()) {
		x0 = fma(-fe, LN2U, x0);
		x0 = fma(-fe, LN2L, x0);
		x0 = x0 * 0.0625;
		double y = c[8];
		y = fma(x0, y, c[7]);
		y = fma(x0, y, c[6]);
		y = fma(x0, y, c[5]);
		y = fma(x0, y, c[4]);
		y = fma(x0, y, c[3]);
		y = fma(x0, y, c[0]);
		y = fma(x0, y, c[1]);
		x0 = x0 * y;
		for (int i = 0; i < 3; i++) {
			t = x0 + 2.0;
			x0 = x0 * t;
		}
		t = x0 + 2.0;
		x0 = fma(t, x0, 1.0);
	} else {
		t = LN2U * fe;
		x0 = x0 - t;
		t = LN2L * fe;
		x0 = x0 - t;
		x0 = x0 * 0.0625;
		volatile double y = c[8];
		for (int i = 7; i >= 3; i--) {
			y = y * x0;
			y = y + c[i];
		}
		y = y * x0;
		y = y + c[0];
		y = y * x0;
		y = y + c[1];
		x0 = x0 * y;
		for (int i = 0; i < 4; i++) {
			t = 2.0 + x0;
			x0 = x0 * t;
		}
		x0 = x0 + 1.0;
	}
	/* ldexp with 32-bit wraparound as in the assembly */
	int32_t b = (int32_t)((uint32_t)e + 0x3FFu);
	if (b <= 0) {
		if (b < -52)
			return 0;
		b += 0x3FE;
		x0 = x0 * bits2d((uint64_t)(uint32_t)b << 52);
		b = 1;
	} else if (b >= 0x7FF) {
		return bits2d(0x7FF0000000000000ULL);
	}
	return x0 * bits2d((uint64_t)(uint32_t)b << 52);
}

/* pprof's scaleHeapSample: divides by the probability 1-exp(-avg/rate) that
 * an object of the average size was sampled. */
static void scale_sample(int64_t *count, int64_t *size, int64_t rate)
{
	if (*count == 0 || *size == 0) {
		*count = *size = 0;
		return;
	}
	if (rate <= 1)
		return;
	double avg = (double)*size / (double)*count;
	double scale = 1 / (1 - go_exp(-avg / (double)rate));
	*count = lw_go_int64((double)*count * scale);
	*size = lw_go_int64((double)*size * scale);
}

struct rec {
	int64_t v[4];
	int64_t blocksize;
};

/* Adds one (count, size) pair as pprof's addValues does. */
static int add_pair(struct rec *r, int *nv, int64_t count, int64_t size, const struct hdr *h,
		    const char *label, char *why, size_t whylen)
{
	if (count == 0 && size != 0) {
		snprintf(why, whylen, "%s count was 0 but %s bytes was %" PRId64, label, label, size);
		return -1;
	}
	if (count != 0) {
		/* Go defines INT64_MIN / -1 as INT64_MIN; C does not */
		r->blocksize = (count == -1) ? (int64_t)(0 - (uint64_t)size) : size / count;
		if (h->scale)
			scale_sample(&count, &size, h->period);
	}
	r->v[(*nv)++] = count;
	r->v[(*nv)++] = size;
	return 0;
}

/* Parses "i: ib [a: ab] @ 0x.. 0x.." and starts the record's stack. */
static int parse_record(const char *s, size_t n, const struct hdr *h, struct rec *r,
			struct lw_tstacks *t, char *why, size_t whylen)
{
	const char *q = s, *end = s + n;
	int64_t ic, ib, ac, ab;
	snprintf(why, whylen, "bad heap record");
	if (lw_tparse_i64(&q, end, &ic) || expect(&q, end, ':') || lw_tparse_i64(&q, end, &ib) ||
	    expect(&q, end, '[') || q >= end || *q == '-' || lw_tparse_i64(&q, end, &ac) ||
	    expect(&q, end, ':') || q >= end || *q == '-' || lw_tparse_i64(&q, end, &ab) ||
	    expect(&q, end, ']'))
		return -1;
	if (q >= end || *q != '@')
		return -1;
	q++;
	memset(r, 0, sizeof(*r));
	int nv = 0;
	if (h->has_alloc && add_pair(r, &nv, ac, ab, h, "allocation", why, whylen))
		return -1;
	if (add_pair(r, &nv, ic, ib, h, "inuse", why, whylen))
		return -1;
	lw_tstacks_begin(t);
	for (;;) {
		lw_tskip_blanks(&q, end);
		if (q >= end)
			break;
		uint64_t pc;
		if (lw_tparse_hex(&q, end, &pc) || (q < end && *q != ' ' && *q != '\t')) {
			snprintf(why, whylen, "bad address in heap record");
			return -1;
		}
		/* return address -> call instruction (pprof adjusts all, leaf too) */
		if (lw_tstacks_add_pc(t, pc - 1)) {
			snprintf(why, whylen, "out of memory");
			return -1;
		}
	}
	return 0;
}

/* "# Name = 123", "# Stack = a / b" (-> Stack, StackSys), "# X = 1.5e-05",
 * "# DebugGC = false"; arrays ("# PauseNs = [...]") are skipped. */
static int parse_memstat(struct lw_profile *p, const char *s, size_t n)
{
	const char *q = s + 1, *end = s + n;
	lw_tskip_blanks(&q, end);
	const char *nm = q;
	while (q < end && ((*q >= 'A' && *q <= 'Z') || (*q >= 'a' && *q <= 'z') ||
			   (*q >= '0' && *q <= '9') || *q == '_'))
		q++;
	size_t nn = (size_t)(q - nm);
	if (!nn || nn > 100 || expect(&q, end, '='))
		return 0;
	if (q < end && *q == '[')
		return 0;
	double v[2];
	int nv = 0;
	while (nv < 2) {
		const char *tok = q;
		while (q < end && *q != ' ' && *q != '\t')
			q++;
		size_t tn = (size_t)(q - tok);
		char tmp[80];
		if (!tn || tn >= sizeof tmp)
			return 0;
		memcpy(tmp, tok, tn);
		tmp[tn] = '\0';
		if (strcmp(tmp, "true") == 0) {
			v[nv++] = 1;
		} else if (strcmp(tmp, "false") == 0) {
			v[nv++] = 0;
		} else {
			char *ep;
			v[nv] = strtod(tmp, &ep);
			if (ep != tmp + tn)
				return 0;
			nv++;
		}
		lw_tskip_blanks(&q, end);
		if (q >= end)
			break;
		if (nv == 2 || *q != '/')
			return 0;
		q++;
		lw_tskip_blanks(&q, end);
	}
	char name[120];
	snprintf(name, sizeof name, "%.*s", (int)nn, nm);
	if (lw_profile_add_memstat(p, name, v[0]))
		return -1;
	if (nv == 2) {
		snprintf(name, sizeof name, "%.*sSys", (int)nn, nm);
		if (lw_profile_add_memstat(p, name, v[1]))
			return -1;
	}
	return 0;
}

static int flush(struct lw_profile *p, struct lw_tstacks *t, const struct rec *r)
{
	if (lw_tstacks_resolve(t))
		return -1;
	struct lw_label l = { .key = "bytes", .num = r->blocksize };
	return lw_profile_add_sample(p, t->rec, t->n_rec, r->v, &l, 1) ? 0 : -1;
}

struct lw_profile *lw_parse_heap_text(const char *buf, size_t len, const char *name,
				      int *recognized, struct lw_error *err)
{
	struct lw_tline lr;
	const char *s;
	size_t n;
	struct hdr h;
	const char *hwhy;
	char why[200];

	*recognized = 0;
	lw_tline_init(&lr, buf, len);
	if (!lw_tline_next(&lr, &s, &n) || !looks_heap(s, n))
		return NULL;
	*recognized = 1;
	if (parse_header(s, n, &h, &hwhy))
		return lw_tfail(err, name, 1, "%s", hwhy);

	struct lw_tstacks t;
	struct lw_profile *p = lw_tprofile_new(&t, err, name);
	if (!p)
		return NULL;
	p->source = LW_SRC_HEAP_TEXT;
	p->period = h.period;
	p->period_type.type = lw_profile_intern(p, "space");
	p->period_type.unit = lw_profile_intern(p, "bytes");
	int oom = !p->period_type.type || !p->period_type.unit;
	if (h.has_alloc)
		oom = oom || lw_profile_add_sample_type(p, "alloc_objects", "count") ||
		      lw_profile_add_sample_type(p, "alloc_space", "bytes");
	if (h.has_alloc)
		oom = oom || lw_profile_add_sample_type(p, "inuse_objects", "count") ||
		      lw_profile_add_sample_type(p, "inuse_space", "bytes");
	else
		oom = oom || lw_profile_add_sample_type(p, "objects", "count") ||
		      lw_profile_add_sample_type(p, "space", "bytes");
	if (oom)
		goto nomem;

	struct rec r;
	bool in_rec = false, in_memstats = false;
	while (lw_tline_next(&lr, &s, &n)) {
		lw_ttrim(&s, &n);
		if (n == 0)
			continue;
		if (s[0] == '#') {
			struct lw_tframe f;
			if (in_rec && lw_tparse_frame(s, n, &f)) {
				if (lw_tstacks_add_frame(&t, &f))
					goto nomem;
			} else if (lw_tprefix(s, n, "# runtime.MemStats")) {
				if (in_rec && flush(p, &t, &r))
					goto nomem;
				in_rec = false;
				in_memstats = true;
			} else if (in_memstats) {
				if (parse_memstat(p, s, n))
					goto nomem;
			}
			continue;
		}
		if (lw_tcontains(s, n, "--- Memory map: ---") || lw_tcontains(s, n, "MAPPED_LIBRARIES:"))
			break; /* pprof would read /proc/self/maps lines from here on */
		if (in_rec && flush(p, &t, &r))
			goto nomem;
		in_rec = false;
		if (parse_record(s, n, &h, &r, &t, why, sizeof why)) {
			lw_tfail(err, name, lr.lineno, "%s", why);
			goto fail;
		}
		in_rec = true;
	}
	if (in_rec && flush(p, &t, &r))
		goto nomem;
	lw_tstacks_finish(&t);
	lw_tstacks_free(&t);
	return p;
nomem:
	lw_tfail(err, name, 0, "out of memory");
fail:
	lw_tstacks_free(&t);
	lw_profile_free(p);
	return NULL;
}
