/* http.h: every transfer of pprof-fetch runs on one libcurl multi handle,
 * so a single thread drives any number of targets. Each target owns one
 * easy handle, reused for all its requests (connections are kept alive in
 * the multi's cache). Options common to all requests are set once here:
 * timeouts, size limit, TLS verification, redirect policy, extra headers.
 */
#ifndef PPROF_FETCH_HTTP_H
#define PPROF_FETCH_HTTP_H

#include "fetch.h"

struct http {
	CURLM *multi;
	const struct options *opt;
};

/* 0, or -1 (message printed). */
int http_init(struct http *h, const struct options *opt, size_t ntargets);
/* A configured easy handle whose completions report owner; NULL on error. */
CURL *http_easy_new(struct http *h, void *owner);
/* Starts GET url on easy into req->sink (opened by the caller). 0, or -1
 * (req->errbuf set). */
int http_start(struct http *h, CURL *easy, const char *url, struct request *req);
/* Detaches a finished or aborted transfer from the multi handle. */
void http_detach(struct http *h, CURL *easy);
/* Waits up to timeout_ms for network activity or for wake_fd to become
 * readable, then runs transfers; done(owner, easy, result) is called for
 * every transfer that finished. */
typedef void (*http_done_fn)(void *owner, CURL *easy, CURLcode result);
void http_run(struct http *h, int timeout_ms, int wake_fd, http_done_fn done);
void http_cleanup(struct http *h);

#endif
