/* sched.c: rounds, requests, retries and what each outcome writes. */
#include "sched.h"

#include <ctype.h>
#include <unistd.h>

#include "err.h"
#include "status.h"
#include "store.h"
#include "validate.h"

static void start_request(struct target *t);
static void finalize(struct target *t);

void sched_init(struct sched *s, const struct options *opt, struct http *http,
		struct target *t, size_t n)
{
	memset(s, 0, sizeof *s);
	s->opt = opt;
	s->http = http;
	s->t = t;
	s->n = n;
	s->start = mono_ns();
	s->deadline = opt->duration_ns ? s->start + opt->duration_ns : 0;
	s->rng = (uint64_t)wall_ns() ^ ((uint64_t)getpid() << 32) ^ 0x9e3779b97f4a7c15ULL;
	/* Targets start spread over the first interval (a second at most), so
	 * many targets do not hit the network, the services and the disk in one
	 * burst every tick: each keeps its own phase from then on. */
	int64_t spread = opt->interval_ns < 1000000000LL ? opt->interval_ns : 1000000000LL;
	for (size_t i = 0; i < n; i++) {
		t[i].sched = s;
		t[i].next_due = s->start + (n > 1 ? spread / (int64_t)n * (int64_t)i : 0);
	}
}

static uint64_t rng_next(struct sched *s)
{
	/* xorshift64*: jitter only needs to spread retries apart. */
	s->rng ^= s->rng >> 12;
	s->rng ^= s->rng << 25;
	s->rng ^= s->rng >> 27;
	return s->rng * 0x2545F4914F6CDD1DULL;
}

/* Exponential backoff with "equal jitter": half the delay fixed, half
 * random, so retries of many targets hit by one outage spread out. */
static int64_t backoff(struct sched *s, int attempt)
{
	int64_t d = s->opt->retry_delay_ns;
	const int64_t cap = 60000000000LL;
	for (int i = 1; i < attempt && d < cap; i++)
		d *= 2;
	if (d > cap)
		d = cap;
	if (d < 2)
		return d;
	return d / 2 + (int64_t)(rng_next(s) % (uint64_t)(d / 2));
}

static bool round_has(const struct target *t, enum kind k)
{
	for (int i = 0; i < t->nplan; i++)
		if (t->plan[i] == k)
			return true;
	return false;
}

/* Order within a round: heap first (its gc=1 makes the numbers after it
 * post-GC), goroutine counts before memstats (the memstats row carries the
 * count), goroutineleak and allocs last. */
static void plan_round(struct target *t, unsigned kinds)
{
	static const enum kind order[] = {K_HEAP, K_GOROUTINE, K_GDUMP, K_GCOUNT,
					  K_MEMSTATS, K_GLEAK, K_ALLOCS};
	t->nplan = 0;
	for (size_t i = 0; i < LW_ARRAY_SIZE(order); i++) {
		enum kind k = order[i];
		bool want = kinds & (1u << k);
		if (k == K_GCOUNT)
			want = (kinds & (1u << K_MEMSTATS)) &&
			       !(kinds & ((1u << K_GOROUTINE) | (1u << K_GDUMP)));
		if (k == K_GLEAK && t->gleak_unsupported)
			want = false;
		if (want)
			t->plan[t->nplan++] = k;
	}
}

static void start_round(struct sched *s, struct target *t, int64_t now)
{
	t->in_round = true;
	t->rounds_started++;
	t->round_time = wall_ns();
	/* Next tick is one interval after this one was due. */
	t->next_due += s->opt->interval_ns;
	memset(&t->ms, 0, sizeof t->ms);
	t->ms.goroutines = -1;
	plan_round(t, s->opt->kinds);
	t->step = 0;
	if (t->nplan == 0) { /* only goroutineleak, and it is not offered */
		t->in_round = false;
		if (s->opt->count && t->rounds_started >= s->opt->count)
			t->finished = true;
		return;
	}
	t->req.attempt = 0;
	start_request(t);
}

