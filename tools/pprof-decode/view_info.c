/* view_info.c: a summary of the input: format, sample types (and which
 * one pprof shows by default), period, time, duration, entity counts,
 * totals per sample type, comments; the runtime.MemStats of a heap
 * ?debug=1 text; a goroutine-state summary of a ?debug=2 dump.
 */
#include "decode.h"
#include "json.h"
#include "units.h"

static const char *source_name(enum lw_profile_source s)
{
	switch (s) {
	case LW_SRC_HEAP_TEXT: return "heap text (debug=1)";
	case LW_SRC_COUNT_TEXT: return "count text (debug=1)";
	case LW_SRC_GOROUTINE_DUMP: return "goroutine dump (debug=2)";
	default: return "protobuf";
	}
}

struct state_count {
	const char *state;
	size_t n;
	int64_t max_minutes;
};

static int cmp_state(const void *a, const void *b)
{
	const struct state_count *l = a, *r = b;
	if (l->n != r->n)
		return l->n > r->n ? -1 : 1;
	return strcmp(l->state, r->state);
}

static int cmp_goroutine_state(const void *a, const void *b)
{
	return strcmp((*(const struct lw_goroutine *const *)a)->state,
		      (*(const struct lw_goroutine *const *)b)->state);
}

/* Goroutines grouped by state, most common first. Returns the count.
 * Grouped by sorting: a dump may hold millions of distinct states. */
static size_t goroutine_states(const struct lw_profile *p, struct state_count **out)
{
	struct state_count *sc = lw_xcalloc(p->n_goroutines + 1, sizeof(*sc));
	const struct lw_goroutine **gs = lw_xcalloc(p->n_goroutines + 1, sizeof(*gs));
	size_t n = 0;
	for (size_t i = 0; i < p->n_goroutines; i++)
		gs[i] = &p->goroutines[i];
	if (p->n_goroutines)
		qsort(gs, p->n_goroutines, sizeof(*gs), cmp_goroutine_state);
	for (size_t i = 0; i < p->n_goroutines; i++) {
		const struct lw_goroutine *g = gs[i];
		if (n == 0 || strcmp(sc[n - 1].state, g->state))
			sc[n++].state = g->state;
		size_t k = n - 1;
		sc[k].n++;
		if (g->wait_minutes > sc[k].max_minutes)
			sc[k].max_minutes = g->wait_minutes;
	}
	free(gs);
	if (n)
		qsort(sc, n, sizeof(*sc), cmp_state);
	*out = sc;
	return n;
}

static void info_json(FILE *out, struct decode_ctx *c)
{
	const struct lw_profile *p = c->p, *o = c->orig;
	struct lw_json j;
	lw_json_init(&j, out, 1);
	lw_json_begin_object(&j);
	lw_json_key(&j, "inputs");
	lw_json_int(&j, c->n_inputs);
	lw_json_key(&j, "format");
	lw_json_string(&j, source_name(o->source));
	lw_json_key(&j, "sample_types");
	lw_json_begin_array(&j);
	for (size_t i = 0; i < p->n_sample_types; i++) {
		lw_json_begin_object(&j);
		lw_json_key(&j, "type");
		lw_json_string(&j, p->sample_types[i].type);
		lw_json_key(&j, "unit");
		lw_json_string(&j, p->sample_types[i].unit);
		lw_json_key(&j, "total");
		lw_json_int(&j, lw_agg_total(p, (int)i));
		lw_json_end_object(&j);
	}
	lw_json_end_array(&j);
	lw_json_key(&j, "default_sample_type");
	int si = lw_sample_index(p, NULL);
	if (si >= 0)
		lw_json_string(&j, p->sample_types[si].type);
	else
		lw_json_null(&j);
	lw_json_key(&j, "period_type");
	lw_json_string(&j, p->period_type.type);
	lw_json_key(&j, "period_unit");
	lw_json_string(&j, p->period_type.unit);
	lw_json_key(&j, "period");
	lw_json_int(&j, p->period);
	lw_json_key(&j, "time_nanos");
	lw_json_int(&j, p->time_nanos);
	lw_json_key(&j, "duration_nanos");
	lw_json_int(&j, p->duration_nanos);
	lw_json_key(&j, "samples");
	lw_json_int(&j, (int64_t)p->n_samples);
	lw_json_key(&j, "locations");
	lw_json_int(&j, (int64_t)p->n_locations);
	lw_json_key(&j, "functions");
	lw_json_int(&j, (int64_t)p->n_functions);
	lw_json_key(&j, "mappings");
	lw_json_int(&j, (int64_t)p->n_mappings);
	lw_json_key(&j, "comments");
	lw_json_begin_array(&j);
	for (size_t i = 0; i < p->n_comments; i++)
		lw_json_string(&j, p->comments[i]);
	lw_json_end_array(&j);
	if (o->n_memstats) {
		lw_json_key(&j, "memstats");
		lw_json_begin_object(&j);
		for (size_t i = 0; i < o->n_memstats; i++) {
			lw_json_key(&j, o->memstats[i].name);
			lw_json_double(&j, o->memstats[i].value);
		}
		lw_json_end_object(&j);
	}
	if (o->n_goroutines) {
		struct state_count *sc;
		size_t n = goroutine_states(o, &sc);
		lw_json_key(&j, "goroutines");
		lw_json_int(&j, (int64_t)o->n_goroutines);
		lw_json_key(&j, "goroutine_states");
		lw_json_begin_array(&j);
		for (size_t i = 0; i < n; i++) {
			lw_json_begin_object(&j);
			lw_json_key(&j, "state");
			lw_json_string(&j, sc[i].state);
			lw_json_key(&j, "count");
			lw_json_int(&j, (int64_t)sc[i].n);
			lw_json_key(&j, "max_wait_minutes");
			lw_json_int(&j, sc[i].max_minutes);
			lw_json_end_object(&j);
		}
		lw_json_end_array(&j);
		free(sc);
	}
	lw_json_end_object(&j);
	lw_json_finish(&j);
}

