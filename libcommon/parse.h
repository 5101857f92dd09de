/* parse.h: strict number, size, duration and threshold parsing.
 *
 * OpenBSD strtonum semantics: the whole string must be consumed, no empty
 * input, no junk, ranges checked. All return 0 on success and -1 on error,
 * leaving *out untouched.
 */
#ifndef LW_PARSE_H
#define LW_PARSE_H

#include <stddef.h>
#include <stdint.h>

int lw_parse_int64(const char *s, int64_t min, int64_t max, int64_t *out);
int lw_parse_double(const char *s, double *out); /* finite values only */
/* Sizes: "512", "512B", "10KiB", "10MiB", "1.5GiB"; "kB"/"KB"/"MB"/"GB"
 * mean powers of 1024 too, as go tool pprof prints them. Non-negative. */
int lw_parse_size(const char *s, int64_t *bytes);
/* Durations: "90s", "2h", "1h30m", "500ms", "3d"; bare number = seconds.
 * Result in nanoseconds, non-negative. */
int lw_parse_duration(const char *s, int64_t *nanos);
/* Rates: "10MiB/h", "100/h", "5MiB/min", "1KiB/s" -> units per hour. */
int lw_parse_rate_per_hour(const char *s, double *per_hour);
/* Thresholds: "10MiB" (absolute) or "5%" (relative). */
struct lw_threshold {
	int is_percent;
	double value; /* bytes/units, or percent */
};
int lw_parse_threshold(const char *s, struct lw_threshold *out);
/* One of a fixed set of words (--format=json): the index of s in
 * names[0..n), exact match, or -1. The caller maps the index to its value
 * and words its own error. */
int lw_parse_choice(const char *s, const char *const *names, size_t n);

#endif
