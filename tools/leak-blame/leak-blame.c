/* leak-blame: name the code responsible for a memory leak, the kind of
 * leak and the fix.
 *
 * Reads an archive of snapshots (pprof-fetch's layout: heap, goroutine,
 * goroutine-dump and cgo profiles, memstats.csv), attributes every stack
 * to the first frame outside the runtime, standard library and C
 * allocator, fits each blamed function's series over time with trend-fit's
 * statistics (libcommon/trend.h), and reports the functions that leak,
 * ranked by bytes per hour, each with its leak pattern, evidence, quoted
 * source, heaviest stacks and a recommendation; plus the split of RSS into
 * its parts over time. Text, Markdown, JSON or one self-contained HTML
 * file; an alert document for scripts/notify. Exit 1 when a suspect is at
 * or above --fail-on.
 */
#include <getopt.h>
#include <math.h>
#include <sys/stat.h>

#include "blame.h"
#include "err.h"
#include "outfile.h"
#include "parse.h"
#include "trend_cli.h"

enum format { F_TEXT, F_MARKDOWN, F_JSON, F_HTML };

static void usage(FILE *f)
{
	fprintf(f,
		"usage: leak-blame [options] ARCHIVE_DIR\n"
		"       leak-blame [options] PROFILE...\n"
		"\n"
		"Names the code that leaks memory, the kind of leak and the fix, from an archive\n"
		"of snapshots over time (heap, goroutine, goroutine-dump and cgo profiles and\n"
		"memstats.csv, as pprof-fetch and cgo-trace write them).\n"
		"\n"
		"Blame:\n"
		"  --source=DIR              look for source files under DIR (repeatable); the\n"
		"                            blamed lines are quoted and settle the pattern\n"
		"  --no-profile-paths        do not read source files at the paths the profiles name\n"
		"  --runtime-prefix=LIST     more function-name prefixes that are runtime or library\n"
		"                            code, never blamed (comma list, repeatable; 'none' drops\n"
		"                            the defaults: Go's standard library, the C allocator\n"
		"                            and cgo glue)\n"
		"  --blame-skip=REGEX        also pass over frames whose function matches REGEX\n"
		"                            (POSIX ERE, repeatable), e.g. your own pool helpers\n"
		"Analysis (as trend-fit):\n"
		"  --warmup=N|DURATION|auto  leading snapshots to leave out (default auto: 10%%)\n"
		"  --min-points=N            fewer snapshots after warm-up: too short (default 8)\n"
		"  --fdr=Q                   false-discovery rate across series (default 0.05)\n"
		"  --min-rate=RATE           slower byte growth is 'growing' (default 1MiB/h)\n"
		"  --min-count-rate=RATE     the same for goroutines (default 60/h)\n"
		"  --limit=SIZE              memory limit (2GiB, say): project the time until the\n"
		"                            service's RSS (else Go heap + traced C heap) reaches it\n"
		"Output:\n"
		"  --format=text|markdown|json|html  (default text)\n"
		"  -o, --output=FILE         write the report to FILE (default stdout)\n"
		"  --alerts=FILE             write an alert document for scripts/notify\n"
		"  --service=NAME            service name (default: the archive's target name)\n"
		"  --max-suspects=N          suspects shown per service (default 10)\n"
		"  --stacks=N                heaviest stacks shown per suspect, 0-3 (default 3)\n"
		"  --fail-on=leak|growing    exit 1 when a suspect is at least this (default leak)\n"
		"  -h, --help                this help\n"
		"      --version             print the version\n"
		"\n"
		"Patterns: goroutine-leak, ticker-leak, slice-retention, unbounded-map, cgo-leak,\n"
		"unexplained-rss, heap-growth (kind not known).\n"
		"Exit status: 0 no suspect at --fail-on, 1 a suspect, 2 usage or input error.\n");
}

enum {
	OPT_SOURCE = 256,
	OPT_NO_PROFILE_PATHS,
	OPT_RUNTIME_PREFIX,
	OPT_BLAME_SKIP,
	OPT_FORMAT,
	OPT_ALERTS,
	OPT_SERVICE,
	OPT_MAX_SUSPECTS,
	OPT_STACKS,
	OPT_FAIL_ON,
	OPT_VERSION,
};

