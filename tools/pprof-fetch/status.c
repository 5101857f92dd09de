/* status.c: live per-target status lines on a terminal (ANSI cursor-up and
 * clear-line; lines are cut to the terminal width so none wraps and the
 * block can always be redrawn in place). */
#include "status.h"

#include <stdarg.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "err.h"

static struct {
	bool enabled;
	struct target *t;
	size_t n;
	int drawn; /* lines currently on screen */
} st;

void status_init(bool enabled, struct target *targets, size_t n)
{
	st.enabled = enabled;
	st.t = targets;
	st.n = n;
	st.drawn = 0;
}

static void term_size(int *cols, int *rows)
{
	struct winsize ws;
	*cols = 80;
	*rows = 24;
	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
		*cols = ws.ws_col;
		*rows = ws.ws_row > 2 ? ws.ws_row : 24;
	}
}

static void clear_block(void)
{
	if (st.drawn > 0)
		fprintf(stderr, "\033[%dA\r\033[J", st.drawn);
	st.drawn = 0;
}

static void line(int cols, const char *s)
{
	fprintf(stderr, "\r\033[K%.*s\n", cols > 1 ? cols - 1 : 1, s);
}

static void format_target(const struct target *t, int64_t now, int namew, char *buf, size_t size)
{
	char what[96];
	if (t->in_round && t->req.retry_at)
		snprintf(what, sizeof what, "%s: retry %d in %.1fs", kind_name(t->req.kind),
			 t->req.attempt + 1, (double)(t->req.retry_at - now) / 1e9);
	else if (t->in_round)
		snprintf(what, sizeof what, "fetching %s", kind_name(t->req.kind));
	else if (t->finished)
		snprintf(what, sizeof what, "done");
	else
		snprintf(what, sizeof what, "next in %.0fs",
			 t->next_due > now ? (double)(t->next_due - now) / 1e9 : 0.0);
	snprintf(buf, size, "%-*s %5lld stored %3lld failed  %-22s%s%s", namew, t->name,
		 (long long)t->stored, (long long)t->failed, what,
		 t->last_error[0] ? "  last error: " : "", t->last_error);
}

void status_draw(int64_t now)
{
	if (!st.enabled)
		return;
	int cols, rows;
	term_size(&cols, &rows);
	size_t show = st.n;
	if (show > (size_t)rows - 2)
		show = (size_t)rows - 3;
	int namew = 4;
	for (size_t i = 0; i < show; i++) {
		int l = (int)strlen(st.t[i].name);
		if (l > namew)
			namew = l < 24 ? l : 24;
	}
	clear_block();
	char buf[512];
	for (size_t i = 0; i < show; i++) {
		format_target(&st.t[i], now, namew, buf, sizeof buf);
		line(cols, buf);
		st.drawn++;
	}
	if (show < st.n) {
		int64_t stored = 0, failed = 0;
		for (size_t i = show; i < st.n; i++) {
			stored += st.t[i].stored;
			failed += st.t[i].failed;
		}
		snprintf(buf, sizeof buf, "... and %zu more targets: %lld stored, %lld failed",
			 st.n - show, (long long)stored, (long long)failed);
		line(cols, buf);
		st.drawn++;
	}
	fflush(stderr);
}

void status_log(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (st.enabled)
		clear_block();
	fprintf(stderr, "%s: %s\n", lw_progname(), msg);
	fflush(stderr);
}

void status_finish(int64_t now)
{
	status_draw(now);
	st.enabled = false;
	st.drawn = 0;
}
