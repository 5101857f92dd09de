/* symbolize.h: return address -> function, file, line, with inline frames,
 * from the module's DWARF (libdw), else its ELF symbol table. Results are
 * cached per address for the whole trace; strings live as long as the
 * symbolizer.
 */
#ifndef CT_SYMBOLIZE_H
#define CT_SYMBOLIZE_H

#include <stdint.h>

#include "modules.h"
#include "u64map.h"

struct ct_frame {
	const char *func; /* never NULL; "" when unknown */
	const char *file; /* "" when unknown */
	int64_t line;
};

/* frames[0] is the innermost (inlined) function, frames[n-1] the function
 * the code belongs to, as in a pprof Location's lines. */
struct ct_sym {
	struct ct_module *module; /* NULL: outside every known mapping */
	struct ct_frame *frames;
	int n;			  /* 0 when nothing is known */
	int has_lines;
};

struct ct_symbolizer {
	struct ct_modules *mods;
	struct ct_u64map cache; /* addr -> struct ct_sym * */
};

void ct_symbolizer_init(struct ct_symbolizer *s, struct ct_modules *mods);
/* addr is the address to describe (a return address minus 1). NULL only on
 * out-of-memory. */
const struct ct_sym *ct_symbolize(struct ct_symbolizer *s, uint64_t addr);
/* Forgets every cached address (after an exec). */
void ct_symbolizer_reset(struct ct_symbolizer *s);
void ct_symbolizer_free(struct ct_symbolizer *s);

#endif
