/* fetch.h: pprof-fetch's shared types: options, kinds, targets and the
 * per-target state of the scheduler. One process drives every target from a
 * single libcurl multi handle; a target runs one "round" (snapshot) at a
 * time, fetching its kinds one after another, so a service never sees more
 * than one request from us at once while targets proceed concurrently.
 */
#ifndef PPROF_FETCH_H
#define PPROF_FETCH_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <curl/curl.h>

#include "atomicio.h"

enum kind {
	K_HEAP,
	K_ALLOCS,
	K_GOROUTINE,
	K_GDUMP,    /* goroutine?debug=2, stored as text */
	K_GLEAK,    /* goroutineleak, where the service offers it */
	K_MEMSTATS, /* heap?debug=1 MemStats -> memstats.csv, no file */
	K_GCOUNT,   /* goroutine?debug=1: goroutine count for memstats, internal */
	K_NKINDS
};
#define K_USER_KINDS K_GCOUNT /* kinds selectable with --kinds */

const char *kind_name(enum kind k);
int kind_parse(const char *s, enum kind *k);

struct options {
	const char *out;
	unsigned kinds; /* bit per enum kind */
	int64_t interval_ns;
	int64_t count;       /* 0 = unlimited */
	int64_t duration_ns; /* 0 = unlimited */
	int64_t timeout_ns;
	int64_t connect_timeout_ns; /* 0 = min(10s, timeout) */
	int64_t retries;
	int64_t retry_delay_ns;
	int64_t max_size;
	bool gc;
	bool follow_redirects;
	bool insecure;
	const char *cacert;
	struct curl_slist *headers; /* from --header-file / --token-* */
	int verbose;
	bool quiet;
};

/* Where a response body goes: straight into a temporary file beside its
 * final name (libcommon's atomicio), so bodies in flight cost no memory
 * however many targets there are, and a crash leaves only a temporary that
 * the next run removes. Capped at --max-size by the write callback. */
struct sink {
	struct lw_atomic a; /* a.f == NULL when closed */
	size_t len, limit;
	bool too_big;
	int werr;      /* errno of a failed write, 0 if none */
	char head[96]; /* the first bytes: error excerpts and sniffing */
	size_t headlen;
};

/* What the last attempt of a request came to. */
struct outcome {
	const char *result; /* "ok", "failed", "unsupported" */
	bool retry;         /* worth another attempt */
	long http_status;   /* 0 = no response */
	int64_t bytes;
	int64_t duration_ms;
	char error[256];
};

struct request {
	enum kind kind;
	int attempt;          /* 1-based */
	bool active;          /* handle added to the multi */
	int64_t retry_at;     /* monotonic ns; 0 = no retry pending */
	int64_t started;      /* monotonic ns of the current attempt */
	struct sink sink;
	struct outcome last;
	char errbuf[CURL_ERROR_SIZE];
};

/* MemStats of one round, written to memstats.csv when the round ends. */
struct round_memstats {
	bool have;
	double heap_alloc, heap_inuse, heap_idle, heap_released, stack_inuse, sys, num_gc;
	double heap_objects, total_alloc, mallocs, frees, next_gc;
	int64_t goroutines; /* -1 unknown */
};

struct sched;

struct target {
	struct sched *sched;
	char *name;
	char *url[K_NKINDS]; /* request URL per kind */
	char *url_memstats_gc; /* heap?debug=1&gc=1 */
	pid_t pid;           /* 0 = no RSS */
	struct store *store;
	CURL *easy;

	/* schedule */
	int64_t next_due; /* monotonic ns */
	int64_t rounds_started;
	bool in_round;
	bool finished; /* no more rounds */
	int64_t round_time; /* wall-clock ns, names every file of the round */
	enum kind plan[K_NKINDS];
	int nplan, step;
	struct request req;
	struct round_memstats ms;
	bool gleak_unsupported;
	bool rss_warned;

	/* counters for status and exit code */
	int64_t stored, failed;
	char last_error[300];
};

/* Monotonic and wall clocks in nanoseconds. */
int64_t mono_ns(void);
int64_t wall_ns(void);

#endif
