/* pprof-diff: what grew between a baseline and a current profile, and the
 * CI memory gate built on it.
 *
 *   pprof-diff [options] BASE CURRENT
 *   pprof-diff [options] --base F... --current F...
 *
 * Numbers agree with go tool pprof -top -diff_base BASE CURRENT; several
 * runs of a side are combined per key (median by default). Exit 0 within
 * budget, 1 over budget, 2 on error.
 */
#include <getopt.h>

#include "outfile.h"
#include "diff.h"
#include "err.h"
#include "parse.h"

struct options {
	const char **base_paths, **cur_paths;
	size_t n_base, n_cur;
	enum pd_combine how;
	const char *sample_index;
	bool normalize;
	bool cancel;
	enum lw_granularity view;
	enum pd_format format;
	bool cum;
	long nodecount;      /* -1: the format's default */
	double nodefraction; /* < 0: the format's default */
	const char *output;
	const char *proto;
	struct pd_gate_opts gate;
	const char *budget_path;
};

static const char usage_text[] =
	"usage: pprof-diff [options] BASE CURRENT\n"
	"       pprof-diff [options] --base F [--base F...] --current F [--current F...]\n"
	"Compare a current Go profile against a baseline (a file or a directory of runs).\n"
	"\n"
	"Inputs:\n"
	"  -b, --base=PATH          a baseline profile, or a directory of runs (repeatable)\n"
	"  -c, --current=PATH       a current profile, or a directory of runs (repeatable)\n"
	"      --combine=HOW        combine several runs of a side per key: median (default),\n"
	"                           sum, mean or max\n"
	"  -i, --sample-index=TYPE  sample type by name or index (default: pprof's default,\n"
	"                           inuse_space for heap profiles)\n"
	"      --normalize          scale current so its total equals the base's (pprof -normalize)\n"
	"Report:\n"
	"      --view=VIEW          functions (default), lines, files or stacks\n"
	"  -f, --format=FMT         text (default), csv, json or markdown\n"
	"      --cum                sort by |cum delta| instead of |flat delta|\n"
	"  -n, --nodecount=N        show at most N rows (0: all; markdown: 10 growers)\n"
	"      --nodefraction=F     hide rows with |cum| below F x the flat sum\n"
	"                           (default 0.005 for text as pprof, 0 otherwise)\n"
	"      --cancel             percentages of sum |current - base| per stack (pprof -base)\n"
	"  -o, --output=FILE        write the report to FILE (atomically)\n"
	"      --proto=FILE         also write the diff profile (base negated and labelled\n"
	"                           pprof::base=true, as go tool pprof -diff_base -proto)\n"
	"Gate (exit 1 when over):\n"
	"      --fail-total=T       total growth above T: a size (10MiB), a count, or a\n"
	"                           percent of the base total (5%)\n"
	"      --fail-function=T    any function's flat growth above T\n"
	"      --budget=FILE        per-function and per-/regex/ allowances (see pprof-diff(1))\n"
	"      --noise=K            with several base runs, tolerate growth up to K times\n"
	"                           the spread (max - min) among the base runs\n"
	"  -h, --help               show this help\n"
	"      --version            show the version\n"
	"\n"
	"Exit status: 0 within budget, 1 over budget, 2 usage or input error.\n";

enum {
	OPT_COMBINE = 256,
	OPT_NORMALIZE,
	OPT_CANCEL,
	OPT_VIEW,
	OPT_CUM,
	OPT_NODEFRACTION,
	OPT_PROTO,
	OPT_FAIL_TOTAL,
	OPT_FAIL_FUNCTION,
	OPT_BUDGET,
	OPT_NOISE,
	OPT_VERSION,
};

