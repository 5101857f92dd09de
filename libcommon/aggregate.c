/* aggregate.c: sample-type selection and pprof's flat/cum graph in C.
 *
 * Mirrors Go 1.19's vendored pprof: driver.aggregate (what a node key keeps
 * at each granularity), graph.newGraph (cum once per node per sample, flat
 * to the innermost kept frame, edges with their inline flag),
 * report.newTrimmedGraph (nodefraction / nodecount trimming, each step
 * rebuilding the graph from the samples), profile.FilterSamplesByName
 * (focus / ignore) and report.computeTotal (pprof::base-aware total).
 *
 * Speed: every (location, line) is resolved to a node index once; the
 * per-sample walk then touches only integer arrays. "Seen in this sample"
 * is a generation stamp per node / edge, never a per-sample set.
 */
#include <regex.h>
#include <sys/mman.h>

#include "aggregate.h"
#include "grow.h"
#include "lwhash.h"

/* ---- small string arena for the strings an aggregation owns ---- */

struct sblock {
	struct sblock *next;
	size_t used, cap;
	char data[];
};

struct spool {
	struct sblock *head;
};

static char *spool_dup(struct spool *sp, const char *s, size_t n)
{
	struct sblock *b = sp->head;
	if (!b || b->cap - b->used < n + 1) {
		size_t cap = n + 1 > 65536 ? n + 1 : 65536;
		b = malloc(sizeof(*b) + cap);
		if (!b)
			return NULL;
		b->cap = cap;
		b->used = 0;
		b->next = sp->head;
		sp->head = b;
	}
	char *d = b->data + b->used;
	memcpy(d, s, n);
	d[n] = '\0';
	b->used += n + 1;
	return d;
}

static void spool_free(struct spool *sp)
{
	while (sp->head) {
		struct sblock *n = sp->head->next;
		free(sp->head);
		sp->head = n;
	}
}

/* String interner over the pool (for cleaned file names, so that equal
 * names are equal pointers). */
struct sintern {
	struct lw_itab tab;
	const char **strs;
	size_t n, cap;
};

static uint64_t sintern_rehash(void *ctx, uint32_t idx)
{
	struct sintern *si = ctx;
	return lwh_bytes(si->strs[idx], strlen(si->strs[idx]));
}

static const char *sintern_get(struct sintern *si, struct spool *sp, const char *s)
{
	size_t n = strlen(s);
	uint64_t h = lwh_bytes(s, n);
	for (size_t i = lw_itab_first(&si->tab, h); si->tab.slots[i]; i = (i + 1) & si->tab.mask)
		if (!strcmp(si->strs[si->tab.slots[i] - 1], s))
			return si->strs[si->tab.slots[i] - 1];
	if (lw_itab_reserve(&si->tab, sintern_rehash, si))
		return NULL;
	if (lw_grow(&si->strs, &si->cap, si->n + 1, sizeof(*si->strs), 256))
		return NULL;
	const char *d = spool_dup(sp, s, n);
	if (!d)
		return NULL;
	si->strs[si->n] = d;
	size_t i = lw_itab_first(&si->tab, h);
	while (si->tab.slots[i])
		i = (i + 1) & si->tab.mask;
	si->tab.slots[i] = (uint32_t)++si->n;
	si->tab.n++;
	return d;
}

/* ---- pprof helpers ---- */

int lw_sample_index(const struct lw_profile *p, const char *name)
{
	if (!p || p->n_sample_types == 0)
		return -1;
	if (!name || !*name) {
		const char *dst = p->default_sample_type;
		if (dst && *dst)
			for (size_t i = 0; i < p->n_sample_types; i++)
				if (!strcmp(p->sample_types[i].type, dst))
					return (int)i;
		return (int)p->n_sample_types - 1;
	}
	/* strconv.Atoi: optional sign, decimal digits only */
	const char *d = name + (name[0] == '+' || name[0] == '-');
	if (*d && strspn(d, "0123456789") == strlen(d)) {
		errno = 0;
		long long v = strtoll(name, NULL, 10);
		if (errno || v < 0 || (unsigned long long)v >= p->n_sample_types)
			return -1;
		return (int)v;
	}
	const char *noinuse = !strncmp(name, "inuse_", 6) ? name + 6 : name;
	for (size_t i = 0; i < p->n_sample_types; i++)
		if (!strcmp(p->sample_types[i].type, name) ||
		    !strcmp(p->sample_types[i].type, noinuse))
			return (int)i;
	return -1;
}

/* Go's path/filepath.Clean for Unix paths. */
static char *clean_path(const char *path, char *out, size_t outsz)
{
	size_t n = strlen(path);
	if (n + 2 > outsz) { /* too long to clean here: keep as is */
		snprintf(out, outsz, "%s", path);
		return out;
	}
	if (n == 0) {
		snprintf(out, outsz, ".");
		return out;
	}
	int rooted = path[0] == '/';
	size_t r = 0, w = 0, dotdot = 0;
	if (rooted) {
		out[w++] = '/';
		r = 1;
		dotdot = 1;
	}
	while (r < n) {
		if (path[r] == '/') {
			r++;
		} else if (path[r] == '.' && (r + 1 == n || path[r + 1] == '/')) {
			r++;
		} else if (path[r] == '.' && path[r + 1] == '.' && (r + 2 == n || path[r + 2] == '/')) {
			r += 2;
			if (w > dotdot) {
				w--;
				while (w > dotdot && out[w] != '/')
					w--;
			} else if (!rooted) {
				if (w > 0)
					out[w++] = '/';
				out[w++] = '.';
				out[w++] = '.';
				dotdot = w;
			}
		} else {
			if ((rooted && w != 1) || (!rooted && w != 0))
				out[w++] = '/';
			for (; r < n && path[r] != '/'; r++)
				out[w++] = path[r];
		}
	}
	if (w == 0)
		out[w++] = '.';
	out[w] = '\0';
	return out;
}

