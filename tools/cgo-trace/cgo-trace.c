/* cgo-trace: trace the C allocations of a running process (a Go program's
 * cgo calls included) with eBPF uprobes and write the allocations still
 * outstanding, by stack, as Go-heap-shaped pprof profiles.
 *
 *   cgo-trace [options] -p PID
 *   cgo-trace [options] -- COMMAND [ARGS...]
 *
 * Modules: probes.c (where the uprobes go), target.c (PID or COMMAND),
 * unwind.c (user-space half of the unwinder), modules.c + symbolize.c
 * (ELF/DWARF), heap.c (BPF maps -> buckets), writer.c (pprof profile).
 * Kernel side: bpf/cgo-trace.bpf.c.
 */
#include <getopt.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <math.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "archive.h"
#include "cgo-trace.skel.h"
#include "err.h"
#include "heap.h"
#include "modules.h"
#include "parse.h"
#include "probes.h"
#include "symbolize.h"
#include "target.h"
#include "unwind.h"
#include "writer.h"

struct opts {
	pid_t pid;
	char **cmd;
	const char *output;
	const char *out_dir;
	int64_t interval_ns;
	int64_t duration_ns;
	int64_t min_age_ns;
	int64_t sample_rate;
	const char *lib;
	const char *prefix;
	int mmap;
	int64_t max_allocs;
	int64_t max_stacks;
	int count_only;
	int verbose;
};

struct ctx {
	const struct opts *o;
	struct cgo_trace_bpf *skel;
	struct ct_target target;
	struct ct_probe_set probes;
	struct ct_modules mods;
	struct ct_unwinder unw;
	struct ct_symbolizer sym;
	struct ct_heap heap;
	struct ring_buffer *rb;
	char lib_file[4200]; /* openable path of the allocator library */
	struct bpf_link *exec_link;
	int64_t start_mono;
	int request_oom;
	int held; /* the COMMAND stopped itself for us (stop_child): SIGCONT due */
	long stall_ms; /* LEAKWATCH_TEST_STALL_MS: sleep before the first request */
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: cgo-trace [options] -p PID\n"
		"       cgo-trace [options] -- COMMAND [ARGS...]\n"
		"Trace the C allocations of a process (including a Go program's cgo calls)\n"
		"with eBPF uprobes and write the outstanding ones as pprof heap profiles.\n"
		"\n"
		"  -p, --pid PID          trace this running process\n"
		"  -o, --output FILE      write one profile to FILE at exit ('-': stdout)\n"
		"      --out DIR          write cgo-<UTC time>.pb.gz snapshots into DIR\n"
		"  -i, --interval DUR     snapshot every DUR into --out (e.g. 30s, 5m)\n"
		"  -d, --duration DUR     stop after DUR (default: until the process exits\n"
		"                         or SIGINT/SIGTERM)\n"
		"      --min-age DUR      count only allocations older than DUR as in use\n"
		"      --sample-rate SIZE record allocations by a Poisson process with one\n"
		"                         sample per SIZE bytes on average (Go's\n"
		"                         MemProfileRate; values scaled back); 0: all\n"
		"      --lib PATH         the allocator library (default: the C library\n"
		"                         the process maps)\n"
		"      --symbol-prefix P  allocator function prefix, e.g. je_\n"
		"      --mmap             also trace anonymous mmap/munmap\n"
		"      --max-allocs N     outstanding allocations tracked (default 524288)\n"
		"      --max-stacks N     distinct stacks and (stack, size) buckets\n"
		"                         (default 65536)\n"
		"      --count-only       benchmark aid: only count hits of naive probes\n"
		"                         (malloc entry and return, free's first instruction)\n"
		"  -v, --verbose          print probe placement and libbpf warnings\n"
		"  -h, --help             show this help\n"
		"      --version          show the version\n");
}

enum {
	OPT_OUT = 256,
	OPT_MIN_AGE,
	OPT_SAMPLE_RATE,
	OPT_LIB,
	OPT_PREFIX,
	OPT_MMAP,
	OPT_MAX_ALLOCS,
	OPT_MAX_STACKS,
	OPT_COUNT_ONLY,
	OPT_VERSION,
};