static const struct option longopts[] = {
	{"base", required_argument, NULL, 'b'},
	{"current", required_argument, NULL, 'c'},
	{"combine", required_argument, NULL, OPT_COMBINE},
	{"sample-index", required_argument, NULL, 'i'},
	{"normalize", no_argument, NULL, OPT_NORMALIZE},
	{"cancel", no_argument, NULL, OPT_CANCEL},
	{"view", required_argument, NULL, OPT_VIEW},
	{"format", required_argument, NULL, 'f'},
	{"cum", no_argument, NULL, OPT_CUM},
	{"nodecount", required_argument, NULL, 'n'},
	{"nodefraction", required_argument, NULL, OPT_NODEFRACTION},
	{"output", required_argument, NULL, 'o'},
	{"proto", required_argument, NULL, OPT_PROTO},
	{"fail-total", required_argument, NULL, OPT_FAIL_TOTAL},
	{"fail-function", required_argument, NULL, OPT_FAIL_FUNCTION},
	{"budget", required_argument, NULL, OPT_BUDGET},
	{"noise", required_argument, NULL, OPT_NOISE},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, OPT_VERSION},
	{NULL, 0, NULL, 0},
};

static void add_rule(struct pd_rule **v, size_t *n, const char *opt, const char *arg)
{
	struct pd_rule r = {.arg = arg};
	if (lw_parse_threshold(arg, &r.th) != 0 || r.th.value < 0)
		lw_usage_error("invalid %s '%s' (want a size like 10MiB, a count, or a percent)",
			       opt, arg);
	*v = lw_xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[(*n)++] = r;
}