static const char *base_name(const char *path)
{
	/* filepath.Base: strip trailing slashes, then the last element */
	size_t n = strlen(path);
	static char buf[4096];
	if (n == 0)
		return ".";
	while (n > 1 && path[n - 1] == '/')
		n--;
	if (n == 1 && path[0] == '/')
		return "/";
	size_t i = n;
	while (i > 0 && path[i - 1] != '/')
		i--;
	size_t len = n - i;
	if (len >= sizeof(buf))
		len = sizeof(buf) - 1;
	memcpy(buf, path + i, len);
	buf[len] = '\0';
	return buf;
}

static inline const char *nz(const char *s)
{
	return s ? s : "";
}

/* NodeInfo of pprof, after driver.aggregate at granularity g. Strings are
 * either profile-interned pointers or pointers from the aggregation's own
 * interner, so (pointer, pointer, ...) equality is NodeInfo equality. */
struct ninfo {
	const char *name;
	const char *file;
	const char *objfile;
	int64_t lineno;
	int64_t start_line;
};

static const char empty_str[] = "";

static inline const char *canon(const char *s)
{
	return (s && *s) ? s : empty_str;
}

/* Fills printable-name components into buf (NodeInfo.PrintableName with
 * Address always 0 at these granularities). */
static char *printable(const struct ninfo *ni, char *buf, size_t sz)
{
	size_t w = 0;
	buf[0] = '\0';
#define APPEND(...) do { \
		int k_ = snprintf(buf + w, w < sz ? sz - w : 0, __VA_ARGS__); \
		if (k_ > 0) w += (size_t)k_; \
	} while (0)
	if (*ni->name)
		APPEND("%s", ni->name);
	const char *sep = *ni->name ? " " : "";
	if (ni->lineno != 0)
		APPEND("%s%s:%lld", sep, ni->file, (long long)ni->lineno);
	else if (*ni->file)
		APPEND("%s%s", sep, ni->file);
	else if (*ni->name)
		;
	else if (*ni->objfile)
		APPEND("%s[%s]", sep, base_name(ni->objfile));
	else
		APPEND("%s<unknown>", sep);
#undef APPEND
	return buf;
}

char *lw_frame_name(const struct lw_location *loc, size_t line_idx, enum lw_granularity g,
		    char *buf, size_t sz)
{
	struct ninfo ni = { empty_str, empty_str, empty_str, 0, 0 };
	char fbuf[4096];
	const char *obj = loc->mapping ? canon(loc->mapping->filename) : empty_str;
	if (loc->n_lines == 0 || line_idx >= loc->n_lines || !loc->lines[line_idx].fn) {
		ni.objfile = obj;
		return printable(&ni, buf, sz);
	}
	const struct lw_line *ln = &loc->lines[line_idx];
	if (g != LW_BY_FILE)
		ni.name = canon(ln->fn->name);
	if ((g == LW_BY_LINE || g == LW_BY_FILE) && *nz(ln->fn->filename))
		ni.file = clean_path(ln->fn->filename, fbuf, sizeof(fbuf));
	if (g == LW_BY_LINE)
		ni.lineno = ln->line;
	if (!*ni.name) {
		ni.objfile = obj;
		ni.start_line = ln->fn->start_line;
	}
	return printable(&ni, buf, sz);
}

/* ---- the aggregation context ---- */

struct anode {
	struct ninfo ni;
	char *pname; /* printable name, lazily */
	int64_t flat, cum; /* copied from the hot arrays by sync_nodes() */
	uint8_t has_inline, has_noinline;
};

struct aedge {
	uint32_t src, dst;
	int64_t weight;
	uint32_t seen;
	uint8_t inl;
};

struct actx {
	const struct lw_profile *p;
	int si;
	enum lw_granularity g;
	struct spool pool;
	struct sintern files;

	struct anode *nodes;
	size_t n_nodes, cap_nodes;
	struct lw_itab node_tab;

	/* location -> nodes (lines[0] first) */
	uint32_t *loc_start; /* n_locations + 1 */
	uint32_t *loc_nodes;
	uint8_t *loc_flag; /* 1 focus, 2 ignore */
	/* location pointer -> index: by id when ids are dense, else hashed */
	struct pent {
		const struct lw_location *l;
		uint32_t idx;
	} *ptab, *by_id; /* location pointer -> index: hashed, and by id
			    * when ids are dense */
	size_t pmask;
	uint64_t max_id;
	/* when p->locations[i] == lbase + i for all i (the reader allocates
	 * them so): index by address, without reading the location */
	const struct lw_location *lbase;
	size_t n_lbase;
	uint8_t *sample_ok;

	/* Hot data of the per-sample walk, in arrays of their own: every
	 * counted sample's frames as node ids (root first, within a location
	 * outermost line first; bit 31 = inlined into the next frame), its
	 * weight, and per node flat / cum / seen stamp. */
	uint32_t *frames;
	size_t *fr_off; /* n_fs + 1 */
	int64_t *fr_w;
	size_t n_fs;
	int64_t *flat, *cum;
	uint32_t *seen;
	/* nodes that are an inlined (not outermost) line of some location:
	 * only their in-edges can make an "(inline)" label, so only those
	 * edges are tracked */
	uint8_t *inlinable;

	struct aedge *edges;
	size_t n_edges, cap_edges;
	struct lw_itab edge_tab;

	uint32_t gen;
};

static uint64_t node_hash(const struct ninfo *ni)
{
	uint64_t h = lw_mix64((uintptr_t)ni->name);
	h = lw_hash_combine(h, (uintptr_t)ni->file);
	h = lw_hash_combine(h, (uintptr_t)ni->objfile);
	h = lw_hash_combine(h, (uint64_t)ni->lineno);
	return lw_hash_combine(h, (uint64_t)ni->start_line);
}

static uint64_t node_rehash(void *ctx, uint32_t idx)
{
	struct actx *c = ctx;
	return node_hash(&c->nodes[idx].ni);
}

