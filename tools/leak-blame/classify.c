/* classify.c: what kind of leak a suspect is, how sure, and what to do.
 *
 * Heap samples alone rarely settle the pattern (a leaked ticker's
 * goroutine looks like any blocked goroutine; a sub-slice pinning its
 * buffer looks like a growing map), so every piece of evidence counts:
 * frames on the stacks (time.NewTicker, cgo wrappers, runtime.malg), object
 * sizes (the `bytes` label; in-use bytes over objects), in-use against
 * allocated, a backing array that keeps doubling, goroutine dumps (state,
 * wait, creation site) and, when the source is at hand, the blamed lines
 * themselves: a time.NewTicker with no Stop, a `return data[a:b]`, a map
 * insert, a C.CString with no C.free. Source evidence settles the pattern
 * ("high"); profile evidence alone gives "medium"; a guess is "low".
 */
#include <math.h>
#include <regex.h>

#include "blame.h"
#include "err.h"

const char *lb_pattern_name(enum lb_pattern p)
{
	switch (p) {
	case LB_PAT_GOROUTINE:
		return "goroutine-leak";
	case LB_PAT_TICKER:
		return "ticker-leak";
	case LB_PAT_SLICE:
		return "slice-retention";
	case LB_PAT_MAP:
		return "unbounded-map";
	case LB_PAT_CGO:
		return "cgo-leak";
	case LB_PAT_UNEXPLAINED:
		return "unexplained-rss";
	case LB_PAT_GROWTH:
		break;
	}
	return "heap-growth";
}

const char *lb_pattern_title(enum lb_pattern p)
{
	switch (p) {
	case LB_PAT_GOROUTINE:
		return "goroutine leak";
	case LB_PAT_TICKER:
		return "ticker/timer leak";
	case LB_PAT_SLICE:
		return "slice retention";
	case LB_PAT_MAP:
		return "unbounded map or cache";
	case LB_PAT_CGO:
		return "cgo memory never freed";
	case LB_PAT_UNEXPLAINED:
		return "unexplained RSS growth";
	case LB_PAT_GROWTH:
		break;
	}
	return "heap growth";
}

const char *lb_sure_name(enum lb_sure s)
{
	return s == LB_HIGH ? "high" : s == LB_MEDIUM ? "medium" : "low";
}

void lb_suspect_evidence(struct lb_suspect *s, const char *fmt, ...)
{
	va_list ap;
	char *e;

	va_start(ap, fmt);
	if (vasprintf(&e, fmt, ap) < 0)
		lw_die("out of memory");
	va_end(ap);
	s->evidence = lw_xreallocarray(s->evidence, s->n_evidence + 1, sizeof(*s->evidence));
	s->evidence[s->n_evidence++] = e;
}

/* ---- regular expressions over code (comments cut off) ---- */

enum {
	RE_TIMER,       /* time.NewTicker( ... */
	RE_STOP,        /* .Stop() */
	RE_APPEND,      /* x = append(x, */
	RE_RET_SUB,     /* return b[a:c] */
	RE_SUB,         /* b[a:c] */
	RE_MAKE_BUF,    /* data := make([]byte */
	RE_C_CALL,      /* C.name( */
	RE_C_FREE,      /* C.free( */
	RE_TICK_CHAN,   /* <-t.C / range t.C */
	RE_DONE,        /* .Done() */
	RE_WITH_CANCEL, /* context.WithCancel */
	RE_CANCEL_DROP, /* _ = cancel / , _ := context.With */
	RE_CANCEL_CALL, /* cancel() */
	RE_N
};

static const char *const re_src[RE_N] = {
	"time\\.(NewTicker|Tick|NewTimer|AfterFunc|After)\\(",
	"\\.Stop\\(\\)",
	"([A-Za-z_][A-Za-z0-9_.]*)[[:space:]]*=[[:space:]]*append\\(([A-Za-z_][A-Za-z0-9_.]*)[,)]",
	"return[[:space:]]+([A-Za-z_][A-Za-z0-9_]*)\\[[^]:]*:[^]]*\\]",
	"([A-Za-z_][A-Za-z0-9_]*)\\[[^]:]*:[^]]*\\]",
	"([A-Za-z_][A-Za-z0-9_]*)[[:space:]]*:?=[[:space:]]*make\\(\\[\\]byte",
	"C\\.([A-Za-z_][A-Za-z0-9_]*)\\(",
	"C\\.free\\(",
	"(<-[[:space:]]*[A-Za-z_][A-Za-z0-9_.]*\\.C([^A-Za-z0-9_]|$))|(range[[:space:]]+[A-Za-z_][A-Za-z0-9_.]*\\.C([^A-Za-z0-9_]|$))",
	"\\.Done\\(\\)",
	"context\\.With(Cancel|Timeout|Deadline)",
	"(_[[:space:]]*=[[:space:]]*cancel([^A-Za-z0-9_]|$))|(,[[:space:]]*_[[:space:]]*:?=[[:space:]]*context\\.With)",
	"cancel\\(\\)",
};

static regex_t re[RE_N];
static int re_ready;

static void re_init(void)
{
	int i;

	if (re_ready)
		return;
	for (i = 0; i < RE_N; i++)
		if (regcomp(&re[i], re_src[i], REG_EXTENDED))
			lw_die("internal error: bad pattern %d", i);
	re_ready = 1;
}

/* The code of a line: its // comment cut off (not inside a string). */
static void code_of(const char *line, char *buf, size_t sz)
{
	size_t i, n = 0;
	char q = 0;

	for (i = 0; line[i] && n + 1 < sz; i++) {
		char c = line[i];
		if (q) {
			if (c == '\\' && line[i + 1] && n + 2 < sz) { /* room for both */
				buf[n++] = c;
				c = line[++i];
			} else if (c == q) {
				q = 0;
			}
		} else if (c == '"' || c == '`' || c == '\'') {
			q = c;
		} else if (c == '/' && line[i + 1] == '/') {
			break;
		}
		buf[n++] = c;
	}
	buf[n] = '\0';
}

