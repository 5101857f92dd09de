/* util.c: leak-blame's small helpers: a string map, string interning, a
 * growable buffer and the IEC number formats of its reports.
 */
#include <math.h>
#include <stdarg.h>

#include "blame.h"
#include "err.h"

static uint64_t str_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	/* mix the high bits down: the table takes the low ones */
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 32;
	return h;
}

size_t lb_map_get(const struct lb_map *m, const char *key)
{
	size_t i;

	if (!m->cap)
		return (size_t)-1;
	for (i = str_hash(key) & (m->cap - 1); m->keys[i]; i = (i + 1) & (m->cap - 1))
		if (strcmp(m->keys[i], key) == 0)
			return m->vals[i];
	return (size_t)-1;
}

static void map_insert(char **keys, size_t *vals, size_t cap, char *key, size_t val)
{
	size_t i;

	for (i = str_hash(key) & (cap - 1); keys[i]; i = (i + 1) & (cap - 1))
		;
	keys[i] = key;
	vals[i] = val;
}

void lb_map_put(struct lb_map *m, const char *key, size_t val)
{
	size_t i;

	if (m->cap) {
		for (i = str_hash(key) & (m->cap - 1); m->keys[i]; i = (i + 1) & (m->cap - 1)) {
			if (strcmp(m->keys[i], key) == 0) {
				m->vals[i] = val;
				return;
			}
		}
	}
	if ((m->n + 1) * 2 > m->cap) {
		size_t nc = m->cap ? m->cap * 2 : 64;
		char **nk = lw_xcalloc(nc, sizeof(*nk));
		size_t *nv = lw_xcalloc(nc, sizeof(*nv));
		for (i = 0; i < m->cap; i++)
			if (m->keys[i])
				map_insert(nk, nv, nc, m->keys[i], m->vals[i]);
		free(m->keys);
		free(m->vals);
		m->keys = nk;
		m->vals = nv;
		m->cap = nc;
	}
	map_insert(m->keys, m->vals, m->cap, lw_xstrdup(key), val);
	m->n++;
}

void lb_map_free(struct lb_map *m)
{
	size_t i;

	for (i = 0; i < m->cap; i++)
		free(m->keys[i]);
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

static uint64_t bytes_hash(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= s[i];
		h *= 0x100000001b3ULL;
	}
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 32;
	return h;
}

size_t lb_bmap_get(const struct lb_bmap *m, const void *key, size_t len)
{
	uint64_t h = bytes_hash(key, len);
	size_t i;

	if (!m->cap)
		return (size_t)-1;
	for (i = h & (m->cap - 1); m->keys[i]; i = (i + 1) & (m->cap - 1))
		if (m->hashes[i] == h && m->lens[i] == len && memcmp(m->keys[i], key, len) == 0)
			return m->vals[i];
	return (size_t)-1;
}

static void bmap_grow(struct lb_bmap *m)
{
	size_t nc = m->cap ? m->cap * 2 : 256, i, j;
	void **nk = lw_xcalloc(nc, sizeof(*nk));
	size_t *nl = lw_xcalloc(nc, sizeof(*nl)), *nv = lw_xcalloc(nc, sizeof(*nv));
	uint64_t *nh = lw_xcalloc(nc, sizeof(*nh));

	for (i = 0; i < m->cap; i++) {
		if (!m->keys[i])
			continue;
		for (j = m->hashes[i] & (nc - 1); nk[j]; j = (j + 1) & (nc - 1))
			;
		nk[j] = m->keys[i];
		nl[j] = m->lens[i];
		nv[j] = m->vals[i];
		nh[j] = m->hashes[i];
	}
	free(m->keys);
	free(m->lens);
	free(m->vals);
	free(m->hashes);
	m->keys = nk;
	m->lens = nl;
	m->vals = nv;
	m->hashes = nh;
	m->cap = nc;
}

void lb_bmap_put(struct lb_bmap *m, const void *key, size_t len, size_t val)
{
	uint64_t h = bytes_hash(key, len);
	size_t i;

	if ((m->n + 1) * 2 > m->cap)
		bmap_grow(m);
	for (i = h & (m->cap - 1); m->keys[i]; i = (i + 1) & (m->cap - 1)) {
		if (m->hashes[i] == h && m->lens[i] == len && memcmp(m->keys[i], key, len) == 0) {
			m->vals[i] = val;
			return;
		}
	}
	m->keys[i] = lw_xmalloc(len ? len : 1);
	memcpy(m->keys[i], key, len);
	m->lens[i] = len;
	m->vals[i] = val;
	m->hashes[i] = h;
	m->n++;
}