static int node_get(struct actx *c, const struct ninfo *ni, uint32_t *out)
{
	uint64_t h = node_hash(ni);
	for (size_t i = lw_itab_first(&c->node_tab, h); c->node_tab.slots[i];
	     i = (i + 1) & c->node_tab.mask) {
		const struct ninfo *o = &c->nodes[c->node_tab.slots[i] - 1].ni;
		if (o->name == ni->name && o->file == ni->file && o->objfile == ni->objfile &&
		    o->lineno == ni->lineno && o->start_line == ni->start_line) {
			*out = c->node_tab.slots[i] - 1;
			return 0;
		}
	}
	if (lw_itab_reserve(&c->node_tab, node_rehash, c))
		return -ENOMEM;
	if (lw_grow(&c->nodes, &c->cap_nodes, c->n_nodes + 1, sizeof(*c->nodes), 1024))
		return -ENOMEM;
	struct anode *n = &c->nodes[c->n_nodes];
	memset(n, 0, sizeof(*n));
	n->ni = *ni;
	size_t i = lw_itab_first(&c->node_tab, h);
	while (c->node_tab.slots[i])
		i = (i + 1) & c->node_tab.mask;
	c->node_tab.slots[i] = (uint32_t)(c->n_nodes + 1);
	c->node_tab.n++;
	*out = (uint32_t)c->n_nodes++;
	return 0;
}

static int line_ninfo(struct actx *c, const struct lw_location *loc, size_t li,
		      struct ninfo *ni)
{
	const char *obj = loc->mapping ? canon(loc->mapping->filename) : empty_str;
	ni->name = ni->file = ni->objfile = empty_str;
	ni->lineno = ni->start_line = 0;
	if (loc->n_lines == 0 || !loc->lines[li].fn) {
		ni->objfile = obj;
		return 0;
	}
	const struct lw_line *ln = &loc->lines[li];
	if (c->g != LW_BY_FILE)
		ni->name = canon(ln->fn->name);
	if ((c->g == LW_BY_LINE || c->g == LW_BY_FILE) && *nz(ln->fn->filename)) {
		char fbuf[4096];
		const char *cl = clean_path(ln->fn->filename, fbuf, sizeof(fbuf));
		ni->file = sintern_get(&c->files, &c->pool, cl);
		if (!ni->file)
			return -ENOMEM;
	}
	if (c->g == LW_BY_LINE)
		ni->lineno = ln->line;
	if (!*ni->name) {
		ni->objfile = obj;
		ni->start_line = ln->fn->start_line;
	}
	return 0;
}

static int rx_match(const regex_t *re, const char *s)
{
	return s && regexec(re, s, 0, NULL, 0) == 0;
}

/* profile.Location.matchesName */
static int loc_matches(const struct lw_location *loc, const regex_t *re)
{
	for (size_t i = 0; i < loc->n_lines; i++) {
		const struct lw_function *fn = loc->lines[i].fn;
		if (fn && (rx_match(re, nz(fn->name)) || rx_match(re, nz(fn->filename))))
			return 1;
	}
	return loc->mapping && rx_match(re, nz(loc->mapping->filename));
}

static inline int64_t loc_index(const struct actx *c, const struct lw_location *l)
{
	uintptr_t off = (uintptr_t)l - (uintptr_t)c->lbase;
	if (off < c->n_lbase * sizeof(*l) && off % sizeof(*l) == 0)
		return (int64_t)(off / sizeof(*l));
	/* dense ids (every Go profile): one array read */
	if (c->by_id) {
		uint64_t id = l->id;
		if (id <= c->max_id && c->by_id[id].l == l)
			return c->by_id[id].idx;
	}
	size_t mask = c->pmask;
	for (size_t i = (size_t)lw_mix64((uintptr_t)l) & mask; c->ptab[i].l; i = (i + 1) & mask)
		if (c->ptab[i].l == l)
			return c->ptab[i].idx;
	return -1;
}

static void actx_free(struct actx *c)
{
	spool_free(&c->pool);
	lw_itab_free(&c->files.tab);
	free(c->files.strs);
	free(c->nodes);
	lw_itab_free(&c->node_tab);
	free(c->loc_start);
	free(c->loc_nodes);
	free(c->loc_flag);
	free(c->ptab);
	free(c->by_id);
	free(c->sample_ok);
	free(c->frames);
	free(c->fr_off);
	free(c->fr_w);
	free(c->flat);
	free(c->cum);
	free(c->seen);
	free(c->inlinable);
	free(c->edges);
	lw_itab_free(&c->edge_tab);
	memset(c, 0, sizeof(*c));
}

