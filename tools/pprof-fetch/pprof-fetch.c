/* pprof-fetch: collect heap, goroutine and memory statistics snapshots from
 * running Go services (net/http/pprof) into a leakwatch archive.
 *
 * One process, one thread, one libcurl multi handle for every target (see
 * sched.h for the per-target state machine, store.h for the archive side).
 * Exit: 0 every requested snapshot stored, 1 some failed, 2 usage error.
 */
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include "atomicio.h"
#include "err.h"
#include "fetch.h"
#include "http.h"
#include "parse.h"
#include "sched.h"
#include "status.h"
#include "store.h"
#include "target.h"

#define DEFAULT_KINDS ((1u << K_HEAP) | (1u << K_GOROUTINE) | (1u << K_MEMSTATS))

/* Any SIGINT or SIGTERM stops after the snapshots in flight; a second
 * SIGINT (someone pressing ^C again) abandons them. SIGTERM never does: a
 * supervisor forwarding a terminal's ^C as SIGTERM must not turn one
 * request to stop into two. */
static volatile sig_atomic_t signals_seen, sigints_seen;
static int wake_pipe[2] = {-1, -1};

static void on_signal(int sig)
{
	int saved = errno;
	signals_seen++;
	if (sig == SIGINT)
		sigints_seen++;
	if (wake_pipe[1] >= 0)
		(void)!write(wake_pipe[1], "x", 1);
	errno = saved;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: pprof-fetch [options] --out DIR TARGET...\n"
		"Fetch profiles and memory statistics from Go services (net/http/pprof)\n"
		"into the archive DIR, concurrently, on an interval.\n"
		"\n"
		"TARGET is [NAME=]URL: the service's base URL (\"/debug/pprof/\" is implied\n"
		"when the URL has no path); NAME names its directory in the archive\n"
		"(default: HOST_PORT).\n"
		"\n"
		"  -o, --out DIR            archive directory (created if missing)\n"
		"  -k, --kinds LIST         comma-separated: heap, allocs, goroutine,\n"
		"                           goroutine-dump, goroutineleak, memstats\n"
		"                           (default heap,goroutine,memstats)\n"
		"  -i, --interval DUR       time between snapshots (default 60s)\n"
		"  -n, --count N            snapshots per target, then exit\n"
		"  -d, --duration DUR       stop starting snapshots after DUR\n"
		"                           (default: run until SIGINT or SIGTERM)\n"
		"      --no-gc              heap without gc=1 (no GC before the snapshot)\n"
		"      --pid [NAME=]PID     record the RSS of PID (from /proc) in memstats.csv\n"
		"      --timeout DUR        total time allowed per request (default 30s)\n"
		"      --connect-timeout DUR  time allowed to connect (default min(10s, timeout))\n"
		"      --retries N          retries of a failed request (default 2; 0 = none)\n"
		"      --retry-delay DUR    first retry delay, doubled each time (default 1s)\n"
		"      --max-size SIZE      largest response accepted (default 256MiB)\n"
		"      --follow-redirects   follow HTTP redirects (default: a redirect fails)\n"
		"      --cacert FILE        CA certificates to verify HTTPS servers with\n"
		"      --insecure           do not verify HTTPS certificates\n"
		"      --header-file FILE   extra request headers, one \"Name: value\" a line\n"
		"      --token-file FILE    send \"Authorization: Bearer <contents of FILE>\"\n"
		"      --token-env VAR      send \"Authorization: Bearer $VAR\"\n"
		"  -v, --verbose            a log line per request\n"
		"  -q, --quiet              no status display and no warnings\n"
		"  -h, --help               show this help\n"
		"      --version            show the version\n"
		"\n"
		"Writes DIR/NAME/KIND-YYYYMMDDTHHMMSS.mmmZ.pb.gz (goroutine-dump: .txt),\n"
		"DIR/NAME/manifest.csv (one row per snapshot attempt) and\n"
		"DIR/NAME/memstats.csv. Exit status: 0 all snapshots stored, 1 some\n"
		"failed, 2 usage error.\n");
}

enum {
	OPT_NO_GC = 256,
	OPT_PID,
	OPT_TIMEOUT,
	OPT_CONNECT_TIMEOUT,
	OPT_RETRIES,
	OPT_RETRY_DELAY,
	OPT_MAX_SIZE,
	OPT_FOLLOW,
	OPT_CACERT,
	OPT_INSECURE,
	OPT_HEADER_FILE,
	OPT_TOKEN_FILE,
	OPT_TOKEN_ENV,
	OPT_VERSION,
};