/* Matches re[r] against the code of line; m gets the groups. */
static int match(int r, const char *line, regmatch_t *m, size_t nm, char *code, size_t csz)
{
	re_init();
	code_of(line, code, csz);
	return regexec(&re[r], code, nm, m, 0) == 0;
}

static void group_str(const char *code, const regmatch_t *m, char *out, size_t sz)
{
	int n = m->rm_so >= 0 ? (int)(m->rm_eo - m->rm_so) : 0;
	snprintf(out, sz, "%.*s", n, n ? code + m->rm_so : "");
}

/* ---- quotes ---- */

static const char *quote(struct lb_suspect *s, const char *file, int64_t line, const char *note,
			 const struct lb_opts *o)
{
	struct lb_src *src = lb_source_open(file, o);
	const char *text = lb_source_line(src, line);
	size_t i;

	if (!text)
		return NULL;
	s->source_read = 1;
	for (i = 0; i < s->n_quotes; i++) {
		if (s->quotes[i].line == line && strcmp(s->quotes[i].file, file) == 0) {
			/* a line quoted for where it is gets the finding's note */
			const char *old = s->quotes[i].note;
			if (!strcmp(old, "allocates") || !strcmp(old, "they block here") ||
			    !strcmp(old, "calls C"))
				s->quotes[i].note = note;
			return text;
		}
	}
	if (s->n_quotes >= 8)
		return text;
	s->quotes = lw_xreallocarray(s->quotes, s->n_quotes + 1, sizeof(*s->quotes));
	s->quotes[s->n_quotes].file = lb_intern(file);
	s->quotes[s->n_quotes].line = line;
	s->quotes[s->n_quotes].text = lb_trim_dup(text);
	s->quotes[s->n_quotes].note = note;
	s->n_quotes++;
	return text;
}

/* ---- what the profiles say ---- */

struct facts {
	/* growth */
	double steps;        /* growth over the window in sampling steps (0: exact) */
	/* objects (heap, cgo) */
	double d_bytes, d_objects, avg_object;
	double live_objects, alloc_objects, live_frac;
	double big_first, big_last; /* largest object of a growing line */
	struct lb_frame big_where;
	int big_timers;             /* ... allocated under time.* / addtimer */
	int timer_frames;
	const char *timer_func; /* the time.* frame seen */
	struct lb_key *timer_key;  /* the heap key whose stacks create timers */
	struct lb_kind *timer_kind;
	int byte_buffers;    /* bytes./bufio./io. frames under the blamed one */
	int goroutine_alloc; /* runtime.malg and friends */
	/* source */
	int src_timer, src_timer_stop;
	int64_t src_timer_line;
	const char *src_timer_file;
	const char *scan_func;      /* the function scan_function is reading */
	const char *src_timer_func; /* the function whose source creates timers */
	int src_map, src_map_confirmed, src_append, src_sub, src_tick_chan;
	int src_ctx_done, src_cancel_dropped, src_c_call, src_c_free;
	char map_name[128];
};

static size_t window_start(const struct lb_key *k)
{
	return k && k->se ? k->se->fit.warmup : 0;
}

static void object_facts(const struct lb_kind *k, const struct lb_key *key, struct facts *f)
{
	size_t w = window_start(key), last = k->n_points - 1, i, j;
	double b0 = 0, b1 = 0, o0 = 0, o1 = 0, a1 = 0;

	if (!k->n_points)
		return;
	if (w > last)
		w = last;
	for (i = 0; i < key->n_stacks; i++) {
		const struct lb_stack *st = key->stacks[i];
		double first = 0;
		if (!st->objects)
			return;
		b0 += st->value[w];
		b1 += st->value[last];
		o0 += st->objects[w];
		o1 += st->objects[last];
		a1 += st->alloc_objects1;
		for (j = w; j <= last && first == 0; j++)
			first = st->max_object[j];
		if (first > 0 && st->max_object[last] >= 2 * first && st->max_object[last] >= 4096 &&
		    st->max_object[last] - first > f->big_last - f->big_first) {
			f->big_first = first;
			f->big_last = st->max_object[last];
			if (st->attr.blame >= 0)
				f->big_where = st->frames[st->attr.blame];
			f->big_timers = 0;
			for (j = 0; j < st->n_frames; j++)
				if (lb_is_timer_frame(st->frames[j].func))
					f->big_timers = 1;
		}
		for (j = 0; st->attr.blame > 0 && j < (size_t)st->attr.blame; j++) {
			const char *fn = st->frames[j].func;
			if (strncmp(fn, "bytes.", 6) == 0 || strncmp(fn, "bufio.", 6) == 0 ||
			    strncmp(fn, "io.", 3) == 0 || strncmp(fn, "os.ReadFile", 11) == 0)
				f->byte_buffers = 1;
		}
	}
	f->d_bytes = b1 - b0;
	f->d_objects = o1 - o0;
	f->live_objects = o1;
	f->alloc_objects = a1;
	f->live_frac = a1 > 0 ? o1 / a1 : NAN;
	f->avg_object = f->d_objects >= 1 && f->d_bytes > 0 ? f->d_bytes / f->d_objects
			: o1 > 0 ? b1 / o1 : NAN;
}

static void frame_facts(struct lb_kind *k, struct lb_key *key, struct facts *f)
{
	size_t i, j;

	for (i = 0; i < key->n_stacks; i++) {
		for (j = 0; j < key->stacks[i]->n_frames; j++) {
			const char *fn = key->stacks[i]->frames[j].func;
			if (lb_is_timer_frame(fn) && !f->timer_frames) {
				f->timer_frames = 1;
				f->timer_func = fn;
				if (k->id == LB_HEAP) {
					f->timer_key = key;
					f->timer_kind = k;
				}
			}
			if (lb_is_goroutine_alloc(fn))
				f->goroutine_alloc = 1;
		}
	}
}