static int actx_init(struct actx *c, const struct lw_profile *p, int si, enum lw_granularity g,
		     const struct lw_filter *filter)
{
	memset(c, 0, sizeof(*c));
	c->p = p;
	c->si = si;
	c->g = g;
	size_t nl = p->n_locations;
	if (lw_itab_init(&c->files.tab, 64) || lw_itab_init(&c->node_tab, nl + 16) ||
	    lw_itab_init(&c->edge_tab, 1024))
		goto oom;

	/* location index */
	size_t cap = 16;
	while (cap < 2 * nl + 2)
		cap <<= 1;
	c->ptab = calloc(cap, sizeof(*c->ptab));
	if (!c->ptab)
		goto oom;
	c->pmask = cap - 1;
	uint64_t max_id = 0;
	for (size_t i = 0; i < nl; i++)
		if (p->locations[i]->id > max_id)
			max_id = p->locations[i]->id;
	if (max_id <= 4 * (uint64_t)nl + 1024) {
		c->max_id = max_id;
		c->by_id = calloc(max_id + 1, sizeof(*c->by_id));
		if (!c->by_id)
			goto oom;
	}
	for (size_t i = 0; i < nl; i++) {
		const struct lw_location *l = p->locations[i];
		if (c->by_id && !c->by_id[l->id].l) {
			c->by_id[l->id].l = l;
			c->by_id[l->id].idx = (uint32_t)i;
		}
		size_t k = (size_t)lw_mix64((uintptr_t)l) & c->pmask;
		while (c->ptab[k].l && c->ptab[k].l != l)
			k = (k + 1) & c->pmask;
		if (!c->ptab[k].l) {
			c->ptab[k].l = l;
			c->ptab[k].idx = (uint32_t)i;
		}
	}

	size_t n_contig = 0;
	while (n_contig < nl && (uintptr_t)p->locations[n_contig] ==
					(uintptr_t)p->locations[0] + n_contig * sizeof(struct lw_location))
		n_contig++;
	if (nl && n_contig == nl) {
		c->lbase = p->locations[0];
		c->n_lbase = nl;
	}

	/* nodes of every (location, line) */
	size_t total_lines = 0;
	for (size_t i = 0; i < nl; i++)
		total_lines += p->locations[i]->n_lines ? p->locations[i]->n_lines : 1;
	c->loc_start = malloc((nl + 1) * sizeof(*c->loc_start));
	c->loc_nodes = malloc((total_lines + 1) * sizeof(*c->loc_nodes));
	c->loc_flag = calloc(nl + 1, 1);
	if (!c->loc_start || !c->loc_nodes || !c->loc_flag)
		goto oom;
	size_t k = 0;
	for (size_t i = 0; i < nl; i++) {
		const struct lw_location *l = p->locations[i];
		size_t cnt = l->n_lines ? l->n_lines : 1;
		c->loc_start[i] = (uint32_t)k;
		for (size_t li = 0; li < cnt; li++) {
			struct ninfo ni;
			uint32_t id;
			if (line_ninfo(c, l, li, &ni) || node_get(c, &ni, &id))
				goto oom;
			c->loc_nodes[k++] = id;
		}
		if (filter) {
			if (filter->ignore && loc_matches(l, filter->ignore))
				c->loc_flag[i] = 2;
			else if (!filter->focus || loc_matches(l, filter->focus))
				c->loc_flag[i] = 1;
		}
	}
	c->loc_start[nl] = (uint32_t)k;

	/* samples kept by focus / ignore (profile.focusedAndNotIgnored) */
	c->sample_ok = malloc(p->n_samples + 1);
	if (!c->sample_ok)
		goto oom;
	int filtering = filter && (filter->focus || filter->ignore);
	for (size_t s = 0; s < p->n_samples; s++) {
		const struct lw_sample *sm = &p->samples[s];
		int ok = 1;
		if (filtering) {
			int f = 0;
			ok = 0;
			for (size_t j = 0; j < sm->n_locs; j++) {
				int64_t li = loc_index(c, sm->locs[j]);
				uint8_t fl = li >= 0 ? c->loc_flag[li] : 0;
				if (fl == 2) {
					f = -1;
					break;
				}
				if (fl == 1)
					f = 1;
			}
			ok = f == 1;
		}
		c->sample_ok[s] = (uint8_t)ok;
	}
	return 0;
oom:
	actx_free(c);
	return -ENOMEM;
}

static uint64_t edge_hash(uint32_t src, uint32_t dst)
{
	return lw_mix64(((uint64_t)src << 32) | dst);
}

static uint64_t edge_rehash(void *ctx, uint32_t idx)
{
	struct actx *c = ctx;
	return edge_hash(c->edges[idx].src, c->edges[idx].dst);
}

static int edge_add(struct actx *c, uint32_t src, uint32_t dst, int64_t w, int inl)
{
	uint64_t h = edge_hash(src, dst);
	size_t i;
	for (i = lw_itab_first(&c->edge_tab, h); c->edge_tab.slots[i];
	     i = (i + 1) & c->edge_tab.mask) {
		struct aedge *e = &c->edges[c->edge_tab.slots[i] - 1];
		if (e->src == src && e->dst == dst) {
			if (e->seen == c->gen)
				return 0;
			e->seen = c->gen;
			e->weight = lw_add64(e->weight, w);
			if (!inl)
				e->inl = 0;
			return 0;
		}
	}
	if (lw_itab_reserve(&c->edge_tab, edge_rehash, c))
		return -ENOMEM;
	if (lw_grow(&c->edges, &c->cap_edges, c->n_edges + 1, sizeof(*c->edges), 4096))
		return -ENOMEM;
	c->edges[c->n_edges] = (struct aedge){ src, dst, w, c->gen, (uint8_t)(inl != 0) };
	i = lw_itab_first(&c->edge_tab, h);
	while (c->edge_tab.slots[i])
		i = (i + 1) & c->edge_tab.mask;
	c->edge_tab.slots[i] = (uint32_t)(++c->n_edges);
	c->edge_tab.n++;
	return 0;
}

#define INL_BIT 0x80000000u

/* Resolves every counted sample's frames to node ids once, so that each
 * graph build is a scan of contiguous integer arrays. */
/* The frame array is tens of MB written once: back it with huge pages
 * where the kernel allows, which saves most of its page faults. */
static void *big_alloc(size_t n)
{
	void *p = NULL;
	const size_t huge = (size_t)2 << 20;
	if (n < huge)
		return malloc(n);
	n = (n + huge - 1) & ~(huge - 1);
	if (posix_memalign(&p, huge, n))
		return NULL;
#ifdef MADV_HUGEPAGE
	madvise(p, n, MADV_HUGEPAGE);
#endif
	return p;
}

static void *big_realloc(uint32_t *old, size_t used, size_t n)
{
	uint32_t *p = big_alloc(n);
	if (p && used)
		memcpy(p, old, used * sizeof(*old));
	if (p)
		free(old);
	return p;
}