int view_info(FILE *out, struct decode_ctx *c)
{
	const struct lw_profile *p = c->p, *o = c->orig;
	if (c->o->format == FMT_JSON) {
		info_json(out, c);
		return 0;
	}
	if (c->o->format == FMT_CSV) {
		lw_warn("--info has no CSV form (use text or json)");
		return LW_EXIT_ERROR;
	}
	char b[256];
	fprintf(out, "Inputs: %d\n", c->n_inputs);
	fprintf(out, "Format: %s\n", source_name(o->source));
	if (p->n_mappings && *p->mappings[0]->filename)
		fprintf(out, "File: %s\n", p->mappings[0]->filename);
	int si = lw_sample_index(p, NULL);
	fprintf(out, "Sample types:");
	for (size_t i = 0; i < p->n_sample_types; i++)
		fprintf(out, " %s/%s", p->sample_types[i].type, p->sample_types[i].unit);
	fprintf(out, "\n");
	if (si >= 0)
		fprintf(out, "Default sample type: %s\n", p->sample_types[si].type);
	fprintf(out, "Period: %lld %s/%s\n", (long long)p->period, p->period_type.type,
		p->period_type.unit);
	if (p->time_nanos) {
		format_go_time(b, sizeof(b), p->time_nanos);
		fprintf(out, "Time: %s (%lld ns)\n", b, (long long)p->time_nanos);
	} else {
		fprintf(out, "Time: unset\n");
	}
	lw_format_auto(b, sizeof(b), p->duration_nanos, "nanoseconds");
	fprintf(out, "Duration: %s\n", b);
	fprintf(out, "Samples: %zu\nLocations: %zu\nFunctions: %zu\nMappings: %zu\n", p->n_samples,
		p->n_locations, p->n_functions, p->n_mappings);
	for (size_t i = 0; i < p->n_sample_types; i++) {
		int64_t t = lw_agg_total(p, (int)i);
		lw_format_auto(b, sizeof(b), t, p->sample_types[i].unit);
		fprintf(out, "Total %s: %lld (%s)\n", p->sample_types[i].type, (long long)t, b);
	}
	for (size_t i = 0; i < p->n_comments; i++)
		fprintf(out, "Comment: %s\n", p->comments[i]);
	if (o->n_memstats) {
		fprintf(out, "MemStats:\n");
		for (size_t i = 0; i < o->n_memstats; i++)
			fprintf(out, "  %s = %.17g\n", o->memstats[i].name, o->memstats[i].value);
	}
	if (o->n_goroutines) {
		struct state_count *sc;
		size_t n = goroutine_states(o, &sc);
		fprintf(out, "Goroutines: %zu\n", o->n_goroutines);
		for (size_t i = 0; i < n; i++) {
			fprintf(out, "  %6zu  [%s]", sc[i].n, sc[i].state);
			if (sc[i].max_minutes)
				fprintf(out, " (up to %lld minutes)", (long long)sc[i].max_minutes);
			fprintf(out, "\n");
		}
		free(sc);
	}
	return 0;
}
