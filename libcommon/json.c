/* json.c: streaming JSON writer; output is valid JSON whatever the input
 * strings hold (control characters escaped, invalid UTF-8 replaced). */
#include "json.h"

#include <math.h>

void lw_json_init(struct lw_json *j, FILE *f, int pretty)
{
	memset(j, 0, sizeof *j);
	j->f = f;
	j->pretty = pretty;
}

static void indent(struct lw_json *j)
{
	if (!j->pretty)
		return;
	fputc('\n', j->f);
	for (int i = 0; i < j->depth; i++)
		fputs("  ", j->f);
}

/* Called before every value or key. */
static void before_value(struct lw_json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (j->depth > 0) {
		if (j->need_comma[j->depth])
			fputc(',', j->f);
		j->need_comma[j->depth] = true;
		indent(j);
	}
}

static void open_(struct lw_json *j, char c)
{
	before_value(j);
	fputc(c, j->f);
	if (j->depth < (int)LW_ARRAY_SIZE(j->need_comma) - 1)
		j->depth++;
	j->need_comma[j->depth] = false;
}

static void close_(struct lw_json *j, char c)
{
	bool had = j->need_comma[j->depth];
	if (j->depth > 0)
		j->depth--;
	if (had)
		indent(j);
	fputc(c, j->f);
}

void lw_json_begin_object(struct lw_json *j) { open_(j, '{'); }
void lw_json_end_object(struct lw_json *j) { close_(j, '}'); }
void lw_json_begin_array(struct lw_json *j) { open_(j, '['); }
void lw_json_end_array(struct lw_json *j) { close_(j, ']'); }

/* Length of a valid UTF-8 sequence at s, or 0. */
static size_t utf8_len(const unsigned char *s)
{
	unsigned char c = s[0];
	if (c >= 0xc2 && c <= 0xdf)
		return (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if (c == 0xe0 && s[1] < 0xa0)
			return 0; /* overlong */
		if (c == 0xed && s[1] > 0x9f)
			return 0; /* surrogates */
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80)
			return 0;
		if (c == 0xf0 && s[1] < 0x90)
			return 0;
		if (c == 0xf4 && s[1] > 0x8f)
			return 0;
		return 4;
	}
	return 0;
}

void lw_json_write_escaped(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)(str ? str : "");
	fputc('"', f);
	while (*s) {
		unsigned char c = *s;
		if (c == '"' || c == '\\') {
			fputc('\\', f);
			fputc(c, f);
			s++;
		} else if (c == '\n') {
			fputs("\\n", f);
			s++;
		} else if (c == '\t') {
			fputs("\\t", f);
			s++;
		} else if (c == '\r') {
			fputs("\\r", f);
			s++;
		} else if (c < 0x20 || c == 0x7f) {
			fprintf(f, "\\u%04x", c);
			s++;
		} else if (c < 0x80) {
			fputc(c, f);
			s++;
		} else {
			size_t n = utf8_len(s);
			if (n) {
				fwrite(s, 1, n, f);
				s += n;
			} else {
				fputs("\\ufffd", f);
				s++;
			}
		}
	}
	fputc('"', f);
}

void lw_json_key(struct lw_json *j, const char *key)
{
	before_value(j);
	lw_json_write_escaped(j->f, key);
	fputs(j->pretty ? ": " : ":", j->f);
	j->after_key = true;
}

void lw_json_string(struct lw_json *j, const char *s)
{
	before_value(j);
	lw_json_write_escaped(j->f, s);
}

void lw_json_int(struct lw_json *j, int64_t v)
{
	before_value(j);
	fprintf(j->f, "%lld", (long long)v);
}

void lw_json_double(struct lw_json *j, double v)
{
	before_value(j);
	if (!isfinite(v)) {
		fputs("null", j->f);
		return;
	}
	if (v == floor(v) && fabs(v) < 1e15)
		fprintf(j->f, "%.0f", v);
	else
		fprintf(j->f, "%.17g", v);
}

void lw_json_bool(struct lw_json *j, bool v)
{
	before_value(j);
	fputs(v ? "true" : "false", j->f);
}

void lw_json_null(struct lw_json *j)
{
	before_value(j);
	fputs("null", j->f);
}

void lw_json_finish(struct lw_json *j)
{
	fputc('\n', j->f);
}

void lw_json_kv_str(struct lw_json *j, const char *key, const char *v)
{
	lw_json_key(j, key);
	if (v)
		lw_json_string(j, v);
	else
		lw_json_null(j);
}

void lw_json_kv_int(struct lw_json *j, const char *key, int64_t v)
{
	lw_json_key(j, key);
	lw_json_int(j, v);
}

void lw_json_kv_double(struct lw_json *j, const char *key, double v)
{
	lw_json_key(j, key);
	lw_json_double(j, v);
}