static int flatten(struct actx *c)
{
	const struct lw_profile *p = c->p;
	size_t cap = 1024;
	for (size_t s = 0; s < p->n_samples; s++)
		cap += p->samples[s].n_locs;
	cap += cap / 4; /* inline frames */
	c->frames = big_alloc(cap * sizeof(*c->frames));
	c->fr_off = malloc((p->n_samples + 1) * sizeof(*c->fr_off));
	c->fr_w = malloc((p->n_samples + 1) * sizeof(*c->fr_w));
	c->flat = calloc(c->n_nodes + 1, sizeof(*c->flat));
	c->cum = calloc(c->n_nodes + 1, sizeof(*c->cum));
	c->seen = calloc(c->n_nodes + 1, sizeof(*c->seen));
	c->inlinable = calloc(c->n_nodes + 1, 1);
	if (!c->frames || !c->fr_off || !c->fr_w || !c->flat || !c->cum || !c->seen ||
	    !c->inlinable)
		return -ENOMEM;
	for (size_t i = 0; i < p->n_locations; i++)
		for (uint32_t j = c->loc_start[i]; j + 1 < c->loc_start[i + 1]; j++)
			c->inlinable[c->loc_nodes[j]] = 1; /* all but the last (outermost) */
	size_t k = 0, n = 0;
	for (size_t s = 0; s < p->n_samples; s++) {
		const struct lw_sample *sm = &p->samples[s];
		if (!c->sample_ok[s] || sm->values[c->si] == 0)
			continue;
		c->fr_off[n] = k;
		c->fr_w[n] = sm->values[c->si];
		for (size_t i = sm->n_locs; i-- > 0;) {
			int64_t li = loc_index(c, sm->locs[i]);
			if (li < 0)
				continue; /* not a location of this profile: invalid input */
			uint32_t st = c->loc_start[li], cnt = c->loc_start[li + 1] - st;
			if (k + cnt > cap) {
				size_t ncap = cap * 2 + cnt;
				uint32_t *nf = big_realloc(c->frames, k, ncap * sizeof(*nf));
				if (!nf)
					return -ENOMEM;
				c->frames = nf;
				cap = ncap;
			}
			for (uint32_t ni = cnt; ni-- > 0;)
				c->frames[k++] = c->loc_nodes[st + ni] | (ni != cnt - 1 ? INL_BIT : 0);
		}
		n++;
	}
	c->fr_off[n] = k;
	c->n_fs = n;
	return 0;
}

/* graph.newGraph over the samples; kept == NULL keeps every node. */
static int build(struct actx *c, const uint8_t *kept, int with_edges)
{
	if (!c->frames && flatten(c))
		return -ENOMEM;
	memset(c->flat, 0, c->n_nodes * sizeof(*c->flat));
	memset(c->cum, 0, c->n_nodes * sizeof(*c->cum));
	if (with_edges) {
		c->n_edges = 0;
		memset(c->edge_tab.slots, 0, (c->edge_tab.mask + 1) * sizeof(uint32_t));
		c->edge_tab.n = 0;
	}
	int64_t *flat = c->flat, *cum = c->cum;
	uint32_t *seen = c->seen;
	const uint32_t *fr = c->frames;
	for (size_t s = 0; s < c->n_fs; s++) {
		int64_t w = c->fr_w[s];
		uint32_t gen = ++c->gen;
		int64_t parent = -1;
		int residual = 0;
		for (size_t i = c->fr_off[s], e = c->fr_off[s + 1]; i < e; i++) {
			uint32_t n = fr[i] & ~INL_BIT;
			if (kept && !kept[n]) {
				residual = 1;
				continue;
			}
			if (seen[n] != gen) {
				seen[n] = gen;
				cum[n] = lw_add64(cum[n], w);
			}
			if (with_edges && c->inlinable[n] && parent >= 0 && (uint32_t)parent != n &&
			    edge_add(c, (uint32_t)parent, n, w, (fr[i] & INL_BIT) != 0))
				return -ENOMEM;
			parent = n;
			residual = 0;
		}
		if (parent >= 0 && !residual)
			flat[parent] = lw_add64(flat[parent], w);
	}
	for (size_t i = 0; i < c->n_nodes; i++) {
		c->nodes[i].flat = flat[i];
		c->nodes[i].cum = cum[i];
	}
	return 0;
}

/* report.computeTotal */
static int64_t compute_total(const struct lw_profile *p, int si)
{
	int64_t total = 0, diff_total = 0;
	for (size_t s = 0; s < p->n_samples; s++) {
		const struct lw_sample *sm = &p->samples[s];
		int64_t v = lw_abs64(sm->values[si]);
		total = lw_add64(total, v);
		for (size_t j = 0; j < sm->n_labels; j++) {
			const struct lw_label *lb = &sm->labels[j];
			if (!strcmp(nz(lb->key), "pprof::base") && !strcmp(nz(lb->str), "true")) {
				diff_total = lw_add64(diff_total, v);
				break;
			}
		}
	}
	return diff_total > 0 ? diff_total : total;
}

int64_t lw_agg_total(const struct lw_profile *p, int si)
{
	if (si < 0 || (size_t)si >= p->n_sample_types)
		return 0;
	return compute_total(p, si);
}

int lw_filter_samples(const struct lw_profile *p, const struct lw_filter *filter, uint8_t *keep)
{
	struct actx c;
	if (actx_init(&c, p, 0, LW_BY_FUNCTION, filter))
		return -ENOMEM;
	if (p->n_samples)
		memcpy(keep, c.sample_ok, p->n_samples);
	actx_free(&c);
	return 0;
}

/* ---- results ---- */

struct apriv {
	struct spool pool;
	struct lw_itab find_tab;
	int find_ready;
};

static const char *node_pname(struct actx *c, uint32_t n)
{
	if (!c->nodes[n].pname) {
		char buf[8192];
		printable(&c->nodes[n].ni, buf, sizeof(buf));
		c->nodes[n].pname = spool_dup(&c->pool, buf, strlen(buf));
	}
	return c->nodes[n].pname;
}

/* Copies node n into row r, strings into the result's pool. */
static int fill_row(struct actx *c, struct apriv *pv, uint32_t n, struct lw_agg_row *r)
{
	const struct anode *nd = &c->nodes[n];
	const char *pn = node_pname(c, n);
	if (!pn)
		return -ENOMEM;
	r->key = spool_dup(&pv->pool, pn, strlen(pn));
	r->name = spool_dup(&pv->pool, nd->ni.name, strlen(nd->ni.name));
	r->file = spool_dup(&pv->pool, nd->ni.file, strlen(nd->ni.file));
	if (!r->key || !r->name || !r->file)
		return -ENOMEM;
	r->line = nd->ni.lineno;
	r->flat = nd->flat;
	r->cum = nd->cum;
	r->inline_label = "";
	if (nd->has_inline)
		r->inline_label = nd->has_noinline ? "(partial-inline)" : "(inline)";
	return 0;
}

