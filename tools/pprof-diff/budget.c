/* budget.c: the --budget file, the growth a team has accepted.
 *
 *   # comment lines and blank lines are ignored
 *   main.(*Cache).fill       8MiB   # text after '#' is kept and reported
 *   /^github\.com/acme/orm\./ 2MiB  # /regex/: the matching functions together
 *   @total                   5%     # replaces --fail-total
 *
 * One entry per line: a name, then an allowance (a size, a plain count, or a
 * percent of the base total) as the last field. Names may contain spaces.
 */
#include <ctype.h>

#include "atomicio.h"
#include "diff.h"
#include "err.h"

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

static int parse_line(struct pd_budget *b, char *line, long lineno, struct lw_error *err)
{
	char *comment = "";
	for (char *p = line; *p; p++) {
		if (*p == '#' && (p == line || isspace((unsigned char)p[-1]))) {
			*p = '\0';
			comment = trim(p + 1);
			break;
		}
	}
	line = trim(line);
	if (!*line)
		return 0;
	char *sp = line + strlen(line);
	while (sp > line && !isspace((unsigned char)sp[-1]))
		sp--;
	if (sp == line) {
		snprintf(err->msg, sizeof(err->msg), "'%s': line %ld: expected NAME ALLOWANCE",
			 b->path, lineno);
		return -1;
	}
	char *allow = sp;
	sp[-1] = '\0';
	char *name = trim(line);

	struct pd_budget_entry en = {.lineno = lineno};
	if (lw_parse_threshold(allow, &en.allow) != 0 || en.allow.value < 0) {
		snprintf(err->msg, sizeof(err->msg), "'%s': line %ld: bad allowance '%s'", b->path,
			 lineno, allow);
		return -1;
	}
	size_t len = strlen(name);
	if (strcmp(name, "@total") == 0) {
		en.is_total = true;
	} else if (name[0] == '@') {
		snprintf(err->msg, sizeof(err->msg), "'%s': line %ld: unknown keyword '%s'",
			 b->path, lineno, name);
		return -1;
	} else if (len >= 2 && name[0] == '/' && name[len - 1] == '/') {
		char *src = lw_xstrdup(name + 1);
		src[len - 2] = '\0';
		int rc = regcomp(&en.re, src, REG_EXTENDED | REG_NOSUB);
		free(src);
		if (rc != 0) {
			char why[128];
			regerror(rc, &en.re, why, sizeof(why));
			snprintf(err->msg, sizeof(err->msg), "'%s': line %ld: bad regex %s: %s",
				 b->path, lineno, name, why);
			return -1;
		}
		en.is_regex = true;
	}
	en.name = lw_xstrdup(name);
	en.comment = lw_xstrdup(comment);
	b->e = lw_xreallocarray(b->e, b->n + 1, sizeof(*b->e));
	b->e[b->n++] = en;
	return 0;
}

int pd_budget_load(const char *path, struct pd_budget *b, struct lw_error *err)
{
	char *buf;
	size_t len;

	memset(b, 0, sizeof(*b));
	b->path = lw_xstrdup(path);
	int rc = lw_read_all(path, (size_t)16 << 20, &buf, &len);
	if (rc != 0) {
		snprintf(err->msg, sizeof(err->msg), "'%s': %s", path,
			 rc == -EFBIG ? "file too large" : strerror(-rc));
		return -1;
	}
	if (memchr(buf, '\0', len)) {
		snprintf(err->msg, sizeof(err->msg), "'%s': not a text file", path);
		free(buf);
		return -1;
	}
	long lineno = 0;
	char *save = NULL;
	/* strtok_r would merge empty lines and so miscount them. */
	for (char *line = buf; line; line = save) {
		char *nl = strchr(line, '\n');
		save = nl ? nl + 1 : NULL;
		if (nl)
			*nl = '\0';
		lineno++;
		if (parse_line(b, line, lineno, err) != 0) {
			free(buf);
			return -1;
		}
	}
	free(buf);
	return 0;
}

void pd_budget_free(struct pd_budget *b)
{
	for (size_t i = 0; i < b->n; i++) {
		if (b->e[i].is_regex)
			regfree(&b->e[i].re);
		free(b->e[i].name);
		free(b->e[i].comment);
	}
	free(b->e);
	free(b->path);
	memset(b, 0, sizeof(*b));
}
