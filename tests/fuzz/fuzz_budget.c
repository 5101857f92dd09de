/* fuzz_budget: pprof-diff's --budget file parser (tools/pprof-diff/budget.c)
 * on arbitrary bytes through a memfd. Contract: 0 with entries whose name
 * is non-empty and trimmed, whose allowance is >= 0 and whose line numbers
 * rise, or -1 with a one-line message naming the file and its line; a
 * regex entry's pattern can be run. Inputs with '{' or many quantifiers
 * are skipped (see below).
 */
#include <ctype.h>

#include "../../tools/pprof-diff/diff.h"
#include "fuzz_memfd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pd_budget b;
	struct lw_error err;
	char path[64];
	if (size > 4096 || memchr(data, '{', size))
		return 0;
	/* glibc's regcomp copies the tree for each stacked quantifier
	 * ("a+++++...", "((a+)+)+"): exponential memory on a trusted file. */
	size_t quantifiers = 0;
	for (size_t i = 0; i < size; i++)
		quantifiers += data[i] == '+' || data[i] == '*' || data[i] == '?';
	if (quantifiers > 8)
		return 0;
	int fd = fuzz_memfd("budget", data, size, path, sizeof(path));
	if (fd < 0)
		return 0;
	err.msg[0] = '\0';
	if (pd_budget_load(path, &b, &err) == 0) {
		long last = 0;
		for (size_t i = 0; i < b.n; i++) {
			const struct pd_budget_entry *e = &b.e[i];
			size_t n = strlen(e->name);
			if (!n || isspace((unsigned char)e->name[0]) ||
			    isspace((unsigned char)e->name[n - 1]) || e->allow.value < 0 ||
			    e->lineno <= last || !e->comment || (e->is_regex && e->is_total))
				abort();
			last = e->lineno;
			if (e->is_regex)
				regexec(&e->re, "main.(*Cache).fill", 0, NULL, 0);
		}
	} else if (strncmp(err.msg, "'/proc/self/fd/", 15) != 0 || strchr(err.msg, '\n')) {
		abort();
	}
	pd_budget_free(&b);
	close(fd);
	return 0;
}