static int agg_start(struct lw_agg *out)
{
	memset(out, 0, sizeof(*out));
	struct apriv *pv = calloc(1, sizeof(*pv));
	if (!pv)
		return -ENOMEM;
	out->priv = pv;
	return 0;
}

/* agg_start and actx_init for a node aggregation; out is clean on failure. */
static int agg_begin(struct actx *c, const struct lw_profile *p, int si, enum lw_granularity g,
		     const struct lw_filter *filter, struct lw_agg *out)
{
	int rc = agg_start(out);
	if (rc)
		return rc;
	if ((rc = actx_init(c, p, si, g, filter)))
		lw_agg_free(out);
	return rc;
}

static int aggregate_stack(const struct lw_profile *p, int si, const struct lw_filter *filter,
			   struct lw_agg *out);

int lw_aggregate(const struct lw_profile *p, int si, enum lw_granularity g,
		 const struct lw_filter *filter, struct lw_agg *out)
{
	if (si < 0 || (size_t)si >= p->n_sample_types) {
		memset(out, 0, sizeof(*out));
		return -EINVAL;
	}
	if (g == LW_BY_STACK)
		return aggregate_stack(p, si, filter, out);
	struct actx c;
	int rc = agg_begin(&c, p, si, g, filter, out);
	if (rc)
		return rc;
	if ((rc = build(&c, NULL, 0)))
		goto fail;
	size_t cnt = 0;
	for (size_t i = 0; i < c.n_nodes; i++)
		cnt += c.nodes[i].flat != 0 || c.nodes[i].cum != 0;
	out->rows = calloc(cnt + 1, sizeof(*out->rows));
	if (!out->rows) {
		rc = -ENOMEM;
		goto fail;
	}
	for (size_t i = 0; i < c.n_nodes; i++) {
		if (c.nodes[i].flat == 0 && c.nodes[i].cum == 0)
			continue;
		if ((rc = fill_row(&c, out->priv, (uint32_t)i, &out->rows[out->n_rows++])))
			goto fail;
	}
	out->total = compute_total(p, si);
	actx_free(&c);
	return 0;
fail:
	actx_free(&c);
	lw_agg_free(out);
	return rc;
}

/* ---- sorting (graph.Nodes.Sort FlatNameOrder / CumNameOrder) ---- */

/* compareNodes: fmt.Sprint(NodeInfo) order, for rows whose printable names
 * are equal (rare: e.g. two objfiles with the same base name). */
static void info_string(const struct ninfo *ni, char *buf, size_t sz)
{
	/* {Name OrigName Address File StartLine Lineno Objfile} */
	snprintf(buf, sz, "{%s  0 %s %lld %lld %s}", ni->name, ni->file, (long long)ni->start_line,
		 (long long)ni->lineno, ni->objfile);
}

struct sort_ctx {
	struct actx *c;
	int cum;
};

static struct sort_ctx g_sort; /* qsort has no context argument in C11 */

static int cmp_nodes(const void *a, const void *b)
{
	uint32_t l = *(const uint32_t *)a, r = *(const uint32_t *)b;
	struct actx *c = g_sort.c;
	const struct anode *ln = &c->nodes[l], *rn = &c->nodes[r];
	int64_t lv = lw_abs64(g_sort.cum ? ln->cum : ln->flat);
	int64_t rv = lw_abs64(g_sort.cum ? rn->cum : rn->flat);
	if (lv != rv)
		return lv > rv ? -1 : 1;
	int k = strcmp(ln->pname, rn->pname);
	if (k)
		return k;
	lv = lw_abs64(g_sort.cum ? ln->flat : ln->cum);
	rv = lw_abs64(g_sort.cum ? rn->flat : rn->cum);
	if (lv != rv)
		return lv > rv ? -1 : 1;
	char lb[8192], rb[8192];
	info_string(&ln->ni, lb, sizeof(lb));
	info_string(&rn->ni, rb, sizeof(rb));
	return strcmp(lb, rb);
}

static int sort_nodes(struct actx *c, uint32_t *ids, size_t n, int cum)
{
	for (size_t i = 0; i < n; i++)
		if (!node_pname(c, ids[i]))
			return -ENOMEM;
	g_sort.c = c;
	g_sort.cum = cum;
	qsort(ids, n, sizeof(*ids), cmp_nodes);
	return 0;
}

/* Nonzero nodes of the current build into ids; returns the count. */
static size_t collect(struct actx *c, const uint8_t *kept, uint32_t *ids)
{
	size_t k = 0;
	for (size_t i = 0; i < c->n_nodes; i++) {
		if (kept && !kept[i])
			continue;
		if (c->nodes[i].flat == 0 && c->nodes[i].cum == 0)
			continue;
		ids[k++] = (uint32_t)i;
	}
	return k;
}

int lw_agg_top(const struct lw_profile *p, int si, enum lw_granularity g,
	       const struct lw_filter *filter, const struct lw_top_opts *opts,
	       struct lw_agg *out, struct lw_top_info *info)
{
	struct lw_top_opts defaults = LW_TOP_OPTS_DEFAULT;
	if (!opts)
		opts = &defaults;
	memset(info, 0, sizeof(*info));
	if (si < 0 || (size_t)si >= p->n_sample_types || g == LW_BY_STACK) {
		memset(out, 0, sizeof(*out));
		return -EINVAL;
	}
	struct actx c;
	int rc = agg_begin(&c, p, si, g, filter, out);
	if (rc)
		return rc;
	uint32_t *ids = malloc((c.n_nodes + 1) * sizeof(*ids));
	uint8_t *kept = calloc(c.n_nodes + 1, 1);
	uint8_t *cur_kept = NULL; /* kept set of the current graph, NULL = all */
	int have_edges = 0;       /* edges computed by the last build */
	rc = -ENOMEM;
	if (!ids || !kept)
		goto out;