static const struct option long_opts[] = {
	{"out", required_argument, NULL, 'o'},
	{"kinds", required_argument, NULL, 'k'},
	{"interval", required_argument, NULL, 'i'},
	{"count", required_argument, NULL, 'n'},
	{"duration", required_argument, NULL, 'd'},
	{"no-gc", no_argument, NULL, OPT_NO_GC},
	{"pid", required_argument, NULL, OPT_PID},
	{"timeout", required_argument, NULL, OPT_TIMEOUT},
	{"connect-timeout", required_argument, NULL, OPT_CONNECT_TIMEOUT},
	{"retries", required_argument, NULL, OPT_RETRIES},
	{"retry-delay", required_argument, NULL, OPT_RETRY_DELAY},
	{"max-size", required_argument, NULL, OPT_MAX_SIZE},
	{"follow-redirects", no_argument, NULL, OPT_FOLLOW},
	{"cacert", required_argument, NULL, OPT_CACERT},
	{"insecure", no_argument, NULL, OPT_INSECURE},
	{"header-file", required_argument, NULL, OPT_HEADER_FILE},
	{"token-file", required_argument, NULL, OPT_TOKEN_FILE},
	{"token-env", required_argument, NULL, OPT_TOKEN_ENV},
	{"verbose", no_argument, NULL, 'v'},
	{"quiet", no_argument, NULL, 'q'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, OPT_VERSION},
	{NULL, 0, NULL, 0},
};

static unsigned parse_kinds(const char *arg)
{
	unsigned kinds = 0;
	char *copy = lw_xstrdup(arg), *save = NULL;
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		enum kind k;
		if (kind_parse(tok, &k))
			lw_usage_error("unknown kind '%s' in --kinds (heap, allocs, goroutine, "
				       "goroutine-dump, goroutineleak, memstats)",
				       tok);
		kinds |= 1u << k;
	}
	free(copy);
	if (!kinds)
		lw_usage_error("--kinds: no kind given");
	return kinds;
}

static int64_t duration_arg(const char *opt, const char *arg, int64_t min_ns)
{
	int64_t ns;
	if (lw_parse_duration(arg, &ns) || ns < min_ns)
		lw_usage_error("invalid %s '%s' (a duration such as 500ms, 30s, 5m)", opt, arg);
	return ns;
}

/* Trims trailing whitespace (a token file usually ends with a newline). */
static void rtrim(char *s)
{
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' ||
			 s[n - 1] == '\t'))
		s[--n] = '\0';
}

static struct curl_slist *add_header(struct curl_slist *h, const char *line)
{
	struct curl_slist *n = curl_slist_append(h, line);
	if (!n)
		lw_die("out of memory");
	return n;
}

static struct curl_slist *add_token(struct curl_slist *h, const char *what, const char *token)
{
	if (!*token)
		lw_usage_error("%s: the token is empty", what);
	if (strpbrk(token, "\r\n"))
		lw_usage_error("%s: the token contains a line break", what);
	char *line = lw_xasprintf("Authorization: Bearer %s", token);
	h = add_header(h, line);
	/* Do not leave the secret lying around in freed memory. */
	explicit_bzero(line, strlen(line));
	free(line);
	return h;
}

static struct curl_slist *read_header_file(struct curl_slist *h, const char *path)
{
	char *buf;
	size_t len;
	int rc = lw_read_all(path, 1 << 20, &buf, &len);
	if (rc)
		lw_usage_error("cannot read '%s': %s", path, strerror(-rc));
	char *save = NULL;
	long lineno = 0;
	for (char *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		lineno++;
		rtrim(l);
		while (*l == ' ' || *l == '\t')
			l++;
		if (!*l || *l == '#')
			continue;
		char *colon = strchr(l, ':'), *ws = strpbrk(l, " \t");
		/* "Name:value" has no blank at all (strpbrk gives NULL). */
		if (!colon || colon == l || (ws && ws < colon))
			lw_usage_error("'%s': a line is not \"Name: value\"", path);
		h = add_header(h, l);
	}
	explicit_bzero(buf, len);
	free(buf);
	return h;
}

struct pid_arg {
	const char *name; /* NULL = the only target */
	pid_t pid;
};

static struct pid_arg parse_pid(const char *arg)
{
	struct pid_arg p = {NULL, 0};
	const char *eq = strrchr(arg, '=');
	const char *num = arg;
	if (eq) {
		p.name = lw_xasprintf("%.*s", (int)(eq - arg), arg);
		num = eq + 1;
	}
	int64_t v;
	if (lw_parse_int64(num, 1, INT32_MAX, &v))
		lw_usage_error("invalid --pid '%s' (PID or NAME=PID)", arg);
	p.pid = (pid_t)v;
	return p;
}