static void end_round(struct target *t)
{
	struct sched *s = t->sched;
	int64_t now = mono_ns();
	t->in_round = false;
	if (s->opt->count && t->rounds_started >= s->opt->count)
		t->finished = true;
	if (t->next_due <= now) {
		/* The round overran: skip the ticks it missed. */
		int64_t missed = (now - t->next_due) / s->opt->interval_ns + 1;
		t->next_due += missed * s->opt->interval_ns;
	}
}

static const char *request_url(const struct target *t, enum kind k)
{
	/* memstats right after heap?gc=1 needs no second GC. */
	if (k == K_MEMSTATS && !round_has(t, K_HEAP))
		return t->url_memstats_gc;
	return t->url[k];
}

static bool stored_kind(enum kind k)
{
	return k != K_MEMSTATS && k != K_GCOUNT;
}

static void sink_close(struct sink *k)
{
	if (k->a.f)
		lw_atomic_abort(&k->a);
	memset(k, 0, sizeof *k);
}

static void start_request(struct target *t)
{
	struct request *r = &t->req;
	struct store *st = t->store;
	r->kind = t->plan[t->step];
	r->attempt++;
	r->retry_at = 0;
	r->started = mono_ns();
	sink_close(&r->sink);
	r->sink.limit = (size_t)t->sched->opt->max_size;
	char *path = stored_kind(r->kind) ? store_next_path(st, kind_name(r->kind), t->round_time)
					  : store_scratch_path(st, kind_name(r->kind));
	int rc = path ? lw_atomic_open(&r->sink.a, path) : -ENOMEM;
	free(path);
	if (rc) {
		snprintf(r->errbuf, sizeof r->errbuf, "cannot create a file in '%s': %s", st->dir,
			 strerror(-rc));
	} else if (http_start(t->sched->http, t->easy, request_url(t, r->kind), r) == 0) {
		return;
	}
	memset(&r->last, 0, sizeof r->last);
	r->last.result = "failed";
	r->last.bytes = r->last.duration_ms = -1;
	snprintf(r->last.error, sizeof r->last.error, "%s", r->errbuf);
	finalize(t);
}

static bool retriable(CURLcode cc)
{
	switch (cc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_PARTIAL_FILE:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_WEIRD_SERVER_REPLY:
		return true;
	default:
		return false;
	}
}

/* First line of an error page, printable and short, for the manifest. */
static void body_excerpt(const struct sink *b, char *out, size_t size)
{
	size_t n = 0;
	for (size_t i = 0; i < b->headlen && n + 1 < size && n < 80; i++) {
		char c = b->head[i];
		if (c == '\n' || c == '\r')
			break;
		out[n++] = isprint((unsigned char)c) ? c : '?';
	}
	while (n > 0 && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
}

static void classify(struct target *t, CURL *easy, CURLcode cc, struct outcome *o)
{
	struct request *r = &t->req;
	const struct options *opt = t->sched->opt;
	curl_off_t us = 0;
	memset(o, 0, sizeof *o);
	curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &o->http_status);
	curl_easy_getinfo(easy, CURLINFO_TOTAL_TIME_T, &us);
	o->duration_ms = (int64_t)us / 1000;
	o->bytes = (int64_t)r->sink.len;
	o->result = "failed";
	if (cc != CURLE_OK) {
		if (r->sink.too_big || cc == CURLE_FILESIZE_EXCEEDED) {
			snprintf(o->error, sizeof o->error,
				 "response larger than --max-size (%lld bytes)",
				 (long long)opt->max_size);
		} else if (r->sink.werr) {
			snprintf(o->error, sizeof o->error, "cannot write into '%s': %s",
				 t->store->dir, strerror(r->sink.werr));
		} else {
			snprintf(o->error, sizeof o->error, "%s",
				 r->errbuf[0] ? r->errbuf : curl_easy_strerror(cc));
			o->retry = retriable(cc);
		}
		return;
	}
	long st = o->http_status;
	char excerpt[96];
	body_excerpt(&r->sink, excerpt, sizeof excerpt);
	if (st >= 300 && st < 400) {
		char *loc = NULL;
		curl_easy_getinfo(easy, CURLINFO_REDIRECT_URL, &loc);
		snprintf(o->error, sizeof o->error, "HTTP %ld: redirect to %s not followed%s", st,
			 loc ? loc : "(no Location)",
			 opt->follow_redirects ? " (too many redirects)" : " (see --follow-redirects)");
		return;
	}
	if (st == 404 && r->kind == K_GLEAK) {
		o->result = "unsupported";
		snprintf(o->error, sizeof o->error, "HTTP 404: not offered by this service");
		return;
	}
	if (st < 200 || st >= 300) {
		snprintf(o->error, sizeof o->error, "HTTP %ld%s%s", st, excerpt[0] ? ": " : "",
			 excerpt);
		o->retry = st >= 500 || st == 429 || st == 408;
		return;
	}
	int64_t g = -1;
	if (fflush(r->sink.a.f) != 0) {
		snprintf(o->error, sizeof o->error, "cannot write into '%s': %s", t->store->dir,
			 strerror(errno));
		return;
	}
	if (validate_file(r->kind, r->sink.a.tmp_path, &t->ms, &g, o->error, sizeof o->error))
		return;
	if (g >= 0 && t->ms.goroutines < 0)
		t->ms.goroutines = g;
	o->result = "ok";
}

