/* pprof_text.c: helpers shared by the legacy text readers (pprof_text_heap.c,
 * pprof_text_count.c, pprof_text_dump.c): lines, strict numbers, error
 * messages, '#' symbol lines, Go %q strings, and the stack table that names
 * address-only locations from the text's own symbol lines.
 * Contract in pprof_text_int.h.
 */
#include "grow.h"
#include "pprof_internal.h"
#include "pprof_text_int.h"

/* ---- lines ---- */

int lw_tline_next(struct lw_tline *r, const char **s, size_t *n)
{
	if (r->p >= r->end)
		return 0;
	const char *start = r->p;
	const char *nl = memchr(start, '\n', (size_t)(r->end - start));
	const char *stop = nl ? nl : r->end;
	r->p = nl ? nl + 1 : r->end;
	if (stop > start && stop[-1] == '\r')
		stop--;
	r->lineno++;
	*s = start;
	*n = (size_t)(stop - start);
	return 1;
}

void lw_ttrim(const char **s, size_t *n)
{
	while (*n && lw_tspace(**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n && lw_tspace((*s)[*n - 1]))
		(*n)--;
}

bool lw_tprefix(const char *s, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);
	return n >= k && memcmp(s, prefix, k) == 0;
}

bool lw_tcontains(const char *s, size_t n, const char *needle)
{
	return memmem(s, n, needle, strlen(needle)) != NULL;
}

/* ---- numbers ---- */

