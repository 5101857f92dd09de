/* procmaps.h: one line of /proc/PID/maps, parsed.
 *
 * Shared by target.c (finding the C library to probe) and modules.c (the
 * executable mappings to symbolize), so both read the file alike.
 */
#ifndef CT_PROCMAPS_H
#define CT_PROCMAPS_H

#include <stdint.h>

struct ct_maps_entry {
	uint64_t start, end, offset, ino;
	unsigned maj, min; /* device */
	char perms[8];     /* "r-xp" */
	char *path;        /* inside the line: newline and " (deleted)" cut off */
};

/* Parses line (modified in place). 0 for a mapping of a file (an inode and
 * a path field), -1 for anything else (anonymous, malformed). */
int ct_maps_parse(char *line, struct ct_maps_entry *e);

#endif
