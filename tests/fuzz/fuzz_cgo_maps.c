/* fuzz_cgo_maps: cgo-trace's /proc/PID/maps line parser
 * (tools/cgo-trace/procmaps.c) on arbitrary lines. Contract: 0 with an
 * inode, a NUL-terminated perms field and a path inside the line without
 * its newline, or -1; what it accepts, printed back as a maps line, parses
 * to the same entry.
 */
#include <inttypes.h>

#include "../../tools/cgo-trace/procmaps.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void one(char *line, size_t len)
{
	struct ct_maps_entry e, f;
	if (ct_maps_parse(line, &e) != 0)
		return;
	if (!e.ino || memchr(e.perms, '\0', sizeof(e.perms)) == NULL || !e.path ||
	    e.path < line || e.path > line + len || strchr(e.path, '\n'))
		abort();
	size_t plen = strlen(e.path);
	if (plen >= 10 && !strcmp(e.path + plen - 10, " (deleted)"))
		return; /* cut once only: printing it back would cut again */
	if (!e.perms[0])
		abort();
	char *again;
	if (asprintf(&again, "%" PRIx64 "-%" PRIx64 " %s %" PRIx64 " %x:%x %" PRIu64 " %s\n",
		     e.start, e.end, e.perms, e.offset, e.maj, e.min, e.ino, e.path) < 0)
		abort();
	if (ct_maps_parse(again, &f) != 0 || f.start != e.start || f.end != e.end ||
	    f.offset != e.offset || f.maj != e.maj || f.min != e.min || f.ino != e.ino ||
	    strcmp(f.perms, e.perms) != 0 || strcmp(f.path, e.path) != 0)
		abort();
	free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 1 << 14)
		return 0;
	/* Lines as getline() gives them: each with its newline, NUL-ended. */
	size_t i = 0;
	while (i < size) {
		const uint8_t *nl = memchr(data + i, '\n', size - i);
		size_t n = nl ? (size_t)(nl - (data + i)) + 1 : size - i;
		char *line = malloc(n + 1);
		if (!line)
			return 0;
		memcpy(line, data + i, n);
		line[n] = '\0';
		one(line, n);
		free(line);
		i += n;
	}
	return 0;
}