void lb_bmap_free(struct lb_bmap *m)
{
	size_t i;

	for (i = 0; i < m->cap; i++)
		free(m->keys[i]);
	free(m->keys);
	free(m->lens);
	free(m->vals);
	free(m->hashes);
	memset(m, 0, sizeof(*m));
}

/* Interning: a map from string to its index in one array of copies. */
static struct lb_map intern_map;
static char **interned;
static size_t n_interned, cap_interned;

const char *lb_intern(const char *s)
{
	size_t i;

	if (!s)
		s = "";
	i = lb_map_get(&intern_map, s);
	if (i != (size_t)-1)
		return interned[i];
	if (n_interned == cap_interned) {
		cap_interned = cap_interned ? cap_interned * 2 : 256;
		interned = lw_xreallocarray(interned, cap_interned, sizeof(*interned));
	}
	interned[n_interned] = lw_xstrdup(s);
	lb_map_put(&intern_map, s, n_interned);
	return interned[n_interned++];
}

void lb_intern_free(void)
{
	size_t i;

	for (i = 0; i < n_interned; i++)
		free(interned[i]);
	free(interned);
	interned = NULL;
	n_interned = cap_interned = 0;
	lb_map_free(&intern_map);
}

void lb_buf_add(struct lb_buf *b, const char *s)
{
	size_t n = strlen(s);

	if (b->len + n + 1 > b->cap) {
		size_t nc = b->cap ? b->cap : 64;
		while (b->len + n + 1 > nc)
			nc *= 2;
		b->s = lw_xrealloc(b->s, nc);
		b->cap = nc;
	}
	memcpy(b->s + b->len, s, n + 1);
	b->len += n;
}

void lb_buf_addf(struct lb_buf *b, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		lw_die("out of memory");
	lb_buf_add(b, s);
	free(s);
}

char *lb_buf_take(struct lb_buf *b)
{
	char *s = b->s ? b->s : lw_xstrdup("");

	memset(b, 0, sizeof(*b));
	return s;
}

char *lb_fmt_bytes(char *buf, size_t sz, double v)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	double a = fabs(v);
	int i = 0;

	if (!isfinite(v)) {
		snprintf(buf, sz, "?");
		return buf;
	}
	while (a >= 1024 && i < 5) {
		a /= 1024;
		v /= 1024;
		i++;
	}
	if (i == 0)
		snprintf(buf, sz, "%.0f B", v);
	else
		snprintf(buf, sz, "%.2f %s", v, units[i]);
	return buf;
}

char *lb_fmt_rate(char *buf, size_t sz, double per_hour, const char *unit)
{
	char b[64];

	if (!isfinite(per_hour)) {
		snprintf(buf, sz, "?");
		return buf;
	}
	if (unit && strcmp(unit, "bytes") == 0) {
		lb_fmt_bytes(b, sizeof(b), fabs(per_hour));
		snprintf(buf, sz, "%s%s/h", per_hour < 0 ? "-" : "+", b);
	} else {
		snprintf(buf, sz, "%+.0f %s/h", per_hour, unit ? unit : "");
	}
	return buf;
}

char *lb_fmt_duration(char *buf, size_t sz, double s)
{
	if (!isfinite(s) || s < 0)
		snprintf(buf, sz, "?");
	else if (s < 60)
		snprintf(buf, sz, "%.1fs", s);
	else if (s < 3600)
		snprintf(buf, sz, "%dm%02ds", (int)(s / 60), (int)fmod(s, 60));
	else if (s < 86400)
		snprintf(buf, sz, "%dh%02dm", (int)(s / 3600), (int)fmod(s / 60, 60));
	else
		snprintf(buf, sz, "%dd%02dh", (int)(s / 86400), (int)fmod(s / 3600, 24));
	return buf;
}

const char *lb_basename(const char *path)
{
	const char *b = strrchr(path, '/');
	return b ? b + 1 : path;
}
