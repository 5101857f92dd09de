/* view_samples.c: one row per sample of the merged profile: every value
 * (exact, in its sample unit), the labels and the stack (root;...;leaf,
 * inline frames expanded). Text, CSV (one column per sample type, then
 * labels and stack) or JSON.
 */
#include "csvout.h"
#include "decode.h"
#include "json.h"

/* "root;...;leaf" into a malloc'd string. */
static char *stack_string(const struct lw_sample *s)
{
	size_t cap = 256, len = 0;
	char *out = lw_xmalloc(cap), buf[8192];
	out[0] = '\0';
	for (size_t i = s->n_locs; i-- > 0;) {
		const struct lw_location *l = s->locs[i];
		size_t n = l->n_lines ? l->n_lines : 1;
		for (size_t k = n; k-- > 0;) {
			lw_frame_name(l, k, LW_BY_FUNCTION, buf, sizeof(buf));
			size_t bl = strlen(buf);
			if (len + bl + 2 > cap) {
				cap = (len + bl + 2) * 2;
				out = lw_xrealloc(out, cap);
			}
			if (len)
				out[len++] = ';';
			memcpy(out + len, buf, bl + 1);
			len += bl;
		}
	}
	return out;
}

/* "k=v,k2=123unit" */
static char *label_string(const struct lw_sample *s)
{
	size_t cap = 64, len = 0;
	char *out = lw_xmalloc(cap);
	out[0] = '\0';
	for (size_t i = 0; i < s->n_labels; i++) {
		const struct lw_label *l = &s->labels[i];
		char *one = *l->str ? lw_xasprintf("%s=%s", l->key, l->str)
				    : lw_xasprintf("%s=%lld%s", l->key, (long long)l->num,
						   l->num_unit ? l->num_unit : "");
		size_t ol = strlen(one);
		if (len + ol + 2 > cap) {
			cap = (len + ol + 2) * 2;
			out = lw_xrealloc(out, cap);
		}
		if (len)
			out[len++] = ',';
		memcpy(out + len, one, ol + 1);
		len += ol;
		free(one);
	}
	return out;
}

int view_samples(FILE *out, struct decode_ctx *c)
{
	const struct lw_profile *p = c->p;
	uint8_t *keep;
	if (filter_keep(c, &keep))
		return LW_EXIT_ERROR;
	struct lw_csv_out cv;
	struct lw_json j;
	if (c->o->format == FMT_CSV) {
		lw_csv_init(&cv, out);
		for (size_t t = 0; t < p->n_sample_types; t++)
			lw_csv_str(&cv, p->sample_types[t].type);
		lw_csv_str(&cv, "labels");
		lw_csv_str(&cv, "stack");
		lw_csv_end_row(&cv);
	} else if (c->o->format == FMT_JSON) {
		lw_json_init(&j, out, 1);
		lw_json_begin_object(&j);
		lw_json_key(&j, "sample_types");
		lw_json_begin_array(&j);
		for (size_t t = 0; t < p->n_sample_types; t++) {
			lw_json_begin_object(&j);
			lw_json_key(&j, "type");
			lw_json_string(&j, p->sample_types[t].type);
			lw_json_key(&j, "unit");
			lw_json_string(&j, p->sample_types[t].unit);
			lw_json_end_object(&j);
		}
		lw_json_end_array(&j);
		lw_json_key(&j, "samples");
		lw_json_begin_array(&j);
	} else {
		fprintf(out, "#");
		for (size_t t = 0; t < p->n_sample_types; t++)
			fprintf(out, " %s/%s", p->sample_types[t].type, p->sample_types[t].unit);
		fprintf(out, " | labels | stack (root;...;leaf)\n");
	}
	for (size_t s = 0; s < p->n_samples; s++) {
		const struct lw_sample *sm = &p->samples[s];
		if (keep && !keep[s])
			continue;
		char *stack = stack_string(sm), *labels = label_string(sm);
		if (c->o->format == FMT_CSV) {
			for (size_t t = 0; t < p->n_sample_types; t++)
				lw_csv_int(&cv, sm->values[t]);
			lw_csv_str(&cv, labels);
			lw_csv_str(&cv, stack);
			lw_csv_end_row(&cv);
		} else if (c->o->format == FMT_JSON) {
			lw_json_begin_object(&j);
			lw_json_key(&j, "values");
			lw_json_begin_array(&j);
			for (size_t t = 0; t < p->n_sample_types; t++)
				lw_json_int(&j, sm->values[t]);
			lw_json_end_array(&j);
			lw_json_key(&j, "labels");
			lw_json_begin_array(&j);
			for (size_t i = 0; i < sm->n_labels; i++) {
				const struct lw_label *l = &sm->labels[i];
				lw_json_begin_object(&j);
				lw_json_key(&j, "key");
				lw_json_string(&j, l->key);
				if (*l->str) {
					lw_json_key(&j, "str");
					lw_json_string(&j, l->str);
				} else {
					lw_json_key(&j, "num");
					lw_json_int(&j, l->num);
					lw_json_key(&j, "unit");
					lw_json_string(&j, l->num_unit ? l->num_unit : "");
				}
				lw_json_end_object(&j);
			}
			lw_json_end_array(&j);
			lw_json_key(&j, "stack");
			lw_json_string(&j, stack);
			lw_json_end_object(&j);
		} else {
			for (size_t t = 0; t < p->n_sample_types; t++)
				fprintf(out, "%s%lld", t ? " " : "", (long long)sm->values[t]);
			fprintf(out, " | %s | %s\n", labels, stack);
		}
		free(stack);
		free(labels);
	}
	if (c->o->format == FMT_JSON) {
		lw_json_end_array(&j);
		lw_json_end_object(&j);
		lw_json_finish(&j);
	}
	free(keep);
	return 0;
}
