/* pprof_text_dump.c: goroutine `?debug=2` dumps (runtime.Stack(all) via
 * runtime/pprof writeGoroutineStacks; the same text a panic or SIGQUIT
 * prints), which go tool pprof cannot read:
 *   goroutine 8 [chan receive, 12 minutes, locked to thread]:
 *   main.blockOnChan(0x0?)
 *   	leakdemo/main.go:53 +0x1b
 *   created by main.main [in goroutine 1]
 *   	leakdemo/main.go:110 +0x5e9
 * Fills p->goroutines (state, minutes, locked, frames, creation site) and
 * builds a goroutine/count profile with ONE SAMPLE PER GOROUTINE (value 1,
 * string label "state", numeric label "wait_minutes" in "minutes" when the
 * header shows minutes), so --top counts goroutines per function exactly
 * and tools can still group by state or wait time. Locations have no
 * address: one per distinct frame, an inlined frame folded with the frames
 * up to its physical caller into one location with an inline line chain.
 * "created by" is not a frame (the protobuf profile has no such frame).
 * Tolerated: " (scan)" after the state, GOTRACEBACK=system "fp= sp= pc="
 * suffixes and "gp=... m=..." header words, "...additional frames
 * elided...", "[originating from goroutine N]:" ancestor blocks (skipped),
 * "goroutine running on other thread; stack unavailable", and a crash
 * preamble ("panic: ...", "fatal error: ...", "SIGQUIT: quit") before the
 * first goroutine, in which case the first line that does not fit ends the
 * dump (register dump, "exit status 2") instead of being an error.
 */
#include "pprof_text.h"
#include "grow.h"
#include "pprof_text_int.h"

struct ghdr {
	uint64_t id;
	const char *state;
	size_t state_len;
	int64_t minutes;
	bool locked;
};

/* "goroutine <id>[ words] [<state>[ (scan)][, N minutes][, locked to thread]]:" */
static int parse_ghdr(const char *s, size_t n, struct ghdr *h)
{
	const char *q = s, *end = s + n;
	memset(h, 0, sizeof(*h));
	if (!lw_tprefix(s, n, "goroutine "))
		return -1;
	q += 10;
	if (lw_tparse_u64(&q, end, &h->id) || q >= end || *q != ' ')
		return -1;
	while (end > q && lw_tspace(end[-1]))
		end--;
	if (end - q < 3 || end[-1] != ':' || end[-2] != ']')
		return -1;
	end -= 2;
	const char *lb = memchr(q, '[', (size_t)(end - q));
	if (!lb)
		return -1;
	q = lb + 1;
	/* split on ", " */
	for (int part = 0; q <= end; part++) {
		const char *c = q;
		while (c < end && !(c[0] == ',' && c + 1 < end && c[1] == ' '))
			c++;
		const char *ps = q;
		size_t pn = (size_t)(c - q);
		if (part == 0) {
			if (pn >= 7 && memcmp(ps + pn - 7, " (scan)", 7) == 0)
				pn -= 7;
			h->state = ps;
			h->state_len = pn;
		} else if (pn == 16 && memcmp(ps, "locked to thread", 16) == 0) {
			h->locked = true;
		} else {
			const char *d = ps;
			uint64_t m;
			if (lw_tparse_u64(&d, ps + pn, &m) == 0 && m <= INT64_MAX &&
			    (lw_tprefix(d, (size_t)(ps + pn - d), " minutes") ||
			     lw_tprefix(d, (size_t)(ps + pn - d), " minute")))
				h->minutes = (int64_t)m;
			/* other annotations of newer runtimes are ignored */
		}
		if (c >= end)
			break;
		q = c + 2;
	}
	return 0;
}

static bool is_ghdr(const char *s, size_t n)
{
	struct ghdr h;
	return parse_ghdr(s, n, &h) == 0;
}

/* "\tfile:line[ +0xoff][ fp=0x.. sp=0x.. pc=0x..]" */
static int parse_where(const char *s, size_t n, const char **file, size_t *file_len,
		       int64_t *line, bool *has_off)
{
	const char *q = s, *end = s + n;
	lw_tskip_blanks(&q, end);
	while (end > q && lw_tspace(end[-1]))
		end--;
	const char *fp = memmem(q, (size_t)(end - q), " fp=0x", 6);
	if (fp)
		end = fp;
	*has_off = false;
	for (const char *c = end; c > q; c--) {
		if (c[-1] == ' ') {
			const char *h = c;
			uint64_t off;
			if (h < end && *h == '+') {
				h++;
				if (lw_tparse_hex(&h, end, &off) == 0 && h == end) {
					*has_off = true;
					end = c - 1;
				}
			}
			break;
		}
	}
	const char *colon = NULL;
	for (const char *c = end; c > q; c--) {
		if (c[-1] == ':') {
			colon = c - 1;
			break;
		}
	}
	if (!colon || colon == q)
		return -1;
	const char *d = colon + 1;
	if (lw_tparse_i64(&d, end, line) || d != end)
		return -1;
	*file = q;
	*file_len = (size_t)(colon - q);
	return 0;
}

