/* fuzz_parse: every strict parser of libcommon/parse.h on the same string,
 * with their invariants: sizes and durations are >= 0, results are finite,
 * a threshold's absolute value is the size parser's, and what one prints a
 * value as ("%lld", "%lldB", "%lldns", "%.17g") parses back to the value.
 */
#include <math.h>

#include "parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_int64(const char *s)
{
	int64_t v = 42, w;
	char buf[32];
	if (lw_parse_int64(s, INT64_MIN, INT64_MAX, &v) == 0) {
		snprintf(buf, sizeof(buf), "%lld", (long long)v);
		if (lw_parse_int64(buf, INT64_MIN, INT64_MAX, &w) || w != v)
			abort();
		w = -1;
		if (lw_parse_int64(s, 0, 100, &w) == 0 ? (v < 0 || v > 100 || w != v)
						       : (w != -1 || (v >= 0 && v <= 100)))
			abort();
	} else if (v != 42) {
		abort(); /* *out untouched on error */
	}
}

static void check_double(const char *s)
{
	double v, w;
	char buf[64];
	if (lw_parse_double(s, &v) == 0) {
		if (!isfinite(v))
			abort();
		snprintf(buf, sizeof(buf), "%.17g", v);
		if (lw_parse_double(buf, &w) || w != v)
			abort();
	}
}

static void check_size(const char *s, int64_t *out, int *ok)
{
	int64_t v = -7, w;
	char buf[48];
	*ok = lw_parse_size(s, &v) == 0;
	if (!*ok) {
		if (v != -7)
			abort();
		return;
	}
	if (v < 0)
		abort();
	snprintf(buf, sizeof(buf), "%lldB", (long long)v);
	if (lw_parse_size(buf, &w) || (v <= (1LL << 53) && w != v))
		abort();
	*out = v;
}

static void check_duration(const char *s)
{
	int64_t v = -7, w;
	char buf[48];
	if (lw_parse_duration(s, &v) != 0) {
		if (v != -7)
			abort();
		return;
	}
	if (v < 0)
		abort();
	snprintf(buf, sizeof(buf), "%lldns", (long long)v);
	if (lw_parse_duration(buf, &w) || (v <= (1LL << 53) && w != v))
		abort();
}

static void check_rate(const char *s)
{
	double v;
	if (lw_parse_rate_per_hour(s, &v) == 0 && (!isfinite(v) || v < 0))
		abort();
}

static void check_threshold(const char *s, int size_ok, int64_t size)
{
	struct lw_threshold t;
	char buf[64];
	if (lw_parse_threshold(s, &t) != 0) {
		if (size_ok)
			abort(); /* every size is a threshold */
		return;
	}
	if (!isfinite(t.value) || t.value < 0)
		abort();
	if (!t.is_percent) {
		if (!size_ok || t.value != (double)size)
			abort();
		return;
	}
	snprintf(buf, sizeof(buf), "%.17g%%", t.value);
	if (!strchr(buf, 'e')) {
		struct lw_threshold u;
		if (lw_parse_threshold(buf, &u) || !u.is_percent || u.value != t.value)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 256)
		return 0;
	char *s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	int64_t sz = 0;
	int size_ok;
	check_int64(s);
	check_double(s);
	check_size(s, &sz, &size_ok);
	check_duration(s);
	check_rate(s);
	check_threshold(s, size_ok, sz);
	free(s);
	return 0;
}
