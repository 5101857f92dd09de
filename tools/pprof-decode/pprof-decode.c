/* pprof-decode: print a Go pprof profile the way `go tool pprof` does.
 *
 * Reads one or more profiles (gzip or raw protobuf, or Go's legacy text
 * formats), merges several into one (pprof's Merge), and prints a view:
 * the -top table (default), traces, samples, folded stacks, the re-encoded
 * profile, or a summary. Numbers agree with go tool pprof (Go 1.19).
 */
#include <getopt.h>
#include <math.h>

#include "outfile.h"
#include "decode.h"
#include "err.h"
#include "merge.h"
#include "parse.h"
#include "pprof_io.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: pprof-decode [options] FILE...\n"
		"Print Go pprof profiles as go tool pprof does; several FILEs are merged,\n"
		"'-' reads standard input.\n"
		"\n"
		"Views (one):\n"
		"      --top               flat/cum table by function (default)\n"
		"      --traces            every sample's stack with its labels\n"
		"      --samples           one row per sample (all values, labels, stack)\n"
		"      --folded            folded stacks 'root;...;leaf value' (flamegraphs)\n"
		"      --proto             the merged, filtered profile as gzip protobuf\n"
		"      --info              sample types, period, time, counts, MemStats, goroutines\n"
		"Options:\n"
		"  -f, --format=FMT        text (default), csv or json (top, samples, folded, info)\n"
		"  -o, --output=FILE       write to FILE atomically instead of standard output\n"
		"  -s, --sample-index=S    sample type name or index (default as pprof picks it)\n"
		"  -n, --nodecount=N       show at most N rows in --top (default all)\n"
		"      --nodefraction=F    hide nodes below F of the total (default 0.005)\n"
		"      --focus=REGEX       keep samples with a frame matching REGEX (POSIX ERE)\n"
		"      --ignore=REGEX      drop samples with a frame matching REGEX\n"
		"      --lines             group --top by function file:line\n"
		"      --cum               sort --top by cum instead of flat\n"
		"  -h, --help              show this help\n"
		"      --version           show the version\n");
}

enum {
	OPT_TOP = 256, OPT_TRACES, OPT_SAMPLES, OPT_FOLDED, OPT_PROTO, OPT_INFO, OPT_FOCUS,
	OPT_IGNORE, OPT_LINES, OPT_CUM, OPT_NODEFRACTION, OPT_VERSION,
};