static const struct option longopts[] = {
	{ "source", required_argument, NULL, OPT_SOURCE },
	{ "no-profile-paths", no_argument, NULL, OPT_NO_PROFILE_PATHS },
	{ "runtime-prefix", required_argument, NULL, OPT_RUNTIME_PREFIX },
	{ "blame-skip", required_argument, NULL, OPT_BLAME_SKIP },
	LW_TREND_LONGOPT_WARMUP,
	LW_TREND_LONGOPT_MIN_POINTS,
	LW_TREND_LONGOPT_FDR,
	LW_TREND_LONGOPT_MIN_RATE,
	LW_TREND_LONGOPT_MIN_COUNT_RATE,
	LW_TREND_LONGOPT_LIMIT,
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "output", required_argument, NULL, 'o' },
	{ "alerts", required_argument, NULL, OPT_ALERTS },
	{ "service", required_argument, NULL, OPT_SERVICE },
	{ "max-suspects", required_argument, NULL, OPT_MAX_SUSPECTS },
	{ "stacks", required_argument, NULL, OPT_STACKS },
	{ "fail-on", required_argument, NULL, OPT_FAIL_ON },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

struct main_opts {
	struct lb_opts o;
	enum format format;
	const char *output;
	const char *alerts;
};

static void add_prefixes(struct lb_rules *r, const char *arg)
{
	char *copy = lw_xstrdup(arg), *save = NULL, *tok;

	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (strcmp(tok, "none") == 0)
			lb_rules_clear_prefixes(r);
		else
			lb_rules_add_prefix(r, tok);
	}
	free(copy);
}