	/* 1. complete graph */
	if ((rc = build(&c, NULL, 0)))
		goto out;
	size_t n = collect(&c, NULL, ids);
	int64_t total_value = 0;
	for (size_t i = 0; i < n; i++)
		total_value = lw_add64(total_value, c.nodes[ids[i]].flat);
	int64_t node_cutoff = lw_abs64(lw_go_int64((double)total_value * opts->node_fraction));
	int64_t edge_cutoff = lw_abs64(lw_go_int64((double)total_value * opts->edge_fraction));

	/* 2. drop nodes with |cum| < cutoff */
	if (node_cutoff > 0) {
		size_t nk = 0;
		for (size_t i = 0; i < n; i++)
			if (lw_abs64(c.nodes[ids[i]].cum) >= node_cutoff) {
				kept[ids[i]] = 1;
				nk++;
			}
		if (nk != n) {
			info->dropped_nodes = n - nk;
			cur_kept = kept;
			/* final graph unless node_count cuts it: get its edges now */
			have_edges = !(opts->node_count > 0 && (size_t)opts->node_count < nk);
			if ((rc = build(&c, cur_kept, have_edges)))
				goto out;
			n = collect(&c, cur_kept, ids);
		}
	}
	info->orig_count = n;
	if ((rc = sort_nodes(&c, ids, n, opts->cum_sort)))
		goto out;

	/* 3. keep the top node_count */
	if (opts->node_count > 0 && (size_t)opts->node_count < n) {
		memset(kept, 0, c.n_nodes + 1);
		for (size_t i = 0; i < (size_t)opts->node_count; i++)
			kept[ids[i]] = 1;
		cur_kept = kept;
		have_edges = 1;
		if ((rc = build(&c, cur_kept, 1)))
			goto out;
		n = collect(&c, cur_kept, ids);
		if ((rc = sort_nodes(&c, ids, n, opts->cum_sort)))
			goto out;
	}

	/* 4. edges of the final graph, for the (inline) labels */
	if (!have_edges && (rc = build(&c, cur_kept, 1)))
		goto out;
	for (size_t e = 0; e < c.n_edges; e++) {
		const struct aedge *ed = &c.edges[e];
		if (lw_abs64(ed->weight) < edge_cutoff)
			continue;
		if (ed->inl)
			c.nodes[ed->dst].has_inline = 1;
		else
			c.nodes[ed->dst].has_noinline = 1;
	}

	out->rows = calloc(n + 1, sizeof(*out->rows));
	if (!out->rows) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if ((rc = fill_row(&c, out->priv, ids[i], &out->rows[out->n_rows++])))
			goto out;
		info->flat_sum = lw_add64(info->flat_sum, c.nodes[ids[i]].flat);
	}
	out->total = compute_total(p, si);
	info->total = out->total;
	info->shown = n;
	info->node_cutoff = lw_abs64(lw_go_int64((double)out->total * opts->node_fraction));
	rc = 0;
out:
	free(ids);
	free(kept);
	actx_free(&c);
	if (rc)
		lw_agg_free(out);
	return rc;
}

/* ---- by stack (folded) ---- */

struct stack_ent {
	uint32_t off, len; /* into the node-id buffer */
	int64_t value;
	uint64_t hash;
};

struct stack_ctx {
	struct stack_ent *ents;
	uint32_t *buf;
};

static uint64_t stack_rehash(void *ctx, uint32_t idx)
{
	return ((struct stack_ctx *)ctx)->ents[idx].hash;
}

static int aggregate_stack(const struct lw_profile *p, int si, const struct lw_filter *filter,
			   struct lw_agg *out)
{
	struct actx c;
	int rc = agg_start(out);
	if (rc)
		return rc;
	if ((rc = actx_init(&c, p, si, LW_BY_FUNCTION, filter))) {
		lw_agg_free(out);
		return rc;
	}
	struct stack_ctx sc = { NULL, NULL };
	size_t n_ents = 0, cap_ents = 0, n_buf = 0, cap_buf = 0;
	uint32_t *frames = NULL;
	size_t cap_frames = 0;
	struct lw_itab tab;
	rc = -ENOMEM;
	if (lw_itab_init(&tab, 1024))
		goto out;
	for (size_t s = 0; s < p->n_samples; s++) {
		const struct lw_sample *sm = &p->samples[s];
		int64_t w = sm->values[si];
		if (!c.sample_ok[s] || w == 0)
			continue;
		size_t nf = 0;
		for (size_t i = sm->n_locs; i-- > 0;) {
			int64_t li = loc_index(&c, sm->locs[i]);
			if (li < 0)
				continue;
			uint32_t st = c.loc_start[li], cnt = c.loc_start[li + 1] - st;
			for (uint32_t ni = cnt; ni-- > 0;) {
				if (lw_grow(&frames, &cap_frames, nf + 1, sizeof(*frames), 256))
					goto out;
				frames[nf++] = c.loc_nodes[st + ni];
			}
		}
		if (nf == 0)
			continue;
		uint64_t h = lwh_bytes(frames, nf * sizeof(*frames));
		size_t i;
		int found = 0;
		for (i = lw_itab_first(&tab, h); tab.slots[i]; i = (i + 1) & tab.mask) {
			struct stack_ent *e = &sc.ents[tab.slots[i] - 1];
			if (e->hash == h && e->len == nf &&
			    !memcmp(sc.buf + e->off, frames, nf * sizeof(*frames))) {
				e->value = lw_add64(e->value, w);
				found = 1;
				break;
			}
		}
		if (found)
			continue;
		if (lw_itab_reserve(&tab, stack_rehash, &sc))
			goto out;
		if (lw_grow(&sc.ents, &cap_ents, n_ents + 1, sizeof(*sc.ents), 1024))
			goto out;
		if (lw_grow(&sc.buf, &cap_buf, n_buf + nf, sizeof(*sc.buf), 4096))
			goto out;
		memcpy(sc.buf + n_buf, frames, nf * sizeof(*frames));
		sc.ents[n_ents] = (struct stack_ent){ (uint32_t)n_buf, (uint32_t)nf, w, h };
		n_buf += nf;
		i = lw_itab_first(&tab, h);
		while (tab.slots[i])
			i = (i + 1) & tab.mask;
		tab.slots[i] = (uint32_t)++n_ents;
		tab.n++;
	}
	out->rows = calloc(n_ents + 1, sizeof(*out->rows));
	if (!out->rows)
		goto out;
	struct apriv *pv = out->priv;
	char *sbuf = NULL;
	size_t scap = 0;
	for (size_t e = 0; e < n_ents; e++) {
		const struct stack_ent *se = &sc.ents[e];
		size_t len = 0;
		for (uint32_t k = 0; k < se->len; k++) {
			const char *nm = node_pname(&c, sc.buf[se->off + k]);
			if (!nm)
				goto out_s;
			size_t l = strlen(nm);
			if (len + l + 2 > scap) {
				size_t ncap = (len + l + 2) * 2;
				char *nb = realloc(sbuf, ncap);
				if (!nb)
					goto out_s;
				sbuf = nb;
				scap = ncap;
			}
			if (k)
				sbuf[len++] = ';';
			memcpy(sbuf + len, nm, l);
			len += l;
		}
		struct lw_agg_row *r = &out->rows[out->n_rows++];
		const struct anode *leaf = &c.nodes[sc.buf[se->off + se->len - 1]];
		r->key = spool_dup(&pv->pool, sbuf, len);
		r->name = spool_dup(&pv->pool, leaf->ni.name, strlen(leaf->ni.name));
		r->file = "";
		r->inline_label = "";
		r->flat = r->cum = se->value;
		if (!r->key || !r->name)
			goto out_s;
	}
	free(sbuf);
	out->total = compute_total(p, si);
	rc = 0;
	goto out;
out_s:
	free(sbuf);
out:
	free(frames);
	free(sc.ents);
	free(sc.buf);
	lw_itab_free(&tab);
	actx_free(&c);
	if (rc)
		lw_agg_free(out);
	return rc;
}

