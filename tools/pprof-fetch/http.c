/* http.c: libcurl multi interface, one thread for all targets. */
#include "http.h"

#include <unistd.h>

#include "err.h"

#ifndef LW_VERSION
#define LW_VERSION "0"
#endif

int http_init(struct http *h, const struct options *opt, size_t ntargets)
{
	h->opt = opt;
	h->multi = curl_multi_init();
	if (!h->multi) {
		lw_warn("cannot initialise libcurl");
		return -1;
	}
	/* One live connection per target, so keep-alive survives the interval
	 * (libcurl's default cache is sized for the handles added at once). */
	curl_multi_setopt(h->multi, CURLMOPT_MAXCONNECTS, (long)(ntargets + 4));
	return 0;
}

/* Appends to the body's temporary file; refusing to go past --max-size (or
 * a failed write) aborts the transfer: libcurl reports CURLE_WRITE_ERROR. */
static size_t on_data(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct sink *b = userdata;
	size_t n = size * nmemb;
	if (b->len + n > b->limit) {
		b->too_big = true;
		return 0;
	}
	if (b->headlen < sizeof b->head) {
		size_t k = sizeof b->head - b->headlen;
		if (k > n)
			k = n;
		memcpy(b->head + b->headlen, ptr, k);
		b->headlen += k;
	}
	/* Straight to the descriptor: stdio would split curl's 16 KiB chunks
	 * into 4 KiB writes, and nothing else is buffered in this FILE. */
	for (size_t done = 0; done < n;) {
		ssize_t w = write(fileno(b->a.f), ptr + done, n - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			b->werr = w < 0 ? errno : EIO;
			return 0;
		}
		done += (size_t)w;
	}
	b->len += n;
	return n;
}

CURL *http_easy_new(struct http *h, void *owner)
{
	const struct options *o = h->opt;
	CURL *e = curl_easy_init();
	if (!e)
		return NULL;
	int64_t ct = o->connect_timeout_ns;
	if (ct <= 0)
		ct = o->timeout_ns < 10000000000LL ? o->timeout_ns : 10000000000LL;
	int bad = 0;
	bad |= curl_easy_setopt(e, CURLOPT_PRIVATE, owner);
	bad |= curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	bad |= curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)(o->timeout_ns / 1000000));
	bad |= curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)(ct / 1000000));
	bad |= curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)o->max_size);
	bad |= curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_data);
	bad |= curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	bad |= curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	bad |= curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, o->follow_redirects ? 1L : 0L);
	bad |= curl_easy_setopt(e, CURLOPT_MAXREDIRS, 5L);
	bad |= curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, o->insecure ? 0L : 1L);
	bad |= curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, o->insecure ? 0L : 2L);
	if (o->cacert)
		bad |= curl_easy_setopt(e, CURLOPT_CAINFO, o->cacert);
	if (o->headers)
		bad |= curl_easy_setopt(e, CURLOPT_HTTPHEADER, o->headers);
	/* Decode Content-Encoding if a proxy compresses text pages. */
	bad |= curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	bad |= curl_easy_setopt(e, CURLOPT_USERAGENT, "pprof-fetch/" LW_VERSION " (leakwatch)");
	bad |= curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	if (bad) {
		lw_warn("libcurl rejected an option (built without TLS or too old?)");
		curl_easy_cleanup(e);
		return NULL;
	}
	return e;
}

int http_start(struct http *h, CURL *easy, const char *url, struct request *req)
{
	req->errbuf[0] = '\0';
	curl_easy_setopt(easy, CURLOPT_URL, url);
	curl_easy_setopt(easy, CURLOPT_WRITEDATA, &req->sink);
	curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, req->errbuf);
	CURLMcode mc = curl_multi_add_handle(h->multi, easy);
	if (mc != CURLM_OK) {
		snprintf(req->errbuf, sizeof req->errbuf, "%s", curl_multi_strerror(mc));
		return -1;
	}
	req->active = true;
	return 0;
}

void http_detach(struct http *h, CURL *easy)
{
	curl_multi_remove_handle(h->multi, easy);
}

void http_run(struct http *h, int timeout_ms, int wake_fd, http_done_fn done)
{
	struct curl_waitfd wfd = {.fd = wake_fd, .events = CURL_WAIT_POLLIN};
	int running;
	curl_multi_poll(h->multi, &wfd, wake_fd >= 0 ? 1 : 0, timeout_ms, NULL);
	curl_multi_perform(h->multi, &running);
	CURLMsg *m;
	int left;
	while ((m = curl_multi_info_read(h->multi, &left))) {
		if (m->msg != CURLMSG_DONE)
			continue;
		void *owner = NULL;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&owner);
		done(owner, m->easy_handle, m->data.result);
	}
}

void http_cleanup(struct http *h)
{
	if (h->multi)
		curl_multi_cleanup(h->multi);
	h->multi = NULL;
}