static int64_t read_rss(pid_t pid)
{
	char path[64], buf[4096];
	snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	int64_t rss = -1;
	while (fgets(buf, sizeof buf, f)) {
		long long kb;
		if (sscanf(buf, "VmRSS: %lld kB", &kb) == 1) {
			rss = (int64_t)kb * 1024;
			break;
		}
	}
	fclose(f);
	return rss;
}

/* A successful body becomes a file (profile kinds) or a memstats row.
 * On a write error the outcome turns into a failure. */
static void keep(struct target *t, struct outcome *o, char **file)
{
	struct request *r = &t->req;
	struct store *st = t->store;
	int rc;
	if (r->kind == K_GCOUNT)
		return;
	if (r->kind == K_MEMSTATS) {
		int64_t rss = -1;
		if (t->pid > 0) {
			rss = read_rss(t->pid);
			if (rss < 0 && !t->rss_warned) {
				status_log("%s: cannot read the RSS of pid %ld (exited?)", t->name,
					   (long)t->pid);
				t->rss_warned = true;
			}
		}
		rc = store_memstats(st, t->round_time, &t->ms, rss);
		if (rc) {
			o->result = "failed";
			snprintf(o->error, sizeof o->error, "cannot write '%s/%s': %s", st->dir,
				 "memstats.csv", strerror(-rc));
		}
		return;
	}
	if (r->kind != K_GDUMP && (rc = sink_ensure_gzip(&r->sink)) != 0) {
		o->result = "failed";
		snprintf(o->error, sizeof o->error, "cannot compress the body: %s", strerror(-rc));
		return;
	}
	const char *base = strrchr(r->sink.a.final_path, '/');
	char *name = lw_xstrdup(base ? base + 1 : r->sink.a.final_path);
	size_t len = r->sink.len;
	rc = lw_atomic_commit(&r->sink.a); /* fsync, rename; the temporary is gone either way */
	if (rc) {
		o->result = "failed";
		snprintf(o->error, sizeof o->error, "cannot write '%s/%s': %s", st->dir, name,
			 strerror(-rc));
		free(name);
		return;
	}
	*file = name;
	o->bytes = (int64_t)len;
}