/* ---- location table: one location per distinct inline chain ---- */

struct ltab {
	struct lw_location **locs;
	uint64_t *hashes;
	size_t n, cap;
	struct lw_itab idx;
};

static uint64_t chain_hash(const struct lw_line *l, size_t n)
{
	uint64_t h = n;
	for (size_t i = 0; i < n; i++)
		h = lw_hash_combine(lw_hash_combine(h, (uint64_t)(uintptr_t)l[i].fn),
				    (uint64_t)l[i].line);
	return h;
}

static uint64_t ltab_rehash(void *ctx, uint32_t i)
{
	return ((struct ltab *)ctx)->hashes[i];
}

static struct lw_location *ltab_get(struct ltab *t, struct lw_profile *p, const struct lw_line *l,
				    size_t n)
{
	uint64_t h = chain_hash(l, n);
	size_t i;
	for (i = lw_itab_first(&t->idx, h); t->idx.slots[i]; i = (i + 1) & t->idx.mask) {
		size_t k = t->idx.slots[i] - 1;
		struct lw_location *loc = t->locs[k];
		if (t->hashes[k] != h || loc->n_lines != n)
			continue;
		size_t j;
		for (j = 0; j < n; j++)
			if (loc->lines[j].fn != l[j].fn || loc->lines[j].line != l[j].line)
				break;
		if (j == n)
			return loc;
	}
	if (t->n >= UINT32_MAX - 1)
		return NULL;
	if (t->n == t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 64;
		struct lw_location **nl = realloc(t->locs, nc * sizeof(*nl));
		if (!nl)
			return NULL;
		t->locs = nl;
		uint64_t *nh = realloc(t->hashes, nc * sizeof(*nh));
		if (!nh)
			return NULL;
		t->hashes = nh;
		t->cap = nc;
	}
	if (lw_itab_reserve(&t->idx, ltab_rehash, t))
		return NULL;
	struct lw_location *loc = lw_profile_add_location(p, 0, NULL, 0, l, n);
	if (!loc)
		return NULL;
	for (i = lw_itab_first(&t->idx, h); t->idx.slots[i]; i = (i + 1) & t->idx.mask)
		;
	t->locs[t->n] = loc;
	t->hashes[t->n] = h;
	t->n++;
	t->idx.slots[i] = (uint32_t)t->n;
	t->idx.n++;
	return loc;
}

/* ---- parser state ---- */

struct dump {
	struct lw_profile *p;
	struct lw_tstacks fns; /* only its function table is used */
	struct ltab lt;
	struct lw_goroutine *g; /* index-stable: see g_index */
	size_t g_index;
	bool in_g;
	struct lw_gframe *fr; /* frames of the current goroutine */
	size_t n_fr, cap_fr;
	struct lw_line *lines; /* scratch for building locations */
	struct lw_location **slocs;
	size_t cap_scratch;
	struct ghdr h;
};

/* The parser's scratch (not the profile). */
static void dump_free(struct dump *d)
{
	lw_tstacks_free(&d->fns);
	lw_itab_free(&d->lt.idx);
	free(d->lt.locs);
	free(d->lt.hashes);
	free(d->fr);
	free(d->lines);
	free(d->slocs);
}

static int push_frame(struct dump *d, const struct lw_gframe *f)
{
	if (lw_grow(&d->fr, &d->cap_fr, d->n_fr + 1, sizeof(*d->fr), 32))
		return -1;
	d->fr[d->n_fr++] = *f;
	return 0;
}