static void parse_args(int argc, char **argv, struct main_opts *m)
{
	static const char *const formats[] = {"text", "markdown", "md", "json", "html"};
	static const enum format format_v[] = {F_TEXT, F_MARKDOWN, F_MARKDOWN, F_JSON, F_HTML};
	static const char *const fail_ons[] = {"leak", "growing"};
	static const enum lw_trend_verdict fail_on_v[] = {LW_TREND_LEAK, LW_TREND_GROWING};
	struct lb_opts *o = &m->o;
	int c, k;
	int64_t v;

	while ((c = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
		if (lw_trend_cli_parse(&o->trend, c, optarg))
			continue;
		switch (c) {
		case OPT_SOURCE:
			if (!*optarg)
				lw_usage_error("empty --source");
			o->source_dirs = lw_xreallocarray(o->source_dirs, o->n_source_dirs + 1,
							  sizeof(*o->source_dirs));
			o->source_dirs[o->n_source_dirs++] = optarg;
			break;
		case OPT_NO_PROFILE_PATHS:
			o->profile_paths = 0;
			break;
		case OPT_RUNTIME_PREFIX:
			add_prefixes(&o->rules, optarg);
			break;
		case OPT_BLAME_SKIP:
			if (lb_rules_add_skip(&o->rules, optarg))
				lw_usage_error("invalid --blame-skip '%s' (not a POSIX extended regex)", optarg);
			break;
		case OPT_FORMAT:
			if ((k = lw_parse_choice(optarg, formats, LW_ARRAY_SIZE(formats))) < 0)
				lw_usage_error("invalid --format '%s' (text, markdown, json or html)", optarg);
			m->format = format_v[k];
			break;
		case 'o':
			if (!*optarg)
				lw_usage_error("empty --output");
			m->output = optarg;
			break;
		case OPT_ALERTS:
			if (!*optarg)
				lw_usage_error("empty --alerts");
			m->alerts = optarg;
			break;
		case OPT_SERVICE:
			o->service = optarg;
			break;
		case OPT_MAX_SUSPECTS:
			if (lw_parse_int64(optarg, 1, 1000000, &v))
				lw_usage_error("invalid --max-suspects '%s' (1 or more)", optarg);
			o->max_suspects = (int)v;
			break;
		case OPT_STACKS:
			if (lw_parse_int64(optarg, 0, 3, &v))
				lw_usage_error("invalid --stacks '%s' (0 to 3)", optarg);
			o->n_stacks = (int)v;
			break;
		case OPT_FAIL_ON:
			if ((k = lw_parse_choice(optarg, fail_ons, LW_ARRAY_SIZE(fail_ons))) < 0)
				lw_usage_error("invalid --fail-on '%s' (leak or growing)", optarg);
			o->fail_on = fail_on_v[k];
			break;
		case 'h':
			usage(stdout);
			lw_check_stdout();
			exit(0);
		case OPT_VERSION:
			lw_print_version();
		case ':':
			lw_usage_error("option '%s' needs a value", argv[optind - 1]);
		default:
			lw_usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
}

static int is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static void render(FILE *f, enum format fmt, const struct lb_report *r)
{
	switch (fmt) {
	case F_TEXT:
		lb_render_text(f, r);
		break;
	case F_MARKDOWN:
		lb_render_markdown(f, r);
		break;
	case F_JSON:
		lb_render_json(f, r);
		break;
	case F_HTML:
		lb_render_html(f, r);
		break;
	}
}

/* Writes to path atomically ("-": stdout). 0, or -1 after a message. */
static int write_out(const char *path, void (*fn)(FILE *, enum format, const struct lb_report *),
		     enum format fmt, const struct lb_report *r)
{
	struct lw_outfile of;
	int rc = lw_outfile_open(&of, path);

	if (rc) {
		lw_warn("cannot write '%s': %s", path, strerror(-rc));
		return -1;
	}
	fn(of.f, fmt, r);
	if (!of.is_file)
		return 0;
	if (ferror(of.f)) {
		lw_outfile_abort(&of);
		lw_warn("cannot write '%s': write error", path);
		return -1;
	}
	rc = lw_outfile_commit(&of);
	if (rc) {
		lw_warn("cannot write '%s': %s", path, strerror(-rc));
		return -1;
	}
	return 0;
}

static void alerts_fn(FILE *f, enum format fmt, const struct lb_report *r)
{
	(void)fmt;
	lb_write_alerts(f, r);
}

int main(int argc, char **argv)
{
	struct main_opts m;
	struct lb_report r;
	struct lw_error err;
	int rc = LW_EXIT_OK;

	lw_set_progname(argv[0]);
	memset(&m, 0, sizeof(m));
	memset(&r, 0, sizeof(r));
	lb_rules_default(&m.o.rules);
	lw_trend_opts_default(&m.o.trend);
	m.o.profile_paths = 1;
	m.o.max_suspects = 10;
	m.o.n_stacks = 3;
	m.o.fail_on = LW_TREND_LEAK;
	m.o.service = "";
	m.format = F_TEXT;
	m.output = "-";

	parse_args(argc, argv, &m);
	if (optind >= argc)
		lw_usage_error("no archive or profiles given");
	if (m.alerts && m.output && strcmp(m.alerts, m.output) == 0 && strcmp(m.alerts, "-") != 0)
		lw_usage_error("--alerts and --output name the same file");
	r.archive = argv[optind];

	if (argc - optind == 1 && is_dir(argv[optind])) {
		if (lb_collect_archive(&r, argv[optind], &m.o, &err)) {
			lw_warn("%s", err.msg);
			rc = LW_EXIT_ERROR;
			goto out;
		}
	} else {
		int i;
		for (i = optind; i < argc; i++) {
			if (is_dir(argv[i])) {
				lw_warn("'%s': a directory among profile files (one ARCHIVE_DIR alone)", argv[i]);
				rc = LW_EXIT_ERROR;
				goto out;
			}
		}
		r.files = 1;
		if (lb_collect_files(&r, argv + optind, (size_t)(argc - optind), &m.o, &err)) {
			lw_warn("%s", err.msg);
			rc = LW_EXIT_ERROR;
			goto out;
		}
	}
	if (lb_analyze(&r, &m.o)) {
		lw_warn("out of memory");
		rc = LW_EXIT_ERROR;
		goto out;
	}
	if (m.alerts && write_out(m.alerts, alerts_fn, m.format, &r)) {
		rc = LW_EXIT_ERROR;
		goto out;
	}
	if (write_out(m.output, render, m.format, &r)) {
		rc = LW_EXIT_ERROR;
		goto out;
	}
	rc = r.fail ? LW_EXIT_FINDING : LW_EXIT_OK;
out:
	lb_report_free(&r);
	lb_source_free_all();
	lb_intern_free();
	lb_rules_free(&m.o.rules);
	free(m.o.source_dirs);
	if (rc != LW_EXIT_ERROR)
		lw_check_stdout();
	return rc;
}
