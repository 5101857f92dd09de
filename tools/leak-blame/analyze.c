/* analyze.c: from collected series to ranked suspects.
 *
 * Per target: one trend set (libcommon/trend.h) holding a series per
 * blamed function of the heap and cgo profiles (in-use bytes, with the
 * heap's sampling step), per goroutine group (profiles, else dumps), and
 * the memory picture. lw_trend_analyze gives every series its verdict with
 * false-discovery control across the set. Series that leak or grow become
 * suspects; a growing goroutine group takes in the heap and cgo series of
 * the same leak (memory allocated by its creator or by the goroutines
 * themselves, goroutine descriptors from runtime.malg), so one leak is one
 * suspect. classify.c then names each suspect's pattern; suspects are
 * ranked by bytes per hour.
 */
#include <math.h>

#include "blame.h"
#include "err.h"


static int any_nonzero(const double *v, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (v[i] != 0)
			return 1;
	return 0;
}

static void add_kind_group(struct lb_target *t, struct lb_kind *k, const char *kind,
			   const char *unit, double quantum)
{
	struct lw_trend_group *g;
	size_t i, j;

	if (!k->n_points)
		return;
	g = lw_trend_group_new(t->set, t->name, kind, unit, 1);
	if (!g)
		lw_die("out of memory");
	g->quantum = quantum;
	for (i = 0; i < k->n_points; i++) {
		long pt = lw_trend_add_point(g, k->times[i]);
		if (pt < 0)
			lw_die("out of memory");
	}
	for (j = 0; j < k->n_keys; j++) {
		struct lb_key *key = k->keys[j];
		int has_value = any_nonzero(key->value, k->n_points);
		for (i = 0; i < k->n_points; i++) {
			/* cumulative allocations tell trend.c how much of the
			 * key's live set turned over (the sampling wander) */
			double alloc = NAN;
			size_t st;
			if (k->has_alloc && (i == 0 || i == k->n_points - 1)) {
				/* the first and last points are all trend.c keeps */
				alloc = 0;
				for (st = 0; st < key->n_stacks; st++)
					alloc += i == 0 ? key->stacks[st]->alloc_space0
							: key->stacks[st]->alloc_space1;
			}
			if (!has_value && isnan(alloc))
				continue;
			if (lw_trend_set_values(g, i, key->name, has_value ? key->value[i] : 0, alloc))
				lw_die("out of memory");
		}
	}
	k->group = g;
}

static void bind_kind(struct lb_kind *k)
{
	size_t j;

	if (!k->group)
		return;
	k->total = k->group->n_series && k->group->series[0]->is_total ? k->group->series[0] : NULL;
	for (j = 0; j < k->n_keys; j++)
		k->keys[j]->se = lw_trend_find(k->group, k->keys[j]->name);
}

static int rising(const struct lb_key *k)
{
	return k->se && !k->se->is_total && k->se->fit.verdict >= LW_TREND_GROWING &&
	       k->se->fit.ts_per_hour > 0;
}

static struct lb_suspect *suspect_new(struct lb_target *t, struct lb_kind *k, struct lb_key *key,
				      const char *source)
{
	struct lb_suspect *s = lw_xcalloc(1, sizeof(*s));

	s->kind = k;
	s->key = key;
	s->function = key ? key->name : "";
	s->where.func = s->function;
	s->where.file = lb_intern("");
	s->created_by = s->blocked_at = s->c_where = s->where;
	s->created_by.func = s->blocked_at.func = s->c_where.func = lb_intern("");
	s->source = source;
	s->goroutines_per_hour = NAN;
	s->share = NAN;
	s->wait_max_minutes = NAN;
	s->state = "";
	if (key && key->se) {
		s->verdict = key->se->fit.verdict;
		s->q = key->se->fit.q;
		s->first = key->se->fit.first;
		s->last = key->se->fit.last;
		s->points = key->se->fit.points;
		s->share = key->se->fit.share;
	}
	t->sus = lw_xreallocarray(t->sus, t->n_sus + 1, sizeof(*t->sus));
	t->sus[t->n_sus++] = s;
	return s;
}

