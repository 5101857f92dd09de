/* json.h: a streaming JSON writer whose output is always valid JSON:
 * strings are escaped (invalid UTF-8 bytes become U+FFFD), non-finite
 * numbers become null, commas and nesting are tracked for the caller.
 */
#ifndef LW_JSON_H
#define LW_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct lw_json {
	FILE *f;
	int depth;
	bool need_comma[64];
	bool after_key;
	int pretty;
};

void lw_json_init(struct lw_json *j, FILE *f, int pretty);
void lw_json_begin_object(struct lw_json *j);
void lw_json_end_object(struct lw_json *j);
void lw_json_begin_array(struct lw_json *j);
void lw_json_end_array(struct lw_json *j);
void lw_json_key(struct lw_json *j, const char *key);
void lw_json_string(struct lw_json *j, const char *s);
void lw_json_int(struct lw_json *j, int64_t v);
void lw_json_double(struct lw_json *j, double v);
void lw_json_bool(struct lw_json *j, bool v);
void lw_json_null(struct lw_json *j);
/* A key and its value: a NULL string and a non-finite double are null. */
void lw_json_kv_str(struct lw_json *j, const char *key, const char *v);
void lw_json_kv_int(struct lw_json *j, const char *key, int64_t v);
void lw_json_kv_double(struct lw_json *j, const char *key, double v);
/* Ends the document with a newline. */
void lw_json_finish(struct lw_json *j);
/* Writes s as a JSON string literal (with quotes) to f. */
void lw_json_write_escaped(FILE *f, const char *s);

#endif
