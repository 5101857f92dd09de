/* fuzz_archive_name: the archive's name and time parsers
 * (lw_archive_parse_name, lw_archive_parse_time) on arbitrary strings. What
 * they accept must print back (lw_archive_time, lw_archive_csv_time,
 * lw_archive_path) to a string that parses to the same millisecond.
 */
#include "archive.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int64_t floor_ms(int64_t t)
{
	int64_t r = t % 1000000;
	return t - (r < 0 ? r + 1000000 : r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 512)
		return 0;
	char *s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';

	int64_t t = 7, u;
	char buf[64], kind[32];
	if (lw_archive_parse_time(s, &t) == 0) {
		lw_archive_csv_time(buf, sizeof(buf), t);
		/* The same year (an overflow would wrap to another one). */
		if (memcmp(buf, s, 4) != 0 || lw_archive_parse_time(buf, &u) || u != floor_ms(t))
			abort();
		lw_archive_time(buf, sizeof(buf), t);
		if (lw_archive_parse_time(buf, &u) || u != floor_ms(t))
			abort();
	} else if (t != 7) {
		abort();
	}

	t = 7;
	if (lw_archive_parse_name(s, kind, sizeof(kind), &t) == 0) {
		size_t k = strlen(kind);
		if (k == 0 || k >= sizeof(kind) || strncmp(s, kind, k) != 0 || s[k] != '-')
			abort();
		if (t != floor_ms(t)) /* the compact form has milliseconds */
			abort();
		char *p = lw_archive_path("d", kind, t, lw_archive_kind_ext(kind));
		char k2[32];
		if (!p || lw_archive_parse_name(p + 2, k2, sizeof(k2), &u) || u != t ||
		    strcmp(k2, kind) != 0)
			abort();
		free(p);
		/* A short kind buffer fails cleanly. */
		if (lw_archive_parse_name(s, k2, k, &u) == 0)
			abort();
	} else if (t != 7) {
		abort();
	}
	lw_archive_valid_target(s);
	free(s);
	return 0;
}
