/* table.c: the diff table of one view. Every run of both sides is
 * aggregated (lw_aggregate, pprof's flat/cum), the rows are matched by key,
 * the runs of a side are combined per key, and current - base is taken.
 * Row order and trimming replicate go tool pprof -top.
 */
#include "diff.h"
#include "err.h"

/* Key -> entry index map (open addressing, FNV-1a). */
struct smap {
	uint32_t *slot; /* entry index + 1, 0 = empty */
	size_t cap;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

struct entries {
	const struct lw_agg_row **first; /* the row that introduced the key */
	uint64_t *hash;
	int64_t *vals; /* [entry][run][flat, cum] */
	size_t n, cap, width;
};

static void smap_grow(struct smap *m, const struct entries *e)
{
	size_t cap = m->cap ? 2 * m->cap : 1024;
	uint32_t *slot = lw_xcalloc(cap, sizeof(*slot));
	for (size_t i = 0; i < m->cap; i++) {
		if (!m->slot[i])
			continue;
		size_t j = e->hash[m->slot[i] - 1] & (cap - 1);
		while (slot[j])
			j = (j + 1) & (cap - 1);
		slot[j] = m->slot[i];
	}
	free(m->slot);
	m->slot = slot;
	m->cap = cap;
}

static size_t entry_for(struct smap *m, struct entries *e, const struct lw_agg_row *row)
{
	if (2 * (e->n + 1) > m->cap)
		smap_grow(m, e);
	uint64_t h = hash_str(row->key);
	size_t j = h & (m->cap - 1);
	while (m->slot[j]) {
		size_t k = m->slot[j] - 1;
		if (e->hash[k] == h && strcmp(e->first[k]->key, row->key) == 0)
			return k;
		j = (j + 1) & (m->cap - 1);
	}
	if (e->n == e->cap) {
		size_t old = e->cap;
		e->cap = e->cap ? 2 * e->cap : 1024;
		e->first = lw_xreallocarray(e->first, e->cap, sizeof(*e->first));
		e->hash = lw_xreallocarray(e->hash, e->cap, sizeof(*e->hash));
		e->vals = lw_xreallocarray(e->vals, e->cap, e->width * sizeof(*e->vals));
		memset(e->vals + old * e->width, 0, (e->cap - old) * e->width * sizeof(*e->vals));
	}
	e->first[e->n] = row;
	e->hash[e->n] = h;
	m->slot[j] = (uint32_t)(e->n + 1);
	return e->n++;
}

static const struct pd_run *run_at(const struct pd_side *base, const struct pd_side *cur, size_t r)
{
	return r < base->n ? &base->runs[r] : &cur->runs[r - base->n];
}

static int64_t spread(const int64_t *v, size_t n)
{
	if (n < 2)
		return 0;
	int64_t lo = v[0], hi = v[0];
	for (size_t i = 1; i < n; i++) {
		if (v[i] < lo)
			lo = v[i];
		if (v[i] > hi)
			hi = v[i];
	}
	return (int64_t)((uint64_t)hi - (uint64_t)lo); /* wraps, no UB */
}

int pd_table_build(struct pd_table *t, const struct pd_side *base, const struct pd_side *cur,
		   enum lw_granularity view, enum pd_combine how)
{
	size_t nb = base->n, nc = cur->n, nr = nb + nc;
	struct entries e = {.width = 2 * nr};
	struct smap m = {0};

	memset(t, 0, sizeof(*t));
	t->view = view;
	t->nbase = nb;
	t->ncur = nc;
	t->aggs = lw_xcalloc(nr, sizeof(*t->aggs));
	t->naggs = nr;
	for (size_t r = 0; r < nr; r++) {
		const struct pd_run *run = run_at(base, cur, r);
		if (lw_aggregate(run->prof, run->si, view, NULL, &t->aggs[r]) != 0)
			lw_die("out of memory");
		const struct lw_agg *a = &t->aggs[r];
		for (size_t i = 0; i < a->n_rows; i++) {
			size_t k = entry_for(&m, &e, &a->rows[i]);
			e.vals[k * e.width + 2 * r] = lw_add64(e.vals[k * e.width + 2 * r], a->rows[i].flat);
			e.vals[k * e.width + 2 * r + 1] =
				lw_add64(e.vals[k * e.width + 2 * r + 1], a->rows[i].cum);
		}
	}
	free(m.slot);

	/* Totals per run, then combined. */
	int64_t *sums = lw_xcalloc(nr, sizeof(*sums)), *abss = lw_xcalloc(nr, sizeof(*abss));
	for (size_t r = 0; r < nr; r++)
		pd_run_totals(run_at(base, cur, r), &sums[r], &abss[r]);
	t->base_run_sum = lw_xcalloc(nb ? nb : 1, sizeof(*t->base_run_sum));
	memcpy(t->base_run_sum, sums, nb * sizeof(*sums));
	t->base_sum_spread = spread(sums, nb);
	t->base_sum = pd_combine(how, sums, nb);
	t->cur_sum = pd_combine(how, sums + nb, nc);
	t->base_abs = pd_combine(how, abss, nb);
	t->cur_abs = pd_combine(how, abss + nb, nc);
	/* pprof's computeTotal: the base samples' sum |v|, or everything's
	 * when that is 0. */
	t->total = t->base_abs > 0 ? t->base_abs : lw_add64(t->base_abs, t->cur_abs);
	free(sums);
	free(abss);

