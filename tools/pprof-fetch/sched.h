/* sched.h: the per-target snapshot state machine, driven by pprof-fetch's
 * event loop. A round (snapshot) fetches the target's kinds in a fixed
 * order, one request at a time; a failed request is retried with
 * exponential backoff and jitter; every attempt's outcome lands in the
 * manifest; the next round is due one interval after the previous one was
 * due (ticks missed by a slow round are skipped, never piled up).
 */
#ifndef PPROF_FETCH_SCHED_H
#define PPROF_FETCH_SCHED_H

#include "fetch.h"
#include "http.h"

struct sched {
	const struct options *opt;
	struct http *http;
	struct target *t;
	size_t n;
	int64_t start;    /* monotonic ns */
	int64_t deadline; /* no round starts at or after it; 0 = none */
	bool stopping;    /* signal: finish rounds in flight, no new ones */
	bool aborting;    /* second signal: abandon transfers now */
	uint64_t rng;
};

void sched_init(struct sched *s, const struct options *opt, struct http *http,
		struct target *t, size_t n);
/* Starts due rounds and due retries; returns the milliseconds until the
 * next timer (capped at max_ms). */
int sched_tick(struct sched *s, int64_t now, int max_ms);
/* libcurl finished a transfer. */
void sched_done(void *owner, CURL *easy, CURLcode result);
/* First signal: no new rounds, no more retries. */
void sched_stop(struct sched *s);
/* Second signal: abandon transfers in flight (recorded as failed). */
void sched_abort(struct sched *s);
/* True when nothing is in flight and no round will start again (valid
 * after sched_tick, which marks finished targets). */
bool sched_idle(const struct sched *s);

#endif
