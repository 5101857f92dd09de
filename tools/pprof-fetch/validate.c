/* validate.c: response bodies checked with libcommon's profile reader. */
#include "validate.h"

#include <unistd.h>
#include <zlib.h>

#include "gzip.h"
#include "pprof_io.h"

static bool has_type(const struct lw_profile *p, const char *type)
{
	for (size_t i = 0; i < p->n_sample_types; i++)
		if (strcmp(p->sample_types[i].type, type) == 0)
			return true;
	return false;
}

static int64_t sum_first_value(const struct lw_profile *p)
{
	int64_t n = 0;
	if (p->n_sample_types == 0)
		return 0;
	for (size_t i = 0; i < p->n_samples; i++) {
		int64_t v = p->samples[i].values[0];
		if (__builtin_add_overflow(n, v, &n)) /* a hostile body's counts */
			return v > 0 ? INT64_MAX : INT64_MIN;
	}
	return n;
}

static double memstat(const struct lw_profile *p, const char *name)
{
	const struct lw_memstat *m = lw_profile_memstat(p, name);
	return m ? m->value : 0;
}

int validate_file(enum kind k, const char *path, struct round_memstats *ms, int64_t *goroutines,
		  char *err, size_t errsz)
{
	struct lw_error e;
	struct lw_profile *p = lw_profile_read_file(path, &e);
	if (!p) {
		/* The message names the temporary file: drop that prefix. */
		const char *m = e.msg;
		size_t pl = strlen(path);
		if (m[0] == '\'' && strncmp(m + 1, path, pl) == 0 && strncmp(m + 1 + pl, "': ", 3) == 0)
			m += pl + 4;
		snprintf(err, errsz, "not a profile: %s", m);
		return -1;
	}
	const char *want = NULL;
	char bad[128] = "";
	switch (k) {
	case K_HEAP:
	case K_ALLOCS:
		if (p->source != LW_SRC_PROTO || !has_type(p, "inuse_space"))
			want = "a heap profile (protobuf)";
		break;
	case K_GOROUTINE:
		if (p->source != LW_SRC_PROTO || !has_type(p, "goroutine"))
			want = "a goroutine profile (protobuf)";
		else
			*goroutines = sum_first_value(p);
		break;
	case K_GLEAK:
		if (p->source != LW_SRC_PROTO || p->n_sample_types == 0)
			want = "a goroutineleak profile (protobuf)";
		break;
	case K_GDUMP:
		if (p->source != LW_SRC_GOROUTINE_DUMP)
			want = "a goroutine dump (debug=2)";
		else
			*goroutines = (int64_t)p->n_goroutines;
		break;
	case K_GCOUNT:
		if (p->source != LW_SRC_COUNT_TEXT)
			want = "a goroutine count (debug=1)";
		else
			*goroutines = sum_first_value(p);
		break;
	case K_MEMSTATS:
		if (p->source != LW_SRC_HEAP_TEXT || !lw_profile_memstat(p, "HeapAlloc")) {
			want = "a heap page with runtime.MemStats (debug=1)";
			break;
		}
		ms->heap_alloc = memstat(p, "HeapAlloc");
		ms->heap_inuse = memstat(p, "HeapInuse");
		ms->heap_idle = memstat(p, "HeapIdle");
		ms->heap_released = memstat(p, "HeapReleased");
		ms->stack_inuse = memstat(p, "Stack");
		ms->sys = memstat(p, "Sys");
		ms->num_gc = memstat(p, "NumGC");
		ms->heap_objects = memstat(p, "HeapObjects");
		ms->total_alloc = memstat(p, "TotalAlloc");
		ms->mallocs = memstat(p, "Mallocs");
		ms->frees = memstat(p, "Frees");
		ms->next_gc = memstat(p, "NextGC");
		/* The page's numbers go into int64 columns: a hostile or broken
		 * page ("nan", "1e300", "-1") must not reach that conversion. */
		static const char *const names[] = {"HeapAlloc", "HeapInuse", "HeapIdle",
						    "HeapReleased", "Stack", "Sys", "NumGC",
						    "HeapObjects", "TotalAlloc", "Mallocs",
						    "Frees", "NextGC"};
		for (size_t i = 0; i < LW_ARRAY_SIZE(names); i++) {
			double v = memstat(p, names[i]);
			if (!(v >= 0 && v < 9223372036854775807.0)) {
				snprintf(bad, sizeof bad, "MemStats %s = %g is not a count", names[i],
					 v);
				break;
			}
		}
		ms->have = !bad[0];
		break;
	case K_NKINDS:
		break;
	}
	lw_profile_free(p);
	if (want) {
		snprintf(err, errsz, "not %s", want);
		return -1;
	}
	if (bad[0]) {
		snprintf(err, errsz, "%s", bad);
		return -1;
	}
	return 0;
}

int sink_ensure_gzip(struct sink *s)
{
	if (s->headlen >= 2 && (uint8_t)s->head[0] == 0x1f && (uint8_t)s->head[1] == 0x8b)
		return 0;
	if (fflush(s->a.f) != 0)
		return -(errno ? errno : EIO);
	char *buf;
	size_t len;
	int rc = lw_read_all(s->a.tmp_path, s->limit, &buf, &len);
	if (rc)
		return rc;
	uint8_t *gz;
	size_t gzlen;
	rc = lw_gzip(buf, len, Z_DEFAULT_COMPRESSION, &gz, &gzlen);
	free(buf);
	if (rc)
		return rc;
	rewind(s->a.f);
	if (ftruncate(fileno(s->a.f), 0) != 0 || fwrite(gz, 1, gzlen, s->a.f) != gzlen)
		rc = -(errno ? errno : EIO);
	else
		s->len = gzlen;
	free(gz);
	return rc;
}