	t->rows = lw_xcalloc(e.n ? e.n : 1, sizeof(*t->rows));
	int64_t *runvals = lw_xcalloc((e.n ? e.n : 1) * (nb ? nb : 1), sizeof(*runvals));
	t->mem = runvals;
	int64_t *tmp = lw_xcalloc(nr, sizeof(*tmp));
	for (size_t k = 0; k < e.n; k++) {
		const int64_t *v = &e.vals[k * e.width];
		struct pd_row *row = &t->rows[t->n];
		int64_t *bf = &runvals[t->n * (nb ? nb : 1)];

		for (size_t r = 0; r < nr; r++) {
			if (v[2 * r] || v[2 * r + 1]) {
				if (r < nb)
					row->in_base = true;
				else
					row->in_cur = true;
			}
		}
		for (size_t r = 0; r < nb; r++)
			bf[r] = tmp[r] = v[2 * r];
		row->base_flat = pd_combine(how, tmp, nb);
		for (size_t r = 0; r < nc; r++)
			tmp[r] = v[2 * (nb + r)];
		row->cur_flat = pd_combine(how, tmp, nc);
		for (size_t r = 0; r < nb; r++)
			tmp[r] = v[2 * r + 1];
		row->base_cum = pd_combine(how, tmp, nb);
		for (size_t r = 0; r < nc; r++)
			tmp[r] = v[2 * (nb + r) + 1];
		row->cur_cum = pd_combine(how, tmp, nc);
		/* wraps as Go's int64 does, without C's UB */
		row->dflat = (int64_t)((uint64_t)row->cur_flat - (uint64_t)row->base_flat);
		row->dcum = (int64_t)((uint64_t)row->cur_cum - (uint64_t)row->base_cum);
		if (row->dflat == 0 && row->dcum == 0)
			continue; /* pprof drops nodes whose flat and cum are 0 */
		row->spread_flat = spread(bf, nb);
		row->base_run_flat = bf;
		row->key = e.first[k]->key;
		row->name = e.first[k]->name;
		row->file = e.first[k]->file;
		row->line = e.first[k]->line;
		t->n++;
	}
	free(tmp);
	free(e.first);
	free(e.hash);
	free(e.vals);
	return 0;
}

void pd_table_free(struct pd_table *t)
{
	for (size_t r = 0; r < t->naggs; r++)
		lw_agg_free(&t->aggs[r]);
	free(t->aggs);
	free(t->rows);
	free(t->base_run_sum);
	free(t->mem);
	memset(t, 0, sizeof(*t));
}

static int cmp_flat(const void *a, const void *b)
{
	const struct pd_row *l = a, *r = b;
	int64_t x = lw_abs64(l->dflat), y = lw_abs64(r->dflat);
	if (x != y)
		return x > y ? -1 : 1;
	int c = strcmp(l->key, r->key);
	if (c)
		return c;
	x = lw_abs64(l->dcum), y = lw_abs64(r->dcum);
	return (x < y) - (x > y);
}

static int cmp_cum(const void *a, const void *b)
{
	const struct pd_row *l = a, *r = b;
	int64_t x = lw_abs64(l->dcum), y = lw_abs64(r->dcum);
	if (x != y)
		return x > y ? -1 : 1;
	int c = strcmp(l->key, r->key);
	if (c)
		return c;
	x = lw_abs64(l->dflat), y = lw_abs64(r->dflat);
	return (x < y) - (x > y);
}

void pd_table_sort(struct pd_table *t, bool cum)
{
	qsort(t->rows, t->n, sizeof(*t->rows), cum ? cmp_cum : cmp_flat);
}

void pd_trim(const struct pd_table *t, double nodefraction, long nodecount, struct pd_shown *s)
{
	/* report.go newTrimmedGraph: the cutoff is a fraction of the graph's
	 * signed flat sum; nodes with |cum| below it go, then the first
	 * nodecount of the sorted rest stay. */
	int64_t flat_sum = 0;
	for (size_t i = 0; i < t->n; i++)
		flat_sum = lw_add64(flat_sum, t->rows[i].dflat);
	int64_t cutoff = lw_abs64(lw_go_int64((double)flat_sum * nodefraction));

	memset(s, 0, sizeof(*s));
	s->idx = lw_xcalloc(t->n ? t->n : 1, sizeof(*s->idx));
	for (size_t i = 0; i < t->n; i++) {
		if (cutoff > 0 && lw_abs64(t->rows[i].dcum) < cutoff) {
			s->dropped++;
			continue;
		}
		s->idx[s->n++] = i;
	}
	s->origcount = s->n;
	if (nodecount > 0 && (size_t)nodecount < s->n)
		s->n = (size_t)nodecount;
}

void pd_shown_free(struct pd_shown *s)
{
	free(s->idx);
	memset(s, 0, sizeof(*s));
}
