/* pprof_text_int.h (private to pprof_text*.c): helpers shared by the three
 * legacy text readers: a line cursor, strict number parsing, the '#' symbol
 * line parser, and the "stack table" that turns '@ 0x...' address lists plus
 * their '#' lines into named locations (used by heap and count text).
 * Nothing outside pprof_text*.c includes it.
 */
#ifndef LW_PPROF_TEXT_INT_H
#define LW_PPROF_TEXT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lwhash.h"
#include "pprof_io.h"
#include "profile.h"

/* ---- lines ---- */

/* Iterates over buf line by line; a line excludes its '\n' and a trailing
 * '\r' (bufio.ScanLines semantics). lineno is 1-based after next(). */
struct lw_tline {
	const char *p, *end;
	size_t lineno;
};
static inline void lw_tline_init(struct lw_tline *r, const char *buf, size_t len)
{
	r->p = buf;
	r->end = buf + len;
	r->lineno = 0;
}
/* 1 and the line in (*s, *n), or 0 at the end. */
int lw_tline_next(struct lw_tline *r, const char **s, size_t *n);

static inline bool lw_tspace(char c)
{
	/* strings.TrimSpace for ASCII */
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}
void lw_ttrim(const char **s, size_t *n);
/* True if s (length n) starts with the NUL-terminated prefix. */
bool lw_tprefix(const char *s, size_t n, const char *prefix);
/* True if the NUL-terminated needle occurs in s[0..n). */
bool lw_tcontains(const char *s, size_t n, const char *needle);

/* ---- numbers (strict, overflow-checked) ---- */

/* Decimal digits at *s (at least one). Advances *s. 0, or -1 (no digit or
 * overflow). */
int lw_tparse_u64(const char **s, const char *end, uint64_t *out);
/* Optional '-' then decimal digits, range-checked for int64. */
int lw_tparse_i64(const char **s, const char *end, int64_t *out);
/* "0x" then hex digits (either case), range-checked. */
int lw_tparse_hex(const char **s, const char *end, uint64_t *out);
static inline void lw_tskip_blanks(const char **s, const char *end)
{
	while (*s < end && (**s == ' ' || **s == '\t'))
		(*s)++;
}

/* ---- errors ---- */

/* "'name': line N: <fmt>" (lineno 0: no line part) into err; returns NULL. */
void *lw_tfail(struct lw_error *err, const char *name, size_t lineno, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* ---- '#' symbol lines: "#\t0x4bbe08\tmain.leakBig+0x68\t\tleakdemo/main.go:30" ---- */

struct lw_tframe {
	uint64_t pc;
	const char *func; /* without "+0x..."; NULL for a bare "#\t0x..." line */
	size_t func_len;
	const char *file;
	size_t file_len;
	int64_t line;
};
/* 1 if s is a symbol line (fills *f), 0 if it is some other comment. */
int lw_tparse_frame(const char *s, size_t n, struct lw_tframe *f);

/* ---- stack table (heap and count text) ---- */

/* One location per address (pprof's legacy parsers do the same); each is
 * named from the first record whose '#' lines cover it. All locations share
 * one mapping [0, 2^64), like pprof's fake mapping for legacy profiles. */
struct lw_tstacks {
	struct lw_profile *p;
	struct lw_mapping *mapping;
	struct lw_location **locs; /* by address, see lidx */
	size_t n_locs, cap_locs;
	struct lw_itab lidx;
	struct lw_function **fns; /* by (name, file) interned pointers */
	size_t n_fns, cap_fns;
	struct lw_itab fidx;
	/* the current record */
	struct lw_location **rec; /* its locations, leaf first */
	size_t n_rec, cap_rec;
	struct lw_tframe *frames; /* its '#' lines */
	size_t n_frames, cap_frames;
};
int lw_tstacks_init(struct lw_tstacks *t, struct lw_profile *p);
void lw_tstacks_free(struct lw_tstacks *t);
/* Every text parser's start: a new profile and t on it. The profile, or
 * NULL with "'name': out of memory" in err. */
struct lw_profile *lw_tprofile_new(struct lw_tstacks *t, struct lw_error *err, const char *name);
/* Starts a record (forgets the previous record's locations and frames). */
void lw_tstacks_begin(struct lw_tstacks *t);
/* Appends the location of address pc (already adjusted by -1). 0 / -1 OOM. */
int lw_tstacks_add_pc(struct lw_tstacks *t, uint64_t pc);
/* Appends a parsed '#' line of the current record. 0 / -1 OOM. */
int lw_tstacks_add_frame(struct lw_tstacks *t, const struct lw_tframe *f);
/* Names the current record's still unnamed locations from its '#' lines.
 * 0 / -1 OOM. */
int lw_tstacks_resolve(struct lw_tstacks *t);
/* The function (name, file) (both interned in t->p), created on first use.
 * NULL on OOM. */
struct lw_function *lw_tstacks_fn(struct lw_tstacks *t, const char *name, const char *file);
/* Sets the mapping's has_* flags when every location got a name. */
void lw_tstacks_finish(struct lw_tstacks *t);

/* Go's %q string at *s ("..." with \n, \t, \xNN, \uNNNN, \UNNNNNNNN, \NNN,
 * \a \b \f \r \v \\ \" \' escapes): appends the unquoted bytes plus a NUL to
 * *buf (grown with realloc). 0, or -1 (syntax), -2 (OOM). Advances *s. */
int lw_tunquote(const char **s, const char *end, char **buf, size_t *len, size_t *cap);

#endif
