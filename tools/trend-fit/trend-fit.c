/* trend-fit: tell a leak from a plateau over a series of snapshots.
 *
 * Reads an archive (pprof-fetch's layout: heap, cgo and goroutine profiles
 * and memstats.csv per target), or profile files, or a time,key,value CSV,
 * builds one series per key and per total, fits each (least squares,
 * Theil-Sen with its interval, Mann-Kendall, Benjamini-Hochberg across all
 * series) and gives a verdict: leak, growing, plateau, steady, shrinking or
 * too-short (libcommon/trend.h says how). Prints CSV, JSON or a text
 * summary; exits 1 when an alert fires (rate, goroutines, time to limit).
 */
#include <getopt.h>
#include <math.h>
#include <regex.h>
#include <sys/stat.h>

#include "outfile.h"
#include "err.h"
#include "parse.h"
#include "trend_cli.h"
#include "trendfit.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: trend-fit [options] ARCHIVE_DIR | PROFILE...\n"
		"       trend-fit [options] --series FILE [ARCHIVE_DIR | PROFILE...]\n"
		"\n"
		"Fits every series of memory values over time (per key and total; heap, cgo\n"
		"and goroutine profiles, memstats.csv) and says which leak.\n"
		"\n"
		"Input:\n"
		"  --by=function|stack|file  key of the per-key series (default function, flat)\n"
		"  --sample-index=TYPE       heap/cgo sample type (default inuse_space)\n"
		"  --kinds=LIST              heap,cgo,goroutine,memstats (default all)\n"
		"  --series=FILE             also fit time,key,value rows from FILE (- = stdin)\n"
		"  --series-unit=UNIT        unit of --series values: bytes (default) or count\n"
		"  --focus=REGEX, --ignore=REGEX  keep / drop samples with a matching frame\n"
		"Analysis:\n"
		"  --warmup=N|DURATION|auto  leading points to leave out (default auto: the\n"
		"                            first 10%% of the time span; 0 for none)\n"
		"  --min-points=N            fewer points after warm-up: too-short (default 8)\n"
		"  --confidence=P            Theil-Sen interval level (default 0.95)\n"
		"  --fdr=Q                   false-discovery rate across series (default 0.05)\n"
		"  --noise-steps=N           growth must exceed N sampling steps (default 4)\n"
		"  --plateau-ratio=R         a tail rising at most R x as fast as the head may be\n"
		"                            a plateau (default 0.25)\n"
		"  --min-rate=RATE           slower byte growth is 'growing' (default 1MiB/h)\n"
		"  --min-count-rate=RATE     the same for counts (default 60/h)\n"
		"  --limit=BYTES             memory limit: project the time until it is reached\n"
		"Alerts (exit 1 when one fires):\n"
		"  --alert-rate=RATE         a leaking byte series this fast (default 10MiB/h)\n"
		"  --alert-goroutines=RATE   a leaking goroutine series this fast (default 100/h)\n"
		"  --alert-ttl=DURATION      limit reached sooner than this (default 24h, with --limit)\n"
		"  --alerts=FILE             write the alerts as a JSON document (scripts/notify)\n"
		"  --service=NAME            service name in alerts (default: the target, or\n"
		"                            the archive directory's name)\n"
		"Output:\n"
		"  --format=text|csv|json    (default text)\n"
		"  -n, --top=N               text: series shown per group (default 10)\n"
		"  -o, --output=FILE         write the report to FILE (default stdout)\n"
		"  -h, --help                this help\n"
		"      --version             print the version\n"
		"\n"
		"Exit status: 0 no alert, 1 an alert fired, 2 usage or input error.\n");
}

enum {
	OPT_BY = 256,
	OPT_SAMPLE_INDEX,
	OPT_KINDS,
	OPT_SERIES,
	OPT_SERIES_UNIT,
	OPT_FOCUS,
	OPT_IGNORE,
	OPT_ALERT_RATE,
	OPT_ALERT_GOROUTINES,
	OPT_ALERT_TTL,
	OPT_ALERTS,
	OPT_FORMAT,
	OPT_VERSION,
	OPT_DECODE_ONLY,
	OPT_SERVICE,
};

static const struct option longopts[] = {
	{ "by", required_argument, NULL, OPT_BY },
	{ "sample-index", required_argument, NULL, OPT_SAMPLE_INDEX },
	{ "kinds", required_argument, NULL, OPT_KINDS },
	{ "series", required_argument, NULL, OPT_SERIES },
	{ "series-unit", required_argument, NULL, OPT_SERIES_UNIT },
	{ "focus", required_argument, NULL, OPT_FOCUS },
	{ "ignore", required_argument, NULL, OPT_IGNORE },
	LW_TREND_LONGOPT_WARMUP,
	LW_TREND_LONGOPT_MIN_POINTS,
	LW_TREND_LONGOPT_CONFIDENCE,
	LW_TREND_LONGOPT_FDR,
	LW_TREND_LONGOPT_NOISE_STEPS,
	LW_TREND_LONGOPT_PLATEAU_RATIO,
	LW_TREND_LONGOPT_MIN_RATE,
	LW_TREND_LONGOPT_MIN_COUNT_RATE,
	LW_TREND_LONGOPT_LIMIT,
	{ "alert-rate", required_argument, NULL, OPT_ALERT_RATE },
	{ "alert-goroutines", required_argument, NULL, OPT_ALERT_GOROUTINES },
	{ "alert-ttl", required_argument, NULL, OPT_ALERT_TTL },
	{ "alerts", required_argument, NULL, OPT_ALERTS },
	{ "service", required_argument, NULL, OPT_SERVICE },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "top", required_argument, NULL, 'n' },
	{ "output", required_argument, NULL, 'o' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	/* hidden, for bench/trend: read and aggregate, skip the analysis */
	{ "decode-only", no_argument, NULL, OPT_DECODE_ONLY },
	{ NULL, 0, NULL, 0 },
};