static void relate(struct lb_suspect *s, struct lb_kind *k, struct lb_key *key)
{
	s->related = lw_xreallocarray(s->related, s->n_related + 1, sizeof(*s->related));
	s->related_kind = lw_xreallocarray(s->related_kind, s->n_related + 1, sizeof(*s->related_kind));
	s->related[s->n_related] = key;
	s->related_kind[s->n_related++] = k;
	key->merged = 1;
}

static int key_has_frame(const struct lb_key *k, const char *func)
{
	size_t i, j;

	if (!func || !*func)
		return 0;
	for (i = 0; i < k->n_stacks; i++)
		for (j = 0; j < k->stacks[i]->n_frames; j++)
			if (k->stacks[i]->frames[j].func == func)
				return 1;
	return 0;
}

static int key_has_goroutine_alloc(const struct lb_key *k)
{
	size_t i, j;

	for (i = 0; i < k->n_stacks; i++)
		for (j = 0; j < k->stacks[i]->n_frames; j++)
			if (lb_is_goroutine_alloc(k->stacks[i]->frames[j].func))
				return 1;
	return 0;
}

/* Objects of a heap key over the analysed window. */
static double objects_rate(const struct lb_kind *k, const struct lb_key *key)
{
	size_t i, w = key->se ? key->se->fit.warmup : 0;
	double a = 0, b = 0, dt;

	if (k->n_points < 2 || w >= k->n_points - 1)
		return NAN;
	for (i = 0; i < key->n_stacks; i++) {
		if (!key->stacks[i]->objects)
			return NAN;
		a += key->stacks[i]->objects[w];
		b += key->stacks[i]->objects[k->n_points - 1];
	}
	dt = (double)(k->times[k->n_points - 1] - k->times[w]) / 3.6e12;
	return dt > 0 ? (b - a) / dt : NAN;
}

/* Does heap/cgo key h belong to the goroutine leak s? */
static int belongs(const struct lb_suspect *s, const struct lb_kind *hk, const struct lb_key *h)
{
	const char *g = s->gkey->name;
	const char *c = s->created_by.func;
	double gr = s->gkey->se ? s->gkey->se->fit.ts_per_hour : NAN, orate;

	if (h->name == g || (*c && h->name == c))
		return 1;
	if (key_has_frame(h, g) || (*c && key_has_frame(h, c)))
		return 1;
	/* without a creation site: objects that grow as fast as the goroutines */
	orate = objects_rate(hk, h);
	return !*c && isfinite(orate) && isfinite(gr) && gr > 0 && orate >= 0.5 * gr &&
	       orate <= 2 * gr && h->se->fit.verdict == LW_TREND_LEAK &&
	       s->gkey->se->fit.verdict == LW_TREND_LEAK;
}

/* Stack weights: a stack's value at the last point of its kind. */
static double last_value(const struct lb_kind *k, const struct lb_stack *st)
{
	return k->n_points ? st->value[k->n_points - 1] : 0;
}

static void goroutine_details(struct lb_target *t, struct lb_suspect *s)
{
	struct lb_kind *dk = &t->kinds[LB_DUMP];
	struct lb_kind *gk = s->kind;
	const struct lb_stack *top = NULL;
	double best = -1;
	size_t i;

	for (i = 0; i < s->gkey->n_stacks; i++) {
		double v = last_value(gk, s->gkey->stacks[i]);
		if (v > best) {
			best = v;
			top = s->gkey->stacks[i];
		}
	}
	if (top && top->attr.blame >= 0) {
		s->blocked_at = top->frames[top->attr.blame];
		if (top->attr.blame > 0)
			s->blocked_call = top->frames[top->attr.blame - 1].func;
	} else if (top && top->n_frames) {
		s->blocked_at = top->frames[0];
	}
	if (dk->n_points) {
		size_t k = lb_map_get(&dk->keymap, s->gkey->name);
		if (k != (size_t)-1)
			s->dkey = dk->keys[k];
	}
	if (s->dkey) {
		/* the heaviest (state, creator) of the group at the last dump */
		const struct lb_stack *dt = NULL;
		best = -1;
		s->wait_max_minutes = 0;
		for (i = 0; i < s->dkey->n_stacks; i++) {
			const struct lb_stack *st = s->dkey->stacks[i];
			double v = last_value(dk, st);
			if (v > best) {
				best = v;
				dt = st;
			}
			if (st->wait_max[dk->n_points - 1] > s->wait_max_minutes)
				s->wait_max_minutes = st->wait_max[dk->n_points - 1];
		}
		if (dt) {
			s->state = dt->state;
			if (*dt->created_by.func)
				s->created_by = dt->created_by;
			if (dt->attr.blame >= 0) {
				s->blocked_at = dt->frames[dt->attr.blame];
				if (dt->attr.blame > 0)
					s->blocked_call = dt->frames[dt->attr.blame - 1].func;
			}
		}
	}
}