static void parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "output", required_argument, NULL, 'o' },
		{ "out", required_argument, NULL, OPT_OUT },
		{ "interval", required_argument, NULL, 'i' },
		{ "duration", required_argument, NULL, 'd' },
		{ "min-age", required_argument, NULL, OPT_MIN_AGE },
		{ "sample-rate", required_argument, NULL, OPT_SAMPLE_RATE },
		{ "lib", required_argument, NULL, OPT_LIB },
		{ "symbol-prefix", required_argument, NULL, OPT_PREFIX },
		{ "mmap", no_argument, NULL, OPT_MMAP },
		{ "max-allocs", required_argument, NULL, OPT_MAX_ALLOCS },
		{ "max-stacks", required_argument, NULL, OPT_MAX_STACKS },
		{ "count-only", no_argument, NULL, OPT_COUNT_ONLY },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	int64_t v;

	while ((c = getopt_long(argc, argv, "+p:o:i:d:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (lw_parse_int64(optarg, 1, INT32_MAX, &v))
				lw_usage_error("invalid PID '%s'", optarg);
			o->pid = (pid_t)v;
			break;
		case 'o':
			o->output = optarg;
			break;
		case OPT_OUT:
			o->out_dir = optarg;
			break;
		case 'i':
			if (lw_parse_duration(optarg, &o->interval_ns) || o->interval_ns < 100000000)
				lw_usage_error("invalid interval '%s' (at least 100ms)", optarg);
			break;
		case 'd':
			if (lw_parse_duration(optarg, &o->duration_ns) || o->duration_ns <= 0)
				lw_usage_error("invalid duration '%s'", optarg);
			break;
		case OPT_MIN_AGE:
			if (lw_parse_duration(optarg, &o->min_age_ns))
				lw_usage_error("invalid minimum age '%s'", optarg);
			break;
		case OPT_SAMPLE_RATE:
			if (lw_parse_size(optarg, &o->sample_rate))
				lw_usage_error("invalid sample rate '%s'", optarg);
			break;
		case OPT_LIB:
			o->lib = optarg;
			break;
		case OPT_PREFIX:
			o->prefix = optarg;
			break;
		case OPT_MMAP:
			o->mmap = 1;
			break;
		case OPT_MAX_ALLOCS:
			if (lw_parse_int64(optarg, 1024, 1 << 26, &o->max_allocs))
				lw_usage_error("invalid --max-allocs '%s' (1024..%d)", optarg, 1 << 26);
			break;
		case OPT_MAX_STACKS:
			if (lw_parse_int64(optarg, 256, 1 << 24, &o->max_stacks))
				lw_usage_error("invalid --max-stacks '%s' (256..%d)", optarg, 1 << 24);
			break;
		case OPT_COUNT_ONLY:
			o->count_only = 1;
			break;
		case 'v':
			o->verbose = 1;
			break;
		case 'h':
			usage(stdout);
			lw_check_stdout();
			exit(LW_EXIT_OK);
		case OPT_VERSION:
			lw_print_version();
		default:
			lw_usage_error("unknown option");
		}
	}
	if (optind < argc)
		o->cmd = argv + optind;
	if (!!o->pid == !!o->cmd)
		lw_usage_error("give either -p PID or -- COMMAND");
	if (o->count_only) {
		if (o->output || o->out_dir)
			lw_usage_error("--count-only writes no profile");
		return;
	}
	if (!o->output && !o->out_dir)
		lw_usage_error("give -o FILE or --out DIR");
	if (o->output && o->out_dir)
		lw_usage_error("-o and --out are exclusive");
	if (o->interval_ns && !o->out_dir)
		lw_usage_error("--interval needs --out DIR");
	if (o->prefix && !o->lib)
		lw_usage_error("--symbol-prefix needs --lib PATH");
}

