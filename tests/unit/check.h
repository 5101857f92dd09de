/* check.h: minimal TAP-style assertions for libcommon unit tests.
 * CHECK(cond, "what") and CHECK_EQ_I64(got, want, "what") count and print;
 * check_done() writes the counts to $LW_RESULTS and returns main's status.
 */
#ifndef LW_CHECK_H
#define LW_CHECK_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_n, check_pass, check_fail;

static inline void check_report(int ok, const char *what, const char *file, int line)
{
	check_n++;
	if (ok)
		check_pass++;
	else
		check_fail++;
	printf("%sok %d - %s%s", ok ? "" : "not ", check_n, what, ok ? "\n" : "");
	if (!ok)
		printf(" (%s:%d)\n", file, line);
}
#define CHECK(cond, what) check_report(!!(cond), (what), __FILE__, __LINE__)
#define CHECK_EQ_I64(got, want, what)                                                      \
	do {                                                                               \
		long long g_ = (long long)(got), w_ = (long long)(want);                    \
		check_report(g_ == w_, (what), __FILE__, __LINE__);                         \
		if (g_ != w_)                                                              \
			printf("#   got %lld, want %lld\n", g_, w_);                          \
	} while (0)
#define CHECK_STR(got, want, what)                                                         \
	do {                                                                               \
		const char *g_ = (got), *w_ = (want);                                       \
		int ok_ = g_ && w_ && strcmp(g_, w_) == 0;                                  \
		check_report(ok_, (what), __FILE__, __LINE__);                              \
		if (!ok_)                                                                  \
			printf("#   got '%s', want '%s'\n", g_ ? g_ : "(null)", w_ ? w_ : "(null)"); \
	} while (0)
#define CHECK_NEAR(got, want, tol, what)                                                   \
	do {                                                                               \
		double g_ = (got), w_ = (want);                                             \
		int ok_ = (g_ - w_ <= (tol)) && (w_ - g_ <= (tol));                         \
		check_report(ok_, (what), __FILE__, __LINE__);                              \
		if (!ok_)                                                                  \
			printf("#   got %.17g, want %.17g (tol %g)\n", g_, w_, (double)(tol));   \
	} while (0)

static inline int check_done(const char *name)
{
	const char *r = getenv("LW_RESULTS");
	printf("# %s: %d passed, %d failed\n", name, check_pass, check_fail);
	if (r) {
		FILE *f = fopen(r, "a");
		if (f) {
			fprintf(f, "%d %d 0\n", check_pass, check_fail);
			fclose(f);
		}
	}
	return check_fail ? 1 : 0;
}

#endif