static void parse_args(int argc, char **argv, struct tf_opts *o)
{
	static const char *const bys[] = {"function", "stack", "file"};
	static const enum lw_granularity by_v[] = {LW_BY_FUNCTION, LW_BY_STACK, LW_BY_FILE};
	static const char *const formats[] = {"text", "csv", "json"};
	static const enum tf_format format_v[] = {TF_TEXT, TF_CSV, TF_JSON};
	int c, k;
	int64_t v;
	int ttl_set = 0;

	while ((c = getopt_long(argc, argv, ":n:o:h", longopts, NULL)) != -1) {
		if (lw_trend_cli_parse(&o->trend, c, optarg))
			continue;
		switch (c) {
		case OPT_BY:
			if ((k = lw_parse_choice(optarg, bys, LW_ARRAY_SIZE(bys))) < 0)
				lw_usage_error("invalid --by '%s' (function, stack or file)", optarg);
			o->src.by = by_v[k];
			break;
		case OPT_SAMPLE_INDEX:
			if (!*optarg)
				lw_usage_error("empty --sample-index");
			o->src.sample_index = optarg;
			break;
		case OPT_KINDS:
			if (lw_trend_parse_kinds(optarg, &o->src.kinds))
				lw_usage_error("invalid --kinds '%s' (heap, cgo, goroutine, memstats)",
					       optarg);
			break;
		case OPT_SERIES:
			o->series_path = optarg;
			break;
		case OPT_SERIES_UNIT:
			if (strcmp(optarg, "bytes") && strcmp(optarg, "count"))
				lw_usage_error("invalid --series-unit '%s' (bytes or count)", optarg);
			o->series_unit = optarg;
			break;
		case OPT_FOCUS:
			o->focus = optarg;
			break;
		case OPT_IGNORE:
			o->ignore = optarg;
			break;
		case OPT_ALERT_RATE:
			o->alert_rate = lw_trend_cli_rate("alert-rate", optarg);
			break;
		case OPT_ALERT_GOROUTINES:
			o->alert_goroutines = lw_trend_cli_rate("alert-goroutines", optarg);
			break;
		case OPT_ALERT_TTL:
			if (lw_parse_duration(optarg, &v) || v <= 0)
				lw_usage_error("invalid --alert-ttl '%s' (want a duration like 24h)",
					       optarg);
			o->alert_ttl_hours = (double)v / 3.6e12;
			ttl_set = 1;
			break;
		case OPT_ALERTS:
			o->alerts_path = optarg;
			break;
		case OPT_SERVICE:
			o->service = optarg;
			break;
		case OPT_FORMAT:
			if ((k = lw_parse_choice(optarg, formats, LW_ARRAY_SIZE(formats))) < 0)
				lw_usage_error("invalid --format '%s' (text, csv or json)", optarg);
			o->format = format_v[k];
			break;
		case 'n':
			if (lw_parse_int64(optarg, 0, 1000000, &v))
				lw_usage_error("invalid --top '%s'", optarg);
			o->top = (long)v;
			break;
		case 'o':
			o->output = optarg;
			break;
		case 'h':
			usage(stdout);
			lw_check_stdout();
			exit(LW_EXIT_OK);
		case OPT_VERSION:
			lw_print_version();
		case OPT_DECODE_ONLY:
			o->decode_only = 1;
			break;
		case ':':
			lw_usage_error("option '%s' needs an argument", argv[optind - 1]);
		default:
			lw_usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (ttl_set && o->trend.limit <= 0)
		lw_usage_error("--alert-ttl needs --limit");
	if (o->trend.limit > 0 && !ttl_set)
		o->alert_ttl_hours = 24;
	if (optind == argc && !o->series_path)
		lw_usage_error("no archive, profile or --series given");
}

static int is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static void compile_re(const char *opt, const char *pat, regex_t *re)
{
	int rc = regcomp(re, pat, REG_EXTENDED | REG_NOSUB);
	if (rc) {
		char buf[256];
		regerror(rc, re, buf, sizeof(buf));
		lw_usage_error("invalid --%s '%s': %s", opt, pat, buf);
	}
}

/* "a/b/arch/" -> "arch" */
static const char *base_name(const char *path, char *buf, size_t size)
{
	size_t n = strlen(path), i;

	while (n > 1 && path[n - 1] == '/')
		n--;
	for (i = n; i > 0 && path[i - 1] != '/'; i--)
		;
	snprintf(buf, size, "%.*s", (int)(n - i), path + i);
	return buf;
}

static size_t count_series(const struct lw_trend_set *s)
{
	size_t i, n = 0;
	for (i = 0; i < s->n_groups; i++)
		n += s->groups[i]->n_series;
	return n;
}

static void write_report(FILE *f, const struct lw_trend_set *s, const struct tf_alerts *al,
			 const struct tf_opts *o)
{
	switch (o->format) {
	case TF_CSV:
		tf_write_csv(f, s);
		break;
	case TF_JSON:
		tf_write_json(f, s, al, o);
		break;
	default:
		tf_write_text(f, s, al, o);
		break;
	}
}

/* Writes with fn to path atomically, or to stdout when path is NULL (or
 * "-" and dash_is_stdout). 0, or -1 with err set. */
static int write_file(const char *path, int dash_is_stdout,
		      void (*fn)(FILE *, const struct lw_trend_set *, const struct tf_alerts *,
				 const struct tf_opts *),
		      const struct lw_trend_set *s, const struct tf_alerts *al,
		      const struct tf_opts *o, struct lw_error *err)
{
	struct lw_outfile of;
	const char *p = path;
	int rc;

	if (p && !dash_is_stdout && strcmp(p, "-") == 0)
		p = "./-"; /* the file '-': lw_outfile takes "-" as stdout */
	rc = lw_outfile_open(&of, p);
	if (rc) {
		snprintf(err->msg, sizeof(err->msg), "cannot write '%s': %s", path, strerror(-rc));
		return -1;
	}
	fn(of.f, s, al, o);
	rc = lw_outfile_commit(&of);
	if (rc) {
		snprintf(err->msg, sizeof(err->msg), "cannot write '%s': %s", path, strerror(-rc));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct tf_opts o = { 0 };
	struct lw_trend_set *set = NULL;
	struct tf_alerts alerts = { 0 };
	struct lw_error err = { { 0 } };
	regex_t focus_re, ignore_re;
	struct lw_filter filter = { 0 };
	int status = LW_EXIT_ERROR, i;
	char service_buf[256];

	lw_set_progname(argv[0]);
	lw_trend_opts_default(&o.trend);
	o.src.by = LW_BY_FUNCTION;
	o.format = TF_TEXT;
	o.series_unit = "bytes";
	o.alert_rate = 10.0 * 1024 * 1024;
	o.alert_goroutines = 100;
	o.top = 10;
	parse_args(argc, argv, &o);

	if (o.focus) {
		compile_re("focus", o.focus, &focus_re);
		filter.focus = &focus_re;
	}
	if (o.ignore) {
		compile_re("ignore", o.ignore, &ignore_re);
		filter.ignore = &ignore_re;
	}
	if (o.focus || o.ignore)
		o.src.filter = &filter;

	set = lw_trend_set_new();
	if (!set)
		lw_die("out of memory");
	if (optind < argc) {
		if (argc - optind == 1 && is_dir(argv[optind])) {
			if (!o.service)
				o.service = base_name(argv[optind], service_buf, sizeof(service_buf));
			if (lw_trend_add_archive(set, argv[optind], &o.src, &err))
				goto fail;
		} else {
			for (i = optind; i < argc; i++) {
				if (is_dir(argv[i])) {
					snprintf(err.msg, sizeof(err.msg),
						 "'%s': is a directory (give one archive, or profile files)",
						 argv[i]);
					goto fail;
				}
			}
			if (lw_trend_add_profiles(set, argv + optind, (size_t)(argc - optind), &o.src,
						  &err))
				goto fail;
		}
	}
	if (o.series_path &&
	    lw_trend_add_series_csv(set, o.series_path, o.series_unit, &err))
		goto fail;
	if (count_series(set) == 0) {
		snprintf(err.msg, sizeof(err.msg), "'%s': no snapshots or series found",
			 optind < argc ? argv[optind] : o.series_path);
		goto fail;
	}
	if (o.decode_only) {
		printf("%zu groups, %zu series\n", set->n_groups, count_series(set));
		status = LW_EXIT_OK;
		goto out;
	}
	if (lw_trend_analyze(set, &o.trend)) {
		snprintf(err.msg, sizeof(err.msg), "out of memory");
		goto fail;
	}
	tf_find_alerts(set, &o, &alerts);

	if (o.alerts_path && write_file(o.alerts_path, 0, tf_write_alerts, set, &alerts, &o, &err))
		goto fail;
	if (write_file(o.output, 1, write_report, set, &alerts, &o, &err))
		goto fail;
	status = alerts.n ? LW_EXIT_FINDING : LW_EXIT_OK;
	goto out;
fail:
	lw_warn("%s", err.msg);
	status = LW_EXIT_ERROR;
out:
	free(alerts.v);
	lw_trend_set_free(set);
	if (o.focus)
		regfree(&focus_re);
	if (o.ignore)
		regfree(&ignore_re);
	if (status != LW_EXIT_ERROR)
		lw_check_stdout();
	return status;
}