static int64_t now_ns(clockid_t clk)
{
	struct timespec ts;
	clock_gettime(clk, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Root, or the capabilities tracing needs. */
static int permitted(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];

	if (geteuid() == 0)
		return 1;
	if (syscall(SYS_capget, &hdr, data))
		return 0;
#define HAS(cap) (data[(cap) / 32].effective & (1u << ((cap) % 32)))
	return (HAS(CAP_SYS_ADMIN) || (HAS(39 /* CAP_BPF */) && HAS(38 /* CAP_PERFMON */))) &&
	       HAS(CAP_SYS_PTRACE);
#undef HAS
}

static void check_kernel(void)
{
	const char *sys = getenv("CGO_TRACE_SYSFS");
	char path[512];

	if (!sys || !*sys)
		sys = "/sys";
	if (!permitted())
		lw_die("not permitted: tracing needs root (CAP_BPF, CAP_PERFMON and "
		       "CAP_SYS_PTRACE)");
	snprintf(path, sizeof(path), "%s/kernel/btf/vmlinux", sys);
	if (access(path, R_OK))
		lw_die("kernel without BTF ('%s' missing): needs CONFIG_DEBUG_INFO_BTF", path);
	snprintf(path, sizeof(path), "%s/bus/event_source/devices/uprobe/type", sys);
	if (access(path, R_OK))
		lw_die("kernel without uprobes ('%s' missing): needs CONFIG_UPROBE_EVENTS", path);
}

static int verbose_libbpf;

/* libbpf's warnings (the verifier log among them) only with -v. */
static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG || !verbose_libbpf)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static void fill_gaps(struct cgo_trace_bpf *skel, int64_t rate)
{
	size_t n = LW_ARRAY_SIZE(skel->bss->gaps);

	for (size_t i = 0; i < n; i++) {
		double u = ((double)i + 0.5) / (double)n;
		double g = -log1p(-u) * (double)rate;
		skel->bss->gaps[i] = g < 1 ? 1 : (uint64_t)g;
	}
}

/* The process exec'd (generation gen began): what was recorded died with
 * the old program, and its addresses mean something else now. Called by
 * whichever comes first, the exec notice or a request of the new program
 * (the two ring buffers are not ordered). */
static void sync_gen(struct ctx *c, uint32_t gen)
{
	if ((int32_t)(gen - c->unw.gen) <= 0)
		return;
	if (c->o->verbose)
		fprintf(stderr, "%s: pid %d exec'd: tracing the new program\n", lw_progname(),
			(int)c->target.pid);
	ct_modules_reset(&c->mods);
	ct_symbolizer_reset(&c->sym);
	ct_unwinder_reset(&c->unw, gen);
	ct_heap_reset(&c->heap, gen);
}

/* The loader changed the loaded objects: look at the maps now, while the
 * new library is certainly there, then let a process we stopped go on. */
static int on_notice(void *arg, void *data, size_t size)
{
	struct ctx *c = arg;
	const struct ct_notice *n = data;

	if (size < sizeof(*n))
		return 0;
	if (n->kind == CT_NOTICE_EXEC) {
		sync_gen(c, c->skel->bss->gen);
		return 0;
	}
	if (n->kind == CT_NOTICE_EXIT) {
		c->held = c->skel->bss->stop_child;
		return 0;
	}
	ct_modules_refresh(&c->mods);
	c->held = c->skel->bss->stop_child;
	return 0;
}

static int on_request(void *arg, void *data, size_t size)
{
	struct ctx *c = arg;

	if (size < sizeof(struct ct_unwind_req))
		return 0;
	if (c->stall_ms > 0) { /* tests: a tracer that falls behind its target */
		usleep((useconds_t)c->stall_ms * 1000);
		c->stall_ms = 0;
	}
	sync_gen(c, ((const struct ct_unwind_req *)data)->gen);
	if (ct_unwind_request(&c->unw, data))
		c->request_oom = 1;
	c->held = c->skel->bss->stop_child;
	return 0;
}

/* Lets a COMMAND that stopped itself for us (stop_child in the BPF
 * program) go on, once every record of the ring buffers has been answered:
 * each thread that sent one is still stopped at its probe, so its stack is
 * as it was. Outside the ring callbacks, or a batch could be half answered. */