/* Ends the current goroutine: copies its frames and adds its sample. */
static int end_goroutine(struct dump *d)
{
	if (!d->in_g)
		return 0;
	d->in_g = false;
	struct lw_profile *p = d->p;
	struct lw_goroutine *g = &p->goroutines[d->g_index];
	if (d->n_fr) {
		g->frames = lw_profile_alloc(p, d->n_fr * sizeof(*g->frames));
		if (!g->frames)
			return -1;
		memcpy(g->frames, d->fr, d->n_fr * sizeof(*g->frames));
		g->n_frames = d->n_fr;
	}
	if (d->n_fr > d->cap_scratch) {
		struct lw_line *nl = realloc(d->lines, d->n_fr * sizeof(*nl));
		if (!nl)
			return -1;
		d->lines = nl;
		struct lw_location **ns = realloc(d->slocs, d->n_fr * sizeof(*ns));
		if (!ns)
			return -1;
		d->slocs = ns;
		d->cap_scratch = d->n_fr;
	}
	size_t nl = 0, ns = 0;
	for (size_t i = 0; i < d->n_fr; i++) {
		const struct lw_gframe *f = &d->fr[i];
		struct lw_function *fn = lw_tstacks_fn(&d->fns, f->func, f->file);
		if (!fn)
			return -1;
		d->lines[nl].fn = fn;
		d->lines[nl].line = f->line;
		d->lines[nl].column = 0;
		nl++;
		/* an inlined frame shares its caller's PC: fold until a real one */
		if (f->inlined && i + 1 < d->n_fr)
			continue;
		struct lw_location *loc = ltab_get(&d->lt, p, d->lines, nl);
		if (!loc)
			return -1;
		d->slocs[ns++] = loc;
		nl = 0;
	}
	struct lw_label lab[2];
	size_t nlab = 0;
	memset(lab, 0, sizeof(lab));
	if (g->state[0]) {
		lab[nlab].key = "state";
		lab[nlab].str = g->state;
		nlab++;
	}
	if (g->wait_minutes > 0) {
		lab[nlab].key = "wait_minutes";
		lab[nlab].num = g->wait_minutes;
		lab[nlab].num_unit = "minutes";
		nlab++;
	}
	int64_t one = 1;
	d->n_fr = 0;
	return lw_profile_add_sample(p, d->slocs, ns, &one, lab, nlab) ? 0 : -1;
}

static int begin_goroutine(struct dump *d, const struct ghdr *h)
{
	struct lw_goroutine *g = lw_profile_add_goroutine(d->p);
	if (!g)
		return -1;
	d->g_index = d->p->n_goroutines - 1;
	g->id = h->id;
	g->state = lw_profile_intern_n(d->p, h->state, h->state_len);
	if (!g->state)
		return -1;
	g->wait_minutes = h->minutes;
	g->locked_to_thread = h->locked;
	d->in_g = true;
	d->n_fr = 0;
	return 0;
}

static bool crash_preamble(const char *s, size_t n)
{
	static const char *const starts[] = {
		"panic: ", "fatal error: ", "SIG", "runtime: ", "unexpected fault address",
	};
	for (size_t i = 0; i < LW_ARRAY_SIZE(starts); i++)
		if (lw_tprefix(s, n, starts[i]))
			return true;
	return false;
}

static bool blank(const char *s, size_t n)
{
	lw_ttrim(&s, &n);
	return n == 0;
}

enum { EXPECT_ANY, EXPECT_WHERE, EXPECT_CREATED_WHERE, SKIP_BLOCK };