/* Finds where the goroutines of s are started (`go name(`), in the source. */
static void creation_from_source(struct lb_suspect *s, const struct lb_opts *o)
{
	struct lb_src *src, **sib;
	const char *name = s->gkey->name, *short_name, *p;
	char pat[256], *pkg;
	size_t n, i, l;

	if (*s->created_by.func || !*s->blocked_at.file)
		return;
	src = lb_source_open(s->blocked_at.file, o);
	if (!src)
		return;
	short_name = strrchr(name, '.');
	if (!short_name || strstr(short_name, "func") == short_name + 1)
		return; /* closures: the creator is the enclosing function, found below */
	short_name++;
	snprintf(pat, sizeof(pat), "go %s(", short_name);
	p = strrchr(name, '/');
	p = strchr(p ? p : name, '.');
	if (!p)
		return;
	pkg = lw_xasprintf("%.*s", (int)(p - name), name);
	n = lb_source_siblings(src, o, &sib);
	for (i = 0; i < n; i++) {
		for (l = 1; l <= lb_source_nlines(sib[i]); l++) {
			const char *line = lb_source_line(sib[i], (int64_t)l);
			int64_t a, b;
			char *fname;
			const char *q, *e;
			if (!strstr(line, pat))
				continue;
			if (lb_source_func_range(sib[i], (int64_t)l, &a, &b))
				continue;
			/* "func (c *Cache) Put(" -> "(*Cache).Put"; "func f(" -> "f" */
			q = lb_source_line(sib[i], a) + 5;
			if (*q == '(') {
				const char *rp = strchr(q, ')'), *sp, *nm;
				if (!rp)
					continue;
				sp = memchr(q, ' ', (size_t)(rp - q));
				nm = rp + 2;
				e = strchr(nm, '(');
				if (!sp || !e || nm >= e)
					continue;
				sp++;
				fname = lw_xasprintf("%s.%s%.*s%s.%.*s", pkg, *sp == '*' ? "(" : "",
						     (int)(rp - sp), sp, *sp == '*' ? ")" : "", (int)(e - nm), nm);
			} else {
				e = strchr(q, '(');
				if (!e)
					continue;
				fname = lw_xasprintf("%s.%.*s", pkg, (int)(e - q), q);
			}
			s->created_by.func = lb_intern(fname);
			free(fname);
			s->created_by.file = lb_intern(s->blocked_at.file);
			if (strcmp(lb_source_path(sib[i]), lb_source_path(src)) != 0) {
				/* another file of the package: keep the profile's directory */
				char *dir = lw_xstrdup(s->blocked_at.file), *sl = strrchr(dir, '/');
				char *f;
				if (sl)
					sl[1] = '\0';
				f = lw_xasprintf("%s%s", sl ? dir : "", lb_basename(lb_source_path(sib[i])));
				s->created_by.file = lb_intern(f);
				free(f);
				free(dir);
			}
			s->created_by.line = (int64_t)l;
			lb_suspect_evidence(s, "source: %s:%zu starts them: %s", lb_basename(lb_source_path(sib[i])), l,
					    line + strspn(line, " \t"));
			free(pkg);
			return;
		}
	}
	free(pkg);
}