static void release_child(struct ctx *c)
{
	if (!c->held)
		return;
	c->held = 0;
	if (!c->target.reaped)
		kill(c->target.pid, SIGCONT);
}

static void read_counters(struct ctx *c, uint64_t out[CT_NCOUNTERS])
{
	int ncpu = libbpf_num_possible_cpus();
	struct ct_counters *v;
	__u32 zero = 0;

	memset(out, 0, CT_NCOUNTERS * sizeof(out[0]));
	if (ncpu <= 0)
		return;
	v = calloc((size_t)ncpu, sizeof(*v));
	if (!v)
		return;
	if (bpf_map_lookup_elem(bpf_map__fd(c->skel->maps.counters), &zero, v) == 0)
		for (int i = 0; i < ncpu; i++)
			for (int j = 0; j < CT_NCOUNTERS; j++)
				out[j] += v[i].c[j];
	free(v);
}

static void add_comment(char ***v, size_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void add_comment(char ***v, size_t *n, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (!s)
		return;
	*v = lw_xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[(*n)++] = s;
}

/* The losses line shared by profile comments and the exit summary. */
static void losses_text(struct ctx *c, const uint64_t *k, uint64_t lost_stacks, char *buf,
			size_t sz)
{
	snprintf(buf, sz,
		 "losses: %" PRIu64 " allocations dropped (allocation map full), %" PRIu64
		 " missing from alloc totals (bucket map full), %" PRIu64
		 " stacks dropped (stack map full), %" PRIu64 " stack id collisions, %" PRIu64
		 " outstanding without a stack, %" PRIu64
		 " stacks cut short (unwind request lost, or the process exited first), %" PRIu64
		 " stacks truncated at %d frames, %" PRIu64
		 " missed return probes, %" PRIu64 " threads without state, %" PRIu64
		 " unwind rules dropped (rule map full)",
		 k[CT_C_DROP_ALLOC_FULL], k[CT_C_DROP_TOTAL_FULL], k[CT_C_DROP_STACK_FULL],
		 k[CT_C_STACK_COLLISION], lost_stacks, k[CT_C_STACK_PARTIAL] + c->unw.cut_short,
		 k[CT_C_STACK_TRUNCATED], CT_MAX_FRAMES,
		 k[CT_C_MISSED_RETURN], k[CT_C_NO_THREAD], c->unw.rules_full);
}

static void frees_text(const uint64_t *k, char *buf, size_t sz)
{
	snprintf(buf, sz,
		 "%" PRIu64 " allocations recorded, %" PRIu64 " freed; %" PRIu64
		 " frees of untracked addresses (allocated before attach%s), %" PRIu64
		 " failed calls, %" PRIu64 " nested allocator calls ignored, %" PRIu64
		 " addresses reused without a free, %" PRIu64 " munmaps of untracked ranges",
		 k[CT_C_ALLOCS], k[CT_C_FREES], k[CT_C_FREE_UNKNOWN],
		 k[CT_C_SAMPLED_OUT] ? " or not sampled" : "", k[CT_C_FAILED], k[CT_C_NESTED],
		 k[CT_C_ADDR_REUSED], k[CT_C_MUNMAP_UNKNOWN]);
}

static const char *target_name(struct ctx *c, char *buf, size_t sz)
{
	if (c->o->cmd)
		snprintf(buf, sz, "pid %d (%s)", (int)c->target.pid, c->o->cmd[0]);
	else
		snprintf(buf, sz, "pid %d", (int)c->target.pid);
	return buf;
}

/* Takes a snapshot and writes it to path. 0, or -1 (message printed). */
static int write_snapshot(struct ctx *c, const char *path, struct ct_snapshot *snap_out)
{
	struct ct_snapshot snap;
	struct ct_meta meta = { 0 };
	uint64_t k[CT_NCOUNTERS];
	char err[600], buf[1024], name[300];
	int rc;

	ring_buffer__consume(c->rb);
	release_child(c);
	if (!c->target.reaped)
		ct_modules_refresh(&c->mods);
	rc = ct_heap_snapshot(&c->heap, (uint64_t)c->o->min_age_ns, &snap);
	if (rc) {
		lw_warn("cannot read the BPF maps: %s", strerror(-rc));
		return -1;
	}
	read_counters(c, k);
	meta.time_nanos = now_ns(CLOCK_REALTIME);
	meta.duration_nanos = now_ns(CLOCK_MONOTONIC) - c->start_mono;
	meta.sample_rate = c->o->sample_rate;
	add_comment(&meta.comments, &meta.n_comments, "cgo-trace %s: C allocations of %s through %s",
		    LW_VERSION, target_name(c, name, sizeof(name)), c->target.lib[0] ? c->target.lib : c->o->lib);
	if (c->o->sample_rate > 1)
		add_comment(&meta.comments, &meta.n_comments,
			    "sample-rate %" PRId64 " bytes: values scaled as pprof's scaleHeapSample",
			    c->o->sample_rate);
	else
		add_comment(&meta.comments, &meta.n_comments, "sample-rate 0: every allocation recorded");
	if (c->o->min_age_ns)
		add_comment(&meta.comments, &meta.n_comments,
			    "min-age %.3fs: %" PRIu64 " younger allocations not counted as in use",
			    (double)c->o->min_age_ns / 1e9, snap.too_young);
	losses_text(c, k, c->heap.lost_stacks, buf, sizeof(buf));
	add_comment(&meta.comments, &meta.n_comments, "%s", buf);
	frees_text(k, buf, sizeof(buf));
	add_comment(&meta.comments, &meta.n_comments, "%s", buf);
	rc = ct_write_profile(path, &snap, &c->sym, &c->mods, &meta, err, sizeof(err));
	if (rc)
		lw_warn("%s", err);
	for (size_t i = 0; i < meta.n_comments; i++)
		free(meta.comments[i]);
	free(meta.comments);
	if (snap_out)
		*snap_out = snap;
	else
		ct_snapshot_free(&snap);
	return rc;
}

static int write_archive_snapshot(struct ctx *c, struct ct_snapshot *snap_out)
{
	char *path = lw_archive_path(c->o->out_dir, "cgo", now_ns(CLOCK_REALTIME), "pb.gz");
	int rc;

	if (!path)
		lw_die("out of memory");
	rc = write_snapshot(c, path, snap_out);
	if (!rc && c->o->verbose)
		fprintf(stderr, "%s: wrote '%s'\n", lw_progname(), path);
	free(path);
	return rc;
}

static void print_summary(struct ctx *c, const struct ct_snapshot *snap, int64_t elapsed)
{
	uint64_t k[CT_NCOUNTERS], bytes = 0, objs = 0;
	char buf[1024], name[300];

	read_counters(c, k);
	for (size_t i = 0; snap && i < snap->n; i++) {
		objs += snap->v[i].inuse_count;
		bytes += snap->v[i].inuse_bytes;
	}
	fprintf(stderr, "%s: traced %s for %.1fs: %" PRIu64 " outstanding allocations (%" PRIu64
		" bytes)%s\n", lw_progname(), target_name(c, name, sizeof(name)), (double)elapsed / 1e9,
		objs, bytes, c->o->sample_rate > 1 ? " sampled, before scaling" : "");
	frees_text(k, buf, sizeof(buf));
	fprintf(stderr, "%s: %s\n", lw_progname(), buf);
	losses_text(c, k, c->heap.lost_stacks, buf, sizeof(buf));
	fprintf(stderr, "%s: %s\n", lw_progname(), buf);
	if (c->o->verbose)
		fprintf(stderr, "%s: %" PRIu64 " stacks unwound in user space (%" PRIu64
			" requests), %zu unwind rules learnt\n", lw_progname(), c->unw.requests,
			k[CT_C_UNWIND_REQ], c->unw.rules.n);
}

/* The allocator library as a path this process can open (and give to
 * the kernel for the uprobes): the target's view of it when it is mapped. */
static void resolve_lib_file(struct ctx *c)
{
	struct stat st;

	if (c->o->lib) {
		snprintf(c->lib_file, sizeof(c->lib_file), "%s", c->o->lib);
		return;
	}
	snprintf(c->lib_file, sizeof(c->lib_file), "/proc/%d/root%s", (int)c->target.pid,
		 c->target.lib);
	if (stat(c->lib_file, &st) == 0 && st.st_ino == c->target.lib_ino)
		return;
	snprintf(c->lib_file, sizeof(c->lib_file), "/proc/%d/map_files/%" PRIx64 "-%" PRIx64,
		 (int)c->target.pid, c->target.lib_start, c->target.lib_end);
}

/* Best effort: without it, libraries loaded later are still found when
 * their first allocation is unwound, unless the process exits first. */
static void attach_loader_probe(struct ctx *c)
{
	char path[4096], file[4200], err[600];
	uint64_t start, end, ino;
	struct stat st;

	if (!ct_target_find_loader(&c->target, path, sizeof(path), &start, &end, &ino))
		return;
	snprintf(file, sizeof(file), "/proc/%d/root%s", (int)c->target.pid, path);
	if (stat(file, &st) || st.st_ino != ino)
		snprintf(file, sizeof(file), "/proc/%d/map_files/%" PRIx64 "-%" PRIx64,
			 (int)c->target.pid, start, end);
	if (ct_probes_attach_sym(&c->probes, file, "_dl_debug_state", c->target.pid,
				 c->skel->progs.ct_dl_notice, err, sizeof(err)) && c->o->verbose)
		lw_warn("%s", err);
}

/* For a COMMAND we started: stop it on its way out (Go's runtime.exit, the
 * C library's _exit) until its last stacks are unwound. */
static void attach_exit_probes(struct ctx *c)
{
	char exe[64], err[600];

	if (!c->o->cmd)
		return;
	snprintf(exe, sizeof(exe), "/proc/%d/exe", (int)c->target.pid);
	/* Go's assembly functions carry their ABI in the symbol since 1.17. */
	if (ct_probes_attach_sym(&c->probes, exe, "runtime.exit.abi0", c->target.pid,
				 c->skel->progs.ct_exit_notice, err, sizeof(err)) &&
	    ct_probes_attach_sym(&c->probes, exe, "runtime.exit", c->target.pid,
				 c->skel->progs.ct_exit_notice, err, sizeof(err)) && c->o->verbose)
		lw_warn("%s", err);
	if (!c->o->lib &&
	    ct_probes_attach_sym(&c->probes, c->lib_file, "_exit", c->target.pid,
				 c->skel->progs.ct_exit_notice, err, sizeof(err)) && c->o->verbose)
		lw_warn("%s", err);
}

static void print_plan(struct ctx *c)
{
	for (int i = 0; i < c->probes.n; i++) {
		const struct ct_probe *p = &c->probes.p[i];
		if (!p->found)
			fprintf(stderr, "%s: %s: not found\n", lw_progname(), p->func);
		else
			fprintf(stderr, "%s: %s: probe at +0x%" PRIx64 " (%s)%s\n", lw_progname(),
				p->func, p->probe_off - p->sym_off,
				p->emulated ? "emulated instruction" : "single-stepped instruction",
				p->duplicate ? ", alias of an earlier function" : "");
	}
}

int main(int argc, char **argv)
{
	struct opts o = { .max_allocs = 1 << 19, .max_stacks = 1 << 16 };
	struct ctx c = { .o = &o };
	struct ct_lib_want want = { 0 };
	struct sigaction sa = { 0 };
	struct ct_snapshot final = { 0 };
	char err[600];
	int rc = LW_EXIT_ERROR, have_final = 0;
	int64_t deadline = 0, next_snap = 0, next_refresh;

	lw_set_progname(argv[0]);
	parse_args(argc, argv, &o);
	check_kernel();
	verbose_libbpf = o.verbose;
	libbpf_set_print(libbpf_print);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* One descriptor per library of the target is kept open (see
	 * modules.h): allow as many as we may. */
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}

	if (o.lib) {
		struct stat st;
		if (stat(o.lib, &st))
			lw_die("cannot open '%s': %s", o.lib, strerror(errno));
		want.lib_path = o.lib;
		want.dev = st.st_dev;
		want.ino = st.st_ino;
	}
	if (o.out_dir && mkdir(o.out_dir, 0777) && errno != EEXIST)
		lw_die("cannot create '%s': %s", o.out_dir, strerror(errno));
	if (o.output && strcmp(o.output, "-")) {
		/* Fail now rather than after the whole trace. */
		char *dir = lw_xstrdup(o.output), *slash = strrchr(dir, '/');
		if (slash)
			*(slash == dir ? slash + 1 : slash) = '\0';
		int bad = access(slash ? dir : ".", W_OK) ? errno : 0;
		free(dir);
		if (bad)
			lw_die("cannot write '%s': %s", o.output, strerror(bad));
	}

	/* BPF first: the verifier takes a while, and a COMMAND waits for it
	 * stopped. */
	c.skel = cgo_trace_bpf__open();
	if (!c.skel)
		lw_die("cannot open the BPF object: %s", strerror(errno));
	c.skel->rodata->sample_rate = (uint64_t)o.sample_rate;
	bpf_map__set_max_entries(c.skel->maps.allocs, (uint32_t)o.max_allocs);
	bpf_map__set_max_entries(c.skel->maps.stacks, (uint32_t)o.max_stacks);
	bpf_map__set_max_entries(c.skel->maps.totals, (uint32_t)o.max_stacks);
	c.probes.multi = ct_probes_multi_supported();
	if (c.probes.multi) {
		struct bpf_program *prog;
		bpf_object__for_each_program(prog, c.skel->obj)
			if (bpf_program__type(prog) == BPF_PROG_TYPE_KPROBE)
				bpf_program__set_expected_attach_type(prog, CT_ATTACH_UPROBE_MULTI);
	}
	if (cgo_trace_bpf__load(c.skel)) {
		int e = errno;
		cgo_trace_bpf__destroy(c.skel);
		lw_die("cannot load the BPF programs: %s%s", strerror(e),
		       o.verbose ? "" : " (run with -v for the verifier log)");
	}
	if (o.sample_rate > 1)
		fill_gaps(c.skel, o.sample_rate);

	if (o.cmd ? ct_target_spawn(&c.target, o.cmd, &want, err, sizeof(err))
		  : ct_target_attach(&c.target, o.pid, &want, err, sizeof(err))) {
		lw_warn("%s", err);
		goto out_skel;
	}
	resolve_lib_file(&c);
	if (ct_probes_plan(&c.probes, c.lib_file, o.prefix, o.mmap, c.probes.multi, err,
			   sizeof(err))) {
		lw_warn("%s", err);
		goto out_target;
	}
	if (o.verbose)
		print_plan(&c);
	c.skel->bss->target_tgid = (uint32_t)c.target.pid;

	if (!o.count_only) {
		int r = ct_modules_init(&c.mods, c.target.pid);
		if (r) {
			lw_warn(r == -ESRCH ? "no such process: %d" : "cannot read the maps of %d",
				(int)c.target.pid);
			goto out_target;
		}
		ct_unwinder_init(&c.unw, &c.mods, c.target.pid, bpf_map__fd(c.skel->maps.rules));
		ct_symbolizer_init(&c.sym, &c.mods);
		ct_heap_init(&c.heap, bpf_map__fd(c.skel->maps.allocs),
			     bpf_map__fd(c.skel->maps.totals), bpf_map__fd(c.skel->maps.stacks),
			     &c.unw);
		c.rb = ring_buffer__new(bpf_map__fd(c.skel->maps.requests), on_request, &c, NULL);
		if (!c.rb || ring_buffer__add(c.rb, bpf_map__fd(c.skel->maps.notices), on_notice, &c)) {
			lw_warn("cannot set up the ring buffer: %s", strerror(errno));
			goto out_state;
		}
	}
	if ((o.count_only ? ct_probes_attach_naive(&c.probes, c.lib_file, c.target.pid,
						   c.skel->progs.ct_naive_enter,
						   c.skel->progs.ct_naive_exit,
						   c.skel->progs.ct_naive_free, err, sizeof(err))
			  : ct_probes_attach(&c.probes, c.lib_file, c.target.pid,
					     c.skel->progs.ct_alloc_enter, c.skel->progs.ct_alloc_exit,
					     c.skel->progs.ct_free, err, sizeof(err)))) {
		lw_warn("%s", err);
		goto out_state;
	}
	if (!o.count_only) {
		/* Stopping is only safe for our own child: a shell with job
		 * control would report any other process as stopped. */
		c.skel->bss->stop_child = o.cmd != NULL;
		attach_loader_probe(&c);
		attach_exit_probes(&c);
		c.exec_link = bpf_program__attach(c.skel->progs.ct_exec);
		if (!c.exec_link && o.verbose)
			lw_warn("cannot watch for exec: %s", strerror(errno));
	}
	if (getenv("LEAKWATCH_TEST_STALL_MS"))
		c.stall_ms = atol(getenv("LEAKWATCH_TEST_STALL_MS"));
	c.start_mono = now_ns(CLOCK_MONOTONIC);
	ct_target_release(&c.target);
	if (o.verbose)
		fprintf(stderr, "%s: tracing pid %d\n", lw_progname(), (int)c.target.pid);

	if (o.duration_ns)
		deadline = c.start_mono + o.duration_ns;
	if (o.interval_ns)
		next_snap = c.start_mono + o.interval_ns;
	next_refresh = c.start_mono + 1000000000LL;
	while (!stop_requested) {
		int64_t now;

		if (c.rb) {
			int n = ring_buffer__poll(c.rb, 100);
			if (n < 0 && n != -EINTR) {
				lw_warn("ring buffer: %s", strerror(-n));
				break;
			}
		} else {
			usleep(100000);
		}
		if (c.request_oom)
			lw_die("out of memory");
		release_child(&c);
		if (ct_target_gone(&c.target))
			break;
		now = now_ns(CLOCK_MONOTONIC);
		if (deadline && now >= deadline)
			break;
		if (!o.count_only && now >= next_refresh) {
			ct_modules_refresh(&c.mods);
			next_refresh = now + 1000000000LL;
		}
		if (next_snap && now >= next_snap) {
			write_archive_snapshot(&c, NULL);
			while (next_snap <= now)
				next_snap += o.interval_ns;
		}
	}

	ct_probes_detach(&c.probes);
	if (o.count_only) {
		fprintf(stderr, "%s: count-only probes: malloc entry %llu, malloc return %llu, "
			"free entry %llu\n", lw_progname(),
			(unsigned long long)c.skel->bss->naive_hits[0],
			(unsigned long long)c.skel->bss->naive_hits[1],
			(unsigned long long)c.skel->bss->naive_hits[2]);
		rc = LW_EXIT_OK;
		goto out_state;
	}
	if (o.output)
		rc = write_snapshot(&c, o.output, &final);
	else
		rc = write_archive_snapshot(&c, &final);
	have_final = rc == 0;
	print_summary(&c, have_final ? &final : NULL, now_ns(CLOCK_MONOTONIC) - c.start_mono);
	rc = have_final ? LW_EXIT_OK : LW_EXIT_ERROR;

out_state:
	ct_probes_detach(&c.probes);
	bpf_link__destroy(c.exec_link);
	ct_snapshot_free(&final);
	if (c.rb)
		ring_buffer__free(c.rb);
	if (!o.count_only && c.mods.dwfl) {
		ct_heap_free(&c.heap);
		ct_symbolizer_free(&c.sym);
		ct_unwinder_free(&c.unw);
		ct_modules_free(&c.mods);
	}
out_target:
	if (rc != LW_EXIT_OK)
		ct_target_kill(&c.target); /* only a child we still hold */
	ct_target_release(&c.target);
	ct_target_close(&c.target);
out_skel:
	cgo_trace_bpf__destroy(c.skel);
	if (rc == LW_EXIT_OK)
		lw_check_stdout();
	return rc;
}