/* Heaviest stacks of a key: by growth over the window, then by last value. */
static void top_stacks(struct lb_suspect *s, struct lb_kind *k, struct lb_key *key, int want)
{
	size_t w = window_start(key), last, i, j;

	if (!k || !key || !k->n_points)
		return;
	last = k->n_points - 1;
	if (w > last)
		w = last;
	s->top_kind = k;
	for (i = 0; i < key->n_stacks; i++) {
		struct lb_stack *st = key->stacks[i];
		double g = st->value[last] - st->value[w];
		if (st->value[last] <= 0)
			continue;
		for (j = s->n_top; j > 0; j--) {
			struct lb_stack *o = s->top[j - 1];
			double og = o->value[last] - o->value[w];
			if (og > g || (og == g && o->value[last] >= st->value[last]))
				break;
			if (j < (size_t)want)
				s->top[j] = o;
		}
		if (j < (size_t)want) {
			s->top[j] = st;
			if (s->n_top < (size_t)want)
				s->n_top++;
		}
	}
}

/* ---- what the source says ---- */

static int is_word(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* name declared as a map somewhere in the package: "name map[", "name =
 * map[", "name := make(map[", "name: make(map[" ... */
static int declared_map(struct lb_src *src, const char *name, const struct lb_opts *o)
{
	struct lb_src **sib;
	size_t n = lb_source_siblings(src, o, &sib), i, l, len = strlen(name);
	char code[1024];

	for (i = 0; i < n; i++) {
		for (l = 1; l <= lb_source_nlines(sib[i]); l++) {
			const char *p;
			code_of(lb_source_line(sib[i], (int64_t)l), code, sizeof(code));
			for (p = code; (p = strstr(p, name)); p += len) {
				const char *q = p + len;
				if ((p > code && is_word(p[-1])) || is_word(*q))
					continue;
				q += strspn(q, " \t");
				if (*q == ':' && q[1] != '=')
					q++;
				else if (*q == ':' && q[1] == '=')
					q += 2;
				else if (*q == '=')
					q++;
				q += strspn(q, " \t");
				if (strncmp(q, "make(", 5) == 0)
					q += 5;
				if (strncmp(q, "map[", 4) == 0)
					return 1;
			}
		}
	}
	return 0;
}

/* name occurs in code as a whole word. */
static int has_word(const char *code, const char *name)
{
	const char *p;
	size_t n = strlen(name);

	for (p = code; (p = strstr(p, name)); p++)
		if ((p == code || !is_word(p[-1])) && !is_word(p[n]))
			return 1;
	return 0;
}

/* A local of the function [a, b]: "name :=", "a, name :=", "var name" or a
 * parameter. */
static int is_local(struct lb_src *src, int64_t a, int64_t b, const char *name)
{
	char code[1024], pat[128];
	int64_t l;

	for (l = a; l <= b; l++) {
		const char *p;
		code_of(lb_source_line(src, l), code, sizeof(code));
		snprintf(pat, sizeof(pat), "var %s ", name);
		if (strstr(code, pat))
			return 1;
		for (p = code; (p = strstr(p, name)); p++) {
			const char *q = p + strlen(name);
			if ((p > code && is_word(p[-1])) || is_word(*q))
				continue;
			q += strspn(q, " \t");
			if (strncmp(q, ":=", 2) == 0)
				return 1;
			if (*q == ',' && strstr(q, ":=") && !strchr(q, '('))
				return 1;
		}
		if (l == a) {
			/* a parameter or receiver: func (r T) f(name []T) */
			const char *par = strchr(code, '(');
			if (par && has_word(par, name))
				return 1;
		}
	}
	return 0;
}

/* An assignment to an indexed element, "c.items[key(x[i])] = v": the
 * indexed expression ("c.items") into name; 0 if none. */
static int index_assign(const char *code, char *name, size_t sz)
{
	const char *p;

	for (p = code; *p; p++) {
		const char *start, *q;
		int depth;
		if (!is_word(*p) || (p > code && (is_word(p[-1]) || p[-1] == '.')))
			continue;
		start = p;
		while (is_word(*p) || (*p == '.' && is_word(p[1])))
			p++;
		if (*p != '[') {
			p--;
			continue;
		}
		for (depth = 0, q = p; *q; q++) {
			if (*q == '[')
				depth++;
			else if (*q == ']' && --depth == 0)
				break;
		}
		if (!*q)
			return 0;
		q++;
		q += strspn(q, " \t");
		if (q[0] == '=' && q[1] != '=') {
			snprintf(name, sz, "%.*s", (int)(p - start), start);
			return 1;
		}
		p--;
	}
	return 0;
}

/* Scans the lines [a, b] of src for the facts of each pattern and quotes
 * what it finds. */
static void scan_function(struct lb_suspect *s, struct lb_src *src, const char *file, int64_t a,
			  int64_t b, const char *buf_var, struct facts *f, const struct lb_opts *o)
{
	char code[1024], x[128], y[128];
	regmatch_t m[6];
	int64_t l;
	int timer_here = 0, stop_here = 0;

	for (l = a; l <= b; l++) {
		const char *line = lb_source_line(src, l);
		if (!line)
			break;
		if (match(RE_TIMER, line, m, 6, code, sizeof(code))) {
			timer_here = 1;
			if (!f->src_timer) {
				f->src_timer = 1;
				f->src_timer_line = l;
				f->src_timer_file = file;
				f->src_timer_func = f->scan_func;
			}
			quote(s, file, l, "creates a ticker or timer", o);
		}
		if (match(RE_STOP, line, m, 6, code, sizeof(code)))
			stop_here = 1;
		code_of(line, code, sizeof(code));
		if (index_assign(code, x, sizeof(x))) {
			const char *base = strrchr(x, '.');
			int is_map = declared_map(src, base ? base + 1 : x, o);
			base = base ? base + 1 : x;
			if (is_map || strchr(x, '.') || !is_local(src, a, b, x)) {
				f->src_map = 1;
				if (is_map && !f->src_map_confirmed) {
					f->src_map_confirmed = 1;
					snprintf(f->map_name, sizeof(f->map_name), "%s", x);
				} else if (!f->map_name[0]) {
					snprintf(f->map_name, sizeof(f->map_name), "%s", x);
				}
				quote(s, file, l, is_map ? "inserts into a map" : "stores into a collection", o);
			}
		}
		if (match(RE_APPEND, line, m, 6, code, sizeof(code))) {
			group_str(code, &m[1], x, sizeof(x));
			group_str(code, &m[2], y, sizeof(y));
			if (strcmp(x, y) == 0 && (strchr(x, '.') || !is_local(src, a, b, x))) {
				f->src_append = 1;
				if (!f->map_name[0])
					snprintf(f->map_name, sizeof(f->map_name), "%s", x);
				quote(s, file, l, "appends to a long-lived slice", o);
			}
		}
		if (match(RE_RET_SUB, line, m, 6, code, sizeof(code))) {
			group_str(code, &m[1], x, sizeof(x));
			if (!buf_var || !*buf_var || strcmp(x, buf_var) == 0) {
				f->src_sub = 1;
				quote(s, file, l, "returns a sub-slice of the buffer", o);
			}
		} else if (buf_var && *buf_var && match(RE_SUB, line, m, 6, code, sizeof(code)) &&
			   (strstr(code, "append(") || strstr(code, "] = ") || strstr(code, "<-"))) {
			group_str(code, &m[1], x, sizeof(x));
			if (strcmp(x, buf_var) == 0) {
				f->src_sub = 1;
				quote(s, file, l, "keeps a sub-slice of the buffer", o);
			}
		}
		if (match(RE_C_CALL, line, m, 6, code, sizeof(code))) {
			group_str(code, &m[1], x, sizeof(x));
			if (strcmp(x, "free") != 0) {
				f->src_c_call = 1;
			}
		}
		if (match(RE_C_FREE, line, m, 6, code, sizeof(code)))
			f->src_c_free = 1;
		if (match(RE_TICK_CHAN, line, m, 6, code, sizeof(code))) {
			f->src_tick_chan = 1;
			quote(s, file, l, "waits on a ticker's channel", o);
		}
		if (match(RE_DONE, line, m, 6, code, sizeof(code)))
			f->src_ctx_done = 1;
		if (match(RE_CANCEL_DROP, line, m, 6, code, sizeof(code))) {
			f->src_cancel_dropped = 1;
			quote(s, file, l, "drops the cancel function", o);
		}
	}
	if (timer_here && !stop_here)
		f->src_timer_stop = 0;
	else if (timer_here)
		f->src_timer_stop = 1;
}

/* The variable a `make([]byte` on line l assigns, if any. */
static void buffer_var(struct lb_src *src, int64_t l, char *out, size_t sz)
{
	char code[1024];
	regmatch_t m[2];
	const char *line = lb_source_line(src, l);

	out[0] = '\0';
	if (line && match(RE_MAKE_BUF, line, m, 2, code, sizeof(code)))
		group_str(code, &m[1], out, sz);
}

/* A caller line `keep(f(...))` hands f's result to keep: scan keep too. */
static void scan_consumer(struct lb_suspect *s, const struct lb_frame *callee,
			  const struct lb_frame *caller, struct facts *f, const struct lb_opts *o)
{
	struct lb_src *src = lb_source_open(caller->file, o), **sib;
	const char *line = lb_source_line(src, caller->line), *short_name, *p;
	char pat[160], fn[128], code[1024];
	size_t n, i, l;

	if (!line)
		return;
	short_name = strrchr(callee->func, '.');
	if (!short_name)
		return;
	snprintf(pat, sizeof(pat), "(%s(", short_name + 1);
	code_of(line, code, sizeof(code));
	p = strstr(code, pat);
	if (!p)
		return;
	/* the function name before "(" */
	{
		const char *e = p, *b0 = p;
		while (b0 > code && (is_word(b0[-1]) || b0[-1] == '.'))
			b0--;
		snprintf(fn, sizeof(fn), "%.*s", (int)(e - b0), b0);
	}
	p = strrchr(fn, '.');
	p = p ? p + 1 : fn;
	if (!*p)
		return;
	snprintf(pat, sizeof(pat), "func %s(", p);
	n = lb_source_siblings(src, o, &sib);
	for (i = 0; i < n; i++) {
		for (l = 1; l <= lb_source_nlines(sib[i]); l++) {
			const char *dl = lb_source_line(sib[i], (int64_t)l);
			char param[64] = "";
			int64_t a, b;
			const char *q;
			if (strncmp(dl, pat, strlen(pat)) != 0 &&
			    !(strncmp(dl, "func (", 6) == 0 && strstr(dl, pat + 4)))
				continue;
			if (lb_source_func_range(sib[i], (int64_t)l, &a, &b))
				continue;
			/* its first parameter's name */
			q = strstr(dl, pat + 4);
			q = q ? strchr(q, '(') : NULL;
			if (q) {
				q++;
				snprintf(param, sizeof(param), "%.*s", (int)strspn(q, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"), q);
			}
			{
				char *file = lw_xstrdup(caller->file), *sl = strrchr(file, '/'), *full;
				if (sl)
					sl[1] = '\0';
				full = lw_xasprintf("%s%s", sl ? file : "", lb_basename(lb_source_path(sib[i])));
				scan_function(s, sib[i], lb_intern(full), a, b, param, f, o);
				free(full);
				free(file);
			}
			return;
		}
	}
}

/* ---- the verdict on the pattern ---- */

static void assess(struct lb_suspect *s, const struct lb_kind *k, struct facts *f,
		   const char *why)
{
	struct lb_buf b = { 0 };
	const struct lw_trend_series *se = s->key ? s->key->se : NULL;
	int thin = 0;

	if (se) {
		const struct lw_trend_fit *fit = &se->fit;
		if (fit->points < 12) {
			lb_buf_addf(&b, "thin: only %zu snapshots after warm-up", fit->points);
			thin = 1;
		}
		if (fit->q > 0.01) {
			lb_buf_addf(&b, "%sweak trend (q=%.2g)", thin ? "; " : "thin: ", fit->q);
			thin = 1;
		}
		if (k && k->quantum > 0 && f->steps > 0 && f->steps < 10) {
			char q[32];
			lb_buf_addf(&b, "%sthe growth is only %.0f sampling steps of %s", thin ? "; " : "thin: ",
				    f->steps, lb_fmt_bytes(q, sizeof(q), k->quantum));
			thin = 1;
		}
		if (thin)
			lb_buf_add(&b, ": record longer to be sure");
		else
			lb_buf_addf(&b, "it grows for sure: %zu snapshots, q=%.2g", fit->points, fit->q);
		if (!thin && f->steps >= 10)
			lb_buf_addf(&b, ", %.0f sampling steps", f->steps);
		lb_buf_add(&b, ". ");
	}
	lb_buf_addf(&b, "Pattern %s, %s confidence: %s.", lb_pattern_title(s->pattern),
		    lb_sure_name(s->pattern_sure), why);
	if (!s->source_read && s->source[0] != 'r')
		lb_buf_add(&b, " No source was found for its frames (--source DIR would let the code settle it).");
	s->assessment = lb_buf_take(&b);
}

static void recommend(struct lb_suspect *s, const struct facts *f)
{
	struct lb_buf b = { 0 };
	char w[512], r[64];

	lb_frame_str(w, sizeof(w), &s->where, 0);
	switch (s->pattern) {
	case LB_PAT_GOROUTINE:
		lb_buf_addf(&b, "Goroutines");
		if (*s->created_by.func) {
			char c[512];
			lb_buf_addf(&b, " started by %s", lb_frame_str(c, sizeof(c), &s->created_by, 0));
		}
		lb_buf_addf(&b, " block in %s%s%s%s and never return. ", lb_frame_str(w, sizeof(w), &s->blocked_at, 0),
			    *s->state ? " (" : "", s->state, *s->state ? ")" : "");
		if (f->src_cancel_dropped)
			lb_buf_add(&b, "The cancel function of their context is dropped: call it when the work ends "
				       "(defer cancel()), so that ctx.Done() fires. ");
		else if (f->src_ctx_done)
			lb_buf_add(&b, "Their context is never cancelled: cancel it (defer cancel()) when the work ends. ");
		else
			lb_buf_add(&b, "Give each one a way out: close or send on the channel it waits on, or select "
				       "on a context that gets cancelled. ");
		lb_buf_add(&b, "Bound how many can run at once.");
		break;
	case LB_PAT_TICKER:
		lb_buf_addf(&b, "Stop every ticker and timer when its user is done: t := time.NewTicker(d); "
				"defer t.Stop() (%s creates them and nothing stops them). time.Tick cannot be "
				"stopped: use time.NewTicker outside of main loops. Before Go 1.23 an unstopped "
				"ticker is never garbage-collected.", w);
		if (s->gkey)
			lb_buf_add(&b, " End the goroutine that ranges over the ticker's channel too.");
		break;
	case LB_PAT_SLICE:
		lb_buf_addf(&b, "A small sub-slice keeps a whole buffer alive (%s allocates it",
			    w);
		if (isfinite(f->avg_object))
			lb_buf_addf(&b, ", %s each", lb_fmt_bytes(r, sizeof(r), f->avg_object));
		lb_buf_add(&b, "): copy the bytes that are kept, e.g. h := bytes.Clone(data[a:b]) or "
			       "append([]byte(nil), data[a:b]...) (strings.Clone for substrings), so the buffer "
			       "can be freed.");
		break;
	case LB_PAT_MAP:
		lb_buf_addf(&b, "%s%s%s only grows (%s): bound it with a size limit and eviction (an LRU), "
				"expire entries by age, or delete them when they are no longer needed.",
			    f->map_name[0] ? "'" : "The collection", f->map_name, f->map_name[0] ? "'" : "", w);
		break;
	case LB_PAT_CGO:
		lb_buf_addf(&b, "C memory allocated by %s (called from %s) is never freed: free it from Go with "
				"C.free(unsafe.Pointer(p)) (defer it right after C.CString, C.CBytes or C.malloc), "
				"or call the C library's matching free or close function; a Go wrapper object "
				"needs a Close method that does it.",
			    s->c_function ? s->c_function : "C code", w);
		break;
	case LB_PAT_UNEXPLAINED:
		lb_buf_addf(&b, "RSS grows while the Go heap, goroutine stacks%s runtime memory%s do not "
				"account for it: the memory is outside Go's view. ",
			    f->goroutine_alloc ? "," : " and", f->goroutine_alloc ? " and the traced C heap" : "");
		if (!f->goroutine_alloc)
			lb_buf_add(&b, "Run cgo-trace on the process (scripts/record does when run as root) to "
				       "see C allocations made through cgo; ");
		else
			lb_buf_add(&b, "cgo-trace saw no growing C heap, so look beyond malloc: ");
		lb_buf_add(&b, "check mmap'd memory (/proc/PID/smaps: anonymous mappings, syscall.Mmap, "
			       "off-heap allocators) and threads stuck in C.");
		break;
	case LB_PAT_GROWTH:
		lb_buf_addf(&b, "Memory allocated at %s stays reachable and keeps growing. Find what holds "
				"on to it (a global, a cache, a channel buffer, a closure): the stacks show where "
				"it comes from; pprof-diff between two snapshots shows how it grows.",
			    w);
		break;
	}
	s->recommendation = lb_buf_take(&b);
}

static void goroutine_evidence(struct lb_suspect *s, const struct lb_kind *gk)
{
	const struct lw_trend_fit *g = &s->gkey->se->fit;
	char w[512], c[512];

	lb_suspect_evidence(s, "goroutines waiting in %s: %.0f -> %.0f, %+.0f/h (%s, q=%.2g)",
			    s->gkey->name, g->first, g->last, g->ts_per_hour,
			    lw_trend_verdict_name(g->verdict), g->q);
	if (*s->blocked_at.func)
		lb_suspect_evidence(s, "they block at %s%s%s", lb_frame_str(w, sizeof(w), &s->blocked_at, 0),
				    s->blocked_call ? " in " : "", s->blocked_call ? s->blocked_call : "");
	if (s->dkey) {
		lb_suspect_evidence(s, "goroutine dumps: state [%s]%s%s%s", *s->state ? s->state : "?",
				    *s->created_by.func ? ", created by " : "",
				    *s->created_by.func ? lb_frame_str(c, sizeof(c), &s->created_by, 0) : "",
				    "");
		if (isfinite(s->wait_max_minutes) && s->wait_max_minutes > 0)
			lb_suspect_evidence(s, "the oldest has been waiting %.0f minute%s", s->wait_max_minutes,
					    s->wait_max_minutes == 1 ? "" : "s");
	}
	(void)gk;
}

/* Calls into C in the service's own files (those its stacks name): where
 * C memory may come from when nobody traced it. */
static void c_calls(struct lb_target *t, struct lb_suspect *s, const struct lb_opts *o)
{
	struct lb_src *seen[64];
	size_t ns = 0, i, j, k, found = 0;
	struct lb_buf b = { 0 };
	char code[1024], name[128];
	regmatch_t m[2];

	/* the source files of the service's own frames, and their packages */
	for (k = 0; k < LB_NKINDS; k++) {
		for (i = 0; i < t->kinds[k].n_stacks && ns < LW_ARRAY_SIZE(seen); i++) {
			const struct lb_stack *st = t->kinds[k].stacks[i];
			for (j = 0; j < st->n_frames && ns < LW_ARRAY_SIZE(seen); j++) {
				struct lb_src *src, **sib;
				size_t n, x, y;
				if (!*st->frames[j].file || lb_skipped(&o->rules, st->frames[j].func))
					continue;
				src = lb_source_open(st->frames[j].file, o);
				n = lb_source_siblings(src, o, &sib);
				for (x = 0; x < n && ns < LW_ARRAY_SIZE(seen); x++) {
					for (y = 0; y < ns && seen[y] != sib[x]; y++)
						;
					if (y == ns)
						seen[ns++] = sib[x];
				}
			}
		}
	}
	for (i = 0; i < ns && found < 4; i++) {
		size_t l;
		const char *path = lb_source_path(seen[i]);
		for (l = 1; l <= lb_source_nlines(seen[i]) && found < 4; l++) {
			const char *line = lb_source_line(seen[i], (int64_t)l);
			if (!match(RE_C_CALL, line, m, 2, code, sizeof(code)))
				continue;
			group_str(code, &m[1], name, sizeof(name));
			if (strcmp(name, "free") == 0 || strncmp(code + strspn(code, " \t"), "func ", 5) == 0)
				continue;
			quote(s, path, (int64_t)l, "calls C", o);
			lb_buf_addf(&b, "%sC.%s (%s:%zu)", found ? ", " : "", name, lb_basename(path), l);
			found++;
		}
	}
	if (found) {
		char *e = lb_buf_take(&b);
		lb_suspect_evidence(s, "the service calls C: %s", e);
		free(e);
	}
}

void lb_classify(struct lb_target *t, struct lb_suspect *s, const struct lb_opts *o)
{
	struct facts f;
	const char *why = "";
	char w[512], b1[64], b2[64], r[64];
	size_t i;
	struct lb_kind *k = s->kind;

	memset(&f, 0, sizeof(f));
	f.avg_object = NAN;
	f.live_frac = NAN;

	if (s->pattern == LB_PAT_UNEXPLAINED) {
		const struct lb_picture *p = &t->pic;
		const char *names[LB_NPARTS] = { "Go heap", "stacks", "runtime", "traced C heap", "unexplained" };
		lb_suspect_evidence(s, "rss: %s -> %s, %s",
				    lb_fmt_bytes(b1, sizeof(b1), p->se_rss->fit.first),
				    lb_fmt_bytes(b2, sizeof(b2), p->se_rss->fit.last),
				    lb_fmt_rate(r, sizeof(r), p->se_rss->fit.ts_per_hour, "bytes"));
		for (i = 0; i < LB_NPARTS; i++) {
			if (!p->se_part[i])
				continue;
			lb_suspect_evidence(s, "%s: %s (%s)", names[i],
					    lb_fmt_rate(r, sizeof(r), p->se_part[i]->fit.ts_per_hour, "bytes"),
					    lw_trend_verdict_name(p->se_part[i]->fit.verdict));
		}
		f.goroutine_alloc = p->traced_c; /* reused: "cgo-trace ran" */
		c_calls(t, s, o);
		if (!p->traced_c)
			lb_suspect_evidence(s, "no cgo-trace profiles in the archive: C allocations were not traced");
		s->pattern_sure = p->traced_c ? LB_MEDIUM : LB_MEDIUM;
		why = p->traced_c ? "by elimination: every traced part is accounted for"
				  : "by elimination: the Go runtime's own figures do not grow with RSS";
		recommend(s, &f);
		assess(s, NULL, &f, why);
		return;
	}

	/* the heaviest stacks and the blamed line */
	if (s->gkey && k == s->kind && s->source[0] == 'g') {
		top_stacks(s, k, s->gkey, 3);
		s->where = s->blocked_at;
	} else {
		top_stacks(s, k, s->key, 3);
		if (s->n_top && s->top[0]->attr.blame >= 0)
			s->where = s->top[0]->frames[s->top[0]->attr.blame];
		else if (s->n_top && s->top[0]->n_frames)
			s->where = s->top[0]->frames[0];
		if (k->id == LB_CGO && s->n_top) {
			const struct lb_stack *st = s->top[0];
			s->c_function = st->attr.c_name;
			if (st->attr.c_frame >= 0)
				s->c_where = st->frames[st->attr.c_frame];
			else if (st->attr.c_name)
				s->c_where.func = st->attr.c_name;
		}
	}

	/* profile facts */
	if (k->id == LB_HEAP || k->id == LB_CGO) {
		object_facts(k, s->key, &f);
		frame_facts(k, s->key, &f);
		if (k->quantum > 0 && s->key->se)
			f.steps = s->key->se->fit.growth / k->quantum;
	}
	for (i = 0; i < s->n_related; i++)
		frame_facts(s->related_kind[i], s->related[i], &f);

	/* evidence from the profiles */
	if (s->key && s->key->se && (k->id == LB_HEAP || k->id == LB_CGO)) {
		const struct lw_trend_fit *fit = &s->key->se->fit;
		lb_suspect_evidence(s, "%s in use: %s -> %s over %zu snapshots, %s (95%% interval %s .. %s), q=%.2g",
				    k->id == LB_CGO ? "C heap (cgo-trace)" : "Go heap",
				    lb_fmt_bytes(b1, sizeof(b1), fit->first), lb_fmt_bytes(b2, sizeof(b2), fit->last),
				    fit->points, lb_fmt_rate(r, sizeof(r), fit->ts_per_hour, "bytes"),
				    lb_fmt_rate(w, 64, fit->ci_low, "bytes"),
				    lb_fmt_rate(w + 64, 64, fit->ci_high, "bytes"), fit->q);
		if (isfinite(f.avg_object) && f.live_objects > 0)
			lb_suspect_evidence(s, "objects: about %s each, %.0f live%s", lb_fmt_bytes(b1, sizeof(b1), f.avg_object),
					    f.live_objects, f.d_objects > 0 ? " and rising" : "");
		if (isfinite(f.live_frac) && f.alloc_objects > 0)
			lb_suspect_evidence(s, "in use against allocated: %.0f of %.0f objects allocated here are still live (%.0f%%)",
					    f.live_objects, f.alloc_objects, 100 * f.live_frac);
		if (f.big_last > 0 && f.big_timers)
			lb_suspect_evidence(s, "the runtime's timer heap under %s grew from %s to %s: pending timers pile up",
					    lb_frame_str(w, sizeof(w), &f.big_where, 0),
					    lb_fmt_bytes(b1, sizeof(b1), f.big_first), lb_fmt_bytes(b2, sizeof(b2), f.big_last));
		else if (f.big_last > 0)
			lb_suspect_evidence(s, "the largest object at %s grew from %s to %s: a map's or slice's backing array growing as it fills",
					    lb_frame_str(w, sizeof(w), &f.big_where, 0),
					    lb_fmt_bytes(b1, sizeof(b1), f.big_first), lb_fmt_bytes(b2, sizeof(b2), f.big_last));
		if (f.timer_frames)
			lb_suspect_evidence(s, "its stacks create tickers or timers (%s)", f.timer_func);
		if (k->id == LB_CGO && s->c_function)
			lb_suspect_evidence(s, "C function %s%s%s, reached through a cgo wrapper from %s",
					    s->c_function, *s->c_where.file ? " at " : "",
					    lb_loc_str(w, sizeof(w), &s->c_where),
					    s->function);
	}
	if (s->gkey)
		goroutine_evidence(s, k);
	for (i = 0; i < s->n_related; i++) {
		const struct lw_trend_fit *fit = &s->related[i]->se->fit;
		lb_suspect_evidence(s, "holds %s memory allocated in %s: %s -> %s, %s (%s)",
				    s->related_kind[i]->name, s->related[i]->name,
				    lb_fmt_bytes(b1, sizeof(b1), fit->first), lb_fmt_bytes(b2, sizeof(b2), fit->last),
				    lb_fmt_rate(r, sizeof(r), fit->ts_per_hour, "bytes"),
				    lw_trend_verdict_name(fit->verdict));
	}

	/* the source */
	if (*s->where.file && s->where.line > 0) {
		struct lb_src *src = lb_source_open(s->where.file, o);
		const char *note = s->source[0] == 'g' ? "they block here" :
				   k->id == LB_CGO ? "calls C" : "allocates";
		int64_t a, b;
		if (quote(s, s->where.file, s->where.line, note, o)) {
			char buf[64];
			buffer_var(src, s->where.line, buf, sizeof(buf));
			f.scan_func = s->where.func;
			if (lb_source_func_range(src, s->where.line, &a, &b) == 0)
				scan_function(s, src, s->where.file, a, b, buf, &f, o);
			f.scan_func = NULL;
			/* the result handed to another function: `keep(read(r))` */
			if (!f.src_sub && s->n_top && s->top[0]->attr.blame >= 0 &&
			    (size_t)s->top[0]->attr.blame + 1 < s->top[0]->n_frames)
				scan_consumer(s, &s->where, &s->top[0]->frames[s->top[0]->attr.blame + 1], &f, o);
		}
	}
	/* other growing lines of the same function: a map insert after the copy */
	for (i = 1; i < s->n_top; i++) {
		const struct lb_stack *st = s->top[i];
		if (st->attr.blame >= 0 && st->frames[st->attr.blame].line != s->where.line)
			quote(s, st->frames[st->attr.blame].file, st->frames[st->attr.blame].line,
			      s->source[0] == 'g' ? "they block here" : "allocates", o);
	}
	if (*s->created_by.func && *s->created_by.file) {
		struct lb_src *src = lb_source_open(s->created_by.file, o);
		int64_t a, b;
		f.scan_func = s->created_by.func;
		if (quote(s, s->created_by.file, s->created_by.line, "starts them", o) &&
		    lb_source_func_range(src, s->created_by.line, &a, &b) == 0)
			scan_function(s, src, s->created_by.file, a, b, NULL, &f, o);
		f.scan_func = NULL;
	}
	/* the related heap key that creates timers: its allocation line */
	if (f.timer_key && f.timer_key != s->key) {
		struct lb_suspect tmp;
		memset(&tmp, 0, sizeof(tmp));
		top_stacks(&tmp, f.timer_kind, f.timer_key, 1);
		if (tmp.n_top && tmp.top[0]->attr.blame >= 0) {
			const struct lb_frame *tf = &tmp.top[0]->frames[tmp.top[0]->attr.blame];
			struct lb_src *src = lb_source_open(tf->file, o);
			int64_t a, b;
			if (quote(s, tf->file, tf->line, "creates a ticker or timer", o) &&
			    lb_source_func_range(src, tf->line, &a, &b) == 0)
				scan_function(s, src, tf->file, a, b, NULL, &f, o);
		}
	}
	if (k->id == LB_CGO && *s->c_where.file && s->c_where.line > 0)
		quote(s, s->c_where.file, s->c_where.line, "C allocation", o);

	/* decide */
	if (k->id == LB_CGO) {
		s->pattern = LB_PAT_CGO;
		if (f.src_c_call && !f.src_c_free) {
			s->pattern_sure = LB_HIGH;
			why = "the Go caller calls C and never C.free";
		} else if (isfinite(f.live_frac) && f.live_frac >= 0.9) {
			s->pattern_sure = LB_HIGH;
			why = "cgo-trace shows nearly every C allocation of these stacks still outstanding";
		} else {
			s->pattern_sure = LB_MEDIUM;
			why = "cgo-trace shows the C heap of these stacks growing";
		}
	} else if (f.timer_frames || f.src_timer || (s->gkey && f.src_tick_chan)) {
		s->pattern = LB_PAT_TICKER;
		if (f.src_timer && !f.src_timer_stop) {
			s->pattern_sure = LB_HIGH;
			why = "the source creates a ticker or timer and never calls Stop";
		} else if (f.src_timer || f.src_tick_chan) {
			s->pattern_sure = f.timer_frames ? LB_HIGH : LB_MEDIUM;
			why = f.timer_frames ? "its stacks create tickers and the source confirms it"
					     : "the goroutines wait on a ticker's channel";
		} else {
			s->pattern_sure = LB_MEDIUM;
			why = "its stacks go through time.NewTicker/time.Tick (no source to check for Stop)";
		}
		/* blame the code that creates the tickers, not where goroutines wait */
		if (f.timer_key && s->source[0] == 'g') {
			struct lb_suspect tmp;
			memset(&tmp, 0, sizeof(tmp));
			top_stacks(&tmp, f.timer_kind, f.timer_key, 1);
			s->function = f.timer_key->name;
			if (tmp.n_top && tmp.top[0]->attr.blame >= 0)
				s->where = tmp.top[0]->frames[tmp.top[0]->attr.blame];
		} else if (s->source[0] == 'g' && f.src_timer && f.src_timer_func) {
			/* the creator's source makes the tickers */
			s->function = f.src_timer_func;
			s->where.func = f.src_timer_func;
			s->where.file = f.src_timer_file;
			s->where.line = f.src_timer_line;
		}
	} else if (s->gkey) {
		s->pattern = LB_PAT_GOROUTINE;
		if (s->source_read) {
			s->pattern_sure = LB_HIGH;
			why = s->dkey && *s->created_by.func
				      ? "goroutine dumps show the group, its state and its creation site, and the "
					"source shows where they block"
				      : "the goroutine count grows and the source shows where they block";
		} else if (s->dkey && *s->created_by.func) {
			s->pattern_sure = LB_MEDIUM;
			why = "goroutine dumps show the group, its state and its creation site; without the "
			      "source, a ticker or timer behind the channel they wait on cannot be ruled out";
		} else {
			s->pattern_sure = LB_MEDIUM;
			why = "the goroutine count grows (no dumps or source for wait times and creation sites)";
		}
	} else if (f.src_sub) {
		s->pattern = LB_PAT_SLICE;
		s->pattern_sure = LB_HIGH;
		why = "the source keeps a sub-slice of a freshly allocated buffer";
	} else if (f.src_map || f.src_append) {
		s->pattern = LB_PAT_MAP;
		s->pattern_sure = f.src_map_confirmed || f.src_append ? LB_HIGH : LB_MEDIUM;
		why = f.src_map_confirmed ? "the source inserts into a map that nothing evicts from"
		      : f.src_append      ? "the source appends to a long-lived slice"
					  : "the source inserts into an indexed collection";
	} else if (f.big_last > 0 && !f.big_timers) {
		s->pattern = LB_PAT_MAP;
		s->pattern_sure = LB_MEDIUM;
		why = "a backing array keeps doubling, as a map or slice that is never trimmed does";
	} else if (s->key && s->key->runtime_only && f.goroutine_alloc) {
		s->pattern = LB_PAT_GOROUTINE;
		s->pattern_sure = LB_LOW;
		why = "goroutine descriptors (runtime.malg) grow: goroutines are started and never exit; "
		      "record goroutine profiles to see which";
	} else if (isfinite(f.avg_object) && (f.avg_object >= 32768 ||
					      (f.byte_buffers && f.avg_object >= 16384))) {
		s->pattern = LB_PAT_SLICE;
		s->pattern_sure = LB_LOW;
		why = "large buffers are kept alive, one per event; if only a small part of each is used, "
		      "a sub-slice pins them (the source would tell)";
	} else {
		s->pattern = LB_PAT_GROWTH;
		s->pattern_sure = LB_LOW;
		why = "the profiles show growth but nothing that tells the kind of leak";
	}
	recommend(s, &f);
	assess(s, k, &f, why);
}