static double stack_bytes_per_goroutine(const struct lb_target *t)
{
	const struct lb_memstats *ms = &t->ms;
	size_t i;

	if (ms->have[LB_MS_STACK_INUSE] && ms->have[LB_MS_GOROUTINES]) {
		for (i = ms->n; i-- > 0;) {
			double s = ms->col[LB_MS_STACK_INUSE][i], g = ms->col[LB_MS_GOROUTINES][i];
			if (isfinite(s) && isfinite(g) && g > 0)
				return s / g;
		}
	}
	return 8192;
}

static int suspect_cmp(const void *a, const void *b)
{
	const struct lb_suspect *x = *(struct lb_suspect *const *)a, *y = *(struct lb_suspect *const *)b;

	if (x->verdict != y->verdict)
		return x->verdict > y->verdict ? -1 : 1;
	if (x->bytes_per_hour != y->bytes_per_hour)
		return x->bytes_per_hour > y->bytes_per_hour ? -1 : 1;
	return strcmp(x->function, y->function);
}

static void unexplained_suspect(struct lb_target *t)
{
	struct lb_picture *p = &t->pic;
	struct lw_trend_series *u = p->se_part[LB_PART_UNEXPLAINED], *r = p->se_rss;
	struct lb_suspect *s;

	if (!u || !r || r->fit.verdict < LW_TREND_GROWING || u->fit.verdict < LW_TREND_GROWING ||
	    u->fit.ts_per_hour < 0.5 * r->fit.ts_per_hour)
		return;
	s = suspect_new(t, NULL, NULL, "rss");
	s->function = lb_intern("(unexplained)");
	s->where.func = s->function;
	s->verdict = u->fit.verdict < r->fit.verdict ? u->fit.verdict : r->fit.verdict;
	s->q = fmax(u->fit.q, r->fit.q);
	s->first = u->fit.first;
	s->last = u->fit.last;
	s->points = u->fit.points;
	s->bytes_per_hour = u->fit.ts_per_hour;
	s->share = fmin(1, u->fit.ts_per_hour / r->fit.ts_per_hour);
	s->unit = "bytes";
	s->pattern = LB_PAT_UNEXPLAINED;
}