struct lw_profile *lw_parse_goroutine_dump(const char *buf, size_t len, const char *name,
					   int *recognized, struct lw_error *err)
{
	struct lw_tline lr;
	const char *s;
	size_t n;
	bool crash = false;

	*recognized = 0;
	lw_tline_init(&lr, buf, len);
	while (lw_tline_next(&lr, &s, &n) && blank(s, n))
		;
	if (lr.lineno == 0 || blank(s, n))
		return NULL;
	if (!is_ghdr(s, n)) {
		if (!crash_preamble(s, n))
			return NULL;
		/* a crash report: recognized if a goroutine follows */
		while (lw_tline_next(&lr, &s, &n) && !is_ghdr(s, n))
			;
		if (!is_ghdr(s, n))
			return NULL;
		crash = true;
	}
	*recognized = 1;
	/* lr now stands on the first header (line s/n) */

	struct dump d;
	memset(&d, 0, sizeof(d));
	d.p = lw_tprofile_new(&d.fns, err, name);
	if (!d.p)
		return NULL;
	if (lw_itab_init(&d.lt.idx, 64))
		goto nomem;
	struct lw_profile *p = d.p;
	p->source = LW_SRC_GOROUTINE_DUMP;
	p->period = 1;
	p->period_type.type = lw_profile_intern(p, "goroutine");
	p->period_type.unit = lw_profile_intern(p, "count");
	if (!p->period_type.type || !p->period_type.unit ||
	    lw_profile_add_sample_type(p, "goroutine", "count"))
		goto nomem;

	int st = EXPECT_ANY;
	struct lw_gframe pend; /* function line waiting for its location */
	bool have_pend = false;
	const char *args = NULL;
	size_t args_len = 0;
	const char *why = NULL;
	bool first = true;
	do {
		if (!first && !lw_tline_next(&lr, &s, &n))
			break;
		first = false;
		if (blank(s, n)) {
			if (have_pend || st == EXPECT_CREATED_WHERE) {
				why = "frame without its file:line";
				break;
			}
			if (end_goroutine(&d))
				goto nomem;
			st = EXPECT_ANY;
			continue;
		}
		struct ghdr h;
		if (parse_ghdr(s, n, &h) == 0) {
			if (have_pend || st == EXPECT_CREATED_WHERE) {
				why = "frame without its file:line";
				break;
			}
			if (end_goroutine(&d) || begin_goroutine(&d, &h))
				goto nomem;
			st = EXPECT_ANY;
			continue;
		}
		if (!d.in_g) {
			if (crash)
				goto done; /* the crash report goes on with other things */
			why = "expected a goroutine header";
			break;
		}
		if (st == SKIP_BLOCK)
			continue;
		if (lw_tspace(s[0])) {
			/* location line */
			const char *file;
			size_t file_len;
			int64_t line;
			bool has_off;
			if (st == EXPECT_ANY) {
				if (lw_tcontains(s, n, "stack unavailable"))
					continue; /* "goroutine running on other thread; ..." */
				why = "file:line without a function";
				break;
			}
			if (parse_where(s, n, &file, &file_len, &line, &has_off)) {
				why = "bad file:line";
				break;
			}
			const char *f = lw_profile_intern_n(p, file, file_len);
			if (!f)
				goto nomem;
			pend.file = f;
			pend.line = line;
			if (st == EXPECT_CREATED_WHERE) {
				struct lw_goroutine *g = &p->goroutines[d.g_index];
				g->created_by.file = f;
				g->created_by.line = line;
				g->created_by.inlined = false;
			} else {
				pend.inlined = !has_off && args_len == 3 && memcmp(args, "...", 3) == 0;
				if (push_frame(&d, &pend))
					goto nomem;
				have_pend = false;
			}
			st = EXPECT_ANY;
			continue;
		}
		if (st != EXPECT_ANY) {
			why = "frame without its file:line";
			break;
		}
		if (s[0] == '.' && lw_tprefix(s, n, "...")) {
			continue; /* "...additional frames elided...", "...N frames elided..." */
		}
		if (lw_tprefix(s, n, "[originating from goroutine")) {
			st = SKIP_BLOCK; /* tracebackancestors: the parent's stack */
			continue;
		}
		const char *q = s, *end = s + n;
		while (end > q && lw_tspace(end[-1]))
			end--;
		if (lw_tprefix(s, n, "created by ")) {
			q += 11;
			/* Go >= 1.21: "created by main.main in goroutine 1" */
			struct lw_goroutine *g = &p->goroutines[d.g_index];
			const char *in = NULL;
			for (const char *c = end; c > q; c--) {
				if (lw_tprefix(c - 1, (size_t)(end - c + 1), " in goroutine ")) {
					in = c - 1;
					break;
				}
			}
			if (in) {
				const char *dd = in + 14;
				uint64_t parent;
				if (lw_tparse_u64(&dd, end, &parent) == 0 && dd == end) {
					g->created_by_goroutine = parent;
					end = in;
				}
			}
			if (end == q) {
				why = "bad created by line";
				break;
			}
			if (!(g->created_by.func = lw_profile_intern_n(p, q, (size_t)(end - q))))
				goto nomem;
			st = EXPECT_CREATED_WHERE;
			continue;
		}
		/* function line: "pkg.func(args)" */
		const char *lp = NULL;
		if (end > q && end[-1] == ')') {
			for (const char *c = end - 1; c > q; c--) {
				if (c[-1] == '(') {
					lp = c - 1;
					break;
				}
			}
		}
		if (!lp || lp == q) {
			why = "bad frame line";
			break;
		}
		memset(&pend, 0, sizeof(pend));
		if (!(pend.func = lw_profile_intern_n(p, q, (size_t)(lp - q))))
			goto nomem;
		args = lp + 1;
		args_len = (size_t)(end - 1 - args);
		have_pend = true;
		st = EXPECT_WHERE;
	} while (1);
	if (why && crash)
		goto done; /* "exit status 2" or the like right after the last goroutine */
	if (why) {
		lw_tfail(err, name, lr.lineno, "%s", why);
		goto fail;
	}
	if (!crash && (have_pend || st == EXPECT_CREATED_WHERE)) {
		lw_tfail(err, name, lr.lineno, "frame without its file:line");
		goto fail;
	}
done:
	if (end_goroutine(&d))
		goto nomem;
	dump_free(&d);
	return p;
nomem:
	lw_tfail(err, name, 0, "out of memory");
fail:
	dump_free(&d);
	lw_profile_free(d.p);
	return NULL;
}