/* ---- lookup, sort, free ---- */

static uint64_t row_rehash(void *ctx, uint32_t idx)
{
	struct lw_agg *a = ctx;
	return lwh_bytes(a->rows[idx].key, strlen(a->rows[idx].key));
}

const struct lw_agg_row *lw_agg_find(const struct lw_agg *a, const char *key)
{
	struct apriv *pv = a->priv;
	if (!pv || !a->n_rows)
		return NULL;
	if (!pv->find_ready) {
		if (lw_itab_init(&pv->find_tab, a->n_rows))
			goto linear;
		for (size_t r = 0; r < a->n_rows; r++) {
			uint64_t h = row_rehash((void *)a, (uint32_t)r);
			size_t i = lw_itab_first(&pv->find_tab, h);
			int dup = 0;
			while (pv->find_tab.slots[i]) {
				if (!strcmp(a->rows[pv->find_tab.slots[i] - 1].key, a->rows[r].key))
					dup = 1; /* keep the first row with this key */
				i = (i + 1) & pv->find_tab.mask;
			}
			if (dup)
				continue;
			pv->find_tab.slots[i] = (uint32_t)(r + 1);
			pv->find_tab.n++;
		}
		pv->find_ready = 1;
	}
	uint64_t h = lwh_bytes(key, strlen(key));
	for (size_t i = lw_itab_first(&pv->find_tab, h); pv->find_tab.slots[i];
	     i = (i + 1) & pv->find_tab.mask)
		if (!strcmp(a->rows[pv->find_tab.slots[i] - 1].key, key))
			return &a->rows[pv->find_tab.slots[i] - 1];
	return NULL;
linear:
	for (size_t r = 0; r < a->n_rows; r++)
		if (!strcmp(a->rows[r].key, key))
			return &a->rows[r];
	return NULL;
}

static void invalidate_find(struct lw_agg *a)
{
	struct apriv *pv = a->priv;
	if (pv && pv->find_ready) {
		lw_itab_free(&pv->find_tab);
		pv->find_ready = 0;
	}
}

/* pprof's row order on two values: larger |value| first, then by key. */
static int cmp_rows_by(const struct lw_agg_row *l, const struct lw_agg_row *r, int cum_first)
{
	int64_t lv = lw_abs64(cum_first ? l->cum : l->flat), rv = lw_abs64(cum_first ? r->cum : r->flat);
	if (lv != rv)
		return lv > rv ? -1 : 1;
	int k = strcmp(l->key, r->key);
	if (k)
		return k;
	lv = lw_abs64(cum_first ? l->flat : l->cum);
	rv = lw_abs64(cum_first ? r->flat : r->cum);
	return lv != rv ? (lv > rv ? -1 : 1) : 0;
}

static int cmp_rows_flat(const void *a, const void *b)
{
	return cmp_rows_by(a, b, 0);
}

static int cmp_rows_cum(const void *a, const void *b)
{
	return cmp_rows_by(a, b, 1);
}

void lw_agg_sort_flat(struct lw_agg *a)
{
	invalidate_find(a);
	if (a->n_rows)
		qsort(a->rows, a->n_rows, sizeof(*a->rows), cmp_rows_flat);
}

void lw_agg_sort_cum(struct lw_agg *a)
{
	invalidate_find(a);
	if (a->n_rows)
		qsort(a->rows, a->n_rows, sizeof(*a->rows), cmp_rows_cum);
}

void lw_agg_free(struct lw_agg *a)
{
	if (!a)
		return;
	struct apriv *pv = a->priv;
	if (pv) {
		spool_free(&pv->pool);
		lw_itab_free(&pv->find_tab);
		free(pv);
	}
	free(a->rows);
	memset(a, 0, sizeof(*a));
}