static void analyze_target(struct lb_target *t, const struct lb_opts *o)
{
	struct lb_kind *heap = &t->kinds[LB_HEAP], *cgo = &t->kinds[LB_CGO];
	struct lb_kind *gk = t->kinds[LB_GOROUTINE].n_points ? &t->kinds[LB_GOROUTINE]
							     : &t->kinds[LB_DUMP];
	struct lb_kind *hk[2] = { heap, cgo };
	double per_g = stack_bytes_per_goroutine(t);
	size_t i, j, n_gsus, m;

	t->set = lw_trend_set_new();
	if (!t->set)
		lw_die("out of memory");
	if (*o->service)
		t->service = o->service;
	add_kind_group(t, heap, "heap", "bytes", heap->quantum);
	add_kind_group(t, cgo, "cgo", "bytes", cgo->quantum);
	add_kind_group(t, gk, "goroutine", "count", 1);
	lb_picture_build(t);
	lb_picture_add_series(t);
	if (lw_trend_analyze(t->set, &o->trend))
		lw_die("out of memory");
	bind_kind(heap);
	bind_kind(cgo);
	bind_kind(gk);
	lb_picture_bind(t);
	lb_limit_fit(t, o);

	/* goroutine groups first: they take in the memory they hold */
	for (i = 0; i < gk->n_keys; i++) {
		struct lb_key *g = gk->keys[i];
		struct lb_suspect *s;
		if (!rising(g))
			continue;
		s = suspect_new(t, gk, g, "goroutine");
		s->gkey = g;
		s->unit = "goroutines";
		s->goroutines_per_hour = g->se->fit.ts_per_hour;
		goroutine_details(t, s);
		creation_from_source(s, o);
	}
	n_gsus = t->n_sus;
	for (m = 0; m < 2; m++) {
		for (j = 0; j < hk[m]->n_keys; j++) {
			struct lb_key *h = hk[m]->keys[j];
			if (!rising(h))
				continue;
			for (i = 0; i < n_gsus; i++) {
				struct lb_suspect *s = t->sus[i];
				if (belongs(s, hk[m], h) ||
				    (h->runtime_only && key_has_goroutine_alloc(h))) {
					relate(s, hk[m], h);
					break;
				}
			}
		}
	}
	for (m = 0; m < 2; m++) {
		for (j = 0; j < hk[m]->n_keys; j++) {
			struct lb_key *h = hk[m]->keys[j];
			struct lb_suspect *s;
			if (!rising(h) || h->merged)
				continue;
			s = suspect_new(t, hk[m], h, m == 0 ? "heap" : "cgo");
			s->unit = "bytes";
			s->bytes_per_hour = h->se->fit.ts_per_hour;
		}
	}
	/* bytes per hour of goroutine leaks: their stacks and what they hold */
	for (i = 0; i < n_gsus; i++) {
		struct lb_suspect *s = t->sus[i];
		s->bytes_per_hour = s->goroutines_per_hour * per_g;
		for (j = 0; j < s->n_related; j++) {
			/* the goroutine count stays the main evidence (its q) */
			s->bytes_per_hour += s->related[j]->se->fit.ts_per_hour;
		}
	}
	unexplained_suspect(t);
	if (!t->n_sus) {
		/* nothing to blame: say when that is for want of snapshots */
		struct lb_kind *ks[3] = { heap, cgo, gk };
		for (m = 0; m < 3 && !t->note; m++) {
			if (ks[m]->total && ks[m]->total->fit.verdict == LW_TREND_TOO_SHORT)
				t->note = lw_xasprintf("too few snapshots to judge: %zu %s snapshots after the warm-up, "
						       "--min-points=%zu needed",
						       ks[m]->total->fit.points, ks[m]->name, o->trend.min_points);
		}
		if (!t->note && t->pic.se_rss && t->pic.se_rss->fit.verdict == LW_TREND_TOO_SHORT &&
		    !heap->n_points && !cgo->n_points && !gk->n_points)
			t->note = lw_xasprintf("too few snapshots to judge: %zu memstats rows after the "
					       "warm-up, --min-points=%zu needed",
					       t->pic.se_rss->fit.points, o->trend.min_points);
	}
	for (i = 0; i < t->n_sus; i++) {
		struct lb_suspect *s = t->sus[i];
		s->confidence = isfinite(s->q) ? fmin(1, fmax(0, 1 - s->q)) : NAN;
		lb_classify(t, s, o);
	}
	if (t->n_sus)
		qsort(t->sus, t->n_sus, sizeof(*t->sus), suspect_cmp);
	for (i = 0; i < t->n_sus; i++)
		t->sus[i]->rank = (int)i + 1;
	if ((size_t)o->max_suspects < t->n_sus) {
		for (i = (size_t)o->max_suspects; i < t->n_sus; i++)
			t->sus[i]->rank = -(int)(i + 1); /* kept for the count, not shown */
	}
}

int lb_analyze(struct lb_report *r, const struct lb_opts *o)
{
	size_t i, j;

	r->opts = o;
	for (i = 0; i < r->n_targets; i++) {
		struct lb_target *t = r->targets[i];
		if (!*t->name && r->archive && !r->files) {
			/* a bare target directory: its own name */
			char *a = lw_xstrdup(r->archive), *e = a + strlen(a);
			while (e > a + 1 && e[-1] == '/')
				*--e = '\0';
			t->service = lb_intern(strcmp(a, "/") ? lb_basename(a) : "");
			free(a);
		}
		analyze_target(t, o);
		for (j = 0; j < t->n_sus; j++) {
			r->n_suspects++;
			if (t->sus[j]->verdict >= o->fail_on)
				r->fail = 1;
		}
	}
	return 0;
}
