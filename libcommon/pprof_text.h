/* pprof_text.h (internal to libcommon): Go's legacy text profiles.
 *
 * Called by lw_profile_read_mem() after the protobuf decode failed; each
 * parser returns NULL with *recognized = 0 if the text is not its format
 * (so the next one is tried), or NULL with *recognized = 1 and err set if it
 * is its format but malformed.
 *   heap/allocs ?debug=1   -> 4 sample types scaled as pprof does (or pprof's
 *                             2-column form when header alloc == inuse),
 *                             period = header/2, memstats filled, frames
 *                             named from the '#' symbol lines
 *   goroutine ?debug=1     -> "<name>/count" profile, labels from '# labels:'
 *   goroutine ?debug=2     -> goroutine/count profile (one sample per
 *                             goroutine), goroutines[] filled
 */
#ifndef LW_PPROF_TEXT_H
#define LW_PPROF_TEXT_H

#include "pprof_io.h"

struct lw_profile *lw_parse_heap_text(const char *buf, size_t len, const char *name,
				      int *recognized, struct lw_error *err);
struct lw_profile *lw_parse_count_text(const char *buf, size_t len, const char *name,
				       int *recognized, struct lw_error *err);
struct lw_profile *lw_parse_goroutine_dump(const char *buf, size_t len, const char *name,
					   int *recognized, struct lw_error *err);

#endif
