/* fuzz_text.h: shared body of the legacy text fuzz targets (fuzz_heap_text,
 * fuzz_count_text, fuzz_goroutine_dump): the parser is called directly on
 * arbitrary bytes and must keep its contract (NULL + recognized + one-line
 * message naming the input, or a model whose every pointer is walkable),
 * and whatever it builds must survive encode -> read with the same shape. */
#ifndef LW_FUZZ_TEXT_H
#define LW_FUZZ_TEXT_H

#include "fuzz_profile.h"
#include "pprof_text.h"

typedef struct lw_profile *(*lw_text_parser)(const char *, size_t, const char *, int *,
					      struct lw_error *);

static inline void fuzz_walk(const struct lw_profile *p)
{
	volatile size_t sink = 0;
	for (size_t i = 0; i < p->n_samples; i++) {
		const struct lw_sample *s = &p->samples[i];
		for (size_t j = 0; j < s->n_locs; j++) {
			const struct lw_location *l = s->locs[j];
			for (size_t k = 0; k < l->n_lines; k++) {
				if (!l->lines[k].fn)
					abort();
				sink += strlen(l->lines[k].fn->name) + strlen(l->lines[k].fn->filename);
			}
		}
		for (size_t j = 0; j < s->n_labels; j++)
			sink += strlen(s->labels[j].key) + strlen(s->labels[j].str) +
				strlen(s->labels[j].num_unit);
		for (size_t j = 0; j < p->n_sample_types; j++)
			sink += (size_t)s->values[j];
	}
	for (size_t i = 0; i < p->n_goroutines; i++) {
		const struct lw_goroutine *g = &p->goroutines[i];
		sink += strlen(g->state) + strlen(g->created_by.func) + strlen(g->created_by.file);
		for (size_t j = 0; j < g->n_frames; j++)
			sink += strlen(g->frames[j].func) + strlen(g->frames[j].file);
	}
	for (size_t i = 0; i < p->n_memstats; i++)
		sink += strlen(p->memstats[i].name);
	(void)sink;
}

static inline int fuzz_text_one(lw_text_parser parse, const uint8_t *data, size_t size)
{
	int rec = -1;
	struct lw_error err;
	err.msg[0] = '\0';
	struct lw_profile *p = parse((const char *)data, size, "fuzz", &rec, &err);
	if (rec != 0 && rec != 1)
		abort();
	if (!p) {
		if (rec && (strncmp(err.msg, "'fuzz': ", 8) != 0 || strchr(err.msg, '\n')))
			abort();
		return 0;
	}
	if (rec != 1)
		abort();
	fuzz_walk(p);
	if (p->source == LW_SRC_GOROUTINE_DUMP && p->n_samples != p->n_goroutines)
		abort();
	fuzz_reencode(p, 0);
	return 0;
}

#endif