/* Records the request's final outcome, then moves the round on. */
static void finalize(struct target *t)
{
	struct sched *s = t->sched;
	struct request *r = &t->req;
	struct outcome *o = &r->last;
	const char *kn = kind_name(r->kind);
	char *file = NULL;
	bool ok = strcmp(o->result, "ok") == 0;
	r->retry_at = 0;
	if (ok)
		keep(t, o, &file);
	ok = strcmp(o->result, "ok") == 0;

	if (r->kind == K_GCOUNT) {
		if (!ok && s->opt->verbose)
			status_log("%s: goroutine count: %s", t->name, o->error);
	} else {
		struct manifest_row row = {
			.time = t->round_time, .kind = kn, .file = file ? file : "",
			.bytes = o->bytes, .http_status = o->http_status,
			.duration_ms = o->duration_ms, .result = o->result,
			.attempts = r->attempt, .error = o->error,
		};
		int rc = store_manifest(t->store, &row);
		if (rc) {
			snprintf(o->error, sizeof o->error, "cannot write '%s/manifest.csv': %s",
				 t->store->dir, strerror(-rc));
			ok = false;
		}
		if (ok) {
			t->stored++;
		} else if (strcmp(o->result, "unsupported") == 0) {
			t->gleak_unsupported = true;
			if (!s->opt->quiet && !s->opt->verbose)
				status_log("%s: goroutineleak is not offered by this service "
					   "(HTTP 404); not asked again",
					   t->name);
		} else {
			char e[sizeof t->last_error];
			t->failed++;
			snprintf(e, sizeof e, "%s: %s", kn, o->error);
			/* One warning per new error, not one per interval. */
			if (!s->opt->quiet && !s->opt->verbose && strcmp(e, t->last_error) != 0)
				status_log("%s: %s%s", t->name, e,
					   r->attempt > 1 ? " (after retries)" : "");
			snprintf(t->last_error, sizeof t->last_error, "%s", e);
		}
	}
	if (s->opt->verbose)
		status_log("%s %s: %s%s%s (HTTP %ld, %lld bytes, %lld ms, attempt %d)%s%s", t->name,
			   kn, o->result, o->error[0] ? ": " : "", o->error, o->http_status,
			   (long long)o->bytes, (long long)o->duration_ms, r->attempt,
			   file ? " -> " : "", file ? file : "");
	free(file);
	sink_close(&r->sink);

	r->attempt = 0;
	t->step++;
	if (s->aborting || t->step >= t->nplan)
		end_round(t);
	else
		start_request(t);
}

void sched_done(void *owner, CURL *easy, CURLcode result)
{
	struct target *t = owner;
	struct sched *s = t->sched;
	struct request *r = &t->req;
	http_detach(s->http, easy);
	r->active = false;
	classify(t, easy, result, &r->last);
	if (r->last.retry && r->attempt <= s->opt->retries && !s->stopping) {
		int64_t d = backoff(s, r->attempt);
		r->retry_at = mono_ns() + d;
		if (s->opt->verbose)
			status_log("%s %s: attempt %d failed: %s; retrying in %.2fs", t->name,
				   kind_name(r->kind), r->attempt, r->last.error, (double)d / 1e9);
		return;
	}
	finalize(t);
}

int sched_tick(struct sched *s, int64_t now, int max_ms)
{
	int64_t next = now + (int64_t)max_ms * 1000000;
	for (size_t i = 0; i < s->n; i++) {
		struct target *t = &s->t[i];
		if (!t->in_round && !t->finished &&
		    (s->stopping || (s->deadline && t->next_due >= s->deadline)))
			t->finished = true;
		if (!t->in_round && !t->finished) {
			if (now >= t->next_due)
				start_round(s, t, now);
			else if (t->next_due < next)
				next = t->next_due;
		}
		if (t->in_round && t->req.retry_at) {
			if (now >= t->req.retry_at)
				start_request(t);
			else if (t->req.retry_at < next)
				next = t->req.retry_at;
		}
	}
	if (next <= now)
		return 0;
	return (int)((next - now + 999999) / 1000000);
}

void sched_stop(struct sched *s)
{
	s->stopping = true;
	/* Pending retries are given up: their last failure is final. */
	for (size_t i = 0; i < s->n; i++) {
		struct target *t = &s->t[i];
		if (t->in_round && t->req.retry_at)
			finalize(t);
	}
}

void sched_abort(struct sched *s)
{
	s->stopping = s->aborting = true;
	for (size_t i = 0; i < s->n; i++) {
		struct target *t = &s->t[i];
		if (!t->in_round)
			continue;
		struct request *r = &t->req;
		if (r->active) {
			http_detach(s->http, t->easy);
			r->active = false;
			memset(&r->last, 0, sizeof r->last);
			r->last.result = "failed";
			r->last.bytes = (int64_t)r->sink.len;
			r->last.duration_ms = (mono_ns() - r->started) / 1000000;
			snprintf(r->last.error, sizeof r->last.error, "interrupted");
		}
		finalize(t);
	}
}

bool sched_idle(const struct sched *s)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct target *t = &s->t[i];
		if (t->in_round || !t->finished)
			return false;
	}
	return true;
}