int lw_tparse_u64(const char **s, const char *end, uint64_t *out)
{
	const char *q = *s;
	uint64_t v = 0;
	if (q >= end || *q < '0' || *q > '9')
		return -1;
	for (; q < end && *q >= '0' && *q <= '9'; q++) {
		unsigned d = (unsigned)(*q - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*s = q;
	*out = v;
	return 0;
}

int lw_tparse_i64(const char **s, const char *end, int64_t *out)
{
	const char *q = *s;
	bool neg = false;
	uint64_t v;
	if (q < end && *q == '-') {
		neg = true;
		q++;
	}
	if (lw_tparse_u64(&q, end, &v))
		return -1;
	if (neg ? v > (uint64_t)INT64_MAX + 1 : v > (uint64_t)INT64_MAX)
		return -1;
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	*s = q;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int lw_tparse_hex(const char **s, const char *end, uint64_t *out)
{
	const char *q = *s;
	uint64_t v = 0;
	if (end - q < 3 || q[0] != '0' || (q[1] != 'x' && q[1] != 'X') || hexval(q[2]) < 0)
		return -1;
	for (q += 2; q < end && hexval(*q) >= 0; q++) {
		if (v >> 60)
			return -1;
		v = v << 4 | (uint64_t)hexval(*q);
	}
	*s = q;
	*out = v;
	return 0;
}

/* ---- errors ---- */

void *lw_tfail(struct lw_error *err, const char *name, size_t lineno, const char *fmt, ...)
{
	if (!err)
		return NULL;
	char what[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	/* lw_pprof_fail keeps it one line, whatever the input held. */
	if (lineno)
		return lw_pprof_fail(err, name, "line %zu: %s", lineno, what);
	return lw_pprof_fail(err, name, "%s", what);
}

/* ---- '#' symbol lines ---- */

/* Go writes "#\t%#x\t%s+%#x\t%s:%d" through a tabwriter that pads with
 * tabs, so fields are separated by runs of tabs. Function names may hold
 * spaces (generic shapes), file names too; tabs they do not. */
int lw_tparse_frame(const char *s, size_t n, struct lw_tframe *f)
{
	const char *q = s, *end = s + n;
	if (q >= end || *q != '#')
		return 0;
	q++;
	if (q >= end || (*q != '\t' && *q != ' '))
		return 0;
	lw_tskip_blanks(&q, end);
	memset(f, 0, sizeof(*f));
	if (lw_tparse_hex(&q, end, &f->pc))
		return 0;
	if (q < end && *q != '\t' && *q != ' ')
		return 0;
	lw_tskip_blanks(&q, end);
	if (q >= end)
		return 1; /* "#\t0x4bbe08": a PC without symbol information */

	/* function field: up to the next tab (or space when no tab follows,
	 * for text whose tabs were turned into spaces) */
	const char *ftab = memchr(q, '\t', (size_t)(end - q));
	const char *fend = ftab;
	if (!fend) {
		fend = q;
		while (fend < end && *fend != ' ')
			fend++;
	}
	const char *rest = fend;
	lw_tskip_blanks(&rest, end);
	/* strip "+0x68" */
	const char *plus = NULL;
	for (const char *c = fend; c > q; c--) {
		if (c[-1] == '+') {
			plus = c - 1;
			break;
		}
	}
	if (plus) {
		const char *h = plus + 1;
		uint64_t off;
		if (lw_tparse_hex(&h, fend, &off) == 0 && h == fend)
			fend = plus;
	}
	f->func = q;
	f->func_len = (size_t)(fend - q);
	if (f->func_len == 0)
		f->func = NULL;

	/* file:line */
	const char *fl = rest, *flend = end;
	while (flend > fl && lw_tspace(flend[-1]))
		flend--;
	const char *colon = NULL;
	for (const char *c = flend; c > fl; c--) {
		if (c[-1] == ':') {
			colon = c - 1;
			break;
		}
	}
	f->file = fl;
	f->file_len = (size_t)(flend - fl);
	if (colon && colon + 1 < flend) {
		const char *d = colon + 1;
		int64_t line;
		if (lw_tparse_i64(&d, flend, &line) == 0 && d == flend && line >= 0) {
			f->file_len = (size_t)(colon - fl);
			f->line = line;
		}
	}
	return 1;
}

/* ---- Go %q strings ---- */

static int buf_put(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
	if (*len + n + 1 > *cap) {
		size_t nc = *cap ? *cap : 64;
		while (nc < *len + n + 1)
			nc *= 2;
		char *nb = realloc(*buf, nc);
		if (!nb)
			return -2;
		*buf = nb;
		*cap = nc;
	}
	memcpy(*buf + *len, s, n);
	*len += n;
	(*buf)[*len] = '\0';
	return 0;
}

static size_t utf8_encode(uint32_t r, char out[4])
{
	if (r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF))
		r = 0xFFFD; /* what Go's strconv.Unquote yields for invalid runes */
	if (r < 0x80) {
		out[0] = (char)r;
		return 1;
	}
	if (r < 0x800) {
		out[0] = (char)(0xC0 | r >> 6);
		out[1] = (char)(0x80 | (r & 0x3F));
		return 2;
	}
	if (r < 0x10000) {
		out[0] = (char)(0xE0 | r >> 12);
		out[1] = (char)(0x80 | ((r >> 6) & 0x3F));
		out[2] = (char)(0x80 | (r & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | r >> 18);
	out[1] = (char)(0x80 | ((r >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((r >> 6) & 0x3F));
	out[3] = (char)(0x80 | (r & 0x3F));
	return 4;
}

int lw_tunquote(const char **s, const char *end, char **buf, size_t *len, size_t *cap)
{
	const char *q = *s;
	if (q >= end || *q != '"')
		return -1;
	q++;
	if (buf_put(buf, len, cap, "", 0))
		return -2;
	while (q < end && *q != '"') {
		char c = *q++;
		char tmp[4];
		size_t tn = 1;
		if (c != '\\') {
			tmp[0] = c;
		} else {
			if (q >= end)
				return -1;
			char e = *q++;
			int digits = 0, base = 16;
			switch (e) {
			case 'a': tmp[0] = '\a'; break;
			case 'b': tmp[0] = '\b'; break;
			case 'f': tmp[0] = '\f'; break;
			case 'n': tmp[0] = '\n'; break;
			case 'r': tmp[0] = '\r'; break;
			case 't': tmp[0] = '\t'; break;
			case 'v': tmp[0] = '\v'; break;
			case '\\': tmp[0] = '\\'; break;
			case '"': tmp[0] = '"'; break;
			case '\'': tmp[0] = '\''; break;
			case 'x': digits = 2; break;
			case 'u': digits = 4; break;
			case 'U': digits = 8; break;
			default:
				if (e >= '0' && e <= '7') {
					digits = 2; /* two more octal digits */
					base = 8;
					break;
				}
				return -1;
			}
			if (digits) {
				uint32_t v = base == 8 ? (uint32_t)(e - '0') : 0;
				for (int i = 0; i < digits; i++) {
					if (q >= end)
						return -1;
					int d = hexval(*q);
					if (d < 0 || d >= base)
						return -1;
					v = v * (uint32_t)base + (uint32_t)d;
					q++;
				}
				if (e == 'x' || base == 8) {
					if (v > 255)
						return -1;
					tmp[0] = (char)v; /* a raw byte */
				} else {
					tn = utf8_encode(v, tmp);
				}
			}
		}
		int rc = buf_put(buf, len, cap, tmp, tn);
		if (rc)
			return rc;
	}
	if (q >= end)
		return -1;
	*s = q + 1;
	return 0;
}

/* ---- stack table ---- */

/* Forward window for matching a '#' line to the next '@' address. The
 * runtime hides leading runtime.* frames and runtime.goexit (and newer Go
 * elides wrapper frames), so a few addresses may have no '#' line; the
 * window keeps the matching linear on hostile input. */
#define TSTACK_WINDOW 64

static uint64_t loc_hash(void *ctx, uint32_t i)
{
	struct lw_tstacks *t = ctx;
	return lw_mix64(t->locs[i]->address);
}

static uint64_t fn_key(const char *name, const char *file)
{
	return lw_hash_combine(lw_mix64((uint64_t)(uintptr_t)name), (uint64_t)(uintptr_t)file);
}

static uint64_t fn_hash(void *ctx, uint32_t i)
{
	struct lw_tstacks *t = ctx;
	return fn_key(t->fns[i]->name, t->fns[i]->filename);
}

int lw_tstacks_init(struct lw_tstacks *t, struct lw_profile *p)
{
	memset(t, 0, sizeof(*t));
	t->p = p;
	if (lw_itab_init(&t->lidx, 64))
		return -1;
	if (lw_itab_init(&t->fidx, 64)) {
		lw_itab_free(&t->lidx);
		return -1;
	}
	return 0;
}

struct lw_profile *lw_tprofile_new(struct lw_tstacks *t, struct lw_error *err, const char *name)
{
	struct lw_profile *p = lw_profile_new();
	if (!p)
		return lw_tfail(err, name, 0, "out of memory");
	if (lw_tstacks_init(t, p)) {
		lw_profile_free(p);
		return lw_tfail(err, name, 0, "out of memory");
	}
	return p;
}

void lw_tstacks_free(struct lw_tstacks *t)
{
	lw_itab_free(&t->lidx);
	lw_itab_free(&t->fidx);
	free(t->locs);
	free(t->fns);
	free(t->rec);
	free(t->frames);
	memset(t, 0, sizeof(*t));
}

void lw_tstacks_begin(struct lw_tstacks *t)
{
	t->n_rec = 0;
	t->n_frames = 0;
}

int lw_tstacks_add_pc(struct lw_tstacks *t, uint64_t pc)
{
	struct lw_location *loc = NULL;
	uint64_t h = lw_mix64(pc);
	size_t i;
	for (i = lw_itab_first(&t->lidx, h); t->lidx.slots[i]; i = (i + 1) & t->lidx.mask) {
		struct lw_location *l = t->locs[t->lidx.slots[i] - 1];
		if (l->address == pc) {
			loc = l;
			break;
		}
	}
	if (!loc) {
		if (t->n_locs >= UINT32_MAX - 1)
			return -1;
		if (!t->mapping) {
			struct lw_mapping m;
			memset(&m, 0, sizeof(m));
			m.memory_limit = UINT64_MAX;
			if (!(t->mapping = lw_profile_add_mapping(t->p, &m)))
				return -1;
		}
		if (lw_grow(&t->locs, &t->cap_locs, t->n_locs + 1, sizeof(*t->locs), 16) ||
		    lw_itab_reserve(&t->lidx, loc_hash, t))
			return -1;
		loc = lw_profile_add_location(t->p, 0, t->mapping, pc, NULL, 0);
		if (!loc)
			return -1;
		for (i = lw_itab_first(&t->lidx, h); t->lidx.slots[i]; i = (i + 1) & t->lidx.mask)
			;
		t->locs[t->n_locs++] = loc;
		t->lidx.slots[i] = (uint32_t)t->n_locs;
		t->lidx.n++;
	}
	if (lw_grow(&t->rec, &t->cap_rec, t->n_rec + 1, sizeof(*t->rec), 16))
		return -1;
	t->rec[t->n_rec++] = loc;
	return 0;
}

int lw_tstacks_add_frame(struct lw_tstacks *t, const struct lw_tframe *f)
{
	if (lw_grow(&t->frames, &t->cap_frames, t->n_frames + 1, sizeof(*t->frames), 16))
		return -1;
	t->frames[t->n_frames++] = *f;
	return 0;
}

struct lw_function *lw_tstacks_fn(struct lw_tstacks *t, const char *name, const char *file)
{
	uint64_t h = fn_key(name, file);
	size_t i;
	for (i = lw_itab_first(&t->fidx, h); t->fidx.slots[i]; i = (i + 1) & t->fidx.mask) {
		struct lw_function *fn = t->fns[t->fidx.slots[i] - 1];
		if (fn->name == name && fn->filename == file)
			return fn;
	}
	if (t->n_fns >= UINT32_MAX - 1)
		return NULL;
	if (lw_grow(&t->fns, &t->cap_fns, t->n_fns + 1, sizeof(*t->fns), 16) ||
	    lw_itab_reserve(&t->fidx, fn_hash, t))
		return NULL;
	struct lw_function *fn = lw_profile_add_function(t->p, 0, name, name, file, 0);
	if (!fn)
		return NULL;
	for (i = lw_itab_first(&t->fidx, h); t->fidx.slots[i]; i = (i + 1) & t->fidx.mask)
		;
	t->fns[t->n_fns++] = fn;
	t->fidx.slots[i] = (uint32_t)t->n_fns;
	t->fidx.n++;
	return fn;
}

/* Names loc from frames[a..b) (innermost first) unless it already has a
 * name: a location is one address, and one address always symbolizes the
 * same way, so the first record that shows it wins. */
static int name_loc(struct lw_tstacks *t, struct lw_location *loc, size_t a, size_t b)
{
	if (loc->n_lines)
		return 0;
	size_t k = 0;
	for (size_t j = a; j < b; j++)
		if (t->frames[j].func)
			k++;
	if (!k)
		return 0;
	struct lw_line *lines = lw_profile_alloc(t->p, k * sizeof(*lines));
	if (!lines)
		return -1;
	k = 0;
	for (size_t j = a; j < b; j++) {
		const struct lw_tframe *f = &t->frames[j];
		if (!f->func)
			continue;
		const char *fn = lw_profile_intern_n(t->p, f->func, f->func_len);
		const char *file = lw_profile_intern_n(t->p, f->file, f->file_len);
		if (!fn || !file || !(lines[k].fn = lw_tstacks_fn(t, fn, file)))
			return -1;
		lines[k].line = f->line;
		k++;
	}
	loc->lines = lines;
	loc->n_lines = k;
	return 0;
}

/* Each '#' line is one frame of runtime.CallersFrames over the '@' list, in
 * order, with the frame's PC = return address - 1 = our location address.
 * Since Go 1.12 runtime.Callers returns one (virtual) PC per inlined frame,
 * so there is one '#' line per address; a '#' line matching no address
 * ahead (older runtimes that expanded inlining from one PC) is taken as an
 * outer inlined frame of the current address. */
int lw_tstacks_resolve(struct lw_tstacks *t)
{
	size_t k = 0;      /* next unmatched address */
	size_t cur = SIZE_MAX; /* address of the current group */
	size_t gstart = 0; /* its first frame */
	for (size_t j = 0; j < t->n_frames; j++) {
		uint64_t pc = t->frames[j].pc;
		size_t lim = t->n_rec - k > TSTACK_WINDOW ? k + TSTACK_WINDOW : t->n_rec;
		size_t i;
		for (i = k; i < lim; i++)
			if (t->rec[i]->address == pc)
				break;
		if (i < lim) {
			if (cur != SIZE_MAX && name_loc(t, t->rec[cur], gstart, j))
				return -1;
			cur = i;
			gstart = j;
			k = i + 1;
		}
	}
	if (cur != SIZE_MAX && name_loc(t, t->rec[cur], gstart, t->n_frames))
		return -1;
	return 0;
}

void lw_tstacks_finish(struct lw_tstacks *t)
{
	if (!t->mapping)
		return;
	bool all = true, inl = false;
	for (size_t i = 0; i < t->n_locs; i++) {
		if (!t->locs[i]->n_lines)
			all = false;
		if (t->locs[i]->n_lines > 1)
			inl = true;
	}
	t->mapping->has_functions = all;
	t->mapping->has_filenames = all;
	t->mapping->has_line_numbers = all;
	t->mapping->has_inline_frames = all && inl;
}