int main(int argc, char **argv)
{
	struct options o = {
		.kinds = DEFAULT_KINDS,
		.interval_ns = 60000000000LL,
		.timeout_ns = 30000000000LL,
		.retries = 2,
		.retry_delay_ns = 1000000000LL,
		.max_size = 256LL << 20,
		.gc = true,
	};
	struct pid_arg *pids = NULL;
	size_t npids = 0;
	const char *token_file = NULL, *token_env = NULL, *header_file = NULL;
	int c;

	lw_set_progname(argv[0]);
	while ((c = getopt_long(argc, argv, "o:k:i:n:d:vqh", long_opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			o.out = optarg;
			break;
		case 'k':
			o.kinds = parse_kinds(optarg);
			break;
		case 'i':
			o.interval_ns = duration_arg("--interval", optarg, 1000000);
			break;
		case 'n':
			if (lw_parse_int64(optarg, 1, INT64_MAX / 2, &o.count))
				lw_usage_error("invalid --count '%s' (a positive integer)", optarg);
			break;
		case 'd':
			o.duration_ns = duration_arg("--duration", optarg, 1);
			break;
		case OPT_NO_GC:
			o.gc = false;
			break;
		case OPT_PID:
			pids = lw_xreallocarray(pids, npids + 1, sizeof *pids);
			pids[npids++] = parse_pid(optarg);
			break;
		case OPT_TIMEOUT:
			o.timeout_ns = duration_arg("--timeout", optarg, 1000000);
			break;
		case OPT_CONNECT_TIMEOUT:
			o.connect_timeout_ns = duration_arg("--connect-timeout", optarg, 1000000);
			break;
		case OPT_RETRIES:
			if (lw_parse_int64(optarg, 0, 100, &o.retries))
				lw_usage_error("invalid --retries '%s' (0 to 100)", optarg);
			break;
		case OPT_RETRY_DELAY:
			o.retry_delay_ns = duration_arg("--retry-delay", optarg, 0);
			break;
		case OPT_MAX_SIZE:
			if (lw_parse_size(optarg, &o.max_size) || o.max_size < 1 ||
			    o.max_size > (1LL << 40))
				lw_usage_error("invalid --max-size '%s' (a size such as 64MiB)", optarg);
			break;
		case OPT_FOLLOW:
			o.follow_redirects = true;
			break;
		case OPT_CACERT:
			o.cacert = optarg;
			break;
		case OPT_INSECURE:
			o.insecure = true;
			break;
		case OPT_HEADER_FILE:
			header_file = optarg;
			break;
		case OPT_TOKEN_FILE:
			token_file = optarg;
			break;
		case OPT_TOKEN_ENV:
			token_env = optarg;
			break;
		case 'v':
			o.verbose++;
			break;
		case 'q':
			o.quiet = true;
			break;
		case 'h':
			usage(stdout);
			lw_check_stdout();
			return LW_EXIT_OK;
		case OPT_VERSION:
			lw_print_version();
		default:
			lw_usage_error("unknown or incomplete option");
		}
	}

	/* Validate. */
	if (!o.out)
		lw_usage_error("no archive directory (--out DIR)");
	if (optind >= argc)
		lw_usage_error("no TARGET given");
	if (o.cacert && access(o.cacert, R_OK) != 0)
		lw_usage_error("cannot read --cacert '%s': %s", o.cacert, strerror(errno));
	if (o.connect_timeout_ns > o.timeout_ns)
		o.connect_timeout_ns = o.timeout_ns;
	if (o.insecure && !o.quiet)
		lw_warn("--insecure: HTTPS certificates are not verified");
	if (token_file && token_env)
		lw_usage_error("--token-file and --token-env are exclusive");
	size_t n = (size_t)(argc - optind);

	/* Acquire: descriptors, libcurl, headers, targets, archive directories,
	 * signals. A target holds up to five descriptors (lock, two CSV files,
	 * a socket, a temporary): raise the soft limit as far as allowed. */
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		lw_die("cannot initialise libcurl");
	if (header_file)
		o.headers = read_header_file(o.headers, header_file);
	if (token_file) {
		char *buf;
		size_t len;
		int rc = lw_read_all(token_file, 64 << 10, &buf, &len);
		if (rc)
			lw_usage_error("cannot read '%s': %s", token_file, strerror(-rc));
		rtrim(buf);
		o.headers = add_token(o.headers, token_file, buf);
		explicit_bzero(buf, len);
		free(buf);
	}
	if (token_env) {
		const char *v = getenv(token_env);
		if (!v)
			lw_usage_error("--token-env: environment variable '%s' is not set", token_env);
		o.headers = add_token(o.headers, token_env, v);
	}

	struct target *t = lw_xcalloc(n, sizeof *t);
	struct store *stores = lw_xcalloc(n, sizeof *stores);
	for (size_t i = 0; i < n; i++) {
		char err[512];
		if (target_parse(&t[i], argv[optind + i], o.gc, err, sizeof err))
			lw_usage_error("%s", err);
		for (size_t j = 0; j < i; j++)
			if (strcmp(t[i].name, t[j].name) == 0)
				lw_usage_error("two targets named '%s' (name them: NAME=URL)",
					       t[i].name);
	}
	for (size_t i = 0; i < npids; i++) {
		size_t hit = n;
		if (!pids[i].name) {
			if (n != 1)
				lw_usage_error("--pid %ld: several targets, use --pid NAME=PID",
					       (long)pids[i].pid);
			hit = 0;
		} else {
			for (size_t j = 0; j < n; j++)
				if (strcmp(t[j].name, pids[i].name) == 0)
					hit = j;
			if (hit == n)
				lw_usage_error("--pid: no target named '%s'", pids[i].name);
		}
		t[hit].pid = pids[i].pid;
	}

	struct http http = {0};
	int status = LW_EXIT_OK;
	size_t opened = 0;
	if (http_init(&http, &o, n)) {
		status = LW_EXIT_ERROR;
		goto cleanup;
	}
	for (; opened < n; opened++) {
		char err[512];
		if (store_open(&stores[opened], o.out, t[opened].name,
			       o.kinds & (1u << K_MEMSTATS), err, sizeof err)) {
			lw_warn("%s", err);
			status = LW_EXIT_ERROR;
			goto cleanup;
		}
		t[opened].store = &stores[opened];
		t[opened].easy = http_easy_new(&http, &t[opened]);
		if (!t[opened].easy) {
			opened++;
			status = LW_EXIT_ERROR;
			goto cleanup;
		}
	}
	if (pipe2(wake_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
		lw_die("pipe: %s", strerror(errno));
	struct sigaction sa = {.sa_handler = on_signal, .sa_flags = SA_RESTART};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	/* Work. */
	struct sched s;
	sched_init(&s, &o, &http, t, n);
	status_init(!o.quiet && !o.verbose && isatty(STDERR_FILENO), t, n);
	bool stopped = false, aborted = false;
	int64_t last_draw = 0;
	for (;;) {
		int64_t now = mono_ns();
		if (signals_seen && !stopped) {
			stopped = true;
			if (o.verbose)
				status_log("stopping after the snapshots in flight "
					   "(^C again to abandon them)");
			sched_stop(&s);
		}
		if (sigints_seen >= 2 && !aborted) {
			aborted = true;
			sched_abort(&s);
		}
		int wait_ms = sched_tick(&s, now, 1000);
		if (sched_idle(&s))
			break;
		if (now - last_draw >= 500000000LL) {
			status_draw(now);
			last_draw = now;
		}
		http_run(&http, wait_ms, wake_pipe[0], sched_done);
		char drain[64];
		while (read(wake_pipe[0], drain, sizeof drain) > 0)
			;
	}
	status_finish(mono_ns());
	for (size_t i = 0; i < n; i++)
		if (t[i].failed)
			status = LW_EXIT_FINDING;
	if (o.verbose) {
		int64_t stored = 0, failed = 0;
		for (size_t i = 0; i < n; i++) {
			stored += t[i].stored;
			failed += t[i].failed;
		}
		status_log("%lld snapshots stored, %lld failed", (long long)stored,
			   (long long)failed);
	}

cleanup:
	for (size_t i = 0; i < n; i++) {
		if (t[i].easy)
			curl_easy_cleanup(t[i].easy);
		if (i < opened)
			store_close(&stores[i]);
		target_free(&t[i]);
	}
	http_cleanup(&http);
	curl_slist_free_all(o.headers);
	curl_global_cleanup();
	for (size_t i = 0; i < npids; i++)
		free((char *)pids[i].name);
	free(pids);
	free(stores);
	free(t);
	if (wake_pipe[0] >= 0) {
		close(wake_pipe[0]);
		close(wake_pipe[1]);
	}
	lw_check_stdout();
	return status;
}