static void parse_args(int argc, char **argv, struct options *o)
{
	static const char *const combines[] = {"median", "sum", "mean", "max"};
	static const enum pd_combine combine_v[] = {PD_MEDIAN, PD_SUM, PD_MEAN, PD_MAX};
	static const char *const views[] = {"functions", "function", "lines", "line",
					    "files",     "file",     "stacks", "stack"};
	static const enum lw_granularity view_v[] = {LW_BY_FUNCTION, LW_BY_FUNCTION, LW_BY_LINE,
						     LW_BY_LINE,     LW_BY_FILE,     LW_BY_FILE,
						     LW_BY_STACK,    LW_BY_STACK};
	static const char *const formats[] = {"text", "csv", "json", "markdown", "md"};
	static const enum pd_format format_v[] = {PD_TEXT, PD_CSV, PD_JSON, PD_MARKDOWN,
						  PD_MARKDOWN};
	int c, k;
	int64_t n;

	opterr = 0; /* one message, ours */
	while ((c = getopt_long(argc, argv, ":b:c:i:f:n:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'b':
			o->base_paths = lw_xreallocarray(o->base_paths, o->n_base + 1, sizeof(char *));
			o->base_paths[o->n_base++] = optarg;
			break;
		case 'c':
			o->cur_paths = lw_xreallocarray(o->cur_paths, o->n_cur + 1, sizeof(char *));
			o->cur_paths[o->n_cur++] = optarg;
			break;
		case OPT_COMBINE:
			if ((k = lw_parse_choice(optarg, combines, LW_ARRAY_SIZE(combines))) < 0)
				lw_usage_error("invalid --combine '%s' (median, sum, mean or max)",
					       optarg);
			o->how = combine_v[k];
			break;
		case 'i':
			o->sample_index = optarg;
			break;
		case OPT_NORMALIZE:
			o->normalize = true;
			break;
		case OPT_CANCEL:
			o->cancel = true;
			break;
		case OPT_VIEW:
			if ((k = lw_parse_choice(optarg, views, LW_ARRAY_SIZE(views))) < 0)
				lw_usage_error("invalid --view '%s' (functions, lines, files or stacks)",
					       optarg);
			o->view = view_v[k];
			break;
		case 'f':
			if ((k = lw_parse_choice(optarg, formats, LW_ARRAY_SIZE(formats))) < 0)
				lw_usage_error("invalid --format '%s' (text, csv, json or markdown)",
					       optarg);
			o->format = format_v[k];
			break;
		case OPT_CUM:
			o->cum = true;
			break;
		case 'n':
			if (lw_parse_int64(optarg, 0, INT32_MAX, &n) != 0)
				lw_usage_error("invalid --nodecount '%s'", optarg);
			o->nodecount = (long)n;
			break;
		case OPT_NODEFRACTION:
			if (lw_parse_double(optarg, &o->nodefraction) != 0 || o->nodefraction < 0 ||
			    o->nodefraction > 1)
				lw_usage_error("invalid --nodefraction '%s' (0 to 1)", optarg);
			break;
		case 'o':
			o->output = optarg;
			break;
		case OPT_PROTO:
			o->proto = optarg;
			break;
		case OPT_FAIL_TOTAL:
			add_rule(&o->gate.fail_total, &o->gate.n_fail_total, "--fail-total", optarg);
			break;
		case OPT_FAIL_FUNCTION:
			add_rule(&o->gate.fail_function, &o->gate.n_fail_function, "--fail-function",
				 optarg);
			break;
		case OPT_BUDGET:
			o->budget_path = optarg;
			break;
		case OPT_NOISE:
			if (lw_parse_double(optarg, &o->gate.noise) != 0 || o->gate.noise < 0)
				lw_usage_error("invalid --noise '%s' (a factor >= 0)", optarg);
			break;
		case 'h':
			fputs(usage_text, stdout);
			lw_check_stdout();
			exit(LW_EXIT_OK);
		case OPT_VERSION:
			lw_print_version();
		case ':':
			lw_usage_error("option '%s' needs a value", argv[optind - 1]);
		default:
			if (optopt)
				lw_usage_error("unknown option '-%c'", optopt);
			lw_usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}

	/* Positional arguments fill the sides not given by option. */
	char **pos = argv + optind;
	int npos = argc - optind;
	if (o->n_base == 0 && o->n_cur == 0) {
		if (npos != 2)
			lw_usage_error(npos < 2 ? "need a BASE and a CURRENT profile"
						: "too many arguments (use --base/--current for runs)");
		o->base_paths = lw_xcalloc(1, sizeof(char *));
		o->cur_paths = lw_xcalloc(1, sizeof(char *));
		o->base_paths[o->n_base++] = pos[0];
		o->cur_paths[o->n_cur++] = pos[1];
	} else {
		const char ***dst = o->n_base == 0 ? &o->base_paths : &o->cur_paths;
		size_t *dn = o->n_base == 0 ? &o->n_base : &o->n_cur;
		if (o->n_base && o->n_cur && npos)
			lw_usage_error("unexpected argument '%s' after --base and --current", pos[0]);
		for (int i = 0; i < npos; i++) {
			*dst = lw_xreallocarray(*dst, *dn + 1, sizeof(char *));
			(*dst)[(*dn)++] = pos[i];
		}
		if (o->n_base == 0)
			lw_usage_error("no base profile");
		if (o->n_cur == 0)
			lw_usage_error("no current profile");
	}
	/* Both on standard output would interleave gzip and the report. */
	if (o->proto && !strcmp(o->proto, "-") && (!o->output || !strcmp(o->output, "-")))
		lw_usage_error("--proto=- needs --output=FILE for the report");
	if (o->nodefraction < 0)
		o->nodefraction = o->format == PD_TEXT ? 0.005 : 0;
	if (o->nodecount < 0)
		o->nodecount = o->format == PD_MARKDOWN ? 10 : 0;
}

static void render(FILE *f, const struct options *o, const struct pd_report *r)
{
	switch (o->format) {
	case PD_CSV: pd_render_csv(f, r); break;
	case PD_JSON: pd_render_json(f, r); break;
	case PD_MARKDOWN: pd_render_markdown(f, r, o->nodecount); break;
	case PD_TEXT:
	default: pd_render_text(f, r); break;
	}
}

int main(int argc, char **argv)
{
	struct options o = {.how = PD_MEDIAN, .view = LW_BY_FUNCTION, .format = PD_TEXT,
			    .nodecount = -1, .nodefraction = -1};
	struct pd_side base = {.what = "base"}, cur = {.what = "current"};
	struct pd_budget budget = {0};
	struct pd_selection sel;
	struct pd_table view = {0}, fnview = {0};
	struct pd_shown shown = {0};
	struct pd_gate gate = {0};
	struct lw_error err = {{0}};
	int status = LW_EXIT_ERROR;

	lw_set_progname(argv[0]);
	parse_args(argc, argv, &o);

	if (o.budget_path) {
		if (pd_budget_load(o.budget_path, &budget, &err) != 0)
			goto fail;
		o.gate.budget = &budget;
	}
	for (size_t i = 0; i < o.n_base; i++)
		if (pd_side_add_path(&base, o.base_paths[i], &err) != 0)
			goto fail;
	for (size_t i = 0; i < o.n_cur; i++)
		if (pd_side_add_path(&cur, o.cur_paths[i], &err) != 0)
			goto fail;
	if (o.gate.noise > 0 && base.n < 2) {
		snprintf(err.msg, sizeof(err.msg),
			 "--noise needs at least two base profiles (the spread among them)");
		goto fail;
	}
	if (pd_side_load(&base, &err) != 0 || pd_side_load(&cur, &err) != 0)
		goto fail;
	if (pd_select(&base, &cur, o.sample_index, &sel, &err) != 0)
		goto fail;
	pd_normalize_periods(&base, &cur, &sel);
	/* pprof sums several sources before -normalize scales (and rounds)
	 * each merged sample; with --combine=sum that is the same diff. */
	if (o.normalize && o.how == PD_SUM && cur.n > 1) {
		if (pd_side_merge_runs(&cur, &err) != 0)
			goto fail;
		/* sel pointed into the first run's profile, now freed. */
		sel.type = cur.runs[0].prof->sample_types[cur.runs[0].si].type;
		sel.unit = cur.runs[0].prof->sample_types[cur.runs[0].si].unit;
	}
	if (o.normalize)
		pd_normalize_current(&base, &cur, o.how, &sel);

	pd_table_build(&view, &base, &cur, o.view, o.how);
	pd_table_sort(&view, o.cum);
	const struct pd_table *fn = &view;
	bool gating = o.gate.n_fail_total || o.gate.n_fail_function || o.gate.budget;
	if (gating && o.view != LW_BY_FUNCTION) {
		pd_table_build(&fnview, &base, &cur, LW_BY_FUNCTION, o.how);
		fn = &fnview;
	}
	pd_gate_eval(&o.gate, fn, &gate);

	struct pd_report rep = {
		.t = &view, .shown = &shown, .sel = &sel, .base = &base, .cur = &cur,
		.gate = &gate, .gopts = &o.gate, .how = o.how, .total = view.total,
		.nodefraction = o.nodefraction, .cancel = o.cancel, .cum_sort = o.cum,
	};
	if (o.cancel && pd_cancel_total(&base, &cur, o.how, cur.runs[0].si, &rep.total, &err) != 0)
		goto fail;
	/* pprof's cutoff is from the flat sum; the "Dropped" line from the total. */
	pd_trim(&view, o.nodefraction, o.format == PD_MARKDOWN ? 0 : o.nodecount, &shown);

	{
		/* The report's file is created first, so that an unwritable -o
		 * leaves no diff profile behind; the diff profile is written
		 * before the report, which must not claim a success. */
		struct lw_outfile of;
		int rc = lw_outfile_open(&of, o.output);
		if (rc != 0) {
			snprintf(err.msg, sizeof(err.msg), "'%s': %s", o.output, strerror(-rc));
			goto fail;
		}
		if (o.proto && pd_write_proto(o.proto, &base, &cur, o.how, &err) != 0) {
			lw_outfile_abort(&of);
			goto fail;
		}
		render(of.f, &o, &rep);
		if ((rc = lw_outfile_commit(&of)) != 0) {
			snprintf(err.msg, sizeof(err.msg), "'%s': %s", o.output, strerror(-rc));
			goto fail;
		}
	}
	lw_check_stdout();
	status = gate.n ? LW_EXIT_FINDING : LW_EXIT_OK;
	goto out;

fail:
	lw_warn("%s", err.msg);
	status = LW_EXIT_ERROR;
out:
	pd_gate_free(&gate);
	pd_shown_free(&shown);
	pd_table_free(&fnview);
	pd_table_free(&view);
	pd_side_free(&cur);
	pd_side_free(&base);
	pd_budget_free(&budget);
	free(o.gate.fail_total);
	free(o.gate.fail_function);
	free(o.base_paths);
	free(o.cur_paths);
	return status;
}
