/* target.c: kinds, TARGET parsing and per-kind request URLs. */
#include "target.h"

#include <time.h>

#include "archive.h"

static const char *const kind_names[K_NKINDS] = {
	[K_HEAP] = "heap",
	[K_ALLOCS] = "allocs",
	[K_GOROUTINE] = "goroutine",
	[K_GDUMP] = "goroutine-dump",
	[K_GLEAK] = "goroutineleak",
	[K_MEMSTATS] = "memstats",
	[K_GCOUNT] = "goroutine-count",
};

const char *kind_name(enum kind k)
{
	return kind_names[k];
}

int kind_parse(const char *s, enum kind *k)
{
	for (int i = 0; i < K_USER_KINDS; i++) {
		if (strcmp(s, kind_names[i]) == 0) {
			*k = (enum kind)i;
			return 0;
		}
	}
	return -1;
}

int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t wall_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Endpoint (relative to the pprof base path) and query of each kind. */
static const struct {
	const char *path, *query;
} endpoints[K_NKINDS] = {
	[K_HEAP] = {"heap", NULL},
	[K_ALLOCS] = {"allocs", NULL},
	[K_GOROUTINE] = {"goroutine", NULL},
	[K_GDUMP] = {"goroutine", "debug=2"},
	[K_GLEAK] = {"goroutineleak", NULL},
	[K_MEMSTATS] = {"heap", "debug=1"},
	[K_GCOUNT] = {"goroutine", "debug=1"},
};

static char *build_url(CURLU *base, const char *basepath, const char *ep, const char *q1,
		       const char *q2)
{
	CURLU *u = curl_url_dup(base);
	char *path = NULL, *url = NULL, *out = NULL;
	if (!u)
		return NULL;
	if (asprintf(&path, "%s%s", basepath, ep) < 0) {
		path = NULL;
		goto done;
	}
	if (curl_url_set(u, CURLUPART_PATH, path, 0) != CURLUE_OK)
		goto done;
	if (q1 && curl_url_set(u, CURLUPART_QUERY, q1, CURLU_APPENDQUERY) != CURLUE_OK)
		goto done;
	if (q2 && curl_url_set(u, CURLUPART_QUERY, q2, CURLU_APPENDQUERY) != CURLUE_OK)
		goto done;
	if (curl_url_get(u, CURLUPART_URL, &url, 0) != CURLUE_OK)
		goto done;
	out = strdup(url);
done:
	curl_free(url);
	free(path);
	curl_url_cleanup(u);
	return out;
}

/* "NAME=URL": the part before '=' must look like a name (no ':' or '/'),
 * so a URL with '=' in its query is not split. */
static int split_name(const char *arg, char **name, const char **url)
{
	const char *eq = strchr(arg, '=');
	if (!eq)
		return 0;
	size_t n = (size_t)(eq - arg);
	if (memchr(arg, ':', n) || memchr(arg, '/', n) || memchr(arg, '?', n))
		return 0;
	*name = strndup(arg, n);
	*url = eq + 1;
	return *name ? 0 : -1;
}

/* Default name: host_port, with anything outside [A-Za-z0-9._-] as '_'. */
static char *default_name(CURLU *u)
{
	char *host = NULL, *port = NULL, *name = NULL;
	if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
		return NULL;
	curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT);
	if (asprintf(&name, "%s_%s", host, port ? port : "0") < 0)
		name = NULL;
	for (char *p = name; p && *p; p++) {
		char c = *p;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '-' || c == '_'))
			*p = '_';
	}
	if (name && name[0] == '.')
		name[0] = '_';
	curl_free(host);
	curl_free(port);
	return name;
}

int target_parse(struct target *t, const char *arg, bool gc, char *err, size_t errsz)
{
	char *name = NULL, *scheme = NULL, *user = NULL, *pass = NULL, *path = NULL;
	char *basepath = NULL;
	const char *url = arg;
	int rc = -1;
	CURLU *u = curl_url();
	if (!u || split_name(arg, &name, &url)) {
		snprintf(err, errsz, "out of memory");
		goto done;
	}
	if (name && !lw_archive_valid_target(name)) {
		snprintf(err, errsz, "invalid target name '%s' (use letters, digits, '.', '_', '-')",
			 name);
		goto done;
	}
	CURLUcode uc = curl_url_set(u, CURLUPART_URL, url, CURLU_GUESS_SCHEME);
	if (uc != CURLUE_OK) {
		snprintf(err, errsz, "invalid target URL '%s': %s", url, curl_url_strerror(uc));
		goto done;
	}
	curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
	if (!scheme || (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0)) {
		snprintf(err, errsz, "invalid target URL '%s': only http and https are supported",
			 url);
		goto done;
	}
	curl_url_get(u, CURLUPART_USER, &user, 0);
	curl_url_get(u, CURLUPART_PASSWORD, &pass, 0);
	if (user || pass) {
		/* argv is visible to every user of the machine (ps, /proc). */
		snprintf(err, errsz,
			 "target '%s': credentials in the URL are visible to other users; "
			 "use --header-file, --token-file or --token-env",
			 name ? name : "URL");
		goto done;
	}
	curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0);
	if (curl_url_get(u, CURLUPART_PATH, &path, 0) != CURLUE_OK || !path) {
		snprintf(err, errsz, "out of memory");
		goto done;
	}
	if (strcmp(path, "/") == 0 || !*path)
		basepath = strdup("/debug/pprof/");
	else if (path[strlen(path) - 1] == '/')
		basepath = strdup(path);
	else if (asprintf(&basepath, "%s/", path) < 0)
		basepath = NULL;
	if (!basepath) {
		snprintf(err, errsz, "out of memory");
		goto done;
	}
	if (!name && !(name = default_name(u))) {
		snprintf(err, errsz, "invalid target URL '%s': no host", url);
		goto done;
	}
	if (!lw_archive_valid_target(name)) { /* a host name over 128 chars */
		snprintf(err, errsz,
			 "invalid target URL '%s': default name over 128 characters (use NAME=URL)",
			 url);
		goto done;
	}
	for (int k = 0; k < K_NKINDS; k++) {
		const char *q1 = endpoints[k].query;
		t->url[k] = build_url(u, basepath, endpoints[k].path,
				      k == K_HEAP && gc ? "gc=1" : q1, NULL);
		if (!t->url[k]) {
			snprintf(err, errsz, "invalid target URL '%s'", url);
			goto done;
		}
	}
	t->url_memstats_gc = build_url(u, basepath, "heap", "debug=1", gc ? "gc=1" : NULL);
	if (!t->url_memstats_gc) {
		snprintf(err, errsz, "invalid target URL '%s'", url);
		goto done;
	}
	t->name = name;
	name = NULL;
	rc = 0;
done:
	free(name);
	free(basepath);
	curl_free(scheme);
	curl_free(user);
	curl_free(pass);
	curl_free(path);
	curl_url_cleanup(u);
	return rc;
}

void target_free(struct target *t)
{
	free(t->name);
	for (int k = 0; k < K_NKINDS; k++)
		free(t->url[k]);
	free(t->url_memstats_gc);
	if (t->req.sink.a.f)
		lw_atomic_abort(&t->req.sink.a);
}