static const struct option longopts[] = {
	{ "top", no_argument, NULL, OPT_TOP },
	{ "traces", no_argument, NULL, OPT_TRACES },
	{ "samples", no_argument, NULL, OPT_SAMPLES },
	{ "folded", no_argument, NULL, OPT_FOLDED },
	{ "proto", no_argument, NULL, OPT_PROTO },
	{ "info", no_argument, NULL, OPT_INFO },
	{ "format", required_argument, NULL, 'f' },
	{ "output", required_argument, NULL, 'o' },
	{ "sample-index", required_argument, NULL, 's' },
	{ "nodecount", required_argument, NULL, 'n' },
	{ "nodefraction", required_argument, NULL, OPT_NODEFRACTION },
	{ "focus", required_argument, NULL, OPT_FOCUS },
	{ "ignore", required_argument, NULL, OPT_IGNORE },
	{ "lines", no_argument, NULL, OPT_LINES },
	{ "cum", no_argument, NULL, OPT_CUM },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

static void set_view(struct decode_opts *o, enum view v, int *nviews)
{
	o->view = v;
	(*nviews)++;
}

static void compile_re(regex_t *re, const char *what, const char *s)
{
	int rc = regcomp(re, s, REG_EXTENDED | REG_NOSUB);
	if (rc) {
		char msg[256];
		regerror(rc, re, msg, sizeof(msg));
		lw_usage_error("parsing %s regexp: '%s': %s", what, s, msg);
	}
}

/* Prints pprof's error text for a bad -sample_index. */
static void bad_sample_index(const struct lw_profile *p, const char *name)
{
	char list[1024];
	size_t w = 0;
	list[0] = '\0';
	for (size_t i = 0; i < p->n_sample_types && w < sizeof(list); i++)
		w += (size_t)snprintf(list + w, sizeof(list) - w, "%s%s", i ? " " : "",
				      p->sample_types[i].type);
	const char *d = name + (name[0] == '-' || name[0] == '+');
	if (*d && strspn(d, "0123456789") == strlen(d))
		lw_warn("sample_index %s is outside the range [0..%zu]", name,
			p->n_sample_types - 1);
	else
		lw_warn("sample_index \"%s\" must be one of: [%s]", name, list);
}

/* Writes the view into a temp file beside -o FILE, renamed on success. */
static int run_view(struct decode_ctx *c)
{
	const struct decode_opts *o = c->o;
	if (o->view == VIEW_PROTO) {
		struct lw_error err;
		if (lw_profile_write_file(c->p, o->output ? o->output : "-", &err)) {
			lw_warn("%s", err.msg);
			return LW_EXIT_ERROR;
		}
		return 0;
	}
	struct lw_outfile of;
	int rc = lw_outfile_open(&of, o->output);
	if (rc) {
		lw_warn("cannot create '%s': %s", o->output, strerror(-rc));
		return LW_EXIT_ERROR;
	}
	FILE *out = of.f;
	switch (o->view) {
	case VIEW_TRACES: rc = view_traces(out, c); break;
	case VIEW_SAMPLES: rc = view_samples(out, c); break;
	case VIEW_FOLDED: rc = view_folded(out, c); break;
	case VIEW_INFO: rc = view_info(out, c); break;
	default: rc = view_top(out, c); break;
	}
	if (rc) {
		lw_outfile_abort(&of);
		return rc;
	}
	rc = lw_outfile_commit(&of);
	if (rc) {
		lw_warn("cannot write '%s': %s", o->output, strerror(-rc));
		return LW_EXIT_ERROR;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct decode_opts o = {
		.view = VIEW_TOP,
		.format = FMT_TEXT,
		.node_fraction = 0.005,
	};
	int nviews = 0, ch;
	lw_set_progname(argv[0]);

	while ((ch = getopt_long(argc, argv, "f:o:s:n:h", longopts, NULL)) != -1) {
		int64_t v;
		double d;
		switch (ch) {
		case OPT_TOP: set_view(&o, VIEW_TOP, &nviews); break;
		case OPT_TRACES: set_view(&o, VIEW_TRACES, &nviews); break;
		case OPT_SAMPLES: set_view(&o, VIEW_SAMPLES, &nviews); break;
		case OPT_FOLDED: set_view(&o, VIEW_FOLDED, &nviews); break;
		case OPT_PROTO: set_view(&o, VIEW_PROTO, &nviews); break;
		case OPT_INFO: set_view(&o, VIEW_INFO, &nviews); break;
		case 'f': {
			static const char *const formats[] = {"text", "csv", "json"};
			static const enum fmt format_v[] = {FMT_TEXT, FMT_CSV, FMT_JSON};
			int k = lw_parse_choice(optarg, formats, LW_ARRAY_SIZE(formats));
			if (k < 0)
				lw_usage_error("unknown format '%s' (text, csv or json)", optarg);
			o.format = format_v[k];
			break;
		}
		case 'o': o.output = optarg; break;
		case 's': o.sample_index = optarg; break;
		case 'n':
			if (lw_parse_int64(optarg, 0, INT32_MAX, &v))
				lw_usage_error("invalid --nodecount '%s'", optarg);
			o.node_count = (int)v;
			break;
		case OPT_NODEFRACTION:
			if (lw_parse_double(optarg, &d) || d < 0 || d > 1)
				lw_usage_error("invalid --nodefraction '%s' (0 to 1)", optarg);
			o.node_fraction = d;
			break;
		case OPT_FOCUS: o.focus = optarg; break;
		case OPT_IGNORE: o.ignore = optarg; break;
		case OPT_LINES: o.lines = 1; break;
		case OPT_CUM: o.cum = 1; break;
		case 'h':
			usage(stdout);
			lw_check_stdout();
			return 0;
		case OPT_VERSION: lw_print_version();
		default: lw_usage_error("unknown option");
		}
	}
	if (nviews > 1)
		lw_usage_error("choose one of --top, --traces, --samples, --folded, --proto, --info");
	if (optind >= argc)
		lw_usage_error("no profile given");
	if (o.format != FMT_TEXT && (o.view == VIEW_TRACES || o.view == VIEW_PROTO))
		lw_usage_error("--format=%s applies to --top, --samples, --folded and --info",
			       o.format == FMT_CSV ? "csv" : "json");
	int nstdin = 0;
	for (int i = optind; i < argc; i++)
		nstdin += !strcmp(argv[i], "-");
	if (nstdin > 1)
		lw_usage_error("'-' (standard input) given more than once");

	struct decode_ctx c = { .o = &o };
	int n = argc - optind;
	struct lw_profile **ps = lw_xcalloc((size_t)n, sizeof(*ps));
	int status = 0;
	struct lw_error err;

	if (o.focus) {
		compile_re(&c.focus_re, "focus", o.focus);
		c.filter.focus = &c.focus_re;
	}
	if (o.ignore) {
		compile_re(&c.ignore_re, "ignore", o.ignore);
		c.filter.ignore = &c.ignore_re;
	}
	c.has_filter = o.focus || o.ignore;

	for (int i = 0; i < n; i++) {
		ps[i] = lw_profile_read_file(argv[optind + i], &err);
		if (!ps[i]) {
			lw_warn("%s", err.msg);
			status = LW_EXIT_ERROR;
			goto out;
		}
	}
	c.n_inputs = n;
	c.orig = ps[0];
	/* Go 1.19's pprof merges even a single profile (drops zero samples,
	 * joins equal ones, renumbers ids): the sample-printing views need
	 * that; the aggregate views do not and skip the work. */
	if (n > 1 || o.view == VIEW_TRACES || o.view == VIEW_SAMPLES || o.view == VIEW_PROTO) {
		c.p = lw_profile_merge(ps, (size_t)n, &err);
		if (!c.p) {
			lw_warn("%s", err.msg);
			status = LW_EXIT_ERROR;
			goto out;
		}
	} else {
		c.p = ps[0];
	}
	/* --info and --proto need no sample type, unless one was asked for. */
	if ((o.view != VIEW_INFO && o.view != VIEW_PROTO) || o.sample_index) {
		if (c.p->n_sample_types == 0) {
			lw_warn("%s: profile has no samples", n == 1 ? argv[optind] : "merged profile");
			status = LW_EXIT_ERROR;
			goto out;
		}
		c.si = lw_sample_index(c.p, o.sample_index);
		if (c.si < 0) {
			bad_sample_index(c.p, o.sample_index);
			status = LW_EXIT_ERROR;
			goto out;
		}
	}
	if (o.view == VIEW_PROTO && c.has_filter) {
		if (filter_profile_samples(&c)) {
			lw_warn("out of memory");
			status = LW_EXIT_ERROR;
			goto out;
		}
	}
	status = run_view(&c);
	if (status == 0 && (!o.output || !strcmp(o.output, "-")))
		lw_check_stdout();
out:
	if (c.p && c.p != ps[0])
		lw_profile_free(c.p);
	for (int i = 0; i < n; i++)
		lw_profile_free(ps[i]);
	free(ps);
	if (o.focus)
		regfree(&c.focus_re);
	if (o.ignore)
		regfree(&c.ignore_re);
	return status;
}
